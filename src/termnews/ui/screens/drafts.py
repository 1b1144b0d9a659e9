"""The Drafts screen: every comment draft with its article, state and age.

Enter or e opens one in the comment form, p posts it, x deletes it (after a
yes), S sends the whole outbox now, Esc goes back.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from termnews.comments.commands import outcome_line
from termnews.services import ServiceError
from termnews.storage.drafts import Draft
from termnews.ui.format import age, clean, fit

if TYPE_CHECKING:
    from termnews.ui.app import TermnewsApp

BINDINGS: list[BindingType] = [
    Binding("e", "open", "Edit", id="drafts.open"),
    Binding("p", "post", "Post", id="drafts.post"),
    Binding("x,delete", "delete", "Delete", id="drafts.delete"),
    Binding("S", "send", "Send outbox", id="drafts.send"),
    Binding("escape,d", "close", "Back", id="drafts.close"),
]
STATE_STYLES = {"posted": "green", "held": "yellow", "failed": "red", "queued": "cyan",
                "sending": "cyan"}  # fmt: skip


def draft_line(d: Draft, now: float, width: int = 100) -> Text:
    """One row: id, state, age, article, the start of the comment."""
    title = clean(d.article_title, clean(d.article_url, "(no article)"))
    line = Text()
    line.append(f"{d.id:>4} ")
    line.append(f"{d.state:<7}", style=STATE_STYLES.get(d.state, ""))
    line.append(f" {age(d.updated_at, now) or 'now':>6}  ")
    line.append(fit(title, 34), style="bold")
    line.append("  " + fit(clean(d.text, "(empty)"), max(10, width - 58)))
    return line


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; y or Enter says yes, n or Esc no."""

    CSS_PATH = "../comments.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(self.question, markup=False)
            yield Label("y: yes   n: no", classes="field-label")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class DraftsScreen(Screen[None]):
    """Comment drafts and the outbox."""

    CSS_PATH = "../comments.tcss"
    BINDINGS: ClassVar[list[BindingType]] = BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self.drafts: list[Draft] = []

    @property
    def tapp(self) -> TermnewsApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield OptionList(id="drafts-list")
        yield Static("", id="drafts-detail", markup=False)
        yield Footer()

    @property
    def listing(self) -> OptionList:
        return self.query_one("#drafts-list", OptionList)

    def on_mount(self) -> None:
        self.listing.border_title = "Comment drafts"
        self.listing.focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="drafts-load", exit_on_error=False)
    def load(self) -> None:
        with self.tapp.backend.shared() as service:
            drafts = service.comments.drafts()
        self.app.call_from_thread(self._show, drafts)

    def _show(self, drafts: list[Draft]) -> None:
        keep = self.current.id if self.current else None
        self.drafts = drafts
        now = time.time()
        width = max(self.listing.size.width - 4, 60)
        self.listing.clear_options()
        for d in drafts:
            self.listing.add_option(Option(draft_line(d, now, width), id=str(d.id)))
        outbox = sum(1 for d in drafts if d.state in ("queued", "sending"))
        self.listing.border_title = f"Comment drafts ({len(drafts)}, {outbox} in the outbox)"
        if not drafts:
            self.listing.add_option(
                Option(
                    Text("No drafts. Press c on an article to write a comment.", style="italic"),
                    disabled=True,
                )
            )
        index = next((i for i, d in enumerate(drafts) if d.id == keep), 0)
        if drafts:
            self.listing.highlighted = index
        self._detail()

    @property
    def current(self) -> Draft | None:
        index = self.listing.highlighted if self.is_mounted else None
        if index is None or not (0 <= index < len(self.drafts)):
            return None
        return self.drafts[index]

    @on(OptionList.OptionHighlighted, "#drafts-list")
    def _highlighted(self) -> None:
        self._detail()

    def _detail(self) -> None:
        d = self.current
        detail = self.query_one("#drafts-detail", Static)
        if d is None:
            detail.update("")
            return
        head = f"#{d.id} · {d.state} · {clean(d.article_title, clean(d.article_url))}"
        lines = [head]
        if d.reply_to:
            lines.append(f"Reply to comment #{clean(d.reply_to)}")
        if d.error:
            lines.append(clean(d.error))
        if d.remote_url:
            lines.append(clean(d.remote_url))
        detail.update(Text("\n".join(lines) + "\n\n" + d.text))

    # -- actions ---------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#drafts-list")
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        from termnews.ui.screens.comment import CommentScreen

        d = self.current
        if d is None:
            return
        if d.state in ("posted", "held", "sending"):
            where = f": {clean(d.remote_url)}" if d.remote_url else ""
            self.notify(f"Draft #{d.id} is {d.state}{where}", markup=False)
            return
        self.app.push_screen(CommentScreen(d.article_id, draft_id=d.id))

    def action_delete(self) -> None:
        d = self.current
        if d is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(d.id)

        preview = clean(d.text)[:40] or "(empty)"
        self.app.push_screen(
            ConfirmScreen(f"Delete draft #{d.id} ({d.state}): “{preview}”?"), answered
        )

    @work(thread=True, group="drafts-change", exit_on_error=False)
    def delete(self, draft_id: int) -> None:
        with self.tapp.backend.shared() as service:
            service.comments.delete(draft_id)
        self.app.call_from_thread(self.notify, f"Deleted draft #{draft_id}.", timeout=3)
        self.load()

    def action_post(self) -> None:
        d = self.current
        if d is not None:
            self.post(d.id)

    @work(thread=True, group="drafts-change", exit_on_error=False)
    def post(self, draft_id: int) -> None:
        try:
            with self.tapp.backend.own() as service:
                draft = service.comments.post(draft_id)
        except ServiceError as exc:
            self.app.call_from_thread(
                self.notify, clean(str(exc)), severity="warning", markup=False
            )
        else:
            severity = "error" if draft.state in ("failed", "draft") else "information"
            self.app.call_from_thread(
                self.notify, outcome_line(draft), severity=severity, markup=False
            )
        self.load()

    @work(thread=True, exclusive=True, group="drafts-send", exit_on_error=False)
    def action_send(self) -> None:
        with self.tapp.backend.own() as service:
            run = service.comments.send_outbox(force=True)
        if not run.attempted and not run.deferred:
            self.app.call_from_thread(self.notify, "The outbox is empty.", timeout=3)
        for d in run.attempted:
            self.app.call_from_thread(self.notify, outcome_line(d), markup=False)
        self.load()

    def action_close(self) -> None:
        self.app.pop_screen()
