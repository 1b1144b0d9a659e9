"""Keeping the indexes in step with the articles, whatever path changed them.

Refresh indexes what it stores as it goes; :func:`sync_index` catches the rest:
articles stored or edited by other code, full texts fetched later, and articles
deleted (a removed feed) whose terms must leave the document frequencies.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from termnews.related.indexer import forget_articles, index_articles
from termnews.related.terms import TERMS_VERSION
from termnews.storage import related as related_repo
from termnews.storage import search as search_repo
from termnews.storage.db import transaction

BATCH = 500  # articles per transaction: other writers get their turn in between


@dataclass(frozen=True, slots=True)
class IndexSignature:
    """Cheap numbers that change whenever articles, the index or full texts change."""

    articles: int
    max_article_id: int
    indexed: int
    max_indexed_id: int
    max_seq: int
    full_texts: int
    last_fetched: int
    version: str  # the term rules of the newest index row


def index_signature(conn: sqlite3.Connection) -> IndexSignature:
    row = conn.execute(
        """SELECT (SELECT count(*) FROM articles), (SELECT COALESCE(max(id), 0) FROM articles),
                  (SELECT count(*) FROM related_docs),
                  (SELECT COALESCE(max(article_id), 0) FROM related_docs),
                  (SELECT COALESCE(max(seq), 0) FROM related_docs),
                  (SELECT count(*) FROM full_texts),
                  (SELECT COALESCE(max(fetched_at), 0) FROM full_texts),
                  (SELECT fingerprint FROM related_docs ORDER BY seq DESC LIMIT 1)"""
    ).fetchone()
    return IndexSignature(*(int(x) for x in row[:7]), (row[7] or "").partition(":")[0])


def _complete(sig: IndexSignature) -> bool:
    """Every article indexed with today's rules, as far as the counts can tell."""
    return (
        sig.articles == sig.indexed
        and sig.max_article_id == sig.max_indexed_id
        and sig.version in ("", TERMS_VERSION)
    )


def _reindex(conn: sqlite3.Connection, ids: list[int],
             progress: Callable[[int, int], None] | None) -> int:  # fmt: skip
    done = 0
    for start in range(0, len(ids), BATCH):
        with transaction(conn):
            done += index_articles(conn, ids[start : start + BATCH])
        if progress:
            progress(min(start + BATCH, len(ids)), len(ids))
    return done


def sync_index(
    conn: sqlite3.Connection,
    since: IndexSignature | None = None,
    progress: Callable[[int, int], None] | None = None,
    full: bool = False,
) -> int:
    """Index articles that are missing or stale and forget deleted ones; how many indexed.

    With ``since`` (the signature after the last sync), only what can have changed
    since is looked at: new article ids, new full texts, and deletions when the counts
    say some happened. Without it, everything is checked (about a second on 100,000
    articles) unless the counts say every article is indexed; edits other than
    refresh's and full texts are then caught by ``full=True``.
    """
    now = index_signature(conn)
    if since is None and not full and _complete(now):
        return _reindex(conn, related_repo.stale_full_text_ids(conn, 0), progress)
    deleted = (
        since is None
        or now.indexed > now.articles
        or (now.max_article_id - since.max_article_id > now.articles - since.articles)
    )
    if deleted:
        gone = sorted(set(related_repo.orphan_ids(conn)) | set(search_repo.orphan_ids(conn)))
        for start in range(0, len(gone), BATCH):
            with transaction(conn):
                forget_articles(conn, gone[start : start + BATCH])
    if since is None or full:
        return _reindex(conn, related_repo.stale_article_ids(conn, TERMS_VERSION), progress)
    todo = set(related_repo.stale_article_ids(conn, TERMS_VERSION, since.max_article_id))
    if (now.full_texts, now.last_fetched) != (since.full_texts, since.last_fetched):
        todo.update(related_repo.stale_full_text_ids(conn, since.last_fetched))
    return _reindex(conn, sorted(todo), progress)


def forget_feed(conn: sqlite3.Connection, feed_id: int) -> None:
    """Drop a feed's articles from the indexes (before the feed is removed)."""
    ids = [r[0] for r in conn.execute("SELECT id FROM articles WHERE feed_id = ?", (feed_id,))]
    for start in range(0, len(ids), BATCH):
        with transaction(conn):
            forget_articles(conn, ids[start : start + BATCH])
