"""Keeping the indexes in step with the articles, whatever path changed them.

Refresh indexes what it stores as it goes; :func:`sync_index` catches the rest:
articles stored or edited by other code, full texts fetched later, and articles
deleted (a removed feed) whose terms must leave the document frequencies.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from termnews.related.indexer import forget_articles, index_articles
from termnews.storage import related as related_repo
from termnews.storage import search as search_repo
from termnews.storage.db import transaction

BATCH = 500  # articles per transaction: other writers get their turn in between


def index_signature(conn: sqlite3.Connection) -> tuple[int, ...]:
    """Cheap numbers that change whenever articles or full texts come or go."""
    row = conn.execute(
        """SELECT (SELECT count(*) FROM articles), (SELECT COALESCE(max(id), 0) FROM articles),
                  (SELECT count(*) FROM related_docs), (SELECT max(seq) FROM related_docs),
                  (SELECT count(*) FROM full_texts),
                  (SELECT COALESCE(max(fetched_at), 0) FROM full_texts)"""
    ).fetchone()
    return tuple(int(x or 0) for x in row)


def sync_index(conn: sqlite3.Connection, progress: Callable[[int, int], None] | None = None) -> int:
    """Index every article that is missing or stale, forget deleted ones; how many indexed."""
    gone = sorted(set(related_repo.orphan_ids(conn)) | set(search_repo.orphan_ids(conn)))
    for start in range(0, len(gone), BATCH):
        with transaction(conn):
            forget_articles(conn, gone[start : start + BATCH])
    todo = related_repo.stale_article_ids(conn)
    done = 0
    for start in range(0, len(todo), BATCH):
        with transaction(conn):
            done += index_articles(conn, todo[start : start + BATCH])
        if progress:
            progress(min(start + BATCH, len(todo)), len(todo))
    return done


def forget_feed(conn: sqlite3.Connection, feed_id: int) -> None:
    """Drop a feed's articles from the indexes (before the feed is removed)."""
    ids = [r[0] for r in conn.execute("SELECT id FROM articles WHERE feed_id = ?", (feed_id,))]
    for start in range(0, len(ids), BATCH):
        with transaction(conn):
            forget_articles(conn, ids[start : start + BATCH])
