"""Article HTML to plain text: paragraphs, lists, quotes, numbered links.

The input is sanitized HTML from the cache. Links become ``text [n]`` with the
URLs listed at the end; images become ``[image: alt]``.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from urllib.parse import urljoin

from termnews.text import strip_controls

BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "main", "aside", "figure",
    "figcaption", "table", "tr", "dl", "dt", "dd", "address", "details", "summary",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SKIP = {"script", "style", "template", "head", "noscript", "iframe", "object", "form"}


@dataclass
class _State:
    base: str
    links: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    line: list[str] = field(default_factory=list)


def html_to_text(html: str, base_url: str = "", width: int = 78) -> str:
    """Readable plain text of an HTML fragment, wrapped at ``width``."""
    import lxml.html

    if not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml raises several types on junk; the text is still wanted
        return strip_controls(re.sub(r"<[^>]*>", "", html)).strip()
    state = _State(base_url)
    _walk(root, state, width, "")
    _flush(state, width, "")
    text = "\n\n".join(b for b in state.blocks if b.strip())
    if state.links:
        refs = "\n".join(f"[{i}] {url}" for i, url in enumerate(state.links, 1))
        text += "\n\nLinks:\n" + refs
    return strip_controls(text)


def _flush(state: _State, width: int, indent: str, first: str | None = None) -> None:
    words = " ".join("".join(state.line).split())
    state.line.clear()
    if not words:
        return
    lead = first if first is not None else indent
    state.blocks.append(
        textwrap.fill(words, width=width, initial_indent=lead, subsequent_indent=indent,
                      break_on_hyphens=False, break_long_words=False)
    )


def _walk(el, state: _State, width: int, indent: str) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in SKIP:
        state.line.append(el.tail or "")
        return
    if tag in BLOCKS or tag in HEADINGS or tag in ("blockquote", "pre", "ul", "ol", "hr", "br"):
        _flush(state, width, indent)
    if tag == "hr":
        state.blocks.append(indent + "-" * min(40, width - len(indent)))
    elif tag == "pre":
        text = el.text_content().rstrip()
        state.blocks.append(textwrap.indent(text, indent + "    "))
        state.line.append(el.tail or "")
        return
    elif tag == "img":
        alt = " ".join((el.get("alt") or "").split())
        state.line.append(f" [image: {alt}] " if alt else " [image] ")
    if tag in ("ul", "ol"):
        _list(el, state, width, indent, ordered=tag == "ol")
        state.line.append(el.tail or "")
        return
    if tag == "blockquote":
        inner = _State(state.base, state.links)
        if el.text:
            inner.line.append(el.text)
        for child in el:
            _walk(child, inner, width - 2, "")
        _flush(inner, width - 2, "")
        for block in inner.blocks:
            state.blocks.append(textwrap.indent(block, indent + "> ", lambda _: True))
        state.line.append(el.tail or "")
        return
    if el.text:
        state.line.append(el.text)
    for child in el:
        _walk(child, state, width, indent)
    if tag == "a" and el.get("href"):
        href = urljoin(state.base, el.get("href", "").strip())
        if href.startswith(("http://", "https://", "mailto:")):
            if href not in state.links:
                state.links.append(href)
            state.line.append(f" [{state.links.index(href) + 1}]")
    if tag in HEADINGS:
        words = " ".join("".join(state.line).split())
        state.line.clear()
        if words:
            state.blocks.append(indent + (words.upper() if tag in ("h1", "h2") else words))
    elif tag in BLOCKS:
        _flush(state, width, indent)
    if el.tail:
        state.line.append(el.tail)


def _list(el, state: _State, width: int, indent: str, ordered: bool) -> None:
    number = 0
    for child in el:
        if not isinstance(child.tag, str) or child.tag != "li":
            continue
        number += 1
        bullet = f"{number}. " if ordered else "- "
        sub = indent + " " * len(bullet)
        start = len(state.blocks)
        if child.text:
            state.line.append(child.text)
        for grand in child:
            _walk(grand, state, width, sub)
        _flush(state, width, sub)
        if len(state.blocks) > start:
            first = state.blocks[start]
            state.blocks[start] = indent + bullet + first[len(sub):]
    # keep list items together: join the item blocks with single newlines
    _merge_list_blocks(state)


def _merge_list_blocks(state: _State) -> None:
    """Lists read better without blank lines between items."""
    merged: list[str] = []
    for block in state.blocks:
        if merged and _is_item(block) and (_is_item(merged[-1]) or merged[-1].startswith(" ")):
            merged[-1] += "\n" + block
        else:
            merged.append(block)
    state.blocks[:] = merged


def _is_item(block: str) -> bool:
    stripped = block.lstrip()
    return stripped.startswith("- ") or bool(re.match(r"\d+\. ", stripped))
