"""The feed panel: smart views, saved searches, folders and feeds with unread counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message

from termnews.ui.format import count, fit
from termnews.ui.navigation import NavRow
from termnews.ui.widgets.virtual_list import VirtualList

ICONS = {"unread": "◆ ", "starred": "★ ", "search": "⌕ "}


class FeedPanel(VirtualList):
    """Rows held in memory (a few hundred at most), drawn by the Line API."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "fold(True)", "Fold", show=False, id="feeds.fold"),
        Binding("right", "fold(False)", "Unfold", show=False, id="feeds.unfold"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "feed-panel--unread",
        "feed-panel--read",
        "feed-panel--error",
        "feed-panel--folder",
        "feed-panel--count",
    }

    @dataclass
    class FoldToggled(Message):
        """Left/right on a folder: fold (``fold`` True) or unfold it."""

        key: str
        fold: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[NavRow] = []

    def set_rows(self, rows: list[NavRow], keep_key: str | None = None) -> None:
        """Show ``rows``; the cursor stays on ``keep_key`` (or the current row) if present."""
        key = keep_key or (self.current.key if self.current else None)
        self.rows = rows
        index = next((i for i, r in enumerate(rows) if r.key == key), None)
        self.set_row_count(len(rows), self.cursor if index is None else index)

    @property
    def current(self) -> NavRow | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def index_of(self, key: str) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.key == key), None)

    def render_row(self, index: int, width: int, style: Style, cursor: bool) -> list[Segment]:
        row = self.rows[index]
        styles = self.part
        name_style = styles("feed-panel--unread" if row.unread else "feed-panel--read")
        if row.kind == "folder":
            name_style += styles("feed-panel--folder")
        indent = "  " * row.indent
        if row.kind == "folder":
            icon = "▸ " if row.collapsed else "▾ "
        else:
            icon = ICONS.get(row.kind, "")
        tail = count(row.unread) if row.unread else ""
        mark = " !" if row.error else ""
        name_width = width - len(indent) - len(icon) - len(tail) - len(mark) - 2
        segments = [
            Segment(" " + indent + icon, style),
            Segment(fit(row.label, max(name_width, 1)), style + name_style),
        ]
        if mark:
            segments.append(Segment(mark, style + styles("feed-panel--error")))
        segments.append(Segment(" " + tail, style + styles("feed-panel--count")))
        return segments

    def action_fold(self, fold: bool) -> None:
        row = self.current
        if row is not None and row.kind == "folder" and row.collapsed != fold:
            self.post_message(self.FoldToggled(row.key, fold))
