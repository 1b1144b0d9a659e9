"""Storing parsed entries and querying, marking articles."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from termnews.fetch.model import ParsedEntry
from termnews.storage.db import transaction
from termnews.storage.records import Article

ARTICLE_COLUMNS = """
    a.id, a.feed_id, a.guid, a.link, a.title, a.author, a.published, a.updated,
    a.summary, a.content, a.read, a.starred, a.first_seen, a.sort_date,
    a.comments_url, a.comments_count, a.enclosures, a.categories,
    f.title AS feed_title
"""


def entry_key(entry: ParsedEntry) -> str:
    """The identity of an entry within its feed: guid, else link, else a content hash."""
    if entry.guid:
        return "g:" + entry.guid
    if entry.link:
        return "l:" + entry.link
    digest = hashlib.sha1(
        "\x1f".join((entry.title, entry.summary, entry.content)).encode("utf-8", "replace")
    ).hexdigest()
    return "h:" + digest


def _fingerprint(entry: ParsedEntry, enclosures: str, categories: str) -> str:
    """A digest of everything stored, to tell an edited item from an unchanged one."""
    parts = (
        entry.guid, entry.link, entry.title, entry.author, str(entry.published),
        str(entry.updated), entry.summary, entry.content, enclosures, categories,
        entry.comments_url, str(entry.comments_count),
    )
    data = "\x1f".join(parts).encode("utf-8", "replace")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(slots=True)
class UpsertCounts:
    """How many entries were new or edited, and the ids of those articles."""

    new: int = 0
    updated: int = 0
    changed_ids: list[int] = field(default_factory=list)
    teaser_ids: list[int] = field(default_factory=list)  # changed ones not known to be whole


def upsert_entries(
    conn: sqlite3.Connection, feed_id: int, entries: Sequence[ParsedEntry], now: int
) -> UpsertCounts:
    """Insert new entries and update edited ones in place (read/starred kept).

    Call inside a transaction. Entries repeated within one document count once.
    """
    existing = dict(
        conn.execute("SELECT key, fingerprint FROM articles WHERE feed_id = ?", (feed_id,))
    )
    inserts: list[tuple[object, ...]] = []
    updates: list[tuple[object, ...]] = []
    seen: set[str] = set()
    teaser_keys: list[str] = []
    for entry in entries:
        key = entry_key(entry)
        if key in seen:
            continue
        seen.add(key)
        enclosures = json.dumps([asdict(e) for e in entry.enclosures], ensure_ascii=False)
        categories = json.dumps(entry.categories, ensure_ascii=False)
        fp = _fingerprint(entry, enclosures, categories)
        old = existing.get(key)
        if old == fp:
            continue
        if entry.teaser is not False:
            teaser_keys.append(key)
        values = (
            entry.guid, entry.link, entry.title, entry.author, entry.published, entry.updated,
            entry.summary, entry.content, enclosures, categories, entry.comments_url,
            entry.comments_count, fp,
        )
        if old is None:
            sort_date = entry.published or entry.updated or now
            inserts.append((feed_id, key, *values, now, sort_date))
        else:
            sort_date = entry.published or entry.updated
            updates.append((*values, sort_date, feed_id, key))
    if inserts:
        conn.executemany(
            """INSERT INTO articles (feed_id, key, guid, link, title, author, published,
                   updated, summary, content, enclosures, categories, comments_url,
                   comments_count, fingerprint, first_seen, sort_date)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            inserts,
        )
    if updates:
        conn.executemany(
            """UPDATE articles SET guid = ?, link = ?, title = ?, author = ?, published = ?,
                   updated = ?, summary = ?, content = ?, enclosures = ?, categories = ?,
                   comments_url = ?, comments_count = ?, fingerprint = ?,
                   sort_date = COALESCE(?, sort_date)
               WHERE feed_id = ? AND key = ?""",
            updates,
        )
    changed = [row[1] for row in inserts] + [row[-1] for row in updates]
    ids: dict[str, int] = {}
    for start in range(0, len(changed), 500):
        chunk = changed[start : start + 500]
        marks = ",".join("?" * len(chunk))
        ids.update(
            (key, article_id)
            for article_id, key in conn.execute(
                f"SELECT id, key FROM articles WHERE feed_id = ? AND key IN ({marks})",
                (feed_id, *chunk),
            )
        )
    teasers = sorted(ids[k] for k in teaser_keys if k in ids)
    return UpsertCounts(len(inserts), len(updates), sorted(ids.values()), teasers)


def list_articles(
    conn: sqlite3.Connection,
    *,
    feed_id: int | None = None,
    unread: bool = False,
    starred: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[Article]:
    """Articles newest first, filtered."""
    clauses: list[str] = []
    params: list[object] = []
    if feed_id is not None:
        clauses.append("a.feed_id = ?")
        params.append(feed_id)
    if unread:
        clauses.append("a.read = 0")
    if starred:
        clauses.append("a.starred = 1")
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = f"""SELECT {ARTICLE_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id
              {where} ORDER BY a.sort_date DESC, a.id DESC LIMIT ? OFFSET ?"""
    params += [-1 if limit is None else limit, offset]
    return [Article.from_row(r) for r in conn.execute(sql, params)]


def get_article(conn: sqlite3.Connection, article_id: int) -> Article | None:
    row = conn.execute(
        f"SELECT {ARTICLE_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id"
        " WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    return Article.from_row(row) if row else None


def existing_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> set[int]:
    """Which of ``ids`` are cached articles."""
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    return {r[0] for r in conn.execute(f"SELECT id FROM articles WHERE id IN ({marks})", ids)}


def set_flag(conn: sqlite3.Connection, ids: Sequence[int], flag: str, value: bool) -> int:
    """Set ``read`` or ``starred`` on articles; returns how many changed."""
    if flag not in ("read", "starred"):
        raise ValueError(flag)
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    with transaction(conn):
        cur = conn.execute(
            f"UPDATE articles SET {flag} = ? WHERE id IN ({marks}) AND {flag} != ?",
            (int(value), *ids, int(value)),
        )
    return cur.rowcount


def mark_feed_read(conn: sqlite3.Connection, feed_id: int) -> int:
    with transaction(conn):
        cur = conn.execute(
            "UPDATE articles SET read = 1 WHERE feed_id = ? AND read = 0", (feed_id,)
        )
    return cur.rowcount


def shift_dates(conn: sqlite3.Connection, seconds: int) -> None:
    """Move every article's dates by ``seconds`` (the demo keeps its news fresh)."""
    with transaction(conn):
        conn.execute(
            """UPDATE articles SET published = published + ?, updated = updated + ?,
                   sort_date = sort_date + ?""",
            (seconds, seconds, seconds),
        )
