"""The metadata shown above an article's body, as Markdown and as plain text.

Title, source feed, author, date in the local time zone with its age ("3 hours
ago"), reading time, categories, comment count and the enclosures (podcast audio,
video) as links. Every field comes from a feed, so it is cleaned of control
characters and, in the Markdown form, escaped so it shows literally.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from urllib.parse import urlsplit

from termnews.storage.records import Article
from termnews.text import escape_markdown, one_line

WORDS_PER_MINUTE = 230
MAX_CATEGORIES = 12
MAX_ENCLOSURES = 10
_KINDS = {"audio": "Audio", "video": "Video", "image": "Image"}


@dataclass(slots=True)
class Header:
    """Header lines of one article in two forms."""

    lines: list[str]  # plain text, one line each (not wrapped)
    markdown: str  # for the TUI's Markdown panel
    links: list[str] = field(default_factory=list)  # enclosure URLs, in order shown

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def article_header(
    article: Article,
    feed_title: str | None = None,
    *,
    words: int | None = None,
    now: float | None = None,
    tz: tzinfo | None = None,
) -> Header:
    """The header of ``article``; ``words`` (body word count) gives the reading time.

    ``feed_title`` defaults to the article's own ``feed_title``; ``now`` (epoch
    seconds) and ``tz`` default to the current time and the local time zone.
    """
    now = time.time() if now is None else now
    title = one_line(article.title) or "(untitled)"
    feed = one_line(feed_title if feed_title is not None else article.feed_title)
    author = one_line(article.author)

    plain: list[str] = [title]
    md: list[str] = [f"# {escape_markdown(title)}"]
    meta_md: list[str] = []

    source = [s for s in (feed, f"by {author}" if author else "") if s]
    if source:
        plain.append(" · ".join(source))
        parts = [f"**{escape_markdown(feed)}**"] if feed else []
        if author:
            parts.append(f"by {escape_markdown(author)}")
        meta_md.append(" · ".join(parts))

    facts: list[str] = []
    stamp = article.published or article.updated
    if stamp:
        facts.append(f"{local_date(stamp, tz)} ({relative_age(stamp, now)})")
    if words:
        facts.append(reading_time(words))
    if article.comments_count is not None:
        n = article.comments_count
        facts.append(f"{n} comment{'' if n == 1 else 's'}")
    if facts:
        plain.append(" · ".join(facts))
        meta_md.append(escape_markdown(" · ".join(facts)))

    categories = _categories(article.categories)
    if categories:
        plain.append("Tags: " + ", ".join(categories))
        meta_md.append("Tags: " + ", ".join(f"*{escape_markdown(c)}*" for c in categories))

    link = _url(article.link)
    if link:
        plain.append(link)
        meta_md.append(_md_link(link, link))

    links: list[str] = []
    for enc in article.enclosures[:MAX_ENCLOSURES]:
        url = _url(str(enc.get("url", "")))
        if not url:
            continue
        label, detail = _enclosure_label(enc, url)
        links.append(url)
        plain.append(f"{label}: {url}" + (f" ({detail})" if detail else ""))
        name = urlsplit(url).path.rsplit("/", 1)[-1] or url
        meta_md.append(
            f"{label}: {_md_link(name, url)}" + (f" ({escape_markdown(detail)})" if detail else "")
        )

    if meta_md:
        md.append("\\\n".join(meta_md))
    return Header(plain, "\n\n".join(md), links)


def local_date(ts: int, tz: tzinfo | None = None) -> str:
    """``Thu 26 Nov 2026 20:21 CET`` in the local (or given) time zone."""
    when = datetime.fromtimestamp(ts, tz) if tz else datetime.fromtimestamp(ts).astimezone()
    return when.strftime("%a %d %b %Y %H:%M %Z").strip()


def relative_age(ts: float, now: float) -> str:
    """How long ago ``ts`` was, in words: "just now", "3 hours ago", "in 2 days"."""
    delta = now - ts
    future = delta < 0
    seconds = abs(delta)
    if seconds < 60:
        return "just now"
    for size, unit in (
        (365 * 86400, "year"),
        (30 * 86400, "month"),
        (7 * 86400, "week"),
        (86400, "day"),
        (3600, "hour"),
        (60, "minute"),
    ):
        if seconds >= size:
            n = int(seconds // size)
            words = f"{n} {unit}{'' if n == 1 else 's'}"
            return f"in {words}" if future else f"{words} ago"
    return "just now"  # unreachable: seconds >= 60 matches "minute"


def reading_time(words: int) -> str:
    """Estimated reading time at ``WORDS_PER_MINUTE``: "4 min read"."""
    return f"{max(1, math.ceil(words / WORDS_PER_MINUTE))} min read"


def _categories(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        name = one_line(str(value))
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())[:MAX_CATEGORIES]


def _url(url: str) -> str:
    """A URL safe to print: no controls or whitespace, http(s)/ftp/mailto only."""
    url = "".join(one_line(url).split())
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https", "ftp", "mailto") else ""


def _md_link(label: str, url: str) -> str:
    target = url.replace("<", "%3C").replace(">", "%3E")
    return f"[{escape_markdown(label)}](<{target}>)"


def _enclosure_label(enc: dict, url: str) -> tuple[str, str]:
    mime = one_line(str(enc.get("type") or ""))
    label = _KINDS.get(mime.split("/", 1)[0].lower(), "Attachment")
    details = [mime] if mime else []
    length = enc.get("length")
    if isinstance(length, int) and length > 0:
        details.append(human_size(length))
    return label, ", ".join(details)


def human_size(n: int) -> str:
    """Bytes in words: ``38420112`` -> ``36.6 MB``."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"
