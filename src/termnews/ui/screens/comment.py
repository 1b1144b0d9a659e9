"""The comment form: name, email, website, the comment, and what it replies to.

The draft is saved (one SQLite transaction) a second after the last keystroke,
when the form closes and when the app exits. Post checks the fields the way
the site's own form does and keeps the form open, text intact, on a mistake.
ctrl+e edits the comment in $EDITOR. The article's comments load below; Enter
on one replies to it.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from termnews.comments.commands import outcome_line
from termnews.comments.threads import RemoteComment
from termnews.comments.validate import FieldError, check_comment
from termnews.services import ServiceError
from termnews.storage.drafts import Draft
from termnews.ui.format import clean

if TYPE_CHECKING:
    from termnews.ui.app import TermnewsApp

SAVE_DELAY = 1.0  # seconds after the last keystroke
FIELDS = ("name", "email", "url", "text")

BINDINGS: list[BindingType] = [
    Binding("ctrl+s", "post", "Post", priority=True, id="comment.post"),
    Binding("ctrl+e", "editor", "Edit in $EDITOR", priority=True, id="comment.editor"),
    Binding("ctrl+r", "replies", "Reply to…", id="comment.reply"),
    Binding("escape", "close", "Close (draft kept)", id="comment.close"),
]


def binding_ids() -> set[str]:
    """Ids of the comment form's and drafts screen's bindings (for the keymap check)."""
    from termnews.ui.screens.drafts import BINDINGS as DRAFT_BINDINGS

    return {b.id for b in Binding.make_bindings([*BINDINGS, *DRAFT_BINDINGS]) if b.id}


class CommentScreen(ModalScreen[None]):
    """Write (or go on writing) a comment on one article."""

    CSS_PATH = "../comments.tcss"
    BINDINGS: ClassVar[list[BindingType]] = BINDINGS

    def __init__(
        self, article_id: int | None = None, *, draft_id: int | None = None, reply_to: str = ""
    ) -> None:
        super().__init__()
        self.article_id = article_id
        self.draft_id = draft_id
        self.reply_to = reply_to
        self.draft: Draft | None = None
        self.thread: list[RemoteComment] = []
        self.form: dict[str, str] = dict.fromkeys(FIELDS, "")
        self.saved: dict[str, str] = {}  # what the database holds
        self.dirty = False
        self.loading = True
        self.posting = False
        self._timer: Timer | None = None

    @property
    def tapp(self) -> TermnewsApp:
        return self.app  # type: ignore[return-value]

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="comment-dialog"):
            yield Label("Comment", id="comment-title", markup=False)
            yield Label("", id="comment-reply", markup=False)
            with Horizontal(id="comment-who"):
                for field, label, hint in (
                    ("name", "Name", "your name"),
                    ("email", "Email", "you@example.org"),
                    ("url", "Website (optional)", "https://…"),
                ):
                    with Vertical():
                        yield Label(label, classes="field-label")
                        yield Input(placeholder=hint, id=f"comment-{field}")
                        yield Label("", id=f"error-{field}", classes="field-error", markup=False)
            yield Label("Comment", classes="field-label")
            yield TextArea(id="comment-text", soft_wrap=True, tab_behavior="focus")
            yield Label("", id="error-text", classes="field-error", markup=False)
            yield Label("Loading the draft…", id="comment-status", markup=False)
            yield OptionList(id="comment-thread")
        yield Footer()

    def on_mount(self) -> None:
        thread = self.query_one("#comment-thread", OptionList)
        thread.border_title = "Comments on the site (Enter replies)"
        self.load_draft()

    def widget(self, field: str) -> Input | TextArea:
        if field == "text":
            return self.query_one("#comment-text", TextArea)
        return self.query_one(f"#comment-{field}", Input)

    def read_widgets(self) -> None:
        """Take the form's fields straight from the widgets, while they are there."""
        if self.loading or not self.is_mounted:
            return
        try:
            for field in ("name", "email", "url"):
                self.form[field] = self.query_one(f"#comment-{field}", Input).value
            self.form["text"] = self.query_one("#comment-text", TextArea).text
        except NoMatches:
            pass  # being taken down: the last Changed values stand

    def values(self) -> dict[str, str]:
        """The form as it is now (kept as it changes, so it outlives the widgets)."""
        return {**self.form, "reply_to": self.reply_to}

    # -- loading ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="comment-load", exit_on_error=False)
    def load_draft(self) -> None:
        with self.tapp.backend.shared() as service:
            comments = service.comments
            if self.draft_id is not None:
                draft = comments.draft(self.draft_id)
            else:
                assert self.article_id is not None
                draft = comments.open_draft(self.article_id, self.reply_to)
        self.app.call_from_thread(self._fill, draft)
        if draft.article_id is not None:
            self.load_thread(draft.article_id)

    def _fill(self, draft: Draft) -> None:
        self.draft, self.draft_id, self.article_id = draft, draft.id, draft.article_id
        self.reply_to = draft.reply_to
        self.form = {f: getattr(draft, f) for f in FIELDS}
        self.saved = self.values()
        self.query_one("#comment-title", Label).update(
            f"Comment on: {clean(draft.article_title, clean(draft.article_url, 'an article'))}"
        )
        for field in ("name", "email", "url"):
            self.query_one(f"#comment-{field}", Input).value = getattr(draft, field)
        self.query_one("#comment-text", TextArea).load_text(draft.text)
        self._show_reply()
        self._status(self._describe(draft), error=draft.state == "failed")
        self.loading = False
        first_empty = next((f for f in ("name", "email") if not getattr(draft, f)), "text")
        self.widget(first_empty).focus()

    def _describe(self, draft: Draft) -> str:
        state = {"draft": "Draft", "failed": "Not posted", "queued": "In the outbox"}.get(
            draft.state, draft.state.capitalize()
        )
        note = f": {clean(draft.error)}" if draft.error else ""
        return f"{state} #{draft.id}{note} · ctrl+s posts, Esc keeps it as a draft"

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#comment-status", Label)
        status.update(text)
        status.set_class(error, "-error")

    @work(thread=True, exclusive=True, group="comment-thread", exit_on_error=False)
    def load_thread(self, article_id: int) -> None:
        try:
            with self.tapp.backend.own() as service:
                found = service.comments.comments(article_id)
        except ServiceError as exc:
            self.app.call_from_thread(self._show_thread, [], clean(str(exc)))
            return
        self.app.call_from_thread(self._show_thread, found, "")

    def _show_thread(self, found: list[RemoteComment], problem: str) -> None:
        self.thread = found
        thread = self.query_one("#comment-thread", OptionList)
        thread.clear_options()
        if problem:
            thread.add_option(Option(Text(problem, style="italic"), disabled=True))
            return
        if not found:
            thread.add_option(Option(Text("No comments yet.", style="italic"), disabled=True))
            return
        thread.add_option(Option(Text("(not a reply)", style="italic"), id="reply:"))
        for c in found:
            first = clean(c.text)[:80]
            line = Text(f"{'  ' * c.depth}#{c.id} {clean(c.author)}: {first}")
            thread.add_option(Option(line, id=f"reply:{c.id}"))
        self._show_reply()

    def _show_reply(self) -> None:
        label = self.query_one("#comment-reply", Label)
        if not self.reply_to:
            label.update("")
            return
        who = next((clean(c.author) for c in self.thread if c.id == self.reply_to), "")
        label.update(f"Replying to comment #{self.reply_to}{' by ' + who if who else ''}")

    @on(OptionList.OptionSelected, "#comment-thread")
    def reply_chosen(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if not option_id.startswith("reply:"):
            return
        self.reply_to = option_id.removeprefix("reply:")
        self._show_reply()
        self.changed()
        self.widget("text").focus()

    def action_replies(self) -> None:
        self.query_one("#comment-thread", OptionList).focus()

    # -- saving ----------------------------------------------------------------------
    @on(Input.Changed)
    def input_changed(self, event: Input.Changed) -> None:
        field = (event.input.id or "").removeprefix("comment-")
        if field in self.form:
            self.form[field] = event.value
            self.changed()

    @on(TextArea.Changed)
    def text_changed(self, event: TextArea.Changed) -> None:
        self.form["text"] = event.text_area.text
        self.changed()

    def changed(self) -> None:
        """Something in the form changed: save it a moment after the typing stops."""
        if self.loading:
            return
        self.dirty = self.values() != self.saved
        if not self.dirty:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SAVE_DELAY, self._save_later)

    def _save_later(self) -> None:
        if self.dirty and self.draft_id is not None:
            self.dirty = False
            self.saved = self.values()
            self.save_draft(self.draft_id, self.saved)

    @work(thread=True, exclusive=True, group="comment-save", exit_on_error=False)
    def save_draft(self, draft_id: int, fields: dict[str, str]) -> None:
        with self.tapp.backend.shared() as service:
            draft = service.comments.save(draft_id, **fields)
        self.app.call_from_thread(self._saved, draft)

    def _saved(self, draft: Draft) -> None:
        self.draft = draft
        if not self.posting:
            self._status(self._describe(draft), error=draft.state == "failed")

    def save_now(self) -> None:
        """Save on the spot (closing, exiting, posting): one short transaction."""
        if self._timer is not None:
            self._timer.stop()
        self.read_widgets()
        self.dirty = self.values() != self.saved
        if self.loading or self.draft_id is None or not self.dirty:
            return
        self.dirty = False
        self.saved = self.values()
        with self.tapp.backend.shared() as service:
            self.draft = service.comments.save(self.draft_id, **self.saved)

    def on_unmount(self) -> None:
        with contextlib.suppress(ServiceError):  # being sent: the text on record goes out
            self.save_now()

    def action_close(self) -> None:
        try:
            self.save_now()
        except ServiceError as exc:
            self.notify(clean(str(exc)), severity="warning", markup=False)
        if self.draft is not None and self.draft.text.strip():
            self.notify(f"Draft #{self.draft.id} kept (d lists drafts).", timeout=3)
        self.dismiss(None)

    # -- editor ----------------------------------------------------------------------
    def action_editor(self) -> None:
        from textual.app import SuspendNotSupported

        from termnews.comments.editor import EditorError, edit_text

        area = self.query_one("#comment-text", TextArea)
        try:
            with self.app.suspend():
                text = edit_text(area.text)
        except SuspendNotSupported:
            self.notify("An editor cannot be opened from here.", severity="warning")
            return
        except EditorError as exc:
            self.notify(clean(str(exc)), severity="error", markup=False)
            return
        area.load_text(text.rstrip("\n"))
        area.focus()

    # -- posting ---------------------------------------------------------------------
    def show_errors(self, errors: list[FieldError]) -> None:
        by_field = {e.field: e.message for e in errors}
        for field in FIELDS:
            label = self.query_one(f"#error-{field}", Label)
            label.update(by_field.get(field, ""))
            label.set_class(field in by_field, "-shown")

    def action_post(self) -> None:
        if self.loading or self.draft_id is None or self.posting:
            return
        self.read_widgets()
        values = self.values()
        errors = check_comment(values["name"], values["email"], values["url"], values["text"])
        self.show_errors(errors)
        if errors:
            self.widget(errors[0].field).focus()
            self._status("Please correct the fields marked above.", error=True)
            return
        self.dirty = self.values() != self.saved
        try:
            self.save_now()
        except ServiceError as exc:
            self._status(clean(str(exc)), error=True)
            return
        self.posting = True
        self._status("Sending…")
        self.post_draft(self.draft_id)

    @work(thread=True, exclusive=True, group="comment-post", exit_on_error=False)
    def post_draft(self, draft_id: int) -> None:
        try:
            with self.tapp.backend.own() as service:
                draft = service.comments.post(draft_id)
        except ServiceError as exc:
            self.app.call_from_thread(self._post_failed, clean(str(exc)))
            return
        self.app.call_from_thread(self._posted, draft)

    def _post_failed(self, text: str) -> None:
        self.posting = False
        self._status(text, error=True)

    def _posted(self, draft: Draft) -> None:
        self.posting = False
        self.draft = draft
        line = outcome_line(draft)
        if draft.state in ("posted", "held", "queued"):
            self.notify(line, title="Comment", markup=False, timeout=6)
            self.dirty = False
            self.dismiss(None)
            return
        self._status(line, error=True)  # refused: the reason, and the text to fix
