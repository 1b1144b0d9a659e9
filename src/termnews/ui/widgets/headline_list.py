"""The headline list: a virtual list over a view's article ids, rows loaded by page.

The list holds the view's ids (8 bytes each) and a bounded cache of rows. When
it needs rows it does not have, it posts :class:`HeadlineList.NeedRows`; the
screen loads them in a worker and hands them back with :meth:`put_rows`.
"""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.message import Message
from textual.strip import Strip

from termnews.storage.headlines import Headline
from termnews.ui.format import age, clean, fit
from termnews.ui.loading import PAGE
from termnews.ui.widgets.virtual_list import VirtualList

MAX_PAGES = 40  # pages kept; far ones are dropped


class HeadlineList(VirtualList):
    """Title, source and age of each article; unread in bold, starred marked."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "headline-list--unread",
        "headline-list--read",
        "headline-list--starred",
        "headline-list--meta",
        "headline-list--loading",
    }

    @dataclass
    class NeedRows(Message):
        """Rows ``ids`` (from position ``start``) are needed for view ``token``."""

        list: HeadlineList
        token: int
        start: int
        ids: list[int]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ids: array = array("q")
        self.token = 0  # changes with every new list, so late rows are dropped
        self._pages: dict[int, list[Headline | None]] = {}
        self._asked: set[int] = set()
        self.empty_text = ""
        self.show_source = True

    # -- content ------------------------------------------------------------------
    def set_ids(self, ids: array, cursor: int = 0, empty_text: str = "") -> int:
        """Show a new list; returns its token."""
        self.token += 1
        self.ids = ids
        self._pages.clear()
        self._asked.clear()
        self.empty_text = empty_text
        self.set_row_count(len(ids), cursor)
        return self.token

    def put_rows(self, token: int, start: int, rows: Sequence[Headline]) -> None:
        """Rows loaded for positions from ``start`` (ids no longer cached: left out)."""
        if token != self.token:
            return
        by_id = {r.id: r for r in rows}
        page = start // PAGE
        end = min(start + PAGE, len(self.ids))
        self._pages[page] = [by_id.get(self.ids[i]) for i in range(start, end)]
        self._asked.discard(page)
        self._drop_far_pages(page)
        self.refresh()

    def _drop_far_pages(self, near: int) -> None:
        if len(self._pages) <= MAX_PAGES:
            return
        for page in sorted(self._pages, key=lambda p: abs(p - near), reverse=True):
            if len(self._pages) <= MAX_PAGES:
                break
            del self._pages[page]

    def row(self, index: int) -> Headline | None:
        """The loaded row at ``index`` (None if not loaded yet)."""
        page = self._pages.get(index // PAGE)
        if page is None:
            return None
        offset = index % PAGE
        return page[offset] if offset < len(page) else None

    def article_id(self, index: int) -> int | None:
        return self.ids[index] if 0 <= index < len(self.ids) else None

    def position(self, article_id: int) -> int | None:
        try:
            return self.ids.index(article_id)
        except ValueError:
            return None

    def update_row(self, article_id: int, **changes: bool) -> None:
        """Change a loaded row's flags (read, starred) after a mark, and redraw it."""
        for page_no, page in self._pages.items():
            for offset, row in enumerate(page):
                if row is not None and row.id == article_id:
                    page[offset] = dataclasses.replace(row, **changes)
                    self.refresh_line(page_no * PAGE + offset)
                    return

    def update_all(self, **changes: bool) -> None:
        """Change every loaded row (after marking the whole list read)."""
        for page in self._pages.values():
            page[:] = [None if r is None else dataclasses.replace(r, **changes) for r in page]
        self.refresh()

    # -- loading --------------------------------------------------------------------
    def _want(self, index: int) -> None:
        page = index // PAGE
        if page in self._pages or page in self._asked or index >= len(self.ids):
            return
        self._asked.add(page)
        start = page * PAGE
        ids = list(self.ids[start : start + PAGE])
        self.post_message(self.NeedRows(self, self.token, start, ids))

    def prefetch(self) -> None:
        """Ask for the rows on screen and a page either side."""
        shown = self.visible_range()
        if not shown:
            return
        for index in (shown.start - PAGE, shown.start, shown.stop - 1, shown.stop - 1 + PAGE):
            if 0 <= index < len(self.ids):
                self._want(index)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.prefetch()

    def move_cursor(self, index: int, *, notify: bool = True) -> None:
        super().move_cursor(index, notify=notify)
        self.prefetch()

    # -- drawing ----------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        if not self.ids and y == 0 and self.empty_text:
            style = self.rich_style + self.part("headline-list--meta")
            width = self.scrollable_content_region.width
            text = " " + fit(self.empty_text, max(width - 1, 0))
            return Strip([Segment(text, style)]).adjust_cell_length(width, style)
        return super().render_line(y)

    def render_row(self, index: int, width: int, style: Style, cursor: bool) -> list[Segment]:
        styles = self.part
        row = self.row(index)
        if row is None:
            self._want(index)
            return [Segment(" " + fit("…", width - 1), style + styles("headline-list--loading"))]
        star = "★" if row.starred else ("●" if not row.read else " ")
        mark_style = styles("headline-list--starred" if row.starred else "headline-list--unread")
        title_style = styles("headline-list--unread" if not row.read else "headline-list--read")
        when = age(row.sort_date)
        source = clean(row.feed_title) if self.show_source and width >= 40 else ""
        source_width = min(max(width // 5, 8), 18) if source else 0
        title_width = width - 3 - 7 - (source_width + 1 if source else 0)
        segments = [
            Segment(" " + star + " ", style + mark_style),
            Segment(fit(clean(row.title, "(untitled)"), max(title_width, 1)), style + title_style),
        ]
        meta = style + styles("headline-list--meta")
        if source:
            segments.append(Segment(" " + fit(source, source_width), meta))
        segments.append(Segment(f" {when:>6}", meta))
        return segments
