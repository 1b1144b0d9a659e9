"""First run: no subscriptions yet. Add a feed or site, import OPML, or open the demo."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

if TYPE_CHECKING:
    from termnews.ui.app import TermnewsApp


class WelcomeScreen(Screen[None]):
    """Shown over the main screen while there are no feeds."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+d", "demo", "Open the demo", id="welcome.demo"),
        Binding("escape", "app.focus_next", "Next field", show=False, id="welcome.next"),
    ]

    @property
    def tapp(self) -> TermnewsApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="welcome"):
            yield Static("Welcome to termnews", id="welcome-title")
            yield Static("You have no subscriptions yet. Start with one of these:", markup=False)
            yield Label("Add a feed, or a site whose feeds termnews finds:", markup=False)
            with Horizontal(classes="welcome-row"):
                yield Input(placeholder="https://example.org/", id="welcome-url")
                yield Button("Add", id="welcome-add", variant="primary")
            yield Label("Import the subscriptions of another reader (OPML file):", markup=False)
            with Horizontal(classes="welcome-row"):
                yield Input(placeholder="~/feeds.opml", id="welcome-opml")
                yield Button("Import", id="welcome-import")
            yield Label("Or look around first with five made-up outlets, offline:", markup=False)
            with Horizontal(classes="welcome-row"):
                yield Button("Open the demo", id="welcome-demo")
            yield Static("Tab moves between fields · ctrl+q quits", classes="dim", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#welcome-url", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "welcome-url":
            self._add()
        elif event.input.id == "welcome-opml":
            self._import()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "welcome-add":
            self._add()
        elif event.button.id == "welcome-import":
            self._import()
        elif event.button.id == "welcome-demo":
            self.action_demo()

    def _add(self) -> None:
        url = self.query_one("#welcome-url", Input).value.strip()
        if not url:
            self.notify("Type a feed or site URL first.", severity="warning")
            return
        self.tapp.add_feed(url)

    def _import(self) -> None:
        path = self.query_one("#welcome-opml", Input).value.strip()
        if not path:
            self.notify("Type the path of an OPML file first.", severity="warning")
            return
        self.tapp.import_opml(path)

    def action_demo(self) -> None:
        self.tapp.open_demo()
