"""Plain data produced by the feed parsers and consumed by storage."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Enclosure:
    """A media file attached to an entry (podcast audio, video, image)."""

    url: str
    type: str = ""
    length: int | None = None


@dataclass(slots=True)
class ParsedEntry:
    """One feed item, already sanitized: HTML fields hold safe HTML, others plain text.

    Dates are UTC seconds since the epoch, or None when the feed gives none
    (or one that cannot be read).
    """

    guid: str = ""
    link: str = ""
    title: str = ""
    author: str = ""
    published: int | None = None
    updated: int | None = None
    summary: str = ""  # sanitized HTML
    content: str = ""  # sanitized HTML (the full body when the feed carries one)
    enclosures: list[Enclosure] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    comments_url: str = ""
    comments_count: int | None = None  # slash:comments / thr:total
    teaser: bool | None = None  # only a teaser of the article; set by refresh, None: unknown


@dataclass(slots=True)
class ParsedFeed:
    """A whole parsed feed document."""

    title: str = ""
    link: str = ""  # the site's home page
    format: str = ""  # rss20, rss10, rss090, atom10, atom03, json1, ...
    entries: list[ParsedEntry] = field(default_factory=list)
    parser: str = ""  # which path parsed it: "fast", "feedparser" or "json"
    warning: str = ""  # a non-fatal problem (ill-formed XML recovered, ...)


class FeedParseError(Exception):
    """The document is not a feed termnews can read (HTML page, garbage, empty)."""
