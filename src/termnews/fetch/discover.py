"""Feed discovery: from a web page's address to the feeds it advertises."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from termnews.fetch.http import Fetcher
from termnews.fetch.model import FeedParseError

FEED_TYPES = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
    "application/json": "JSON Feed",
    "application/rdf+xml": "RSS",
    "application/xml": "XML",
    "text/xml": "XML",
}
COMMON_PATHS = ("/feed", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml", "/rss", "/feed.json")


class DiscoveryError(Exception):
    """No feed could be found; the message says why."""


@dataclass(slots=True, frozen=True)
class FoundFeed:
    url: str
    title: str = ""
    kind: str = ""


def feed_links(html: bytes, base_url: str) -> list[FoundFeed]:
    """``<link rel="alternate">`` feeds of an HTML page, in page order, deduplicated."""
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(html)
    except (ValueError, TypeError, lxml.etree.ParserError):
        return []
    base = base_url
    for el in doc.iter("base"):
        if el.get("href"):
            base = urljoin(base_url, el.get("href", "").strip())
            break
    found: list[FoundFeed] = []
    seen: set[str] = set()
    for link in doc.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = FEED_TYPES.get((link.get("type") or "").split(";")[0].strip().lower())
        href = (link.get("href") or "").strip()
        if "alternate" not in rels or not kind or not href:
            continue
        url = urljoin(base, href)
        if url not in seen and url.startswith(("http://", "https://")):
            seen.add(url)
            found.append(FoundFeed(url, " ".join((link.get("title") or "").split()), kind))
    return found


async def discover(fetcher: Fetcher, url: str) -> list[FoundFeed]:
    """Feeds at ``url``: the URL itself if it is a feed, else those its page links to.

    When the page links to none, a few common feed paths of the site are tried.
    """
    from termnews.fetch.parse import parse_feed

    result = await fetcher.get(url)
    if result.error:
        raise DiscoveryError(f"{url}: {result.error}")
    final = result.final_url or url
    try:
        parsed = parse_feed(result.body, final, result.content_type)
    except FeedParseError:
        pass
    else:
        return [FoundFeed(result.moved_to or url, parsed.title, parsed.format)]
    found = feed_links(result.body, final)
    if found:
        return found
    for path in COMMON_PATHS:
        candidate = urljoin(final, path)
        probe = await fetcher.get(candidate)
        if probe.error or not probe.body:
            continue
        try:
            parsed = parse_feed(probe.body, probe.final_url or candidate, probe.content_type)
        except FeedParseError:
            continue
        return [FoundFeed(candidate, parsed.title, parsed.format)]
    raise DiscoveryError(f"{url}: no feed found (the page links to none)")
