"""The main screen: feed panel and headlines, reader, related sidebar, status bar.

Every database read and write runs in a thread worker that posts a typed
message (``termnews.ui.messages``) back; the handlers only update widgets.
"""

from __future__ import annotations

import webbrowser
from array import array
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Markdown, OptionList
from textual.worker import Worker, get_current_worker

from termnews.services import NewsService, ServiceError
from termnews.storage.records import Feed
from termnews.ui import messages as msg
from termnews.ui.article_view import ArticleView, prepare
from termnews.ui.format import clean
from termnews.ui.loading import (
    STATE_COLLAPSED,
    STATE_LAST,
    STATE_SEARCHES,
    ids_for,
    load_list,
    load_start,
)
from termnews.ui.navigation import NavRow, build_rows
from termnews.ui.widgets.feed_panel import FeedPanel
from termnews.ui.widgets.headline_list import HeadlineList
from termnews.ui.widgets.reader import ReaderPanel
from termnews.ui.widgets.related import RelatedItem, RelatedList
from termnews.ui.widgets.status_bar import StatusBar
from termnews.ui.widgets.virtual_list import VirtualList

if TYPE_CHECKING:
    from termnews.ui.app import TermnewsApp

RELATED_COUNT = 8


def _link_bindings() -> list[BindingType]:
    return [
        Binding(str(n), f"open_link({n})", f"Open link {n}", show=False, id=f"article.link_{n}")
        for n in range(1, 10)
    ]


class MainScreen(Screen[None]):
    """Read news: every key of the app's keyboard map works here."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Next panel", show=False, id="app.focus_next"),
        Binding(
            "shift+tab", "app.focus_previous", "Previous panel", show=False, id="app.focus_previous"
        ),
        Binding("n", "next_unread(True)", "Next unread", id="article.next_unread"),
        Binding(
            "p", "next_unread(False)", "Previous unread", show=False, id="article.previous_unread"
        ),
        Binding("J", "step_article(1)", "Next article", show=False, id="article.next"),
        Binding("K", "step_article(-1)", "Previous article", show=False, id="article.previous"),
        Binding("r", "refresh(False)", "Refresh", id="feed.refresh"),
        Binding("R", "refresh(True)", "Refresh all", show=False, id="feed.refresh_all"),
        Binding("m", "toggle_read", "Read/unread", show=False, id="article.toggle_read"),
        Binding("s", "toggle_star", "Star", show=False, id="article.star"),
        Binding("A", "mark_all_read", "Mark all read", show=False, id="feed.mark_all_read"),
        Binding("u", "undo", "Undo mark all read", show=False, id="feed.undo"),
        Binding("f", "full_text", "Full text", show=False, id="article.full_text"),
        Binding("o", "open_browser", "Open in browser", id="article.open"),
        Binding("y", "copy_link", "Copy link", show=False, id="article.copy_link"),
        Binding("l", "link_prompt", "Open link N", show=False, id="article.link"),
        *_link_bindings(),
        Binding("slash", "search", "Search", id="search.open"),
        Binding("S", "save_search", "Save search", show=False, id="search.save"),
        Binding("backspace", "back", "Back", show=False, id="article.back"),
        Binding("backslash", "toggle_sidebar", "Sidebar", show=False, id="view.sidebar"),
        Binding("E", "show_errors", "Feed errors", show=False, id="feed.errors"),
        Binding("a", "add_feed", "Add feed", show=False, id="feed.add"),
        Binding("i", "import_opml", "Import OPML", show=False, id="feed.import"),
        Binding("c", "comment", "Comment", show=False, id="article.comment"),
        Binding("d", "drafts", "Drafts", show=False, id="app.drafts"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows_key: str = ""  # the nav key of the headline list shown
        self.article: ArticleView | None = None
        self.article_token = 0
        self.history: list[int] = []  # articles to go back to (related navigation)
        self.undo: msg.ViewMarkedRead | None = None
        self.feeds: list[Feed] = []
        self.searches: list[str] = []
        self.temp_search: str | None = None
        self.collapsed: list[str] = []
        self.refreshing = False
        self._counts_timer: Timer | None = None
        self.started = False

    @property
    def tapp(self) -> TermnewsApp:
        return self.app  # type: ignore[return-value]

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield FeedPanel(id="feeds")
                yield HeadlineList(id="headlines")
            yield ReaderPanel(id="reader")
            yield RelatedList(id="related")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def shown_row(self) -> NavRow | None:
        """The feed panel row whose headlines are shown."""
        index = self.feed_panel.index_of(self.rows_key)
        return None if index is None else self.feed_panel.rows[index]

    @property
    def feed_panel(self) -> FeedPanel:
        return self.query_one("#feeds", FeedPanel)

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one("#headlines", HeadlineList)

    @property
    def reader(self) -> ReaderPanel:
        return self.query_one("#reader", ReaderPanel)

    @property
    def related(self) -> RelatedList:
        return self.query_one("#related", RelatedList)

    @property
    def status(self) -> StatusBar:
        return self.query_one("#status", StatusBar)

    def on_mount(self) -> None:
        self.feed_panel.border_title = "Feeds"
        self.headlines.border_title = "Headlines"
        self.set_class(not self.tapp.config.ui.sidebar, "-hide-sidebar")
        self.related.set_items([], "Related articles appear here.")
        self.headlines.focus()
        self.status.set_activity("Loading…")
        self.load_start()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        reading = isinstance(event.widget, ReaderPanel | RelatedList)
        self.set_class(reading, "-reading")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.tapp.report_failure(event)

    # -- start -------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def load_start(self) -> None:
        """The first screen's data: from the preload thread if it ran, else loaded now."""
        preload, self.tapp.preload = self.tapp.preload, None
        if preload is not None:
            data = preload.result()
        else:
            with self.tapp.backend.shared() as service:
                data = load_start(service)
        self.post_message(
            msg.FeedsLoaded(data.feeds, data.searches, data.collapsed, select_key=data.first.key)
        )
        self.post_message(msg.ViewLoaded(data.first))

    def _load_view_now(
        self, row: NavRow, article_id: int | None, open_it: bool, focus: bool = False
    ) -> None:
        """(In a worker.) Load a list around ``article_id``; post ViewLoaded."""
        backend = self.tapp.backend
        search = partial(backend.index.call, "search")
        with backend.shared() as service:
            data = load_list(service, row, article_id, open_it, search)
        if not get_current_worker().is_cancelled:
            self.post_message(msg.ViewLoaded(data, focus))

    def on_feeds_loaded(self, message: msg.FeedsLoaded) -> None:
        self.feeds = message.feeds
        self.searches = message.searches
        self.collapsed = message.collapsed
        self._show_rows(message.select_key)
        if not self.started:
            self.started = True
            if not message.feeds:
                self.tapp.show_welcome()

    def on_feeds_changed(self, message: msg.FeedsChanged) -> None:
        """Subscriptions changed: load everything again, then refresh if asked."""
        self.started = True
        self.article = None
        self.history.clear()
        self.reader.show_message("Choose a headline and press Enter to read it.")
        self.reload_all(message.select_key)
        if message.refresh is not None:
            self.start_refresh(message.refresh or None)

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def reload_all(self, select_key: str | None) -> None:
        with self.tapp.backend.shared() as service:
            feeds = service.feeds()
            rows = build_rows(feeds, self.searches, self.collapsed)
            keys = {r.key: r for r in rows}
            key = select_key if select_key in keys else "unread"
            data = load_list(service, keys[key])
        self.post_message(msg.FeedsLoaded(feeds, self.searches, self.collapsed, select_key=key))
        self.post_message(msg.ViewLoaded(data, focus=True))

    def _show_rows(self, select_key: str | None = None) -> None:
        searches = list(self.searches)
        if self.temp_search is not None and self.temp_search not in searches:
            searches.insert(0, self.temp_search)
        rows = build_rows(self.feeds, searches, self.collapsed)
        self.feed_panel.set_rows(rows, select_key or self.rows_key or None)
        unread = rows[0].unread
        failed = sum(1 for f in self.feeds if f.last_error)
        self.status.set_counts(
            f"{unread:,} unread · {len(self.feeds)} feed{'s' if len(self.feeds) != 1 else ''}"
        )
        generic = f"{failed} feed{'s' if failed != 1 else ''} failed (E lists them)"
        if failed and not self.status.error:
            self.status.set_error(generic)
        elif not failed and self.status.error.endswith("failed (E lists them)"):
            self.status.set_error("")

    # -- lists -----------------------------------------------------------------------------
    @on(VirtualList.Highlighted, "#feeds")
    def feed_highlighted(self, event: VirtualList.Highlighted) -> None:
        row = self.feed_panel.current
        if row is not None and row.key != self.rows_key:
            self.load_view(row)

    @on(VirtualList.Selected, "#feeds")
    def feed_selected(self, event: VirtualList.Selected) -> None:
        row = self.feed_panel.current
        if row is None:
            return
        if row.key != self.rows_key:
            self.load_view(row, focus=True)
        else:
            self.headlines.focus()

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def load_view(
        self, row: NavRow, article_id: int | None = None, open_it: bool = False, focus: bool = False
    ) -> None:
        self._load_view_now(row, article_id, open_it, focus)

    def on_view_loaded(self, message: msg.ViewLoaded) -> None:
        data = message.data
        self.rows_key = data.key
        row = next((r for r in self.feed_panel.rows if r.key == data.key), None)
        self.headlines.show_source = row is None or row.kind != "feed"
        token = self.headlines.set_ids(data.ids, data.cursor, data.empty_text)
        self.headlines.put_rows(token, data.start, data.rows)
        label = row.label if row else ""
        self.headlines.border_title = f"{label} ({len(data.ids):,})" if label else "Headlines"
        if row is not None and self.feed_panel.current is not row:
            index = self.feed_panel.index_of(row.key)
            if index is not None:
                self.feed_panel.move_cursor(index, notify=False)
        if message.focus:
            self.headlines.focus()
        if data.open_id is not None:
            self.open_article(data.open_id)
        if self.status.activity == "Loading…":
            self.status.set_activity("")
            if len(data.ids):  # warm the related engine so the sidebar is quick when reading
                self.set_timer(0.5, partial(self.warm_related, data.ids[0]))

    @on(HeadlineList.NeedRows)
    def need_rows(self, event: HeadlineList.NeedRows) -> None:
        self.load_rows(event.token, event.start, event.ids)

    @work(thread=True, group="rows", exit_on_error=False)
    def load_rows(self, token: int, start: int, ids: list[int]) -> None:
        with self.tapp.backend.shared() as service:
            rows = service.headlines(ids)
        self.post_message(msg.RowsLoaded(token, start, rows))

    def on_rows_loaded(self, message: msg.RowsLoaded) -> None:
        self.headlines.put_rows(message.token, message.start, message.rows)

    @on(VirtualList.Selected, "#headlines")
    def headline_selected(self, event: VirtualList.Selected) -> None:
        article_id = self.headlines.article_id(event.index)
        if article_id is not None:
            self.history.clear()
            self.open_article(article_id, focus_reader=True)

    @on(FeedPanel.FoldToggled)
    def fold_toggled(self, event: FeedPanel.FoldToggled) -> None:
        folded = set(self.collapsed)
        (folded.add if event.fold else folded.discard)(event.key)
        self.collapsed = sorted(folded)
        self._show_rows(event.key)
        self.save_state(STATE_COLLAPSED, self.collapsed)

    # -- reading -----------------------------------------------------------------------------
    def open_article(self, article_id: int, focus_reader: bool = False) -> None:
        """Load an article into the reader (marking it read if the config says so)."""
        self.article_token += 1
        self.load_article(article_id, self.article_token)
        if focus_reader:
            self.reader.focus()

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def load_article(self, article_id: int, token: int, full: bool = False) -> None:
        backend = self.tapp.backend
        with backend.shared() as service:
            article = service.article(article_id)
            marked = False
            if self.tapp.config.ui.mark_read_on_open and not article.read and not full:
                service.mark([article.id], read=True)
                article.read = marked = True
            body = None if full else service.article_body(article)
        if full:
            self.post_message(msg.Notice("Fetching the full article…"))
            body = backend.jobs.call("article_body", article, full=True)
        view = prepare(article, body.html, body.base_url, body.note, body.from_page)
        if not get_current_worker().is_cancelled:
            self.post_message(msg.ArticleLoaded(view, token, marked))
        if not full and not body.from_page and self._wants_page(article):
            self.fetch_page(article.id, token)

    def _wants_page(self, article) -> bool:
        """Whether the full-text policy wants this article's page and it was never tried."""
        from termnews.reader.fulltext import wants_full_text
        from termnews.storage.fulltext import get_full_text

        with self.tapp.backend.shared() as service:
            if get_full_text(service.conn, article.id) is not None:
                return False
            url = service.feed(str(article.feed_id)).url
            mode = service.config.reader.full_text_for(url)
        return wants_full_text(mode, article.link, article.content, article.summary)

    @work(thread=True, group="pages", exit_on_error=False)
    def fetch_page(self, article_id: int, token: int) -> None:
        """Fetch and extract the linked page in the background, then show it if still open."""
        self.tapp.backend.jobs.call("full_text", article_id)
        with self.tapp.backend.shared() as service:
            article = service.article(article_id)
            body = service.article_body(article)
        if body.from_page or body.note:
            view = prepare(article, body.html, body.base_url, body.note, body.from_page)
            self.post_message(msg.ArticleLoaded(view, token, False))

    async def on_article_loaded(self, message: msg.ArticleLoaded) -> None:
        if message.token != self.article_token:
            return
        view = message.view
        self.article = view
        await self.reader.show(view)
        if message.marked_read:
            self.headlines.update_row(view.article.id, read=True)
            self.schedule_counts()
        position = self.headlines.position(view.article.id)
        if position is not None and position != self.headlines.cursor:
            self.headlines.move_cursor(position, notify=False)
        where = f" · {position + 1:,}/{self.headlines.row_count:,}" if position is not None else ""
        self.reader.border_title = clean(view.article.feed_title)[:40] + where
        self.save_state(STATE_LAST, {"view": self.rows_key, "article": view.article.id})
        if not self.related.items or self.related.article_id != view.article.id:
            self.related.set_items([], "Finding related articles…")
        self.related.article_id = view.article.id
        self.load_related(view.article.id)

    @work(thread=True, exclusive=True, group="related", exit_on_error=False)
    def load_related(self, article_id: int) -> None:
        found = self.tapp.backend.index.call("related", article_id, RELATED_COUNT)
        items = [
            RelatedItem(r.article.id, r.article.title, r.article.feed_title,
                        r.article.sort_date, r.why)
            for r in found
        ]  # fmt: skip
        self.post_message(msg.RelatedLoaded(article_id, items))

    @work(thread=True, group="related-warm", exit_on_error=False)
    def warm_related(self, article_id: int) -> None:
        self.tapp.backend.index.call("related", article_id, 1)

    def on_related_loaded(self, message: msg.RelatedLoaded) -> None:
        if self.article is not None and self.article.article.id == message.article_id:
            self.related.set_items(message.items, message.note or "No related articles.")

    @on(OptionList.OptionSelected, "#related")
    def related_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None or self.article is None:
            return
        self.history.append(self.article.article.id)
        self.open_article(int(event.option.id), focus_reader=True)

    def action_back(self) -> None:
        if self.history:
            self.open_article(self.history.pop(), focus_reader=True)
        elif self.tapp.is_narrow():
            self.headlines.focus()

    @on(Markdown.LinkClicked)
    def link_clicked(self, event: Markdown.LinkClicked) -> None:
        self.open_url(event.href)

    @on(ReaderPanel.Closed)
    def reader_closed(self) -> None:
        self.headlines.focus()

    # -- moving between articles -----------------------------------------------------
    def action_step_article(self, step: int) -> None:
        index = self.headlines.cursor + step
        article_id = self.headlines.article_id(index)
        if article_id is not None:
            self.headlines.move_cursor(index)
            self.open_article(article_id)

    def action_next_unread(self, forward: bool) -> None:
        ids = self.headlines.ids
        current = self.article.article.id if self.article else None
        start = self.headlines.position(current) if current is not None else None
        if start is None:
            start = self.headlines.cursor - (1 if forward else -1)
        feed_keys = [r.key for r in self.feed_panel.rows if r.kind == "feed" and r.unread]
        self.find_unread(ids, start, forward, self.rows_key, feed_keys)

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def find_unread(
        self, ids: array, start: int, forward: bool, key: str, feed_keys: list[str]
    ) -> None:
        """The next unread in this list, else in the next (or previous) feed with unread."""
        with self.tapp.backend.shared() as service:
            found = self._scan_unread(service, ids, start, forward)
        if found is not None:
            article_id = ids[found]
            self.post_message(msg.JumpTo(key, found, article_id))
            return
        rows = {r.key: r for r in self.feed_panel.rows}
        order = feed_keys if forward else list(reversed(feed_keys))
        if key in order:
            order = order[order.index(key) + 1 :]
        for feed_key in order:
            with self.tapp.backend.shared() as service:
                feed_ids = ids_for(service, rows[feed_key])
                position = self._scan_unread(
                    service, feed_ids, -1 if forward else len(feed_ids), forward
                )
            if position is not None:
                self._load_view_now(rows[feed_key], feed_ids[position], open_it=True)
                return
        self.post_message(msg.NothingUnread(forward))

    @staticmethod
    def _scan_unread(service: NewsService, ids: array, start: int, forward: bool) -> int | None:
        step = 500
        if forward:
            pos = start + 1
            while pos < len(ids):
                chunk = ids[pos : pos + step]
                unread = service.unread_among(chunk)
                for offset, article_id in enumerate(chunk):
                    if article_id in unread:
                        return pos + offset
                pos += step
        else:
            end = start
            while end > 0:
                begin = max(end - step, 0)
                chunk = ids[begin:end]
                unread = service.unread_among(chunk)
                for offset in range(len(chunk) - 1, -1, -1):
                    if chunk[offset] in unread:
                        return begin + offset
                end = begin
        return None

    def on_jump_to(self, message: msg.JumpTo) -> None:
        if message.key != self.rows_key:
            return
        self.headlines.move_cursor(message.position, notify=False)
        self.open_article(message.article_id)

    def on_nothing_unread(self, message: msg.NothingUnread) -> None:
        self.notify("No more unread articles" + ("." if message.forward else " before this one."))

    # -- marking -------------------------------------------------------------------------
    def _target(self) -> tuple[int, bool, bool] | None:
        """The article keys act on: the headline under the cursor when the list has focus,
        else the one in the reader. Returns (id, read, starred)."""
        if self.focused is not self.headlines and self.article is not None:
            a = self.article.article
            return a.id, a.read, a.starred
        row = self.headlines.row(self.headlines.cursor)
        if row is not None:
            return row.id, row.read, row.starred
        if self.article is not None:
            a = self.article.article
            return a.id, a.read, a.starred
        return None

    def action_toggle_read(self) -> None:
        target = self._target()
        if target is not None:
            self.mark([target[0]], read=not target[1])

    def action_toggle_star(self) -> None:
        target = self._target()
        if target is not None:
            self.mark([target[0]], starred=not target[2])

    @work(thread=True, group="marks", exit_on_error=False)
    def mark(self, ids: list[int], read: bool | None = None, starred: bool | None = None) -> None:
        with self.tapp.backend.shared() as service:
            service.mark(ids, read=read, starred=starred)
        self.post_message(msg.Marked(ids, read, starred))

    def on_marked(self, message: msg.Marked) -> None:
        changes = {}
        if message.read is not None:
            changes["read"] = message.read
        if message.starred is not None:
            changes["starred"] = message.starred
        for article_id in message.ids:
            self.headlines.update_row(article_id, **changes)
            if self.article is not None and self.article.article.id == article_id:
                for name, value in changes.items():
                    setattr(self.article.article, name, value)
        if message.starred is not None:
            self.notify("Starred." if message.starred else "Star removed.", timeout=2)
        self.schedule_counts()

    def action_mark_all_read(self) -> None:
        row = self.shown_row
        if row is None:
            return
        self.mark_all(row, self.headlines.ids)

    @work(thread=True, group="marks", exit_on_error=False)
    def mark_all(self, row: NavRow, ids: array) -> None:
        with self.tapp.backend.shared() as service:
            view = row.view()
            if view is not None:
                changed = service.mark_view_read(view)
            else:
                changed = sorted(service.unread_among(ids))
                service.set_read(changed, True)
        self.post_message(msg.ViewMarkedRead(row.key, row.label, changed))

    def on_view_marked_read(self, message: msg.ViewMarkedRead) -> None:
        if message.key == self.rows_key:
            self.headlines.update_all(read=True)
        if not message.ids:
            self.notify(f"Nothing unread in {message.label}.")
            return
        self.undo = message
        undo_keys = self.tapp.key_for("feed.undo")
        self.notify(
            f"Marked {len(message.ids):,} read in {message.label}. Press {undo_keys} to undo."
        )
        self.schedule_counts()

    def action_undo(self) -> None:
        if self.undo is None:
            self.notify("Nothing to undo.")
            return
        undo, self.undo = self.undo, None
        self.undo_marks(undo)

    @work(thread=True, group="marks", exit_on_error=False)
    def undo_marks(self, undo: msg.ViewMarkedRead) -> None:
        with self.tapp.backend.shared() as service:
            service.set_read(undo.ids, False)
        self.post_message(msg.Marked(undo.ids, read=False))
        self.post_message(msg.Notice(f"{len(undo.ids):,} articles unread again."))

    def schedule_counts(self) -> None:
        """Reload unread counts soon (once for a burst of marks)."""
        if self._counts_timer is not None:
            self._counts_timer.stop()
        self._counts_timer = self.set_timer(0.3, self.reload_feeds)

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False)
    def reload_feeds(self) -> None:
        with self.tapp.backend.shared() as service:
            feeds = service.feeds()
        self.post_message(msg.FeedsLoaded(feeds, self.searches, self.collapsed))

    # -- refresh -------------------------------------------------------------------------
    def action_refresh(self, everything: bool) -> None:
        row = self.shown_row
        refs = None
        if not everything and row is not None and row.kind in ("feed", "folder"):
            refs = [str(i) for i in row.feed_ids]
        self.start_refresh(refs)

    def start_refresh(self, refs: list[str] | None = None) -> None:
        if self.refreshing:
            self.notify("A refresh is already running.")
            return
        self.refreshing = True
        self.status.set_activity("Refreshing…")
        self.run_refresh(refs)

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def run_refresh(self, refs: list[str] | None) -> None:
        """Refresh in the jobs process, streaming progress to the status bar."""
        failed = 0

        def progress(status: str, done: int, total: int) -> None:
            nonlocal failed
            failed += status == "error"
            self.post_message(msg.RefreshProgress(done, total, failed))

        try:
            summary = self.tapp.backend.jobs.call("refresh", refs, progress=progress)
        finally:
            self.post_message(msg.RefreshProgress(-1, 0, 0))
        with self.tapp.backend.shared() as service:
            names = {f.id: f.name for f in service.feeds()}
        failures = [
            (clean(names.get(o.feed_id, o.url)), clean(o.error or "")) for o in summary.failed
        ]
        changed = summary.new_articles + summary.updated_articles
        self.post_message(msg.RefreshFinished(summary.line(), failures, changed))

    def on_refresh_progress(self, message: msg.RefreshProgress) -> None:
        if message.done < 0:
            self.refreshing = False
            return
        bar_width = 12
        filled = bar_width * message.done // max(message.total, 1)
        failed = f", {message.failed} failed" if message.failed else ""
        self.status.set_activity(
            f"Refreshing [{'#' * filled}{'.' * (bar_width - filled)}] "
            f"{message.done}/{message.total}{failed}"
        )

    def on_refresh_finished(self, message: msg.RefreshFinished) -> None:
        self.refreshing = False
        from termnews.ui.outbox import start_outbox

        start_outbox(self.tapp)  # back online: send the comment outbox
        self.status.set_activity(message.line)
        if message.failed:
            name, error = message.failed[-1]
            self.status.set_error(f"{len(message.failed)} failed (E lists them): {name}: {error}")
        else:
            self.status.set_error("")
        self.reload_feeds()
        if message.changed:
            self.reload_view()

    def reload_view(self) -> None:
        """Load the shown list again, keeping the cursor on the same article."""
        row = self.shown_row
        if row is not None:
            self.load_view(row, self.headlines.article_id(self.headlines.cursor))

    # -- links, browser, clipboard -------------------------------------------------------
    def _link(self, number: int) -> str | None:
        if self.article is None:
            self.notify("Open an article first.")
            return None
        if not 1 <= number <= len(self.article.links):
            count = len(self.article.links)
            self.notify(f"No link {number}: this article has {count} link{'s' * (count != 1)}.")
            return None
        return self.article.links[number - 1]

    def action_open_link(self, number: int) -> None:
        url = self._link(number)
        if url is not None:
            self.open_url(url)

    def action_link_prompt(self) -> None:
        if self.article is None:
            self.notify("Open an article first.")
            return
        from termnews.ui.screens.prompt import PromptScreen

        def chosen(value: str | None) -> None:
            if value and value.strip().isdigit():
                self.action_open_link(int(value.strip()))

        count = len(self.article.links)
        self.app.push_screen(
            PromptScreen(f"Open link number (1-{count})", placeholder="number", digits=True),
            chosen,
        )

    def action_open_browser(self) -> None:
        target = self._target()
        if target is None:
            return
        if self.article is not None and self.article.article.id == target[0]:
            url = self.article.article.link
            if url:
                self.open_url(url)
                return
        row = self.headlines.row(self.headlines.cursor)
        if row is not None and row.link:
            self.open_url(row.link)
        else:
            self.notify("This article has no link.")

    def open_url(self, url: str) -> None:
        """Open a web link: terminal browsers get the terminal, others run beside us."""
        if not url.startswith(("http://", "https://", "mailto:")):
            self.notify(f"Not opening {clean(url)!r}: only web links open.", severity="warning")
            return
        try:
            browser = webbrowser.get()
        except webbrowser.Error:
            self.notify("No web browser found: set the BROWSER variable.", severity="error")
            return
        if type(browser) is webbrowser.GenericBrowser:  # runs in the foreground: lynx, w3m...
            try:
                with self.app.suspend():
                    browser.open(url)
                return
            except SuspendNotSupported:
                pass
        self.open_in_background(browser, url)

    @work(thread=True, group="browser", exit_on_error=False)
    def open_in_background(self, browser: webbrowser.BaseBrowser, url: str) -> None:
        if not browser.open(url):
            raise ServiceError(f"the web browser could not open {clean(url)}")
        self.post_message(msg.Notice(f"Opened {clean(url)}"))

    def action_copy_link(self) -> None:
        link = self.article.article.link if self.article else ""
        if not link:
            row = self.headlines.row(self.headlines.cursor)
            link = row.link if row else ""
        if not link:
            self.notify("This article has no link.")
            return
        self.app.copy_to_clipboard(link)
        self.notify(f"Copied {clean(link)}", timeout=3)

    def action_full_text(self) -> None:
        if self.article is None:
            self.notify("Open an article first.")
            return
        self.article_token += 1
        self.load_article(self.article.article.id, self.article_token, full=True)

    # -- panels ------------------------------------------------------------------------
    def action_toggle_sidebar(self) -> None:
        if self.tapp.is_narrow():
            self.toggle_class("-show-sidebar")
        else:
            self.toggle_class("-hide-sidebar")

    # -- search ------------------------------------------------------------------------
    def action_search(self) -> None:
        from termnews.ui.screens.prompt import PromptScreen

        def chosen(query: str | None) -> None:
            if query and query.strip():
                self.temp_search = query.strip()
                self._show_rows(f"search:{self.temp_search}")
                row = self.feed_panel.current
                if row is not None:
                    self.load_view(row, focus=True)

        self.app.push_screen(
            PromptScreen(
                "Search articles",
                placeholder='words, "a phrase", prefix*, feed:NAME, unread, starred',
            ),
            chosen,
        )

    def action_save_search(self) -> None:
        row = self.shown_row
        if row is None or row.kind != "search":
            self.notify("Search first (/), then save the search with this key.")
            return
        if row.query in self.searches:
            self.searches = [q for q in self.searches if q != row.query]
            self.notify(f"Removed the saved search {row.label!r}.")
        else:
            self.searches = [*self.searches, row.query]
            self.notify(f"Saved the search {row.label!r}.")
        self.save_state(STATE_SEARCHES, self.searches)
        self._show_rows()

    # -- feeds ---------------------------------------------------------------------------
    def action_show_errors(self) -> None:
        from termnews.ui.screens.errors import FeedErrorsScreen

        self.app.push_screen(FeedErrorsScreen([f for f in self.feeds if f.last_error]))

    def action_add_feed(self) -> None:
        from termnews.ui.screens.prompt import PromptScreen

        def chosen(url: str | None) -> None:
            if url and url.strip():
                self.tapp.add_feed(url.strip())

        self.app.push_screen(
            PromptScreen("Add a feed or site URL", placeholder="https://…"), chosen
        )

    def action_import_opml(self) -> None:
        from termnews.ui.screens.prompt import PromptScreen

        def chosen(path: str | None) -> None:
            if path and path.strip():
                self.tapp.import_opml(path.strip())

        self.app.push_screen(
            PromptScreen("Import an OPML file", placeholder="path/to/feeds.opml"), chosen
        )

    def action_comment(self) -> None:
        if self.article is None:
            self.notify("Open an article first.")
            return
        self.tapp.open_comment_form(self.article.article.id)

    def action_drafts(self) -> None:
        self.tapp.open_drafts()

    # -- state ---------------------------------------------------------------------------
    @work(thread=True, group="state", exit_on_error=False)
    def save_state(self, key: str, value: object) -> None:
        with self.tapp.backend.shared() as service:
            service.set_state(key, value)

    def on_notice(self, message: msg.Notice) -> None:
        self.notify(message.text, timeout=3)
