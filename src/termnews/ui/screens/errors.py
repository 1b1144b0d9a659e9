"""The feeds whose last refresh failed, with the reason in words."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from termnews.storage.records import Feed
from termnews.ui.format import age, clean


class FeedErrorsScreen(ModalScreen[None]):
    """Lists failing feeds: name, URL, when it was tried, and the error."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,E", "dismiss(None)", "Close", id="errors.close"),
    ]

    def __init__(self, feeds: list[Feed]) -> None:
        super().__init__()
        self.feeds = feeds

    def compose(self) -> ComposeResult:
        with Vertical(id="errors-dialog"):
            count = len(self.feeds)
            title = f"{count} feed{'s' if count != 1 else ''} failed" if count else "No errors"
            yield Label(title, id="errors-title", markup=False)
            with VerticalScroll(id="errors-list"):
                if not self.feeds:
                    yield Static("Every feed refreshed fine last time.", markup=False)
                for feed in self.feeds:
                    when = age(feed.last_attempt)
                    yield Static(
                        Content.assemble(
                            (clean(feed.name, feed.url), "bold"),
                            f"  {clean(feed.url)}",
                            (f"  tried {when} ago" if when else "", "dim"),
                            "\n  ",
                            (clean(feed.last_error or ""), "$error"),
                        ),
                        classes="feed-error",
                    )
            yield Label("Escape closes.", classes="dim", markup=False)
