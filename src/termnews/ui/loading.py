"""Loading what the screens show, in worker threads; no Textual here.

:func:`load_list` fetches a headline list's ids and the page of rows around
its cursor; :func:`load_start` adds the feeds and what the last run remembered.
:class:`Preload` runs :func:`load_start` on a thread while Textual is still
importing and starting, so the first screen has its data when it mounts.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from termnews.services import NewsService
from termnews.storage.headlines import Headline
from termnews.storage.records import Feed
from termnews.ui.navigation import NavRow, build_rows

PAGE = 100  # headline rows fetched at once
SEARCH_LIMIT = 1000  # search results listed
STATE_LAST = "ui.last"  # {"view": nav key, "article": id}
STATE_SEARCHES = "ui.saved_searches"
STATE_COLLAPSED = "ui.collapsed_folders"

Search = Callable[[str, int], list[Any]]  # (query, limit) -> search items

EMPTY_TEXT = {
    "unread": "Nothing unread. r refreshes this list, R refreshes all feeds.",
    "starred": "No starred articles: s stars the article you read.",
    "search": "No articles match this search.",
}


@dataclass(slots=True)
class ListData:
    """A headline list: its ids, where the cursor goes, and the rows of that page."""

    key: str
    ids: array
    cursor: int = 0
    start: int = 0
    rows: list[Headline] = field(default_factory=list)
    open_id: int | None = None  # the article to open once shown
    empty_text: str = ""


@dataclass(slots=True)
class StartData:
    """Everything the first screen shows."""

    feeds: list[Feed]
    searches: list[str]
    collapsed: list[str]
    first: ListData


def ids_for(service: NewsService, row: NavRow, search: Search | None = None) -> array:
    """The article ids of a feed panel row, newest first (search rows: best match first).

    ``search`` runs a search (default: ``service.search``; the UI runs it elsewhere).
    """
    view = row.view()
    if view is not None:
        return service.view_ids(view)
    found = (search or service.search)(row.query, SEARCH_LIMIT)
    return array("q", (item.article.id for item in found))


def load_list(
    service: NewsService,
    row: NavRow,
    article_id: int | None = None,
    open_it: bool = False,
    search: Search | None = None,
) -> ListData:
    """The list of ``row`` with the cursor on ``article_id`` if it is in the list."""
    ids = ids_for(service, row, search)
    cursor = 0
    if article_id is not None:
        try:
            cursor = ids.index(article_id)
        except ValueError:  # read since (an unread list) it is still opened; gone, it is not
            open_it = open_it and bool(service.headlines([article_id]))
    start = (cursor // PAGE) * PAGE
    rows = service.headlines(ids[start : start + PAGE])
    return ListData(
        row.key, ids, cursor, start, rows,
        open_id=article_id if open_it else None,
        empty_text=EMPTY_TEXT.get(row.kind, "No articles here yet."),
    )  # fmt: skip


def load_start(service: NewsService) -> StartData:
    """Feeds, the remembered list and article, and the first rows: one round trip."""
    feeds = service.feeds()
    searches = [q for q in service.get_state(STATE_SEARCHES, []) if isinstance(q, str)]
    collapsed = [k for k in service.get_state(STATE_COLLAPSED, []) if isinstance(k, str)]
    last = service.get_state(STATE_LAST, {})
    last = last if isinstance(last, dict) else {}
    rows = build_rows(feeds, searches, collapsed)
    keys = {r.key: r for r in rows}
    key = last.get("view") if last.get("view") in keys else "unread"
    if key == "unread" and not rows[0].unread:  # nothing unread: the first feed with articles
        totals = {f.id: f.total for f in feeds}
        key = next((r.key for r in rows if r.kind == "feed" and totals[r.feed_ids[0]]), key)
    article_id = last.get("article") if isinstance(last.get("article"), int) else None
    first = load_list(service, keys[key], article_id, open_it=article_id is not None)
    return StartData(feeds, searches, collapsed, first)


class Preload:
    """Runs :func:`load_start` on a thread; :meth:`result` waits for it."""

    def __init__(self, run: Callable[[], StartData]) -> None:
        self._run = run
        self._data: StartData | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._target, name="termnews-preload", daemon=True)

    def start(self) -> Preload:
        self._thread.start()
        return self

    def _target(self) -> None:
        try:
            self._data = self._run()
        except BaseException as exc:  # handed to the screen's worker, which reports it
            self._error = exc

    def result(self) -> StartData:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._data is not None
        return self._data
