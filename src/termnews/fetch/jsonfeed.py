"""JSON Feed 1.0/1.1 (https://jsonfeed.org), plus Dave Winer's RSS-in-JSON.

feedparser reads neither, so this module maps them onto ParsedFeed itself, with
the same text cleaning and HTML sanitizing as the XML paths.
"""

from __future__ import annotations

import json
import re
from typing import Any

from termnews.fetch.dates import parse_date
from termnews.fetch.feedurls import absolute, safe_link
from termnews.fetch.model import Enclosure, FeedParseError, ParsedEntry, ParsedFeed
from termnews.fetch.sanitize import (
    clean_line,
    clean_text,
    html_to_text,
    looks_like_html,
    sanitize_html,
    text_to_html,
)

_VERSION_RE = re.compile(r"https?://jsonfeed\.org/version/(\d+(?:\.\d+)?)/?\s*")


def parse_json_feed(data: bytes, url: str = "") -> ParsedFeed:
    """Parse a JSON Feed (or RSS-in-JSON) document; FeedParseError if it is neither."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise FeedParseError("not a feed: broken JSON") from None
    if not isinstance(doc, dict):
        raise FeedParseError("not a feed: JSON without a feed object")
    version = doc.get("version")
    match = _VERSION_RE.fullmatch(version) if isinstance(version, str) else None
    if match:
        return _json_feed(doc, match.group(1), url)
    if isinstance(doc.get("rss"), dict) and isinstance(doc["rss"].get("channel"), dict):
        return _rss_in_json(doc["rss"]["channel"], url)
    raise FeedParseError("not a feed: JSON but not a JSON Feed")


def _json_feed(doc: dict, number: str, url: str) -> ParsedFeed:
    base = _str(doc.get("feed_url")) or url
    feed = ParsedFeed(
        title=clean_line(_str(doc.get("title"))),
        link=_url(base, _str(doc.get("home_page_url"))),
        format="json1" if number in ("1", "1.0") else f"json{number}",
        parser="json",
    )
    feed_authors = _authors(doc)
    items = doc.get("items")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            feed.entries.append(_json_item(item, base, feed_authors))
    return feed


def _json_item(item: dict, base: str, feed_authors: str) -> ParsedEntry:
    link = _str(item.get("url")) or _str(item.get("external_url"))
    content_html = _str(item.get("content_html"))
    content_text = _str(item.get("content_text"))
    summary_text = _str(item.get("summary"))
    summary = text_to_html(summary_text) if summary_text else ""
    content = sanitize_html(content_html, base) if content_html else ""
    if content_text:
        if not summary:
            summary = text_to_html(content_text)
        elif not content:
            content = text_to_html(content_text)
    enclosures = []
    attachments = item.get("attachments")
    for att in attachments if isinstance(attachments, list) else []:
        if isinstance(att, dict) and _str(att.get("url")):
            size = att.get("size_in_bytes")
            enclosures.append(
                Enclosure(
                    _url(base, _str(att["url"])),
                    _str(att.get("mime_type")).lower(),
                    size if isinstance(size, int) and not isinstance(size, bool) else None,
                )
            )
    tags = item.get("tags")
    return ParsedEntry(
        guid=clean_text(_str(item.get("id"))),
        link=_url(base, link),
        title=_title(_str(item.get("title"))),
        author=_authors(item) or feed_authors,
        published=parse_date(_str(item.get("date_published"))),
        updated=parse_date(_str(item.get("date_modified"))),
        summary=summary,
        content=content,
        enclosures=enclosures,
        categories=_unique(tags if isinstance(tags, list) else []),
    )


def _rss_in_json(channel: dict, url: str) -> ParsedFeed:
    """scripting.com's RSS 2.0 written as JSON: the same element names as keys."""
    feed = ParsedFeed(
        title=_title(_str(channel.get("title"))),
        link=_url(url, _str(channel.get("link"))),
        format="rss20-json",
        parser="json",
    )
    for item in _as_list(channel.get("item")):
        if not isinstance(item, dict):
            continue
        guid = item.get("guid")
        guid = _str(guid.get("#value") if isinstance(guid, dict) else guid)
        link = _str(item.get("link")) or guid
        enclosures = [
            Enclosure(
                _url(url, _str(enc["url"])), _str(enc.get("type")).lower(), _int(enc.get("length"))
            )
            for enc in _as_list(item.get("enclosure"))
            if isinstance(enc, dict) and _url(url, _str(enc.get("url")))
        ]
        description = _str(item.get("description"))
        feed.entries.append(
            ParsedEntry(
                guid=clean_text(guid),
                link=_url(url, link),
                title=_title(_str(item.get("title"))),
                author=clean_line(_str(item.get("author"))),
                published=parse_date(_str(item.get("pubDate"))),
                summary=sanitize_html(description, url),
                enclosures=enclosures,
                categories=_unique(_as_list(item.get("category"))),
                comments_url=_url(url, _str(item.get("comments"))),
            )
        )
    return feed


def _url(base: str, value: str) -> str:
    value = clean_text(value)
    return safe_link(absolute(base, value)) if value else ""


def _title(value: str) -> str:
    return clean_line(html_to_text(value) if looks_like_html(value) else value)


def _authors(obj: dict) -> str:
    people = obj.get("authors")
    if not isinstance(people, list):
        people = [obj.get("author")]
    names = [clean_line(_str(p.get("name"))) for p in people if isinstance(p, dict)]
    return ", ".join(n for n in dict.fromkeys(names) if n)


def _unique(values: list) -> list[str]:
    out = [clean_line(v if isinstance(v, str) else _str(v)) for v in values]
    return [v for v in dict.fromkeys(out) if v]


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _int(value: Any) -> int | None:
    text = _str(value).strip()
    return int(text) if text.isdigit() else None
