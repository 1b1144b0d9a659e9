"""Which feed element fills which ParsedEntry field: feedparser's rules, on lxml trees.

EntryFields walks one <item>/<entry> (or the feed head) in document order and
applies the same precedence feedparser does: the first summary-like element is the
summary and a second one becomes content, a permalink guid stands in for a missing
link, titles nearer the item win, the last date element of a kind counts, and so on.
It raises NotSure on anything it cannot read faithfully.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from termnews.fetch.dates import parse_date
from termnews.fetch.feedurls import absolute, join_url, safe_base, safe_link
from termnews.fetch.model import Enclosure, ParsedEntry
from termnews.fetch.sanitize import (
    clean_line,
    clean_text,
    fix_text,
    html_to_text,
    looks_like_html,
    order_bodies,
    sanitize_html,
    text_to_html,
)


class NotSure(Exception):
    """The fast path will not vouch for this document; parse it with feedparser."""


NS_ATOM = "http://www.w3.org/2005/Atom"
NS_RSS10 = "http://purl.org/rss/1.0/"
NS_RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_XHTML = "http://www.w3.org/1999/xhtml"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
RDF_ABOUT = f"{{{NS_RDF}}}about"

# Namespaces feedparser treats as "the feed's own" elements.
_CORE = (
    "", NS_ATOM, NS_RSS10, NS_RSS090, "http://backend.userland.com/rss",
    "http://blogs.law.harvard.edu/tech/rss", "http://purl.org/rss/1.0/modules/rss091#",
)  # fmt: skip
_DC = ("http://purl.org/dc/elements/1.1/",)
_DCTERMS = ("http://purl.org/dc/terms/",)
_CONTENT = ("http://purl.org/rss/1.0/modules/content/",)
_MEDIA = ("http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss")
_ITUNES = ("http://www.itunes.com/dtds/podcast-1.0.dtd", "http://example.com/dtds/podcast-1.0.dtd")
_SLASH = ("http://purl.org/rss/1.0/modules/slash/",)
_THR = ("http://purl.org/syndication/thread/1.0", "http://purl.org/rss/1.0/modules/threading/")
_XHTML = (NS_XHTML,)

_KINDS: dict[str, str] = {}


def _register(kind: str, nss: Iterable[str], *names: str) -> None:
    for ns in nss:
        for name in names:
            _KINDS[f"{{{ns}}}{name}" if ns else name] = kind


_register("title", _CORE, "title")
_register("title", _DC, "title")
_register("media_title", _MEDIA, "title")
_register("link", _CORE, "link")
_register("guid", _CORE, "guid", "id")
_register("author", _CORE, "author")
_register("author", _DC, "creator", "author")
_register("author", _ITUNES, "author")
_register("published", _CORE, "pubdate", "published", "issued")
_register("published", _DCTERMS, "issued")
_register("updated", _CORE, "updated", "modified", "lastbuilddate")
_register("updated", _DC, "date")
_register("updated", _DCTERMS, "modified")
_register("description", _CORE, "description")
_register("description", _DC, "description")
_register("description", _MEDIA, "description")
_register("summary", _CORE, "summary")
_register("summary", _ITUNES, "summary")
_register("content", _CORE, "content")
_register("encoded", _CONTENT, "encoded")
_register("encoded", _CORE, "fullitem")
_register("unsure", _CORE, "body", "abstract")
_register("unsure", _XHTML, "body")
_register("category", _CORE, "category", "keywords")
_register("category", _DC, "subject")
_register("category", _MEDIA, "category")
_register("itunes_category", _ITUNES, "category")
_register("keywords", _ITUNES, "keywords")
_register("keywords", _MEDIA, "keywords")
_register("enclosure", _CORE, "enclosure")
_register("comments", _CORE, "comments")
_register("count", _SLASH, "comments")
_register("count", _THR, "total")
_register("group", _MEDIA, "group")
_register("media_content", _MEDIA, "content")
_FEED_KINDS = ("title", "link", "guid")
_register("skip", _CORE, "source", "image", "textinput", "item", "entry")
_KINDS_LOWER = {k.lower(): v for k, v in _KINDS.items()}

_PERSON_NAME = {f"{{{ns}}}name" if ns else "name" for ns in (*_CORE, *_ITUNES)}
_PERSON_EMAIL = {f"{{{ns}}}email" if ns else "email" for ns in (*_CORE, *_ITUNES)}

_TYPES = {
    "text": "text/plain", "plain": "text/plain", "text/plain": "text/plain",
    "html": "text/html", "text/html": "text/html",
    "xhtml": "application/xhtml+xml", "application/xhtml+xml": "application/xhtml+xml",
}  # fmt: skip
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?:\?subject=\S+)?")
_LINK_ENTITY = re.compile(r"&([A-Za-z0-9_]+);")


class EntryFields:
    """Collects one entry's (or the feed head's) fields, in document order.

    URLs are first resolved against the document's own xml:base (as feedparser does
    when given bytes alone, which keeps guids independent of where the feed lives),
    then against the feed's URL.
    """

    def __init__(self, base: str, url: str, atom: bool) -> None:
        self.base = base
        self.url = url
        self.atom = atom
        self.title: tuple[str, str] | None = None
        self.title_prop_depth: int | None = None
        self.title_depth = -1
        self.link: str | None = None
        self.guid = ""
        self.authors: list[str] = []
        self.published: str | None = None
        self.updated: str | None = None
        self.summary: tuple[str, str, str] | None = None  # value, type, base
        self.summary_depth: int | None = None
        self.summary_copied = False
        self.content: tuple[str, str, str] | None = None
        self.has_content = False
        self.enclosures: list[Enclosure] = []
        self.media: list[Enclosure] = []
        self.categories: list[str] = []
        self.comments_url = ""
        self.comments_count: int | None = None

    def scan(self, parent, depth: int, feed_level: bool = False) -> None:
        """Walk parent's descendants in document order, dispatching on their tags.

        Like feedparser, unknown wrapper elements are transparent: their children
        are looked at too.
        """
        for el in parent:
            tag = el.tag
            if not isinstance(tag, str):
                continue
            kind = _KINDS.get(tag) or _KINDS_LOWER.get(tag.lower())
            if kind is None:
                if len(el):
                    self.scan(el, depth + 1, feed_level)
            elif kind != "skip" and (not feed_level or kind in _FEED_KINDS):
                _HANDLERS[kind](self, el, depth)

    # -- element handlers --------------------------------------------------
    def _on_title(self, el, depth: int) -> None:
        if -1 < self.title_depth <= depth:
            return
        value, typ = self._value(el, "text/plain")
        if self.title_prop_depth is None or depth <= self.title_prop_depth:
            self.title_prop_depth = depth
            self.title = (value, typ)
        if value:
            self.title_depth = depth

    def _on_media_title(self, el, depth: int) -> None:
        saved = self.title_depth
        self._on_title(el, depth)
        self.title_depth = saved

    def _on_link(self, el, depth: int) -> None:
        href = el.get("url") or el.get("uri") or el.get("href")
        base = safe_base(self.base, el.get(XML_BASE))
        if not href:
            value = self._plain(el)
            if value:
                value = join_url(base, value)
            if "&" in value:
                value = _LINK_ENTITY.sub(r"&\1", value.replace("&amp;", "&"))
            self.link = value
            return
        rel = (el.get("rel") or "alternate").lower()
        typ = (el.get("type") or ("application/atom+xml" if rel == "self" else "text/html")).lower()
        href = join_url(base, href)
        if rel == "alternate" and _TYPES.get(typ, typ) in _HTML_TYPES:
            self.link = href
        elif rel == "enclosure":
            self.enclosures.append(Enclosure(href, typ, _int(el.get("length"))))

    def _on_guid(self, el, depth: int) -> None:
        is_link = True
        for key, val in el.attrib.items():
            if key.lower() == "ispermalink":
                is_link = val == "true"
        value = self._plain(el)
        if is_link and value:
            value = join_url(safe_base(self.base, el.get(XML_BASE)), value)
        self.guid = value
        if is_link and self.link is None:
            self.link = value

    def _on_author(self, el, depth: int) -> None:
        if len(el):
            name = email = ""
            for child in el:
                if child.tag in _PERSON_NAME:
                    name = (child.text or "").strip()
                elif child.tag in _PERSON_EMAIL:
                    email = (child.text or "").strip()
            name = name or email
        else:
            name = _author_name(self._plain(el))
        if name:
            self.authors.append(name)

    def _on_published(self, el, depth: int) -> None:
        self.published = self._plain(el)

    def _on_updated(self, el, depth: int) -> None:
        self.updated = self._plain(el)

    def _on_description(self, el, depth: int) -> None:
        if self.summary is not None and not self.has_content:
            self._add_content(el, "text/plain")
        else:
            self._set_summary(el, depth, "text/html")

    def _on_summary(self, el, depth: int) -> None:
        if self.summary is not None and not self.has_content:
            self._add_content(el, "text/plain")
        else:
            self._set_summary(el, depth, "text/plain")

    def _on_content(self, el, depth: int) -> None:
        if el.get("mode") is not None:
            raise NotSure("Atom 0.3 style content")
        self._add_content(el, "text/plain")

    def _on_encoded(self, el, depth: int) -> None:
        self._add_content(el, "text/html")

    def _on_unsure(self, el, depth: int) -> None:
        raise NotSure(f"element {el.tag}")

    def _on_category(self, el, depth: int) -> None:
        self._add_category(el.get("term") or self._plain(el))

    def _on_itunes_category(self, el, depth: int) -> None:
        self._add_category(el.get("text") or "")

    def _on_keywords(self, el, depth: int) -> None:
        for term in self._plain(el).split(","):
            self._add_category(term)

    def _on_enclosure(self, el, depth: int) -> None:
        href = el.get("url") or el.get("uri") or el.get("href")
        if href:
            typ = (el.get("type") or "").lower()
            href = join_url(safe_base(self.base, el.get(XML_BASE)), href.strip())
            self.enclosures.append(Enclosure(href, typ, _int(el.get("length"))))

    def _on_media_content(self, el, depth: int) -> None:
        href = el.get("url")
        typ = (el.get("type") or "").lower()
        medium = (el.get("medium") or "").lower()
        if href and (typ.startswith(("audio/", "video/")) or medium in ("audio", "video")):
            size = _int(el.get("fileSize") or el.get("filesize"))
            self.media.append(Enclosure(href.strip(), typ, size))
        self.scan(el, depth + 1)

    def _on_comments(self, el, depth: int) -> None:
        value = self._plain(el)
        self.comments_url = join_url(safe_base(self.base, el.get(XML_BASE)), value) if value else ""

    def _on_count(self, el, depth: int) -> None:
        count = _int(self._plain(el))
        if count is not None:
            self.comments_count = count

    def _on_group(self, el, depth: int) -> None:
        self.scan(el, depth + 1)

    # -- helpers -----------------------------------------------------------
    def _render(self, item: tuple[str, str, str] | None) -> str:
        if item is None:
            return ""
        value, typ, base = item
        value = fix_text(value)
        if typ in _HTML_TYPES:
            return sanitize_html(value, absolute(self.url, base) if base else self.url)
        return text_to_html(value)

    def _plain(self, el) -> str:
        if len(el):
            raise NotSure(f"markup inside <{etree.QName(el).localname}>")
        return (el.text or "").strip()

    def _value(self, el, default_type: str) -> tuple[str, str]:
        """Text of a text construct and its (feedparser-style) content type."""
        raw = (el.get("type") or default_type).lower()
        typ = _TYPES.get(raw)
        if typ is None:
            raise NotSure(f"content type {raw!r}")
        if typ == "application/xhtml+xml":
            return _xhtml_inner(el), typ
        value = self._plain(el)
        if typ == "text/plain" and not self.atom and looks_like_html(value):
            typ = "text/html"
        return value, typ

    def _set_summary(self, el, depth: int, default_type: str) -> None:
        value, typ = self._value(el, default_type)
        if self.summary_depth is None or depth <= self.summary_depth:
            self.summary_depth = depth
            self.summary = (value, typ, safe_base(self.base, el.get(XML_BASE)))
            self.summary_copied = False

    def _add_content(self, el, default_type: str) -> None:
        value, typ = self._value(el, default_type)
        item = (value, typ, safe_base(self.base, el.get(XML_BASE)))
        self.has_content = True
        if self.content is None:
            self.content = item
        if self.summary is None:
            self.summary = item
            self.summary_copied = True

    def _add_category(self, term: str) -> None:
        term = clean_line(term)
        if term and term not in self.categories:
            self.categories.append(term)

    def title_text(self) -> str:
        if self.title is None:
            return ""
        value, typ = self.title
        value = fix_text(value)
        return clean_line(html_to_text(value) if typ in _HTML_TYPES else value)

    def url_out(self, value: str | None) -> str:
        """A URL for the outside world: against the feed URL, no script schemes."""
        if not value:
            return ""
        return safe_link(absolute(self.url, clean_text(value)))

    def result(self) -> ParsedEntry:
        names = list(dict.fromkeys(clean_line(fix_text(n)) for n in self.authors))
        summary = "" if self.summary_copied else self._render(self.summary)
        summary, content = order_bodies(summary, self._render(self.content))
        for enc in self.enclosures or self.media:
            enc.url = self.url_out(enc.url)
        return ParsedEntry(
            guid=clean_text(self.guid),
            link=self.url_out(self.link),
            title=self.title_text(),
            author=", ".join(n for n in names if n),
            published=parse_date(self.published),
            updated=parse_date(self.updated),
            summary=summary,
            content=content,
            enclosures=[e for e in self.enclosures or self.media if e.url],
            categories=self.categories,
            comments_url=self.url_out(self.comments_url),
            comments_count=self.comments_count,
        )


_HANDLERS = {
    kind: getattr(EntryFields, "_on_" + kind) for kind in set(_KINDS.values()) if kind != "skip"
}


def _xhtml_inner(el) -> str:
    """Serialize the markup of an Atom type="xhtml" construct (minus its wrapper div)."""
    children = [c for c in el if isinstance(c.tag, str)]
    outer_text = (el.text or "").strip() or any((c.tail or "").strip() for c in children)
    if len(children) == 1 and not outer_text and etree.QName(children[0]).localname == "div":
        el = children[0]
    for node in el.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            node.tag = node.tag.rpartition("}")[2]
    etree.cleanup_namespaces(el)
    parts = [_escape(el.text or "")]
    parts.extend(etree.tostring(c, method="html", encoding="unicode", with_tail=True) for c in el)
    return "".join(parts).strip()


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _author_name(raw: str) -> str:
    """feedparser's reading of an RSS author: "email (Name)" gives Name."""
    match = _EMAIL_RE.search(raw)
    if not match:
        return raw
    email = match.group(0)
    name = raw.replace(email, "").replace("()", "").replace("<>", "").replace("&lt;&gt;", "")
    name = name.strip()
    if name.startswith("("):
        name = name[1:]
    if name.endswith(")"):
        name = name[:-1]
    return name.strip() or email


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() else None
