"""Fast path: strict lxml parsing of well-formed RSS 0.9x/2.0, RSS 1.0/0.90 and Atom 1.0.

This module handles the document (bytes, encoding, root, channel, item list);
fastentry.py maps each item's elements to fields with feedparser's rules, so the
two paths agree. Anything the fast path is not sure about raises NotSure and the
caller falls back to feedparser: ill-formed XML, entity declarations, charset conflicts,
unknown roots, markup where text was expected, unusual content types.
"""

from __future__ import annotations

import codecs
import re
import threading

from lxml import etree

from termnews.fetch.doctype import find_doctype, strip_doctype
from termnews.fetch.fastentry import (
    NS_ATOM,
    NS_RDF,
    NS_RSS090,
    NS_RSS10,
    RDF_ABOUT,
    XML_BASE,
    EntryFields,
    NotSure,
)
from termnews.fetch.feedurls import safe_base
from termnews.fetch.model import FeedParseError, ParsedFeed

__all__ = ["NotSure", "parse_fast"]


_RSS_VERSIONS = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}
_XML_DECL_ENC = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)")
_HTML_ROOTS = ("html", "body", "head")

_local = threading.local()


def _xml_parser() -> etree.XMLParser:
    """One strict, entity-safe parser per thread (lxml parsers are not shareable)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
            huge_tree=False, remove_pis=True, remove_comments=True, collect_ids=False,
            recover=False,
        )  # fmt: skip
        _local.parser = parser
    return parser


def parse_fast(data: bytes, url: str = "", content_type: str = "") -> ParsedFeed:
    """Parse a well-formed RSS/Atom document, or raise NotSure (or FeedParseError)."""
    body = _prepare(data, content_type)
    try:
        root = etree.fromstring(body, _xml_parser())
    except etree.XMLSyntaxError as exc:
        raise NotSure(f"ill-formed XML: {exc}") from None
    tag = root.tag if isinstance(root.tag, str) else ""
    local = etree.QName(root).localname.lower() if tag else ""
    base = safe_base("", root.get(XML_BASE))  # in-document base; url is applied last
    if tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise NotSure("rss without channel")
        items = channel.findall("item")
        version = root.get("version", "")
        fmt = _RSS_VERSIONS.get(version) or ("rss20" if version.startswith("2.") else "rss")
        _check_count(root, "item", items)
        return _build(fmt, channel, items, safe_base(base, channel.get(XML_BASE)), url, False)
    if tag == f"{{{NS_RDF}}}RDF":
        ns = NS_RSS10 if root.find(f"{{{NS_RSS10}}}channel") is not None else NS_RSS090
        channel = root.find(f"{{{ns}}}channel")
        if channel is None:
            raise NotSure("RDF without channel")
        items = root.findall(f"{{{ns}}}item")
        _check_count(root, f"{{{ns}}}item", items)
        fmt = "rss10" if NS_RSS10 in root.nsmap.values() else "rss090"
        return _build(fmt, channel, items, safe_base(base, channel.get(XML_BASE)), url, False)
    if tag == f"{{{NS_ATOM}}}feed":
        entries = root.findall(f"{{{NS_ATOM}}}entry")
        _check_count(root, f"{{{NS_ATOM}}}entry", entries)
        return _build("atom10", root, entries, base, url, True)
    if local in _HTML_ROOTS:
        raise FeedParseError("not a feed: looks like an HTML page")
    raise NotSure(f"root element <{local}>")


def _prepare(data: bytes, content_type: str) -> bytes:
    """Strip what strict XML rejects but feeds commonly have; bail out on the risky."""
    bom = data.startswith(codecs.BOM_UTF8)
    body = (data[3:] if bom else data).lstrip()  # whitespace before <?xml is common
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in body[:4]:
        raise NotSure("UTF-16/32 document")
    doctype = find_doctype(body)
    if doctype is not None:
        # Even an external-only DOCTYPE (RSS 0.91's) goes: with it, libxml2 would skip
        # undefined entities like &eacute; silently instead of failing.
        if doctype[2]:
            raise NotSure("DOCTYPE with an internal subset (entity declarations)")
        body = strip_doctype(body)
    declared = _XML_DECL_ENC.match(body)
    encoding = _codec(declared.group(1).decode()) if declared else "utf-8"
    if bom and encoding != "utf-8":
        raise NotSure("BOM and XML declaration disagree")
    charset = _charset(content_type)
    if charset and _codec(charset) != encoding:
        raise NotSure("HTTP charset differs from the document's")
    return body


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'")
    return ""


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def _check_count(root: etree._Element, tag: str, found: list) -> None:
    if sum(1 for _ in root.iter(tag)) != len(found):
        raise NotSure(f"{tag} elements outside the usual place")


def _build(fmt: str, container, entries, base: str, url: str, atom: bool) -> ParsedFeed:
    head = EntryFields(base, url, atom)
    head.scan(container, 0, feed_level=True)
    feed = ParsedFeed(
        title=head.title_text(),
        link=head.url_out(head.link),  # feedparser's: alternate link, else the id
        format=fmt,
        parser="fast",
    )
    for el in entries:
        entry = EntryFields(safe_base(base, el.get(XML_BASE)), url, atom)
        about = el.get(RDF_ABOUT)
        if about:
            entry.guid = about
        entry.scan(el, 1)
        feed.entries.append(entry.result())
    return feed
