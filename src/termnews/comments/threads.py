"""Comments already on a site, as a thread: replies right after what they answer."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from termnews.storage.records import iso


@dataclass(slots=True)
class RemoteComment:
    """One comment as the site shows it; ``text`` is plain and terminal-safe."""

    id: str
    parent: str | None
    author: str
    date: int | None  # epoch seconds
    text: str
    url: str = ""
    status: str = "approved"
    depth: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "parent": self.parent, "author": self.author,
            "date": iso(self.date), "text": self.text, "url": self.url,
            "status": self.status, "depth": self.depth,
        }  # fmt: skip


def comment_text(html_body: str, base_url: str = "") -> str:
    """A comment's HTML as plain, terminal-safe text (paragraphs kept)."""
    from termnews.reader.convert import convert

    return convert(html_body, base_url).text.strip()


def thread(comments: list[RemoteComment]) -> list[RemoteComment]:
    """Depth-first order, oldest first at each level; a reply whose parent is not
    listed (held, deleted) stands at the top level. Sets ``depth``."""
    by_parent: dict[str | None, list[RemoteComment]] = {}
    ids = {c.id for c in comments}
    for c in comments:
        parent = c.parent if c.parent in ids and c.parent != c.id else None
        by_parent.setdefault(parent, []).append(c)
    for group in by_parent.values():
        group.sort(key=lambda c: (c.date or 0, _num(c.id)))
    out: list[RemoteComment] = []
    seen: set[str] = set()

    def walk(parent: str | None, depth: int) -> None:
        for c in by_parent.get(parent, []):
            if c.id in seen:  # a cycle in the site's data
                continue
            seen.add(c.id)
            c.depth = depth
            out.append(c)
            walk(c.id, depth + 1)

    walk(None, 0)
    for c in comments:  # members of parent cycles never reached from the top
        if c.id not in seen:
            c.depth = 0
            out.append(c)
    return out


def _num(text: str) -> int:
    return int(text) if text.isdigit() else 0


_TAG = re.compile(r"<[^>]*>")
_FOLD = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2032": "'",
     "\u2033": '"', "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ",
     "\u00d7": "x"}
)  # fmt: skip


def same_text(a: str, b: str) -> bool:
    """Whether two comment bodies say the same once markup, typography and spacing go
    (WordPress turns quotes curly and wraps paragraphs; Isso renders Markdown)."""
    return _plain(a) == _plain(b)


def _plain(text: str) -> str:
    text = html.unescape(_TAG.sub(" ", text)).translate(_FOLD)
    text = re.sub(r"-{2,3}", "-", text)
    return " ".join(re.sub(r"[*_`#>]", "", text).split()).casefold()
