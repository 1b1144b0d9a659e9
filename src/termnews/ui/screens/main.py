"""The main screen: feed panel and headlines, reader, related sidebar, status bar.

Every database read and write runs in a thread worker that posts a typed
message (``termnews.ui.messages``) back; the handlers only update widgets.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer
from textual.worker import Worker, get_current_worker

from termnews.storage.records import Feed
from termnews.ui import messages as msg
from termnews.ui.article_view import ArticleView
from termnews.ui.loading import (
    STATE_COLLAPSED,
    STATE_SEARCHES,
    load_list,
    load_start,
)
from termnews.ui.navigation import NavRow, build_rows
from termnews.ui.screens.marking import MarkingMixin
from termnews.ui.screens.reading import ReadingMixin
from termnews.ui.screens.refreshing import RefreshMixin
from termnews.ui.widgets.feed_panel import FeedPanel
from termnews.ui.widgets.headline_list import HeadlineList
from termnews.ui.widgets.reader import ReaderPanel
from termnews.ui.widgets.related import RelatedList
from termnews.ui.widgets.status_bar import StatusBar
from termnews.ui.widgets.virtual_list import VirtualList

if TYPE_CHECKING:
    from termnews.ui.app import TermnewsApp


def _link_bindings() -> list[BindingType]:
    return [
        Binding(str(n), f"open_link({n})", f"Open link {n}", show=False, id=f"article.link_{n}")
        for n in range(1, 10)
    ]


class MainScreen(ReadingMixin, MarkingMixin, RefreshMixin, Screen[None]):
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
