"""Marking: read and starred flags, mark a whole list read and undo it, unread counts.

A mixin of :class:`termnews.ui.screens.main.MainScreen`.
"""

from __future__ import annotations

from array import array
from typing import Any

from textual import work

from termnews.ui import messages as msg
from termnews.ui.navigation import NavRow


class MarkingMixin:
    """Flags change in the database at once; rows and counts follow."""

    article: Any
    undo: msg.ViewMarkedRead | None

    def _target(self) -> tuple[int, bool, bool] | None:
        """The article keys act on: the headline under the cursor when the list has focus,
        else the one in the reader. Returns (id, read, starred)."""
        if self.focused is not self.headlines and self.article is not None:
            a = self.article.article
            return a.id, a.read, a.starred
        row = self.headlines.row(self.headlines.cursor)
        if row is not None:
            return row.id, row.read, row.starred
        if self.article is not None:
            a = self.article.article
            return a.id, a.read, a.starred
        return None

    def action_toggle_read(self) -> None:
        target = self._target()
        if target is not None:
            self.mark([target[0]], read=not target[1])

    def action_toggle_star(self) -> None:
        target = self._target()
        if target is not None:
            self.mark([target[0]], starred=not target[2])

    @work(thread=True, group="marks", exit_on_error=False)
    def mark(self, ids: list[int], read: bool | None = None, starred: bool | None = None) -> None:
        with self.tapp.backend.shared() as service:
            service.mark(ids, read=read, starred=starred)
        self.post_message(msg.Marked(ids, read, starred))

    def on_marked(self, message: msg.Marked) -> None:
        changes = {}
        if message.read is not None:
            changes["read"] = message.read
        if message.starred is not None:
            changes["starred"] = message.starred
        for article_id in message.ids:
            self.headlines.update_row(article_id, **changes)
            if self.article is not None and self.article.article.id == article_id:
                for name, value in changes.items():
                    setattr(self.article.article, name, value)
        if message.starred is not None:
            self.notify("Starred." if message.starred else "Star removed.", timeout=2)
        self.schedule_counts()

    def action_mark_all_read(self) -> None:
        row = self.shown_row
        if row is None:
            return
        self.mark_all(row, self.headlines.ids)

    @work(thread=True, group="marks", exit_on_error=False)
    def mark_all(self, row: NavRow, ids: array) -> None:
        with self.tapp.backend.shared() as service:
            view = row.view()
            if view is not None:
                changed = service.mark_view_read(view)
            else:
                changed = sorted(service.unread_among(ids))
                service.set_read(changed, True)
        self.post_message(msg.ViewMarkedRead(row.key, row.label, changed))

    def on_view_marked_read(self, message: msg.ViewMarkedRead) -> None:
        if message.key == self.rows_key:
            self.headlines.update_all(read=True)
        if not message.ids:
            self.notify(f"Nothing unread in {message.label}.")
            return
        self.undo = message
        undo_keys = self.tapp.key_for("feed.undo")
        self.notify(
            f"Marked {len(message.ids):,} read in {message.label}. Press {undo_keys} to undo."
        )
        self.schedule_counts()

    def action_undo(self) -> None:
        if self.undo is None:
            self.notify("Nothing to undo.")
            return
        undo, self.undo = self.undo, None
        self.undo_marks(undo)

    @work(thread=True, group="marks", exit_on_error=False)
    def undo_marks(self, undo: msg.ViewMarkedRead) -> None:
        with self.tapp.backend.shared() as service:
            service.set_read(undo.ids, False)
        self.post_message(msg.Marked(undo.ids, read=False))
        self.post_message(msg.Notice(f"{len(undo.ids):,} articles unread again."))

    def schedule_counts(self) -> None:
        """Reload unread counts soon (once for a burst of marks)."""
        if self._counts_timer is not None:
            self._counts_timer.stop()
        self._counts_timer = self.set_timer(0.3, self.reload_feeds)

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False)
    def reload_feeds(self) -> None:
        with self.tapp.backend.shared() as service:
            feeds = service.feeds()
        self.post_message(msg.FeedsLoaded(feeds, self.searches, self.collapsed))
