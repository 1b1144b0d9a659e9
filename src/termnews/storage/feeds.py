"""Queries and updates of the ``feeds`` table."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from termnews.storage.db import transaction
from termnews.storage.records import Feed

_FEED_COLUMNS = """
    f.id, f.url, f.title, f.site_url, f.folder, f.last_status, f.last_error,
    f.last_attempt, f.last_success
"""


@dataclass(slots=True)
class Validators:
    """What a conditional GET needs to know about a feed."""

    id: int
    url: str
    etag: str | None
    last_modified: str | None
    retry_after: int | None


def add_feed(conn: sqlite3.Connection, url: str, title: str = "", folder: str = "") -> int:
    """Subscribe to ``url`` (idempotent); returns the feed id."""
    with transaction(conn):
        row = conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
        if row:
            if folder:
                conn.execute("UPDATE feeds SET folder = ? WHERE id = ?", (folder, row["id"]))
            return int(row["id"])
        cur = conn.execute(
            "INSERT INTO feeds (url, title, folder, added_at) VALUES (?, ?, ?, ?)",
            (url, title, folder, int(time.time())),
        )
        return int(cur.lastrowid or 0)


def remove_feed(conn: sqlite3.Connection, feed_id: int) -> None:
    """Unsubscribe, dropping the feed's articles."""
    with transaction(conn):
        conn.execute("DELETE FROM articles WHERE feed_id = ?", (feed_id,))
        conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))


def list_feeds(conn: sqlite3.Connection, ids: list[int] | None = None) -> list[Feed]:
    """All feeds (or those in ``ids``) with unread and total counts, by folder then title."""
    where = ""
    params: list[int] = []
    if ids is not None:
        where = f"WHERE f.id IN ({','.join('?' * len(ids))})"
        params = list(ids)
    rows = conn.execute(
        f"""
        SELECT {_FEED_COLUMNS},
               COALESCE(c.unread, 0) AS unread, COALESCE(c.total, 0) AS total
        FROM feeds f
        LEFT JOIN (SELECT feed_id, SUM(read = 0) AS unread, COUNT(*) AS total
                   FROM articles GROUP BY feed_id) c ON c.feed_id = f.id
        {where}
        ORDER BY f.folder COLLATE NOCASE, (f.title = ''), f.title COLLATE NOCASE, f.url
        """,
        params,
    ).fetchall()
    return [Feed.from_row(r) for r in rows]


def find_feed(conn: sqlite3.Connection, ref: str) -> Feed | None:
    """A feed by id (``"12"``) or by URL."""
    if ref.isdigit():
        row = conn.execute(f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE id = ?", (int(ref),))
    else:
        row = conn.execute(f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE url = ?", (ref,))
    found = row.fetchone()
    return Feed.from_row(found) if found else None


def validators(conn: sqlite3.Connection, ids: list[int] | None = None) -> list[Validators]:
    """URLs and HTTP validators of the feeds to refresh."""
    sql = "SELECT id, url, etag, last_modified, retry_after FROM feeds"
    params: list[int] = []
    if ids is not None:
        sql += f" WHERE id IN ({','.join('?' * len(ids))})"
        params = list(ids)
    return [Validators(*r) for r in conn.execute(sql + " ORDER BY id", params).fetchall()]


def set_folder(conn: sqlite3.Connection, feed_id: int, folder: str) -> None:
    with transaction(conn):
        conn.execute("UPDATE feeds SET folder = ? WHERE id = ?", (folder, feed_id))
