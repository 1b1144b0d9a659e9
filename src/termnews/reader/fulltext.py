"""Full text: which items need their linked page, fetching and extracting it, what to show.

Policy per feed (``[reader] full_text``): ``auto`` fetches the page of items that
carry no content or only a summary (short, or ending in "...", "…", "Read
more", "Continue reading"); ``always`` of every item; ``never`` of none (``read
--full`` still can). Pages are fetched with the feed :class:`Fetcher` (its
concurrency, redirect and timeout rules) under the reader's own size and time
caps, extracted on worker threads, and cached once per article; a failure is
cached too, with its reason, and the feed's own text stays what is shown.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html as htmlmod
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from termnews.config import ReaderConfig, RefreshConfig
from termnews.fetch.http import Fetcher, FetchResult
from termnews.reader.extract import ExtractionError, extract_page
from termnews.reader.teaser import TAG as _TAG
from termnews.reader.teaser import looks_like_summary
from termnews.storage.fulltext import Candidate, FullText, candidates, save_full_text
from termnews.storage.records import Article

PAGE_CONNECTIONS = 8  # pages fetched at once, all hosts together
PAGE_PER_HOST = 2  # pages fetched at once from one site
EXTRACT_THREADS = 2
HTML_TYPES = ("text/html", "application/xhtml+xml")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

# -- policy ---------------------------------------------------------------------------
def feed_text(content: str, summary: str) -> str:
    """The words of an item's own body (content, else summary), tags dropped."""
    return " ".join(htmlmod.unescape(_TAG.sub(" ", content or summary)).split())


def wants_full_text(mode: str, link: str, content: str, summary: str) -> bool:
    """Whether the full-text policy ``mode`` fetches this item's page."""
    if mode == "never" or not link.startswith(("http://", "https://")):
        return False
    return mode == "always" or looks_like_summary(content, summary)


# -- what the reader shows ---------------------------------------------------------------
@dataclass(slots=True)
class ArticleBody:
    """The HTML the reader shows for an article, where it came from, and any note."""

    html: str
    base_url: str  # relative links resolve against this
    from_page: bool  # True: the extracted linked page; False: the feed's own text
    note: str = ""  # one line for the reader, e.g. why the page could not be used
    full: FullText | None = None


def choose_body(
    article: Article,
    mode: str,
    full: FullText | None,
    forced: bool = False,
    retry_error: str | None = None,
) -> ArticleBody:
    """The page's article when the policy (or ``forced``) wants it and it was extracted.

    Otherwise the feed's own text, with a note saying why the page is not shown
    when one was wanted but failed. ``retry_error``: why fetching the page again
    just failed (an earlier good copy is then shown, saying so).
    """
    own = ArticleBody(article.content or article.summary, article.link, False, full=full)
    wanted = forced or wants_full_text(mode, article.link, article.content, article.summary)
    if not wanted:
        return own
    if full is None:
        if forced and not article.link.startswith(("http://", "https://")):
            own.note = "Full text unavailable: the item links to no web page"
        return own
    if not full.ok:
        own.note = f"Full text unavailable: {full.error or 'unknown error'}"
        return own
    if not forced and mode == "auto":
        page_words = len(feed_text(full.html, "").split())
        if page_words <= len(feed_text(article.content, article.summary).split()):
            return own  # the page holds no more than the feed already gave
    notes = list(full.meta.get("notes") or [])
    if retry_error:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(full.fetched_at))
        notes.insert(0, f"the copy saved {when} (fetching it again failed: {retry_error})")
    note = "Full text: " + "; ".join(notes) if notes else ""
    return ArticleBody(full.html, full.url or article.link, True, note=note, full=full)


# -- fetching ------------------------------------------------------------------------------
def page_fetch_config(refresh: RefreshConfig, reader: ReaderConfig) -> RefreshConfig:
    """The feed fetch settings with the reader's page caps and a politer concurrency."""
    return dataclasses.replace(
        refresh,
        max_connections=min(refresh.max_connections, PAGE_CONNECTIONS),
        per_host=min(refresh.per_host, PAGE_PER_HOST),
        max_feed_mb=reader.max_page_mb,
        feed_deadline=reader.page_deadline,
    )


def _page_wording(message: str) -> str:
    """A fetch error worded for a page and naming the reader's settings."""
    return (
        message.replace("the feed is larger", "the page is larger")
        .replace("refresh.max_feed_mb", "reader.max_page_mb")
        .replace("refresh.feed_deadline", "reader.page_deadline")
    )


def page_error(result: FetchResult) -> str | None:
    """Why a fetched page cannot be extracted (failed, or not HTML); None if it can."""
    if result.error:
        return _page_wording(result.error)
    ctype = result.content_type.split(";")[0].strip().lower()
    if ctype and ctype not in HTML_TYPES:
        return f"the page is not HTML ({ctype})"
    if not ctype and result.body.lstrip()[:1] != b"<":  # no type given: sniff
        return "the page is not HTML"
    return None


def extract_result(article_id: int, result: FetchResult, max_bytes: int) -> FullText:
    """A fetched page as a cached full text (extracted, or the reason it is not)."""
    now = int(time.time())
    url = result.final_url or result.url
    error = page_error(result)
    if error is not None:
        return FullText(article_id, "error", now, url, error=error)
    try:
        page = extract_page(result.body, url, content_type=result.content_type, max_bytes=max_bytes)
    except ExtractionError as exc:
        return FullText(article_id, "error", now, url, error=str(exc))
    except Exception as exc:  # an extractor bug must not lose the article or stop the rest
        return FullText(article_id, "error", now, url,
                        error=f"cannot extract: {type(exc).__name__}: {exc}")  # fmt: skip
    return FullText(article_id, "ok", now, url, page.html, page.meta_json(),
                    [r.to_json() for r in page.related])  # fmt: skip


@dataclass(slots=True)
class FullTextReport:
    """What one full-text run did."""

    fetched: list[int] = field(default_factory=list)  # article ids now with full text
    failed: dict[int, str] = field(default_factory=dict)  # article id -> why
    seconds: float = 0.0

    def line(self) -> str:
        failed = f", {len(self.failed)} failed" if self.failed else ""
        n = len(self.fetched)
        return (
            f"Full text: {n} page{'' if n == 1 else 's'} extracted{failed} in {self.seconds:.1f} s."
        )


def select(
    items: Sequence[Candidate], reader: ReaderConfig, force: bool = False
) -> list[Candidate]:
    """The candidates whose page should be fetched now: wanted, and not fetched yet."""
    if force:
        return [c for c in items if c.link.startswith(("http://", "https://"))]
    return [
        c for c in items
        if c.status != "ok"
        and wants_full_text(reader.full_text_for(c.feed_url), c.link, c.content, c.summary)
    ]  # fmt: skip


async def fetch_full_texts(
    conn: sqlite3.Connection,
    ids: Sequence[int],
    refresh: RefreshConfig,
    reader: ReaderConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    force: bool = False,
    on_done: Callable[[FullText], None] | None = None,
) -> FullTextReport:
    """Fetch, extract and cache the pages of those ``ids`` the policy wants (all if ``force``).

    Never raises for network, HTTP or extraction trouble: each failure is cached
    with its reason. With ``force``, a failure keeps an earlier good copy.
    """
    started = time.perf_counter()
    report = FullTextReport()
    loop = asyncio.get_running_loop()
    todo = select(await loop.run_in_executor(None, candidates, conn, list(ids)), reader, force)
    if not todo:
        return report
    max_bytes = int(reader.max_page_mb * 1_000_000)
    workers = ThreadPoolExecutor(EXTRACT_THREADS, thread_name_prefix="termnews-extract")
    writer = ThreadPoolExecutor(1, thread_name_prefix="termnews-fulltext-db")

    async def one(item: Candidate, fetcher: Fetcher) -> None:
        result = await fetcher.get(item.link)
        full = await loop.run_in_executor(
            workers, extract_result, item.article_id, result, max_bytes
        )
        keep_old = force and not full.ok and item.status == "ok"  # a good copy beats an error
        if not keep_old:
            try:
                await loop.run_in_executor(writer, save_full_text, conn, full)
            except sqlite3.Error as exc:  # a busy or read-only cache: the article stays as it was
                full = FullText(item.article_id, "error", full.fetched_at, full.url,
                                error=f"cannot store the full text: {exc}")  # fmt: skip
        if full.ok:
            report.fetched.append(item.article_id)
        else:
            report.failed[item.article_id] = full.error or ""
        if on_done:
            on_done(full)

    try:
        async with Fetcher(page_fetch_config(refresh, reader), transport) as fetcher:
            fetcher.client.headers["Accept"] = PAGE_ACCEPT
            await asyncio.gather(*(one(item, fetcher) for item in todo))
    finally:
        workers.shutdown(wait=True)
        writer.shutdown(wait=True)
    report.seconds = time.perf_counter() - started
    return report
