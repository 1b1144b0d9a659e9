"""Reading: opening articles, full text, related articles, links, moving between articles.

A mixin of :class:`termnews.ui.screens.main.MainScreen`; it uses the screen's
widgets and app, and posts the same typed messages.
"""

from __future__ import annotations

import webbrowser
from array import array
from typing import Any

from textual import work
from textual.app import SuspendNotSupported
from textual.widgets import Markdown, OptionList
from textual.worker import get_current_worker

from termnews.services import NewsService, ServiceError
from termnews.ui import messages as msg
from termnews.ui.article_view import prepare
from termnews.ui.format import clean
from termnews.ui.loading import STATE_LAST, ids_for
from termnews.ui.widgets.reader import ReaderPanel
from termnews.ui.widgets.related import RelatedItem

RELATED_COUNT = 8


class ReadingMixin:
    """Open, show and leave articles; follow their links and related articles."""

    # Provided by MainScreen (declared for readers of this mixin).
    article: Any
    article_token: int
    history: list[int]

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
            body = backend.pages.call("article_body", article, full=True)
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
        self.tapp.backend.pages.call("full_text", article_id)
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

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "related" or event.option.id is None or self.article is None:
            return
        self.history.append(self.article.article.id)
        self.open_article(int(event.option.id), focus_reader=True)

    def action_back(self) -> None:
        if self.history:
            self.open_article(self.history.pop(), focus_reader=True)
        elif self.tapp.is_narrow():
            self.headlines.focus()

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        self.open_url(event.href)

    def on_reader_panel_closed(self, event: ReaderPanel.Closed) -> None:
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
