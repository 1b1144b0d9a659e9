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
RANK_WINDOW = 10_000  # matches ranked by BM25 at most (the newest, for common words)


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


def prefix_words(conn: sqlite3.Connection, prefix: str, limit: int = 20) -> list[str]:
    """The ``limit`` commonest indexed words starting with ``prefix`` (the related index's
    vocabulary: no stop words or numbers)."""
    rows = conn.execute(
        "SELECT term FROM related_terms WHERE term >= ? AND term < ? AND df > 0"
        " ORDER BY df DESC LIMIT ?",
        (prefix, prefix + "\U0010ffff", limit),
    )
    return [r[0] for r in rows]


def feeds_named(conn: sqlite3.Connection, names: Sequence[str]) -> list[int]:
    """Ids of the feeds that ``feed:NAME`` means: NAME is the id, or part of the title or URL."""
    wanted = [n.lower() for n in names]
    return [
        fid
        for fid, title, url in conn.execute("SELECT id, title, url FROM feeds ORDER BY id")
        if any(n == str(fid) or n in title.lower() or n in url.lower() for n in wanted)
    ]


@dataclass(slots=True)
class Hit:
    """An article found by a search, with its relevance (higher is better)."""

    article: Article
    score: float


def _match_window(conn: sqlite3.Connection, match: str) -> int:
    """The lowest rowid to rank so that about RANK_WINDOW matches are ranked."""
    n = conn.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (match,))
    count = int(n.fetchone()[0])
    if count <= RANK_WINDOW:
        return 0
    low, high = _rowid_span(conn)
    return int(high - (high - low) * RANK_WINDOW / count)


def _rowid_span(conn: sqlite3.Connection) -> tuple[int, int]:
    """Lowest and highest indexed rowid (min()/max() would scan the whole FTS table)."""
    row = conn.execute(
        "SELECT (SELECT rowid FROM search_fts ORDER BY rowid LIMIT 1),"
        " (SELECT rowid FROM search_fts ORDER BY rowid DESC LIMIT 1)"
    ).fetchone()
    return int(row[0] or 0), int(row[1] or 0)


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

    Ranking is BM25 over title, author and body; without words, newest first. A query
    matching more than RANK_WINDOW articles ranks the newest of them (about that many,
    by rowid), widening the window when filters leave too few: BM25 over all 60,000
    matches of a common word would cost a second per query on a 100,000-article cache.
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
        ).fetchall()
        return [Hit(Article.from_row(r), 0.0) for r in rows]
    low = _match_window(conn, match)
    # Rank only the best few of the window when no filter or only a loose one (unread)
    # applies, so the join with articles stays small; filters that keep few articles
    # (a feed, starred) need the whole window.
    loose = not clauses or (unread and feed_ids is None and not starred)
    inner: int | None = limit * (1 if not clauses else 8) if loose else None
    extra = "".join(f" AND {c}" for c in clauses)
    while True:
        sql = f"""SELECT {ARTICLE_COLUMNS}, -m.score AS score
            FROM (SELECT rowid, bm25(search_fts, ?, ?, ?) AS score FROM search_fts
                  WHERE search_fts MATCH ? AND rowid >= ?
                  {"ORDER BY score LIMIT ?" if inner else ""}) m
            JOIN articles a ON a.id = m.rowid JOIN feeds f ON f.id = a.feed_id
            WHERE 1{extra} ORDER BY m.score, a.sort_date DESC LIMIT ?"""
        args = [*_WEIGHTS, match, low, *([inner] if inner else []), *params, limit]
        rows = conn.execute(sql, args).fetchall()
        if len(rows) >= limit:
            break
        if clauses and inner:
            inner = None  # the filters dropped too many of the best: rank the whole window
        elif low > 0:
            high = _rowid_span(conn)[1]
            low = max(0, high - 4 * (high - low))  # too few in the window: look further back
        else:
            break
    return [Hit(Article.from_row(r), float(r["score"])) for r in rows]
