"""The status bar: refresh progress, counts, and the last error."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label


class StatusBar(Horizontal):
    """Activity on the left, counts in the middle, the last error on the right."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        width: 1fr;
        & > Label { height: 1; padding: 0 1; }
        & > #status-activity { width: auto; max-width: 50%; }
        & > #status-counts { width: 1fr; content-align: center middle; text-align: center; }
        & > #status-error { width: auto; max-width: 60%; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Label(id="status-activity")
        yield Label(id="status-counts")
        yield Label(id="status-error")

    def set_activity(self, text: str) -> None:
        self.query_one("#status-activity", Label).update(Content(text))

    def set_counts(self, text: str) -> None:
        self.query_one("#status-counts", Label).update(Content(text))

    def set_error(self, text: str) -> None:
        self.query_one("#status-error", Label).update(Content(text))

    @property
    def error(self) -> str:
        return str(self.query_one("#status-error", Label).content)

    @property
    def counts(self) -> str:
        return str(self.query_one("#status-counts", Label).content)

    @property
    def activity(self) -> str:
        return str(self.query_one("#status-activity", Label).content)
