"""OPML subscription lists: read (with folders) and write.

Folders nest: an outline inside outlines "News" > "World" gets folder
``News/World``. Entities are never expanded and no DTD is loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lxml import etree

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


class OpmlError(Exception):
    """The file is not OPML termnews can read."""


@dataclass(slots=True, frozen=True)
class Subscription:
    url: str
    title: str = ""
    folder: str = ""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )


def read_opml(data: bytes) -> list[Subscription]:
    """The subscriptions in an OPML document, in document order."""
    if _ENTITY_DECL.search(data):
        # libxml2 expands internal entities in attributes even with resolve_entities=False.
        raise OpmlError("the file declares XML entities, which termnews never expands")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"not well-formed XML: {exc}") from None
    if not isinstance(root.tag, str) or etree.QName(root).localname.lower() != "opml":
        raise OpmlError("not an OPML file (the root element is not <opml>)")
    body = next((c for c in root if isinstance(c.tag, str) and c.tag.lower() == "body"), None)
    if body is None:
        raise OpmlError("the OPML file has no <body>")
    found: list[Subscription] = []
    _walk(body, [], found)
    return found


def _attr(el: etree._Element, name: str) -> str:
    """Attribute lookup that forgives case (xmlUrl, xmlurl, XMLURL)."""
    for key, value in el.attrib.items():
        if str(key).lower() == name:
            return " ".join(str(value).split())
    return ""


def _walk(el: etree._Element, folders: list[str], found: list[Subscription]) -> None:
    for child in el:
        if not isinstance(child.tag, str) or child.tag.lower() != "outline":
            continue
        title = _attr(child, "title") or _attr(child, "text")
        url = _attr(child, "xmlurl")
        if url:
            found.append(Subscription(url, title, "/".join(folders)))
        if len(child):
            _walk(child, [*folders, title.replace("/", "-")] if not url else folders, found)


def write_opml(subscriptions: list[Subscription], title: str = "termnews subscriptions") -> str:
    """An OPML 2.0 document with one nested outline per folder."""
    tree: dict[str, object] = {}
    for sub in subscriptions:
        node = tree
        for part in [p for p in sub.folder.split("/") if p]:
            node = node.setdefault("\0" + part, {})  # type: ignore[assignment]
        node.setdefault("\1", []).append(sub)  # type: ignore[union-attr]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_text(title)}</title></head>",
        "  <body>",
    ]
    _emit(tree, 2, lines)
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _emit(node: dict[str, object], depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    for sub in node.get("\1", []):  # type: ignore[union-attr]
        name = sub.title or sub.url
        lines.append(
            f'{pad}<outline type="rss" text={quoteattr(name)} title={quoteattr(name)}'
            f" xmlUrl={quoteattr(sub.url)}/>"
        )
    for key, child in node.items():
        if key.startswith("\0"):
            name = quoteattr(key[1:])
            lines.append(f"{pad}<outline text={name} title={name}>")
            _emit(child, depth + 1, lines)  # type: ignore[arg-type]
            lines.append(f"{pad}</outline>")


def _text(value: str) -> str:
    return quoteattr(value)[1:-1]
