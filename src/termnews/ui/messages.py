"""Typed messages that workers post back to the screen with their results."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from termnews.storage.headlines import Headline
from termnews.storage.records import Feed
from termnews.ui.article_view import ArticleView
from termnews.ui.loading import ListData
from termnews.ui.widgets.related import RelatedItem


@dataclass
class FeedsLoaded(Message):
    """Feeds with fresh counts (and the panel's remembered layout)."""

    feeds: list[Feed]
    searches: list[str]
    collapsed: list[str]
    select_key: str | None = None


@dataclass
class ViewLoaded(Message):
    """A headline list loaded; ``focus`` moves the focus to it."""

    data: ListData
    focus: bool = False


@dataclass
class RowsLoaded(Message):
    """Rows for positions from ``start`` of list ``token``."""

    token: int
    start: int
    rows: list[Headline]


@dataclass
class ArticleLoaded(Message):
    """An article ready for the reader."""

    view: ArticleView
    token: int
    marked_read: bool = False


@dataclass
class RelatedLoaded(Message):
    """The related articles of ``article_id``."""

    article_id: int
    items: list[RelatedItem]
    note: str = ""


@dataclass
class Marked(Message):
    """Articles whose read or starred flags changed."""

    ids: list[int]
    read: bool | None = None
    starred: bool | None = None


@dataclass
class ViewMarkedRead(Message):
    """A whole list marked read; ``ids`` were unread before (for undo)."""

    key: str
    label: str
    ids: list[int]


@dataclass
class RefreshProgress(Message):
    """One more feed done during a refresh."""

    done: int
    total: int
    failed: int


@dataclass
class RefreshFinished(Message):
    """A refresh ended; ``line`` sums it up for people."""

    line: str
    failed: list[tuple[str, str]]  # (feed, error)
    changed: int = 0


@dataclass
class NothingUnread(Message):
    """n/p found no unread article in that direction."""

    forward: bool


@dataclass
class JumpTo(Message):
    """Move the cursor of list ``key`` to ``position`` and open ``article_id``."""

    key: str
    position: int
    article_id: int


@dataclass
class Notice(Message):
    """A short note for the person (shown as a notification)."""

    text: str


@dataclass
class FeedsChanged(Message):
    """Subscriptions changed (added, imported, demo opened): reload, showing ``select_key``."""

    select_key: str | None = None
    refresh: list[str] | None = None  # feed ids to refresh now
