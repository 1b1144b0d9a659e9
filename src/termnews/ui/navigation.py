"""The rows of the feed panel: smart views, saved searches, folders and feeds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from termnews.storage.headlines import View
from termnews.storage.records import Feed
from termnews.ui.format import clean


@dataclass(frozen=True, slots=True)
class NavRow:
    """One line of the feed panel and the list of articles it stands for."""

    kind: str  # "unread" | "starred" | "search" | "folder" | "feed"
    key: str  # stable across runs: "unread", "starred", "search:Q", "folder:F", "feed:ID"
    label: str
    unread: int = 0
    error: str | None = None
    feed_ids: tuple[int, ...] = ()
    query: str = ""
    indent: int = 0
    collapsed: bool = False

    def view(self) -> View | None:
        """The headline list this row shows (None: a search, listed by the search engine)."""
        if self.kind == "unread":
            return View(unread=True)
        if self.kind == "starred":
            return View(starred=True)
        if self.kind in ("folder", "feed"):
            return View(feed_ids=self.feed_ids)
        return None

    @property
    def feed_id(self) -> int | None:
        return self.feed_ids[0] if self.kind == "feed" else None


def build_rows(
    feeds: Sequence[Feed], searches: Iterable[str] = (), collapsed: Iterable[str] = ()
) -> list[NavRow]:
    """Panel rows: All unread, Starred, saved searches, then feeds by folder."""
    folded = set(collapsed)
    rows = [
        NavRow("unread", "unread", "All unread", unread=sum(f.unread for f in feeds)),
        NavRow("starred", "starred", "Starred"),
    ]
    rows += [NavRow("search", f"search:{q}", clean(q), query=q) for q in searches]
    by_folder: dict[str, list[Feed]] = {}
    for feed in feeds:
        by_folder.setdefault(feed.folder, []).append(feed)
    for folder, members in by_folder.items():
        indent = 0
        if folder:
            key = f"folder:{folder}"
            errors = sum(1 for f in members if f.last_error)
            rows.append(
                NavRow(
                    "folder",
                    key,
                    clean(folder, "(folder)"),
                    unread=sum(f.unread for f in members),
                    error=f"{errors} feed(s) failed" if errors else None,
                    feed_ids=tuple(f.id for f in members),
                    collapsed=key in folded,
                )
            )
            if key in folded:
                continue
            indent = 1
        rows += [
            NavRow(
                "feed",
                f"feed:{f.id}",
                clean(f.name, f.url),
                unread=f.unread,
                error=f.last_error,
                feed_ids=(f.id,),
                indent=indent,
            )
            for f in members
        ]
    return rows
