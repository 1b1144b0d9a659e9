"""Refreshing feeds: fetch concurrently, parse on worker threads, store per feed.

The event loop only does network I/O. Parsing (lxml + nh3 release the GIL) runs
on a small thread pool, and all database writes go through one writer thread,
each feed in its own short transaction, so another termnews process can write
in between.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from termnews.config import RefreshConfig
from termnews.fetch.http import Fetcher, FetchResult
from termnews.fetch.model import FeedParseError, ParsedFeed
from termnews.parse_pool import ParsePool
from termnews.related.indexer import index_refreshed
from termnews.storage.articles import upsert_entries
from termnews.storage.db import transaction
from termnews.storage.feeds import Validators


@dataclass(slots=True)
class FeedOutcome:
    """What one feed's refresh did; ``status`` is one of STATUSES."""

    feed_id: int
    url: str
    status: str
    new: int = 0
    updated: int = 0
    error: str | None = None
    moved_to: str | None = None
    changed_ids: list[int] = field(default_factory=list)  # new and edited articles
    teaser_ids: list[int] = field(default_factory=list)  # of those, the ones that may be teasers

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.feed_id, "url": self.url, "status": self.status, "new": self.new,
            "updated": self.updated, "error": self.error, "moved_to": self.moved_to,
        }


STATUSES = ("new", "updated", "unchanged", "not_modified", "skipped", "error")


@dataclass(slots=True)
class RefreshSummary:
    """All outcomes of one refresh, with totals."""

    outcomes: list[FeedOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FeedOutcome]:
        return [o for o in self.outcomes if o.status == "error"]

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def changed_ids(self) -> list[int]:
        """Ids of every article this refresh added or edited."""
        return [i for o in self.outcomes for i in o.changed_ids]

    @property
    def teaser_ids(self) -> list[int]:
        """Ids of added or edited articles that may carry only a teaser."""
        return [i for o in self.outcomes for i in o.teaser_ids]

    @property
    def new_articles(self) -> int:
        return sum(o.new for o in self.outcomes)

    @property
    def updated_articles(self) -> int:
        return sum(o.updated for o in self.outcomes)

    def line(self) -> str:
        """One line for people: ``200 feeds in 1.2 s: 9870 new articles, ...``."""
        parts = [f"{len(self.outcomes)} feeds in {self.seconds:.1f} s:"]
        parts.append(f"{self.new_articles} new and {self.updated_articles} updated articles;")
        counts = [
            f"{self.count(s)} {label}"
            for s, label in (
                ("new", "with new articles"), ("updated", "with edits"), ("unchanged", "unchanged"),
                ("not_modified", "not modified"), ("skipped", "skipped"), ("error", "failed"),
            )
            if self.count(s)
        ]
        return " ".join(parts) + " " + ", ".join(counts)

    def to_json(self) -> dict[str, Any]:
        return {
            "feeds": [o.to_json() for o in self.outcomes],
            "new": self.new_articles, "updated": self.updated_articles,
            "failed": len(self.failed), "seconds": round(self.seconds, 3),
        }


ProgressCallback = Callable[[FeedOutcome, int, int], None]


class _Writer:
    """Serialises database writes on one thread."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="termnews-db")

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


def _store_parsed(
    conn: sqlite3.Connection, feed: Validators, result: FetchResult, parsed: ParsedFeed, now: int
) -> FeedOutcome:
    """Write a fetched feed's entries and validators in one transaction."""
    with transaction(conn):
        counts = upsert_entries(conn, feed.id, parsed.entries, now)
        index_refreshed(conn, feed.id, counts.changed_ids)  # related and search, same commit
        moved = _apply_move(conn, feed, result)
        conn.execute(
            """UPDATE feeds SET etag = ?, last_modified = ?, last_error = NULL,
                   last_status = ?, last_attempt = ?, last_success = ?, retry_after = NULL,
                   title = CASE WHEN ? != '' THEN ? ELSE title END,
                   site_url = CASE WHEN ? != '' THEN ? ELSE site_url END
               WHERE id = ?""",
            (
                result.etag, result.last_modified,
                "new" if counts.new else "updated" if counts.updated else "unchanged",
                now, now, parsed.title, parsed.title, parsed.link, parsed.link, feed.id,
            ),
        )
    status = "new" if counts.new else "updated" if counts.updated else "unchanged"
    return FeedOutcome(feed.id, feed.url, status, counts.new, counts.updated, moved_to=moved,
                       changed_ids=counts.changed_ids, teaser_ids=counts.teaser_ids)


def _apply_move(conn: sqlite3.Connection, feed: Validators, result: FetchResult) -> str | None:
    """Follow a permanent redirect: store the new URL unless another feed has it."""
    if not result.moved_to or result.moved_to == feed.url:
        return None
    taken = conn.execute("SELECT 1 FROM feeds WHERE url = ?", (result.moved_to,)).fetchone()
    if taken:
        return None
    conn.execute("UPDATE feeds SET url = ? WHERE id = ?", (result.moved_to, feed.id))
    return result.moved_to


def _store_quiet(conn: sqlite3.Connection, rows: list[tuple[Validators, FetchResult, FeedOutcome]],
                 now: int) -> None:
    """Record 304s, errors and skips for many feeds in one transaction."""
    if not rows:
        return
    with transaction(conn):
        for feed, result, outcome in rows:
            if outcome.status == "not_modified":
                outcome.moved_to = _apply_move(conn, feed, result)
                conn.execute(
                    """UPDATE feeds SET last_status = 'not_modified', last_error = NULL,
                           last_attempt = ?, last_success = ?, retry_after = NULL
                       WHERE id = ?""",
                    (now, now, feed.id),
                )
            elif outcome.status == "error":
                conn.execute(
                    """UPDATE feeds SET last_status = 'error', last_error = ?, last_attempt = ?,
                           retry_after = ? WHERE id = ?""",
                    (outcome.error, now, result.retry_after, feed.id),
                )


async def refresh_feeds(
    conn: sqlite3.Connection,
    feeds: list[Validators],
    config: RefreshConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: ProgressCallback | None = None,
) -> RefreshSummary:
    """Refresh ``feeds``; one feed's failure never stops the others."""
    started = time.perf_counter()
    now = int(time.time())
    summary = RefreshSummary()
    writer = _Writer(conn)
    parsers = ParsePool(len(feeds))
    quiet: list[tuple[Validators, FetchResult, FeedOutcome]] = []
    done = 0

    def report(outcome: FeedOutcome) -> None:
        nonlocal done
        done += 1
        summary.outcomes.append(outcome)
        if progress:
            progress(outcome, done, len(feeds))

    async def one(feed: Validators, fetcher: Fetcher) -> None:
        if feed.retry_after and feed.retry_after > now:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(feed.retry_after))
            report(FeedOutcome(feed.id, feed.url, "skipped",
                               error=f"the server asked to wait until {when}"))
            return
        result = await fetcher.get(feed.url, feed.etag, feed.last_modified)
        if result.error:
            outcome = FeedOutcome(feed.id, feed.url, "error", error=result.error)
        elif result.not_modified:
            outcome = FeedOutcome(feed.id, feed.url, "not_modified")
        else:
            try:
                parsed = await parsers.parse(
                    result.body, result.final_url or result.url, result.content_type
                )
            except FeedParseError as exc:
                outcome = FeedOutcome(feed.id, feed.url, "error", error=str(exc))
            except Exception as exc:  # a parser bug must not stop the other feeds
                outcome = FeedOutcome(feed.id, feed.url, "error",
                                      error=f"cannot parse: {type(exc).__name__}: {exc}")
            else:
                try:
                    report(await writer.run(_store_parsed, conn, feed, result, parsed, now))
                except sqlite3.Error as exc:
                    report(FeedOutcome(feed.id, feed.url, "error", error=f"cannot store: {exc}"))
                return
        quiet.append((feed, result, outcome))
        report(outcome)

    try:
        async with Fetcher(config, transport) as fetcher:
            await asyncio.gather(*(one(feed, fetcher) for feed in feeds))
        await writer.run(_store_quiet, conn, quiet, now)
    finally:
        writer.close()
        parsers.close()
    order = {f.id: i for i, f in enumerate(feeds)}
    summary.outcomes.sort(key=lambda o: order.get(o.feed_id, 0))
    summary.seconds = time.perf_counter() - started
    return summary
