"""Help: every key binding, as the keymap has set it, grouped by where it works."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

if TYPE_CHECKING:
    from termnews.ui.app import TermnewsApp


class HelpScreen(ModalScreen[None]):
    """The key map, with each binding's id for the ``[keymap]`` config table."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss(None)", "Close", id="help.close"),
        Binding("j,down", "scroll('down')", "Down", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "Up", show=False, id="help.up"),
    ]

    def compose(self) -> ComposeResult:
        app: TermnewsApp = self.app  # type: ignore[assignment]
        with Vertical(id="help-dialog"):
            yield Label(
                "Keys  (rebind any of them in the [keymap] table of the config by id)",
                id="help-title",
                markup=False,
            )
            with VerticalScroll(id="help-body"):
                section = None
                lines: list[Content] = []
                for where, _owner, binding in app.all_bindings():
                    if where != section:
                        if lines:
                            lines.append(Content(""))
                        lines.append(Content.styled(where, "bold"))
                        section = where
                    keys = app.key_for(binding.id or "", binding.key)
                    lines.append(
                        Content.assemble(
                            (f"  {keys:<18}", "$accent"),
                            f"{binding.description:<28}",
                            (binding.id or "", "dim"),
                        )
                    )
                yield Static(Content("\n").join(lines), id="help-text")
            yield Label(
                "Escape closes · ctrl+p runs any of these by name", classes="dim", markup=False
            )

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        if direction == "down":
            body.scroll_down(animate=False)
        else:
            body.scroll_up(animate=False)
