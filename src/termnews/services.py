"""NewsService: the one API over the cache and the network for the CLI and the UI.

It imports no UI code. Methods are synchronous (the UI calls them from worker
threads); refresh and discovery run their own event loop.
"""

from __future__ import annotations

import asyncio
import sqlite3
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from termnews.config import Config, load_config
from termnews.fetch.discover import FoundFeed
from termnews.paths import Paths
from termnews.refresh import ProgressCallback, RefreshSummary, refresh_feeds
from termnews.storage import articles as article_repo
from termnews.storage import feeds as feed_repo
from termnews.storage import headlines as headline_repo
from termnews.storage import state as state_repo
from termnews.storage.db import StorageError, connect, describe_error
from termnews.storage.headlines import Headline, View
from termnews.storage.records import Article, Feed

if TYPE_CHECKING:
    from termnews.comments.service import CommentService
    from termnews.fetch.http import FetchResult
    from termnews.reader.extract import ExtractedPage
    from termnews.reader.fulltext import ArticleBody, FullTextReport
    from termnews.related.engine import RelatedEngine
    from termnews.related.items import RelatedItem, SearchItem
    from termnews.related.upkeep import IndexSignature
    from termnews.storage.fulltext import FullText


class ServiceError(Exception):
    """A request that cannot be done; the message is for people."""


class NotFound(ServiceError):
    """No such feed or article."""


class NewsService:
    """Feeds and articles: subscribe, refresh, list, read, mark, import, export."""

    def __init__(
        self,
        paths: Paths,
        config: Config | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.paths = paths
        self.config = config if config is not None else load_config(paths.config_file)
        self.transport = transport  # the offline demo serves its bundle through this
        self._conn: sqlite3.Connection | None = None
        self._full_text_tasks: set[asyncio.Task[None]] = set()
        self.last_full_text: FullTextReport | None = None  # the last background full-text run
        self._comments: CommentService | None = None
        self._related_engine: RelatedEngine | None = None  # built on first use (numpy)
        self._index_signature: IndexSignature | None = None  # after the last index sync

    # -- plumbing -----------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        """The cache connection, opened (and migrated) on first use."""
        if self._conn is None:
            self.paths.ensure()
            self._conn = connect(self.paths.database)
        return self._conn

    @property
    def comments(self) -> CommentService:
        """Comment drafts, the outbox and the sites' comment systems."""
        if self._comments is None:
            from termnews.comments.service import CommentService

            self._comments = CommentService(self)
        return self._comments

    def close(self) -> None:
        if self._comments is not None:
            self._comments.close()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def storage_error(self, exc: sqlite3.Error) -> StorageError:
        """A sqlite3 error as a message naming the database file."""
        return describe_error(self.paths.database, exc)

    # -- feeds --------------------------------------------------------------
    def feeds(self) -> list[Feed]:
        return feed_repo.list_feeds(self.conn)

    def feed(self, ref: str) -> Feed:
        """A feed by id or URL."""
        found = feed_repo.find_feed(self.conn, ref.strip())
        if found is None:
            raise NotFound(f"no feed {ref!r} (give a feed id or URL; `termnews feeds` lists them)")
        return found

    def discover(self, url: str) -> list[FoundFeed]:
        """Feeds at ``url`` (itself, or those its page advertises)."""
        from termnews.fetch.discover import DiscoveryError, discover
        from termnews.fetch.http import Fetcher

        async def run() -> list[FoundFeed]:
            async with Fetcher(self.config.refresh, self.transport) as fetcher:
                return await discover(fetcher, url)

        try:
            return asyncio.run(run())
        except DiscoveryError as exc:
            raise ServiceError(str(exc)) from None

    def subscribe(self, url: str, title: str = "", folder: str = "") -> Feed:
        """Add a feed URL as it is (no discovery)."""
        feed_id = feed_repo.add_feed(self.conn, url, title, folder)
        return self.feed(str(feed_id))

    def remove(self, ref: str) -> Feed:
        from termnews.related.upkeep import forget_feed

        feed = self.feed(ref)
        forget_feed(self.conn, feed.id)  # gives its words back to the related index first
        feed_repo.remove_feed(self.conn, feed.id)
        return feed

    # -- refresh ------------------------------------------------------------
    async def refresh_async(
        self, refs: list[str] | None = None, progress: ProgressCallback | None = None
    ) -> RefreshSummary:
        ids = None if not refs else [self.feed(r).id for r in refs]
        targets = feed_repo.validators(self.conn, ids)
        summary = await refresh_feeds(
            self.conn, targets, self.config.refresh, transport=self.transport, progress=progress
        )
        # in the background; never fails the refresh
        self.start_full_texts(self._full_text_candidates(summary))
        return summary

    def refresh(
        self, refs: list[str] | None = None, progress: ProgressCallback | None = None
    ) -> RefreshSummary:
        """Refresh the given feeds (ids or URLs), or all; then fetch wanted full texts."""

        async def run() -> RefreshSummary:
            summary = await self.refresh_async(refs, progress)
            await self.wait_full_texts()
            return summary

        return asyncio.run(run())

    # -- articles -----------------------------------------------------------
    def articles(
        self,
        feed: str | None = None,
        *,
        unread: bool = False,
        starred: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Article]:
        feed_id = self.feed(feed).id if feed else None
        return article_repo.list_articles(
            self.conn, feed_id=feed_id, unread=unread, starred=starred, limit=limit, offset=offset
        )

    def article(self, article_id: int) -> Article:
        found = article_repo.get_article(self.conn, article_id)
        if found is None:
            raise NotFound(f"no article {article_id} (`termnews articles` lists them)")
        return found

    def mark(self, ids: list[int], *, read: bool | None = None, starred: bool | None = None) -> int:
        """Set read and/or starred on articles; unknown ids are an error. Returns changes."""
        missing = sorted(set(ids) - article_repo.existing_ids(self.conn, ids))
        if missing:
            raise NotFound(f"no article {', '.join(map(str, missing))}")
        changed = 0
        if read is not None:
            changed += article_repo.set_flag(self.conn, ids, "read", read)
        if starred is not None:
            changed += article_repo.set_flag(self.conn, ids, "starred", starred)
        return changed

    def mark_feed_read(self, ref: str) -> int:
        return article_repo.mark_feed_read(self.conn, self.feed(ref).id)

    # -- headline lists by position (the UI's virtual list) ------------------
    def view_ids(self, view: View) -> array:
        """A view's article ids, newest first: its length and position -> article."""
        return headline_repo.view_ids(self.conn, view)

    def headlines(self, ids: Sequence[int]) -> list[Headline]:
        """Lean rows (no bodies) of ``ids`` in that order; vanished ids are left out."""
        return headline_repo.headlines(self.conn, ids)

    def unread_among(self, ids: Sequence[int]) -> set[int]:
        return headline_repo.unread_among(self.conn, ids)

    def mark_view_read(self, view: View) -> list[int]:
        """Mark a whole view read; returns the ids that changed (to undo)."""
        return headline_repo.mark_view_read(self.conn, view)

    def set_read(self, ids: Sequence[int], read: bool) -> int:
        """Set read on any number of articles (unknown ids are ignored)."""
        return headline_repo.set_read(self.conn, ids, read)

    # -- state kept between runs -------------------------------------------
    def get_state(self, key: str, default: Any = None) -> Any:
        return state_repo.get_state(self.conn, key, default)

    def set_state(self, key: str, value: Any) -> None:
        state_repo.set_state(self.conn, key, value)

    # -- full text of linked pages ------------------------------------------
    def _full_text_candidates(self, summary: RefreshSummary) -> list[int]:
        """The refreshed articles whose pages the full-text policy may want."""
        reader = self.config.reader
        modes = {reader.full_text, *(f.full_text for f in reader.feeds.values())}
        return summary.changed_ids if "always" in modes else summary.teaser_ids

    def start_full_texts(self, ids: Sequence[int]) -> None:
        """Fetch the wanted full texts of ``ids`` in a task on the running loop."""
        if ids:
            task = asyncio.create_task(self._background_full_texts(list(ids)))
            self._full_text_tasks.add(task)
            task.add_done_callback(self._full_text_tasks.discard)

    async def wait_full_texts(self) -> None:
        """Wait for background full-text fetching started on this loop."""
        while self._full_text_tasks:
            await asyncio.gather(*self._full_text_tasks)

    async def _background_full_texts(self, ids: list[int]) -> None:
        """Full texts on a connection of their own; trouble is recorded, never raised."""
        from termnews.reader.fulltext import FullTextReport, fetch_full_texts

        loop = asyncio.get_running_loop()
        try:
            conn = await loop.run_in_executor(None, connect, self.paths.database)
        except StorageError as exc:
            self.last_full_text = FullTextReport(failed=dict.fromkeys(ids, str(exc)))
            return
        try:
            self.last_full_text = await fetch_full_texts(
                conn, ids, self.config.refresh, self.config.reader, transport=self.transport
            )
        except Exception as exc:  # a bug here must not take the refresh down
            error = f"full text failed: {type(exc).__name__}: {exc}"
            self.last_full_text = FullTextReport(failed=dict.fromkeys(ids, error))
        finally:
            conn.close()

    def fetch_full_texts(self, ids: Sequence[int], force: bool = False) -> FullTextReport:
        """Fetch and cache now the full texts of ``ids`` the policy wants (all if ``force``)."""
        from termnews.reader.fulltext import fetch_full_texts

        cfg = self.config
        return asyncio.run(fetch_full_texts(
            self.conn, ids, cfg.refresh, cfg.reader, transport=self.transport, force=force
        ))  # fmt: skip

    def full_text(self, article_id: int, force: bool = False) -> FullText | None:
        """The cached full text of an article; fetched now if ``force`` or never tried
        while its feed's policy wants it. None when it is not wanted."""
        from termnews.storage.fulltext import get_full_text

        article = self.article(article_id)
        cached = get_full_text(self.conn, article.id)
        if force or cached is None:
            self.fetch_full_texts([article.id], force=force)
            cached = get_full_text(self.conn, article.id)
        return cached

    def article_body(self, article: Article, full: bool = False) -> ArticleBody:
        """What the reader shows: the cached full text where the policy wants it, else
        the feed's text (with a line saying why a wanted page is missing). ``full``
        fetches and extracts the page now and shows it."""
        from termnews.reader.fulltext import choose_body
        from termnews.storage.fulltext import get_full_text

        failed = self.fetch_full_texts([article.id], force=True).failed if full else {}
        cached = get_full_text(self.conn, article.id)
        mode = self.config.reader.full_text_for(self.feed(str(article.feed_id)).url)
        return choose_body(article, mode, cached, forced=full, retry_error=failed.get(article.id))

    def extract_url(self, url: str) -> ExtractedPage:
        """Fetch the page at ``url`` now and extract its main article (nothing is cached)."""
        from termnews.fetch.http import Fetcher
        from termnews.reader.extract import ExtractionError, extract_page
        from termnews.reader.fulltext import PAGE_ACCEPT, page_error, page_fetch_config

        async def get() -> FetchResult:
            config = page_fetch_config(self.config.refresh, self.config.reader)
            async with Fetcher(config, self.transport) as fetcher:
                fetcher.client.headers["Accept"] = PAGE_ACCEPT
                return await fetcher.get(url)

        result = asyncio.run(get())
        error = page_error(result)
        try:
            if error is None:
                max_bytes = int(self.config.reader.max_page_mb * 1_000_000)
                final = result.final_url or url
                return extract_page(result.body, final, content_type=result.content_type,
                                    max_bytes=max_bytes)  # fmt: skip
        except ExtractionError as exc:
            error = str(exc)
        raise ServiceError(f"{url}: {error}")

    # -- related articles and search -----------------------------------------
    def sync_index(
        self, progress: Callable[[int, int], None] | None = None, full: bool = False
    ) -> int:
        """Index articles not yet in the related/search indexes (stored by other paths,
        edited, given a full text) and drop deleted ones; how many were indexed.

        Cheap when nothing changed; ``full`` checks every article (edits included)."""
        from termnews.related.upkeep import index_signature, sync_index

        if not full and index_signature(self.conn) == self._index_signature:
            return 0
        done = sync_index(self.conn, self._index_signature, progress, full=full)
        self._index_signature = index_signature(self.conn)
        return done

    def related(self, article_id: int, k: int = 10) -> list[RelatedItem]:
        """Cached articles related to one, best first, the same story collapsed into one."""
        from termnews.related.engine import RelatedEngine
        from termnews.related.results import related_items

        self.article(article_id)
        self.sync_index()
        if self._related_engine is None:
            self._related_engine = RelatedEngine(self.paths.cache_dir / "related-index")
        return related_items(self.conn, self._related_engine, article_id, k)

    def search(self, query: str, limit: int = 20) -> list[SearchItem]:
        """Full-text search (see termnews.related.query for the language), best first."""
        from termnews.related.query import parse_query
        from termnews.related.results import search_items
        from termnews.storage.search import feeds_named, prefix_words

        error = parse_query(query).error
        if error:
            raise ServiceError(error)
        self.sync_index()  # before prefixes are expanded from the index's vocabulary
        parsed = parse_query(query, lambda prefix: prefix_words(self.conn, prefix))
        feed_ids = None
        if parsed.feeds:
            feed_ids = feeds_named(self.conn, parsed.feeds)
            if not feed_ids:
                raise NotFound(f"no feed matches {', '.join(map(repr, parsed.feeds))}")
        try:
            return search_items(self.conn, parsed, feed_ids, limit)
        except sqlite3.OperationalError as exc:  # a query the parser let through by mistake
            raise ServiceError(f"cannot search for {query!r}: {exc}") from None

    # -- OPML ---------------------------------------------------------------
    def import_opml(self, path: Path) -> tuple[int, int]:
        """Subscribe to every feed in an OPML file; returns (added, already there)."""
        from termnews.fetch.opml import OpmlError, read_opml

        try:
            subs = read_opml(path.read_bytes())
        except OSError as exc:
            raise ServiceError(f"{path}: {exc.strerror}") from None
        except OpmlError as exc:
            raise ServiceError(f"{path}: {exc}") from None
        known = {f.url for f in self.feeds()}
        added = 0
        for sub in subs:
            if sub.url not in known:
                added += 1
                known.add(sub.url)
            feed_repo.add_feed(self.conn, sub.url, sub.title, sub.folder)
        return added, len(subs) - added

    def export_opml(self) -> str:
        from termnews.fetch.opml import Subscription, write_opml

        return write_opml([Subscription(f.url, f.title, f.folder) for f in self.feeds()])

