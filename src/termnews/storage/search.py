"""The full-text search table ``search_fts`` (FTS5: title, author, body text; rowid =
article id) and ranked queries over it with the article filters."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from termnews.storage.articles import ARTICLE_COLUMNS
from termnews.storage.records import Article

_CHUNK = 500
# bm25 column weights: a word in the title says more than one in the author or body
_WEIGHTS = (8.0, 3.0, 1.0)


def delete_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM search_fts WHERE rowid IN ({marks})", chunk)


def save_rows(conn: sqlite3.Connection, rows: Sequence[tuple[int, str, str, str]]) -> None:
    """Index (article id, title, author, body text) rows, replacing earlier ones."""
    delete_rows(conn, [r[0] for r in rows])
    conn.executemany(
        "INSERT INTO search_fts (rowid, title, author, body) VALUES (?, ?, ?, ?)", rows
    )


def orphan_ids(conn: sqlite3.Connection) -> list[int]:
    """Indexed rows whose article is gone."""
    rows = conn.execute(
        "SELECT s.rowid FROM search_fts s LEFT JOIN articles a ON a.id = s.rowid WHERE a.id IS NULL"
    )
    return [r[0] for r in rows]


@dataclass(slots=True)
class Hit:
    """An article found by a search, with its relevance (higher is better)."""

    article: Article
    score: float


def search(
    conn: sqlite3.Connection,
    match: str | None,
    *,
    feed_ids: Sequence[int] | None = None,
    unread: bool = False,
    starred: bool = False,
    limit: int = 20,
) -> list[Hit]:
    """Articles matching the FTS5 expression ``match`` (None: any article), best first.

    Ranking is BM25 over title, author and body; without words, newest first.
    """
    clauses: list[str] = []
    params: list[object] = []
    if feed_ids is not None:
        clauses.append(f"a.feed_id IN ({','.join('?' * len(feed_ids))})")
        params += feed_ids
    if unread:
        clauses.append("a.read = 0")
    if starred:
        clauses.append("a.starred = 1")
    if match is None:
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = conn.execute(
            f"""SELECT {ARTICLE_COLUMNS}, 0.0 AS score FROM articles a
                JOIN feeds f ON f.id = a.feed_id {where}
                ORDER BY a.sort_date DESC, a.id DESC LIMIT ?""",
            [*params, limit],
        )
    else:
        extra = "".join(f" AND {c}" for c in clauses)
        rows = conn.execute(
            f"""SELECT {ARTICLE_COLUMNS}, -m.score AS score
                FROM (SELECT rowid, bm25(search_fts, ?, ?, ?) AS score FROM search_fts
                      WHERE search_fts MATCH ?) m
                JOIN articles a ON a.id = m.rowid JOIN feeds f ON f.id = a.feed_id
                WHERE 1{extra}
                ORDER BY m.score, a.sort_date DESC LIMIT ?""",
            [*_WEIGHTS, match, *params, limit],
        )
    return [Hit(Article.from_row(r), float(r["score"])) for r in rows]
