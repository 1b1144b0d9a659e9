"""Sending the comment outbox from the TUI: at start, after each refresh, every minute."""

from __future__ import annotations

from typing import TYPE_CHECKING

from termnews.comments.commands import outcome_line

if TYPE_CHECKING:
    from termnews.ui.app import TermnewsApp

RETRY_EVERY = 60.0  # seconds between looks at the outbox while the app runs


def start_outbox(app: TermnewsApp) -> None:
    """Send the due drafts in a thread worker; say what happened in notifications."""
    app.run_worker(
        lambda: _send_due(app), thread=True, group="outbox", exclusive=True, exit_on_error=False
    )


def _send_due(app: TermnewsApp) -> None:
    with app.backend.own() as service:
        comments = service.comments
        if not comments.outbox():
            return
        run = comments.send_outbox()
    for draft in run.attempted:
        if draft.state == "queued":
            continue  # still offline: no news
        severity = "error" if draft.state in ("failed", "draft") else "information"
        app.call_from_thread(
            app.notify, outcome_line(draft), title="Comments", severity=severity, markup=False
        )
