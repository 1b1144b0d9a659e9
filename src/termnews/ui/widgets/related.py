"""The related-articles sidebar: title, source and age of each; "why" on request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from termnews.ui.format import age, clean


@dataclass(frozen=True, slots=True)
class RelatedItem:
    """One related article as the sidebar shows it."""

    article_id: int
    title: str
    feed_title: str
    sort_date: int | None
    why: str = ""


class RelatedList(OptionList):
    """Related articles; Enter opens one (the screen keeps the way back)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="related.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="related.up"),
        Binding("w", "toggle_why", "Why", id="related.why"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[RelatedItem] = []
        self.article_id: int | None = None  # the article whose related ones are shown
        self.show_why = False
        self.border_title = "Related"

    def set_items(self, items: list[RelatedItem], note: str = "") -> None:
        """Show ``items`` (or ``note`` when there are none)."""
        seen: set[int] = set()
        items = [i for i in items if not (i.article_id in seen or seen.add(i.article_id))]
        self.items = items
        self.clear_options()
        if not items:
            self.add_option(
                Option(Content.styled(note or "No related articles.", "dim"), disabled=True)
            )
            return
        options: list[Option | None] = []
        for item in items:
            if options:
                options.append(None)  # a separator line between entries
            options.append(Option(self._prompt(item), id=str(item.article_id)))
        self.add_options(options)
        self.highlighted = 0

    def _prompt(self, item: RelatedItem) -> Content:
        meta = " · ".join(p for p in (clean(item.feed_title), age(item.sort_date)) if p)
        parts: list[Content | str | tuple[str, str]] = [
            (clean(item.title, "(untitled)"), "bold"),
            "\n",
            (meta, "dim"),
        ]
        if self.show_why and item.why:
            parts += ["\n", (clean(item.why), "italic")]
        return Content.assemble(*parts)

    def action_toggle_why(self) -> None:
        self.show_why = not self.show_why
        highlighted = self.highlighted
        self.set_items(self.items)
        if highlighted is not None and self.items:
            self.highlighted = highlighted
