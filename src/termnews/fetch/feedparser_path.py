"""Fallback path: feedparser for whatever the fast path declines.

feedparser copes with ill-formed XML, wrong or missing encodings, old formats and
odd roots. It is imported here only, on first use, and runs with its own
sanitizer off: its HTML goes through sanitize.py like the fast path's.
"""

from __future__ import annotations

import calendar
import io
import re
from typing import Any

from termnews.fetch.doctype import strip_doctype
from termnews.fetch.feedurls import absolute, safe_link
from termnews.fetch.model import Enclosure, FeedParseError, ParsedEntry, ParsedFeed
from termnews.fetch.sanitize import (
    clean_line,
    clean_text,
    html_to_text,
    order_bodies,
    sanitize_html,
    text_to_html,
)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)")


def parse_with_feedparser(data: bytes, url: str = "", content_type: str = "") -> ParsedFeed:
    """Parse with feedparser and convert to ParsedFeed (FeedParseError if not a feed)."""
    import feedparser  # lazy: slow to import

    data = defuse_entities(data)
    # No content-location: like the fast path, feedparser resolves against the document's
    # own xml:base only (guids stay independent of the feed URL); url is applied below.
    headers = {"content-type": content_type} if content_type else {}
    # A stream, never bytes: feedparser would treat bytes naming a file as a path to read.
    d = feedparser.parse(
        io.BytesIO(data), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    version = d.get("version", "")
    if not version and not d.entries:
        raise FeedParseError(not_a_feed_message(data))
    feed = d.feed
    warning = ""
    if d.get("bozo"):
        exc = d.get("bozo_exception")
        warning = f"feed is not well-formed: {type(exc).__name__}: {exc}"[:300]
    return ParsedFeed(
        title=_title(feed),
        link=_url(url, feed.get("link")),
        format=version,
        entries=[_entry(e, url) for e in d.entries],
        parser="feedparser",
        warning=warning,
    )


def defuse_entities(data: bytes) -> bytes:
    """Drop the DOCTYPE (and with it every entity declaration) before feedparser runs.

    Nothing can then expand or be fetched, and undeclared entities make expat fail,
    so feedparser's loose parser decodes the HTML ones (&eacute;); with a DOCTYPE
    left in, expat would skip them silently.
    """
    return strip_doctype(data)


def not_a_feed_message(data: bytes) -> str:
    """A short human reason why data is not a feed."""
    head = data[:4096].lower()
    if b"<html" in head or b"<!doctype html" in head or b"<body" in head:
        return "not a feed: looks like an HTML page"
    first = _ROOT_TAG.search(defuse_entities(data)[:65536].replace(b"<?", b"").replace(b"<!", b""))
    if first:
        return f"not a feed: XML root <{first.group(1).decode('ascii', 'replace')}>"
    return "not a feed: no XML, JSON Feed or RSS found"


def _title(obj: Any) -> str:
    value = obj.get("title", "")
    if dict.get(obj, "title_detail", {}).get("type") in _HTML_TYPES:
        value = html_to_text(value)
    return clean_line(value)


def _entry(e: Any, url: str) -> ParsedEntry:
    summary = ""
    if "summary_detail" in e:  # no detail: the summary is a copy of the content
        detail = {**dict.get(e, "summary_detail"), "value": dict.get(e, "summary")}
        summary = _render(detail, url)
    contents = dict.get(e, "content") or []
    summary, content = order_bodies(summary, _render(contents[0], url) if contents else "")
    enclosures = [
        Enclosure(link["href"].strip(), (link.get("type") or "").lower(), _int(link.get("length")))
        for link in dict.get(e, "links", [])
        if link.get("rel") == "enclosure" and link.get("href")
    ]
    if not enclosures:
        enclosures = _media_enclosures(dict.get(e, "media_content", []))
    for enc in enclosures:
        enc.url = _url(url, enc.url)
    return ParsedEntry(
        guid=clean_text(dict.get(e, "id", "")),
        link=_url(url, dict.get(e, "link")),
        title=_title(e),
        author=_authors(e),
        published=_epoch(dict.get(e, "published_parsed")),
        updated=_epoch(dict.get(e, "updated_parsed")),
        summary=summary,
        content=content,
        enclosures=[enc for enc in enclosures if enc.url],
        categories=list(
            dict.fromkeys(
                t for t in (clean_line(tag.get("term") or "") for tag in e.get("tags", [])) if t
            )
        ),
        comments_url=_url(url, dict.get(e, "comments")),
        comments_count=_int(dict.get(e, "slash_comments") or dict.get(e, "thr_total")),
    )


def _render(detail: Any, url: str) -> str:
    value = detail.get("value") or ""
    if detail.get("type") in _HTML_TYPES:
        base = detail.get("base") or ""
        return sanitize_html(value, absolute(url, base) if base else url)
    return text_to_html(value)


def _url(url: str, value: str | None) -> str:
    """value resolved against the feed URL, without script schemes."""
    value = clean_text(value or "")
    return safe_link(absolute(url, value)) if value else ""


def _authors(e: Any) -> str:
    names = [clean_line(a.get("name") or a.get("email") or "") for a in e.get("authors", [])]
    names = [n for n in dict.fromkeys(names) if n]
    if not names and dict.get(e, "author"):
        names = [clean_line(e["author"])]
    return ", ".join(names)


def _media_enclosures(media: list) -> list[Enclosure]:
    out = []
    for m in media:
        typ = (m.get("type") or "").lower()
        medium = (m.get("medium") or "").lower()
        href = m.get("url")
        if href and (typ.startswith(("audio/", "video/")) or medium in ("audio", "video")):
            out.append(Enclosure(href.strip(), typ, _int(m.get("filesize"))))
    return out


def _epoch(parsed: Any) -> int | None:
    if not parsed:
        return None
    try:
        return calendar.timegm(parsed)
    except (OverflowError, ValueError):
        return None


def _int(value: Any) -> int | None:
    if value is None:
        return None
    value = str(value).strip()
    return int(value) if value.isdigit() else None
