"""Tables of the related-articles index: ``related_terms`` (vocabulary with document
frequencies) and ``related_docs`` (each indexed article's key terms).

Term ids and weights are stored as little-endian int32/float32 arrays in blobs.
Rows here have no foreign key: an article deleted by any path leaves an orphan that
:func:`orphan_ids` finds, so its terms' document frequencies can be given back.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from termnews.storage.articles import ARTICLE_COLUMNS
from termnews.storage.records import Article

_CHUNK = 500  # parameters per IN (...) query


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(slots=True)
class DocRow:
    """One article's entry in the index."""

    article_id: int
    fingerprint: str  # "TERMS_VERSION:the article's fingerprint"
    full: bool  # its extracted full text was indexed
    link_key: str
    title_key: str
    terms: bytes  # int32 ids of its key terms, best first
    weights: bytes  # float32 weights of those terms before idf
    vocab: bytes  # int32 ids of all its distinct terms (for document frequencies)


def known_terms(conn: sqlite3.Connection, terms: Sequence[str]) -> dict[str, tuple[int, int]]:
    """(id, document frequency) of the known ``terms``."""
    found: dict[str, tuple[int, int]] = {}
    for chunk in _chunks(list(terms)):
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT term, id, df FROM related_terms WHERE term IN ({marks})", chunk
        )
        found.update((term, (tid, df)) for term, tid, df in rows)
    return found


def count_terms(conn: sqlite3.Connection, counts: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Add ``counts`` to the document frequencies of terms (creating new ones); each term's
    (id, new document frequency)."""
    known = known_terms(conn, list(counts))
    new = [(t, c) for t, c in counts.items() if t not in known]
    conn.executemany(
        "UPDATE related_terms SET df = df + ? WHERE id = ?",
        [(counts[t], tid) for t, (tid, _) in known.items()],
    )
    found = {t: (tid, df + counts[t]) for t, (tid, df) in known.items()}
    if new:
        conn.executemany("INSERT INTO related_terms (term, df) VALUES (?, ?)", new)
        found.update(known_terms(conn, [t for t, _ in new]))
    return found


def uncount_terms(conn: sqlite3.Connection, counts: dict[int, int]) -> None:
    """Take ``counts`` (by term id) off the document frequencies."""
    conn.executemany(
        "UPDATE related_terms SET df = max(df - ?, 0) WHERE id = ?",
        [(c, i) for i, c in counts.items()],
    )


def term_dfs(conn: sqlite3.Connection, ids: Iterable[int] | None = None) -> dict[int, int]:
    """Document frequency by term id: of ``ids``, or of every term."""
    if ids is None:
        return dict(conn.execute("SELECT id, df FROM related_terms"))
    found: dict[int, int] = {}
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        found.update(
            conn.execute(
                f"SELECT id, df FROM related_terms WHERE id IN ({marks})", chunk
            ).fetchall()
        )
    return found


def term_names(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        found.update(
            conn.execute(
                f"SELECT id, term FROM related_terms WHERE id IN ({marks})", chunk
            ).fetchall()
        )
    return found


def max_term_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(max(id), 0) FROM related_terms").fetchone()[0])


def doc_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM related_docs").fetchone()[0])


def vocabularies(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, bytes]:
    """The ``vocab`` blobs of those of ``ids`` that are indexed."""
    found: dict[int, bytes] = {}
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        found.update(
            conn.execute(
                f"SELECT article_id, vocab FROM related_docs WHERE article_id IN ({marks})", chunk
            ).fetchall()
        )
    return found


def save_docs(conn: sqlite3.Connection, rows: Sequence[DocRow]) -> None:
    """Insert or replace index rows; each gets a new, higher ``seq`` so engines see it."""
    if not rows:
        return
    # Above every seq ever given out, even those of rows deleted since (an engine may have
    # seen them): the clock in microseconds runs far ahead of indexing's pace.
    seq = max(max_seq(conn), time.time_ns() // 1000)
    conn.executemany(
        """INSERT OR REPLACE INTO related_docs (article_id, seq, fingerprint, full, link_key,
               title_key, terms, weights, vocab) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (
                r.article_id,
                seq + n + 1,
                r.fingerprint,
                int(r.full),
                r.link_key,
                r.title_key,
                r.terms,
                r.weights,
                r.vocab,
            )
            for n, r in enumerate(rows)
        ],
    )


def delete_docs(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM related_docs WHERE article_id IN ({marks})", chunk)


def feed_size(conn: sqlite3.Connection, feed_id: int) -> int:
    """How many articles a feed has."""
    return int(conn.execute("SELECT count(*) FROM articles WHERE feed_id = ?", (feed_id,))
               .fetchone()[0])  # fmt: skip


def indexed_ids(conn: sqlite3.Connection) -> set[int]:
    return {r[0] for r in conn.execute("SELECT article_id FROM related_docs")}


def max_seq(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(max(seq), 0) FROM related_docs").fetchone()[0])


@dataclass(slots=True)
class IndexedDoc:
    """What the in-memory engine keeps of an indexed article."""

    article_id: int
    seq: int
    sort_date: int
    feed_id: int
    link_key: str
    title_key: str
    terms: bytes
    weights: bytes


def docs_since(
    conn: sqlite3.Connection, seq: int, chunk: int = 10_000
) -> Iterator[list[IndexedDoc]]:
    """Index rows written after ``seq`` (all of them for 0), oldest first, in chunks."""
    cursor = conn.execute(
        """SELECT r.article_id, r.seq, a.sort_date, a.feed_id, r.link_key, r.title_key,
                  r.terms, r.weights
           FROM related_docs r JOIN articles a ON a.id = r.article_id
           WHERE r.seq > ? ORDER BY r.seq""",
        (seq,),
    )
    while rows := cursor.fetchmany(chunk):
        yield [IndexedDoc(*row) for row in rows]


def key_terms(conn: sqlite3.Connection, ids: Sequence[int]) -> list[tuple[bytes, bytes]]:
    """(terms, weights) blobs of the indexed articles among ``ids``."""
    found: list[tuple[bytes, bytes]] = []
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        found += conn.execute(
            f"SELECT terms, weights FROM related_docs WHERE article_id IN ({marks})", chunk
        ).fetchall()
    return [(bytes(t), bytes(w)) for t, w in found]


def docs_with_link(conn: sqlite3.Connection, keys: Sequence[str]) -> dict[str, list[int]]:
    """Indexed articles by normalised link."""
    found: dict[str, list[int]] = {}
    for chunk in _chunks([k for k in keys if k]):
        marks = ",".join("?" * len(chunk))
        for key, aid in conn.execute(
            f"SELECT link_key, article_id FROM related_docs WHERE link_key IN ({marks})", chunk
        ):
            found.setdefault(key, []).append(aid)
    return found


def stale_article_ids(conn: sqlite3.Connection, version: str, since_id: int = 0) -> list[int]:
    """Articles (with id > ``since_id``) not indexed, indexed before an edit, before their
    extracted full text arrived, or by other term rules (``fingerprint`` is
    ``VERSION:article fingerprint``)."""
    rows = conn.execute(
        """SELECT a.id FROM articles a LEFT JOIN related_docs r ON r.article_id = a.id
           LEFT JOIN full_texts t ON t.article_id = a.id AND t.status = 'ok' AND t.content != ''
           WHERE a.id > ? AND (r.article_id IS NULL OR r.fingerprint != ? || ':' || a.fingerprint
                               OR (t.article_id IS NOT NULL AND r.full = 0))
           ORDER BY a.id""",
        (since_id, version),
    )
    return [r[0] for r in rows]


def stale_full_text_ids(conn: sqlite3.Connection, fetched_since: int) -> list[int]:
    """Articles whose extracted full text (fetched at or after ``fetched_since``) was never
    indexed."""
    rows = conn.execute(
        """SELECT t.article_id FROM full_texts t
           LEFT JOIN related_docs r ON r.article_id = t.article_id
           WHERE t.fetched_at >= ? AND t.status = 'ok' AND t.content != ''
             AND (r.article_id IS NULL OR r.full = 0)
           ORDER BY t.article_id""",
        (fetched_since,),
    )
    return [r[0] for r in rows]


def orphan_ids(conn: sqlite3.Connection) -> list[int]:
    """Indexed ids whose article is gone."""
    rows = conn.execute(
        """SELECT r.article_id FROM related_docs r LEFT JOIN articles a ON a.id = r.article_id
           WHERE a.id IS NULL"""
    )
    return [r[0] for r in rows]


@dataclass(slots=True)
class ArticleText:
    """What indexing an article reads: its words and identity."""

    article_id: int
    fingerprint: str
    title: str
    author: str
    link: str
    html: str  # the extracted full text if any, else the feed's content or summary
    full: bool


def article_texts(conn: sqlite3.Connection, ids: Sequence[int]) -> list[ArticleText]:
    """The texts of those of ``ids`` that are cached articles."""
    found: list[ArticleText] = []
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"""SELECT a.id, a.fingerprint, a.title, a.author, a.link,
                       CASE WHEN length(a.content) >= length(a.summary) THEN a.content
                            ELSE a.summary END,
                       t.content
                FROM articles a LEFT JOIN full_texts t
                  ON t.article_id = a.id AND t.status = 'ok' AND t.content != ''
                WHERE a.id IN ({marks})""",
            chunk,
        )
        for aid, fp, title, author, link, feed_html, full_html in rows:
            full = bool(full_html) and len(full_html) > len(feed_html)
            found.append(
                ArticleText(
                    aid,
                    fp,
                    title,
                    author,
                    link,
                    full_html if full else feed_html,
                    full_html is not None,
                )
            )
    return found


def articles_by_id(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, Article]:
    """The cached articles among ``ids`` (with their feed's title), by id."""
    found: dict[int, Article] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id"
            f" WHERE a.id IN ({marks})",
            chunk,
        )
        found.update((r["id"], Article.from_row(r)) for r in rows)
    return found


def page_links(conn: sqlite3.Connection, article_id: int) -> list[str]:
    """The URLs of the related articles the article's own page lists (from full text)."""
    row = conn.execute(
        "SELECT related FROM full_texts WHERE article_id = ? AND status = 'ok'", (article_id,)
    ).fetchone()
    if row is None:
        return []
    try:
        links = json.loads(row[0])
    except ValueError:
        return []
    return [str(x["url"]) for x in links if isinstance(x, dict) and x.get("url")]
