"""The reader panel: the article's header, then its body, scrolled by keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Markdown, Static

from termnews.ui.article_view import ArticleView


class ReaderPanel(VerticalScroll, can_focus=True):
    """Shows one :class:`ArticleView`; posts :class:`ReaderPanel.Closed` on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "line(1)", "Down", show=False, id="reader.down"),
        Binding("up,k", "line(-1)", "Up", show=False, id="reader.up"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="reader.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="reader.page_up"),
        Binding("g,home", "top", "Top", show=False, id="reader.top"),
        Binding("G,end", "bottom", "Bottom", show=False, id="reader.bottom"),
        Binding("escape", "close", "Back to list", id="reader.close"),
    ]

    @dataclass
    class Closed(Message):
        """The reader asks to go back to the headline list."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: ArticleView | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="reader-empty")
        yield Markdown(id="reader-markdown", open_links=False)

    def on_mount(self) -> None:
        self.show_message("Choose a headline and press Enter to read it.")

    def show_message(self, text: str) -> None:
        """An empty reader with one line of advice."""
        self.view = None
        empty = self.query_one("#reader-empty", Static)
        empty.update(Content.styled(text, "dim"))
        empty.display = True
        self.query_one("#reader-markdown", Markdown).display = False

    async def show(self, view: ArticleView) -> None:
        """Show an article from its top."""
        self.view = view
        self.query_one("#reader-empty", Static).display = False
        markdown = self.query_one("#reader-markdown", Markdown)
        markdown.display = True
        await markdown.update(view.markdown)
        self.scroll_home(animate=False)

    def action_line(self, step: int) -> None:
        self.scroll_to(y=self.scroll_y + step, animate=False)

    def action_top(self) -> None:
        self.scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.scroll_end(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_close(self) -> None:
        self.post_message(self.Closed())
