"""A keyboard list that draws only its visible rows (Textual's Line API).

Subclasses say how many rows there are and how to draw one; the list keeps a
cursor, scrolls it into view and posts :class:`VirtualList.Highlighted` and
:class:`VirtualList.Selected`. Nothing here depends on how many rows exist, so
a list of 100,000 headlines costs the same to draw as a list of ten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip


class VirtualList(ScrollView, can_focus=True):
    """A cursor over ``row_count`` rows, each drawn on demand by :meth:`render_row`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup,b", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
        Binding("enter", "select", "Open", id="list.select"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"virtual-list--cursor"}

    DEFAULT_CSS = """
    VirtualList {
        overflow-x: hidden;
        overflow-y: auto;
        height: 1fr;
        & > .virtual-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .virtual-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    @dataclass
    class Highlighted(Message):
        """The cursor moved to ``index``."""

        list: VirtualList
        index: int

        @property
        def control(self) -> VirtualList:
            return self.list

    @dataclass
    class Selected(Message):
        """Enter (or a click) on row ``index``."""

        list: VirtualList
        index: int

        @property
        def control(self) -> VirtualList:
            return self.list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._cursor = 0
        self._count = 0

    # -- what subclasses provide -----------------------------------------------
    def render_row(self, index: int, width: int, style: Style, cursor: bool) -> list[Segment]:
        """The segments of row ``index``; ``style`` is the line's base style."""
        raise NotImplementedError

    def part(self, name: str) -> Style:
        """The style a component class sets (only what it sets, to layer on a row)."""
        return self.get_component_rich_style(name, partial=True)

    # -- size and cursor ----------------------------------------------------------
    @property
    def row_count(self) -> int:
        return self._count

    def set_row_count(self, count: int, cursor: int | None = None) -> None:
        """Set how many rows there are (and optionally where the cursor goes), then redraw."""
        self._count = max(count, 0)
        self.virtual_size = Size(self.size.width, self._count)
        target = self._cursor if cursor is None else cursor
        self._cursor = min(max(target, 0), max(self._count - 1, 0))
        self.refresh()
        self.call_after_refresh(self.scroll_to_cursor)

    @property
    def cursor(self) -> int:
        return self._cursor

    def move_cursor(self, index: int, *, notify: bool = True) -> None:
        """Put the cursor on row ``index`` (clamped), scroll it into view, post Highlighted."""
        if self._count == 0:
            return
        index = min(max(index, 0), self._count - 1)
        old, self._cursor = self._cursor, index
        if old != index:
            self.refresh_line(old)
            self.refresh_line(index)
        self.scroll_to_cursor()
        if notify:
            self.post_message(self.Highlighted(self, index))

    def scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height or self.size.height
        top = round(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif height and self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False)

    def visible_range(self) -> range:
        """Indexes of the rows on screen now."""
        top = round(self.scroll_y)
        return range(top, min(top + self.size.height, self._count))

    # -- drawing --------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= self._count or width <= 0:
            return Strip.blank(width, base)
        cursor = index == self._cursor
        style = base + self.part("virtual-list--cursor") if cursor else base
        segments = self.render_row(index, width, style, cursor)
        return Strip(segments).adjust_cell_length(width, style)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self._count)
        self.scroll_to_cursor()

    # -- actions --------------------------------------------------------------------
    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + max(self.size.height - 1, 1))

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - max(self.size.height - 1, 1))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self._count - 1)

    def action_select(self) -> None:
        if self._count:
            self.post_message(self.Selected(self, self._cursor))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = round(self.scroll_y) + offset.y
        if 0 <= index < self._count:
            self.focus()
            self.move_cursor(index)
            self.post_message(self.Selected(self, index))
