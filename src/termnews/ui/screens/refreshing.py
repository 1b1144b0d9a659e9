"""Refreshing: feeds fetched in the jobs process, progress and failures in the status bar.

A mixin of :class:`termnews.ui.screens.main.MainScreen`.
"""

from __future__ import annotations

from textual import work

from termnews.ui import messages as msg
from termnews.ui.format import clean


class RefreshMixin:
    """r, R and auto-refresh; the list shown reloads when articles arrive."""

    refreshing: bool

    def action_refresh(self, everything: bool) -> None:
        row = self.shown_row
        refs = None
        if not everything and row is not None and row.kind in ("feed", "folder"):
            refs = [str(i) for i in row.feed_ids]
        self.start_refresh(refs)

    def start_refresh(self, refs: list[str] | None = None) -> None:
        if self.refreshing:
            self.notify("A refresh is already running.")
            return
        self.refreshing = True
        self.status.set_activity("Refreshing…")
        self.run_refresh(refs)

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def run_refresh(self, refs: list[str] | None) -> None:
        """Refresh in the jobs process, streaming progress to the status bar."""
        failed = 0

        def progress(status: str, done: int, total: int) -> None:
            nonlocal failed
            failed += status == "error"
            self.post_message(msg.RefreshProgress(done, total, failed))

        try:
            summary = self.tapp.backend.jobs.call("refresh", refs, progress=progress)
        finally:
            self.post_message(msg.RefreshProgress(-1, 0, 0))
        with self.tapp.backend.shared() as service:
            names = {f.id: f.name for f in service.feeds()}
        failures = [
            (clean(names.get(o.feed_id, o.url)), clean(o.error or "")) for o in summary.failed
        ]
        changed = summary.new_articles + summary.updated_articles
        self.post_message(msg.RefreshFinished(summary.line(), failures, changed))

    def on_refresh_progress(self, message: msg.RefreshProgress) -> None:
        if message.done < 0:
            self.refreshing = False
            return
        bar_width = 12
        filled = bar_width * message.done // max(message.total, 1)
        failed = f", {message.failed} failed" if message.failed else ""
        self.status.set_activity(
            f"Refreshing [{'#' * filled}{'.' * (bar_width - filled)}] "
            f"{message.done}/{message.total}{failed}"
        )

    def on_refresh_finished(self, message: msg.RefreshFinished) -> None:
        self.refreshing = False
        from termnews.ui.outbox import start_outbox

        start_outbox(self.tapp)  # back online: send the comment outbox
        self.status.set_activity(message.line)
        if message.failed:
            name, error = message.failed[-1]
            self.status.set_error(f"{len(message.failed)} failed (E lists them): {name}: {error}")
        else:
            self.status.set_error("")
        self.reload_feeds()
        if message.changed:
            self.reload_view()

    def reload_view(self) -> None:
        """Load the shown list again, keeping the cursor on the same article."""
        row = self.shown_row
        if row is not None:
            self.load_view(row, self.headlines.article_id(self.headlines.cursor))
