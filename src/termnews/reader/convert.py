"""Article HTML to what the reader shows: Markdown, plain text and numbered links.

One walk over the HTML builds a small block model (paragraphs, headings, lists,
quotes, code, tables, rules); three renderers turn it into

* ``Rendered.markdown`` for the TUI's Markdown panel, every character of the
  page's text escaped so it shows literally (no Markdown, HTML or Rich markup
  from the page is ever interpreted), links as ``text [3]``;
* ``Rendered.text``, the body alone as plain text (no link numbers, image
  placeholders or link list): what the extraction benchmark scores;
* ``Rendered.plain(width)``, wrapped plain text with ``text [3]`` references and
  a ``Links:`` list, for ``termnews read`` and ``termnews extract``.

Link ``[n]`` is ``Rendered.links[n - 1]``, an absolute URL.

Bounds (hostile pages): the input is cut at ``MAX_INPUT_CHARS`` before parsing,
the walk stops after ``MAX_ELEMENTS`` elements, ``MAX_TEXT_CHARS`` characters of
text or ``TIME_BUDGET`` seconds, elements nested deeper than ``MAX_DEPTH`` are
flattened to their text, and lists/quotes deeper than ``MAX_NEST`` are drawn at
that level. Each cut leaves a note in ``Rendered.truncated``.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from urllib.parse import urljoin, urlsplit

from termnews.text import escape_markdown, strip_controls


def _tags(names: str) -> frozenset[str]:
    return frozenset(names.split())


# Bounds. Real article pages have a few thousand elements (at most 1,850 over the
# 115 pages in the extraction test sets), so these only ever cut hostile input.
MAX_INPUT_CHARS = 8_000_000  # cut before parsing
MAX_TAGS = 100_000  # "<" characters kept before parsing: bounds the tree's memory
MAX_ELEMENTS = 50_000  # elements walked
MAX_TEXT_CHARS = 1_000_000  # characters of text kept
MAX_DEPTH = 120  # deeper elements are read as flat text (libxml2 stops at 255)
MAX_NEST = 6  # lists/quotes deeper than this are drawn at this level
MAX_MARKS = 2_000  # emphasis pairs per paragraph; beyond, the paragraph is unstyled
MAX_LINKS = 5_000
MAX_URL = 4_096
TIME_BUDGET = 2.0  # seconds for the walk

# Dropped with everything inside them: not article text, or not safe to show.
SKIP_TAGS = _tags(
    """script style template noscript noembed noframes iframe frame frameset input button
    select textarea option optgroup datalist label legend canvas svg map area head title
    meta link base nav dialog menu output progress meter param track"""
)
# Tags removed but their content kept: a <form> may wrap a whole page (ASP.NET sites),
# <object> holds fallback text, and libxml2 does not know <embed> is empty, so it
# would swallow what follows.
UNWRAP_TAGS = _tags("form fieldset object applet embed keygen")
# Elements that hold blocks (their text becomes paragraphs).
CONTAINER_TAGS = _tags(
    """html body div section article main header footer aside address center figure
    hgroup details dl dd li p figcaption caption tbody thead tfoot tr td th"""
)
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BLOCK_TAGS = (
    CONTAINER_TAGS
    | HEADING_TAGS.keys()
    | _tags("ul ol blockquote pre hr table dt summary listing xmp plaintext")
)
EM_TAGS = _tags("em i cite var dfn")
STRONG_TAGS = _tags("strong b")
DEL_TAGS = _tags("del s strike")
CODE_TAGS = _tags("code kbd samp tt")
LINK_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "ftps", "gopher", "gemini"})
LAZY_SRC = ("data-src", "data-original", "data-lazy-src", "data-url", "data-hi-res-src")

# Private-use characters as markers while rendering inline text (stripped from input).
_PUA = re.compile("[\ue000-\ue02f\uf700-\uf77f]")
_BREAK = "\ue000"  # a hard line break
_NBREF = "\ue001"  # the space before " [3]": wrapping never separates a ref from its word
_OPEN = {"em": "\ue010", "strong": "\ue012", "del": "\ue014"}
_CLOSE = {"em": "\ue011", "strong": "\ue013", "del": "\ue015"}
_DELIM = {
    "\ue010": "*",
    "\ue011": "*",
    "\ue012": "**",
    "\ue013": "**",
    "\ue014": "~~",
    "\ue015": "~~",
}
_OPENERS = frozenset(_OPEN.values())
_NODE_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ue000-\ue02f\uf700-\uf77f]"
)
_MARKS = re.compile("[\ue010-\ue015]+")
# Code spans are shifted into U+F700.. while the paragraph's text is escaped, so
# their backticks and content stay as they are (backslashes do not work in code).
_SHIFT = {c: 0xF700 + c for c in range(0x21, 0x7F)}
_UNSHIFT = {0xF700 + c: c for c in range(0x21, 0x7F)}
_CODE_OPEN, _CODE_CLOSE = "\ue020", "\ue021"
_CODE_SPAN = re.compile("\ue020([^\ue021]*)\ue021")
_SHIFT_NO_PIPE = {k: v for k, v in _SHIFT.items() if k != ord("|")}  # tables need \\|
_MD_ESCAPES = {ord(c): "\\" + c for c in "\\`*_[]<>|~&#"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#])")
_BEFORE_REF = re.compile("[ \t\n\r\f\v]+\ue001")
_WS = re.compile(r"[\t\n\r\f\v][ \t\n\r\f\v]*| [ \t\n\r\f\v]+")  # not lone spaces
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_LANG = re.compile(r"(?:^|\s)(?:language|lang)-([\w+#.-]{1,30})")
_MD_LINE_START = re.compile(r"^((?:\d{1,9})?)([-+=>.)])")
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


# -- the block model ----------------------------------------------------------------
@dataclass(slots=True)
class Styled:
    kind: str  # em, strong, del
    children: list


@dataclass(slots=True)
class Link:
    children: list
    number: int


@dataclass(slots=True)
class Media:
    kind: str  # image, video, audio
    alt: str
    number: int | None


@dataclass(slots=True)
class Code:
    text: str


@dataclass(slots=True)
class Para:
    inlines: list
    caption: bool = False


@dataclass(slots=True)
class Heading:
    level: int
    inlines: list


@dataclass(slots=True)
class Rule:
    pass


@dataclass(slots=True)
class Pre:
    text: str
    lang: str = ""


@dataclass(slots=True)
class Quote:
    blocks: list


@dataclass(slots=True)
class ListBlock:
    ordered: bool
    start: int
    items: list[list]


@dataclass(slots=True)
class Table:
    rows: list[list[list]]  # rows of cells of inlines; the first row is the header


Block = Para | Heading | Rule | Pre | Quote | ListBlock | Table


# -- the result -----------------------------------------------------------------------
class Rendered:
    """One article body in the forms the reader needs.

    ``markdown`` and ``text`` are drawn from the block model on first use (each
    consumer pays only for the form it reads); ``links[n - 1]`` is link ``[n]``;
    ``truncated`` says what a safety bound cut, or is None.
    """

    __slots__ = ("_markdown", "_text", "blocks", "links", "truncated", "width")

    def __init__(
        self,
        blocks: list,
        links: list[str],
        truncated: str | None = None,
        width: int | None = None,
    ) -> None:
        self.blocks = blocks
        self.links = links
        self.truncated = truncated
        self.width = width
        self._markdown: str | None = None
        self._text: str | None = None

    def __repr__(self) -> str:
        return (
            f"Rendered({len(self.blocks)} blocks, {len(self.links)} links, "
            f"truncated={self.truncated!r})"
        )

    @property
    def markdown(self) -> str:
        """Markdown for the reader panel: page text escaped, links as ``text [3]``."""
        if self._markdown is None:
            md = _join_blocks(_md_blocks(self.blocks, 0))
            if self.truncated:
                md = _join_blocks([md, f"*\\[{escape_markdown(self.truncated)}\\]*"])
            self._markdown = strip_controls(md)
        return self._markdown

    @property
    def text(self) -> str:
        """The body alone as plain text: no link numbers, placeholders or link list."""
        if self._text is None:
            self._text = strip_controls(_join_blocks(_text_block(b) for b in self.blocks))
        return self._text

    @property
    def word_count(self) -> int:
        """Words of body text (for the reading-time estimate)."""
        return len(self.text.split())

    def plain(self, width: int | None = None) -> str:
        """Plain text wrapped at ``width`` (default: the width given to convert;
        None: no wrapping), with ``text [3]`` references and a ``Links:`` list."""
        return to_plain(self, width if width is not None else self.width)


def to_plain(rendered: Rendered, width: int | None = None) -> str:
    """``rendered`` as wrapped plain text with numbered references and a link list."""
    body = _join_blocks(_plain_block(b, width) for b in rendered.blocks)
    parts = [body] if body else []
    if rendered.truncated:
        parts.append(f"[{rendered.truncated}]")
    if rendered.links:
        lines = [f"[{i}] {url}" for i, url in enumerate(rendered.links, 1)]
        parts.append("Links:\n" + "\n".join(lines))
    return strip_controls("\n\n".join(parts))


def convert(html: str, base_url: str = "", *, width: int | None = None) -> Rendered:
    """Convert article HTML (a fragment or a whole page) for the reader.

    Relative URLs resolve against ``<base href>`` and ``base_url``. ``width`` is
    the default wrap width of ``Rendered.plain()``.
    """
    notes: list[str] = []
    html = _cap_input(html, notes)
    root = _parse(html)
    if root is None:
        return Rendered([], [], "; ".join(notes) or None, width)
    walker = _Walker(_base(root, base_url))
    _strip(root)
    body = root.find("body")
    blocks = walker.blocks(body if body is not None else root, 0, 0)
    notes.extend(walker.notes)
    return Rendered(blocks, walker.links, "; ".join(notes) or None, width)


# -- parsing -------------------------------------------------------------------------
def _cap_input(html: str, notes: list[str]) -> str:
    """The input cut to the size and tag-count bounds (at a tag start), noting why."""
    if len(html) > MAX_INPUT_CHARS:
        cut = html.rfind("<", MAX_INPUT_CHARS - 10_000, MAX_INPUT_CHARS)
        html = html[: cut if cut > 0 else MAX_INPUT_CHARS]
        notes.append(f"page cut at {MAX_INPUT_CHARS // 1_000_000} MB")
    if html.count("<") > MAX_TAGS:
        for m in islice(re.finditer("<", html), MAX_TAGS, MAX_TAGS + 1):
            html = html[: m.start()]
        notes.append(f"page cut after {MAX_TAGS:,} tags")
    return html


def _parse(html: str):  # -> lxml.etree._Element | None
    """The document tree (plain lxml.etree elements: no per-element Python class
    lookup as in lxml.html), or None for an empty or unreadable document."""
    import lxml.etree

    if not html or html.isspace():
        return None
    html = strip_controls(html)
    if _PUA.search(html):
        html = _PUA.sub("", html)
    if html.lstrip()[:5].lower() == "<?xml":
        html = _XML_DECL.sub("", html, count=1)
    try:
        return lxml.etree.fromstring(html, _parser())
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None


def _strip(root) -> None:
    """Drop scripts, styles, forms, frames... with their content (their tails stay)."""
    import lxml.etree

    lxml.etree.strip_elements(root, *SKIP_TAGS, with_tail=False)
    lxml.etree.strip_tags(root, *UNWRAP_TAGS)


def _parser():
    """This thread's HTML parser (lxml parser objects must not be shared by threads)."""
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        import lxml.etree

        parser = _LOCAL.parser = lxml.etree.HTMLParser(
            remove_comments=True, remove_pis=True, no_network=True, default_doctype=False
        )
    return parser


_LOCAL = threading.local()


def _base(root, base_url: str) -> str:
    base_url = strip_controls(base_url).strip()
    el = root.find(".//base[@href]")
    if el is not None:
        try:
            joined = urljoin(base_url, el.get("href", "").strip())
        except ValueError:
            joined = ""
        if urlsplit(joined).scheme in ("http", "https"):
            return joined
    return base_url


# -- the walk --------------------------------------------------------------------------
class _Walker:
    """HTML elements to blocks, collecting numbered links and enforcing the bounds."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.links: list[str] = []
        self.numbers: dict[str, int] = {}  # absolute URL -> its number
        self.seen: dict[str, int | None] = {}  # href as written -> its number
        self.notes: list[str] = []
        self.count = 0
        self.chars = 0
        self.stopped = False
        self.in_link = 0  # > 0 while inside a link: images there take the link's number
        self.deep = False
        self.deadline = time.monotonic() + TIME_BUDGET

    # bounds
    def _tick(self) -> bool:
        """Count one element; False once a bound is hit (the walk then unwinds)."""
        if self.stopped:
            return False
        self.count += 1
        if self.count & 255 == 0:
            if self.count > MAX_ELEMENTS:
                return self._stop(f"cut after {MAX_ELEMENTS:,} elements")
            if time.monotonic() > self.deadline:
                return self._stop(f"cut after {TIME_BUDGET:g} s")
        return True

    def _stop(self, note: str) -> bool:
        if not self.stopped:
            self.stopped = True
            self.notes.append(note)
        return False

    def _text(self, s: str) -> str:
        """A piece of page text, control-free, counted against the text bound."""
        if _NODE_UNSAFE.search(s) is not None:  # entities such as &#27; decode to controls
            s = strip_controls(_PUA.sub("", s))  # and &#xe010; to this module's markers
        room = MAX_TEXT_CHARS - self.chars
        if len(s) > room:
            s = s[: max(room, 0)]
            self._stop(f"cut after {MAX_TEXT_CHARS:,} characters of text")
        self.chars += len(s)
        return s

    def _too_deep(self, depth: int) -> bool:
        if depth <= MAX_DEPTH:
            return False
        if not self.deep:
            self.deep = True
            self.notes.append(f"nesting deeper than {MAX_DEPTH} levels flattened")
        return True

    # blocks
    def blocks(self, el, depth: int, nest: int) -> list:
        """The blocks inside a container element."""
        out: list = []
        run: list = []
        if el.text:
            run.append(self._text(el.text))
        for child in el:
            if self.stopped:
                break
            tag = child.tag
            if isinstance(tag, str) and self._tick() and not _hidden(child):
                if tag in BLOCK_TAGS or (tag not in _INLINE_ONLY and _has_blocks(child)):
                    if run:
                        _flush(run, out)
                        run = []
                    out.extend(self.block(child, tag, depth + 1, nest))
                else:
                    run.extend(self.inline(child, tag, depth + 1))
            if child.tail:
                run.append(self._text(child.tail))
        if run:
            _flush(run, out)
        return out

    def block(self, el, tag: str, depth: int, nest: int) -> list:
        """The blocks of one block-level element."""
        if self._too_deep(depth):
            text = self._text(_flat_text(el))
            return [Para([text])] if text.strip() else []
        if tag in HEADING_TAGS:
            inlines = self.inline_children(el, depth)
            return [Heading(HEADING_TAGS[tag], inlines)] if _has_text(inlines) else []
        if tag in ("ul", "ol"):
            return self.list_block(el, tag == "ol", depth, nest)
        if tag == "blockquote":
            inner = self.blocks(el, depth, nest + 1)
            if nest >= MAX_NEST:
                return inner
            return [Quote(inner)] if inner else []
        if tag in ("pre", "listing", "xmp", "plaintext"):
            return self.pre(el)
        if tag == "hr":
            return [Rule()]
        if tag == "table":
            return self.table(el, depth, nest)
        if tag in ("dt", "summary"):
            inlines = self.inline_children(el, depth)
            return [Para([Styled("strong", inlines)])] if _has_text(inlines) else []
        if tag in ("figcaption", "caption"):
            inner = self.blocks(el, depth, nest)
            for b in inner:
                if isinstance(b, Para):
                    b.caption = True
            return inner
        if tag == "a" and el.get("href"):
            return self.block_link(el, depth, nest)
        return self.blocks(el, depth, nest)

    def block_link(self, el, depth: int, nest: int) -> list:
        """A link wrapping blocks (a "card"): the blocks, the number after the first text."""
        number = self.link_number(el.get("href", ""))
        inner = self.blocks(el, depth, nest)
        if number is not None:
            for b in inner:
                if isinstance(b, Para | Heading) and _has_text(b.inlines):
                    b.inlines = [Link(b.inlines, number)]
                    break
        return inner

    def list_block(self, el, ordered: bool, depth: int, nest: int) -> list:
        items: list[list] = []
        stray: list = []
        for child in el:
            if self.stopped:
                break
            if not isinstance(child.tag, str) or not self._tick() or _hidden(child):
                continue
            if child.tag == "li":
                blocks = self.blocks(child, depth + 1, nest + 1)
                if blocks:
                    items.append(blocks)
            else:  # text or elements outside <li>: an item of their own
                stray = self.blocks_of([child], depth + 1, nest + 1)
                if stray:
                    items.append(stray)
        if not items:
            return []
        if nest >= MAX_NEST:
            return [b for item in items for b in item]
        start = 1
        if ordered:
            try:
                start = max(0, min(int(el.get("start", "1")), 999_999_000))
            except ValueError:
                start = 1
        return [ListBlock(ordered, start, items)]

    def blocks_of(self, elements: list, depth: int, nest: int) -> list:
        """Blocks for a few loose elements (wrapped as if in a container)."""
        out: list = []
        for child in elements:
            tag = child.tag
            if tag in BLOCK_TAGS or _has_blocks(child):
                out.extend(self.block(child, tag, depth, nest))
            else:
                run = self.inline(child, tag, depth)
                if child.tail:
                    run.append(self._text(child.tail))
                _flush(run, out)
        return out

    def pre(self, el) -> list:
        text = "".join(el.itertext())
        if not text.strip():
            return []
        text = self._text(text.expandtabs(4).strip("\n").rstrip())
        cls = el.get("class", "") or ""
        code = el.find("code")
        if code is not None:
            cls += " " + (code.get("class", "") or "")
        m = _LANG.search(cls)
        return [Pre(text, m.group(1) if m else "")]

    def table(self, el, depth: int, nest: int) -> list:
        rows = [r for r in el.iter("tr") if _nearest_table(r) is el]
        if not rows or _is_layout(el, rows):
            return self.blocks(el, depth, nest)
        out_rows: list[list[list]] = []
        caption = el.find("caption")
        pre: list = self.blocks(caption, depth + 1, nest) if caption is not None else []
        for row in rows:
            if self.stopped:
                break
            cells: list[list] = []
            for cell in row:
                if cell.tag not in ("td", "th") or not self._tick():
                    continue
                cells.append(self.inline_children(cell, depth + 2, cell_mode=True))
                span = _int(cell.get("colspan"), 1, 1, 50)
                cells.extend([] for _ in range(span - 1))
            if any(_has_text(c) for c in cells):
                out_rows.append(cells)
        if not out_rows:
            return pre
        return [*pre, Table(out_rows)]

    # inlines
    def inline_children(self, el, depth: int, cell_mode: bool = False) -> list:
        """The inline content of an element, blocks inside it read as inline text."""
        out: list = []
        if el.text:
            out.append(self._text(el.text))
        for child in el:
            if self.stopped:
                break
            tag = child.tag
            if isinstance(tag, str) and self._tick() and not _hidden(child):
                out.extend(self.inline(child, tag, depth + 1, cell_mode))
            if child.tail:
                out.append(self._text(child.tail))
        return out

    def inline(self, el, tag: str, depth: int, cell_mode: bool = False) -> list:
        """Inline nodes for one element."""
        if self._too_deep(depth):
            return [self._text(_flat_text(el))]
        if tag == "br":
            return [" " if cell_mode else _BREAK]
        if tag == "img":
            return self.image(el)
        if tag in ("video", "audio"):
            return self.media(el, tag)
        if tag in ("pre", "listing", "xmp", "plaintext") or tag in CODE_TAGS:
            text = "".join(el.itertext())
            return [Code(self._text(text)) if text.strip() else " "] if text else []
        if tag == "a" and el.get("href"):
            self.in_link += 1
            children = self.inline_children(el, depth, cell_mode)
            self.in_link -= 1
            return self.link(el, children)
        children = self.inline_children(el, depth, cell_mode)
        if tag in EM_TAGS:
            return [Styled("em", children)]
        if tag in STRONG_TAGS:
            return [Styled("strong", children)]
        if tag in DEL_TAGS:
            return [Styled("del", children)]
        if tag == "q":
            return ["“", *children, "”"]
        if tag in BLOCK_TAGS:  # a block read inline (in a heading or table cell)
            return [
                " " if cell_mode or tag not in ("p", "div", "li", "tr") else _BREAK,
                *children,
                " ",
            ]
        return children

    def link(self, el, children: list) -> list:
        if not _has_text(children):
            return children
        number = self.link_number(el.get("href", ""))
        return [Link(children, number)] if number is not None else children

    def link_number(self, href: str) -> int | None:
        """The number of a link (new or already seen), None if it cannot be followed."""
        if href in self.seen:
            return self.seen[href]
        if len(self.links) >= MAX_LINKS:
            return None
        number = None
        url = None if href.lstrip().startswith("#") else _absolute(self.base, href)
        if url is not None:
            number = self.numbers.get(url)
            if number is None:
                self.links.append(url)
                number = self.numbers[url] = len(self.links)
        if len(self.seen) < MAX_LINKS:
            self.seen[href] = number
        return number

    def image(self, el) -> list:
        w, h = el.get("width", ""), el.get("height", "")
        if w.strip() in ("0", "1") or h.strip() in ("0", "1"):
            return []  # a tracking pixel
        alt = _fold(el.get("alt") or el.get("title") or "")
        src = _image_src(el)
        if not src and not alt:
            return []
        number = self.link_number(src) if src and not self.in_link else None
        return [Media("image", self._text(alt), number)]

    def media(self, el, tag: str) -> list:
        src = el.get("src") or ""
        if not src:
            source = el.find("source[@src]")
            src = source.get("src", "") if source is not None else ""
        number = self.link_number(src) if src else None
        title = _fold(el.get("title") or el.get("aria-label") or "")
        return [Media(tag, self._text(title), number)]


_INLINE_ONLY = _tags("img br code kbd samp tt video audio")


def _flush(run: list, out: list) -> None:
    if _has_text(run):
        out.append(Para(run))


def _has_text(nodes: list) -> bool:
    for n in nodes:
        if isinstance(n, str):
            if n.strip() and n != _BREAK:
                return True
        elif isinstance(n, Styled | Link):
            if _has_text(n.children):
                return True
        elif isinstance(n, Media | Code):
            return True
    return False


def _has_blocks(el) -> bool:
    """Does an inline element (a <span>, <a>, <font>...) wrap block elements?"""
    if len(el) == 0:
        return False
    for _ in el.iterdescendants(*_BLOCKISH):
        return True
    return False


_BLOCKISH = tuple(_tags("p div ul ol table blockquote pre h1 h2 h3 h4 h5 h6 section article"))


def _hidden(el) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style) and _DISPLAY_NONE.search(style) is not None


def _flat_text(el) -> str:
    return " ".join(el.itertext())


def _nearest_table(el):
    p = el.getparent()
    while p is not None and p.tag != "table":
        p = p.getparent()
    return p


def _is_layout(table, rows: list) -> bool:
    """Tables used for page layout are read as blocks, not drawn as grids."""
    if table.find(".//table") is not None:
        return True
    if table.get("role") == "presentation":
        return True
    if max(sum(1 for c in r if c.tag in ("td", "th")) for r in rows) < 2:
        return True
    return any(True for _ in table.iterdescendants(*_LAYOUT_MARKERS))


_LAYOUT_MARKERS = tuple(_tags("ul ol blockquote pre h1 h2 h3 h4 h5 h6 figure"))


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(int(value or default), high))
    except ValueError:
        return default


def _fold(s: str) -> str:
    return " ".join(s.split())


def _image_src(el) -> str:
    src = (el.get("src") or "").strip()
    if not src or src.startswith("data:"):
        for attr in LAZY_SRC:
            alt_src = (el.get(attr) or "").strip()
            if alt_src and not alt_src.startswith("data:"):
                return alt_src
        srcset = (el.get("srcset") or el.get("data-srcset") or "").strip()
        if srcset:
            return srcset.split(",")[0].split()[0]
        return ""
    return src


def _absolute(base: str, href: str) -> str | None:
    """An absolute, followable URL for ``href``, or None (scripts, data:, junk)."""
    href = "".join(strip_controls(href).split())  # browsers drop whitespace in URLs too
    if not href:
        return None
    if len(href) > MAX_URL:
        return None
    try:
        url = urljoin(base, href) if base else href
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if scheme not in LINK_SCHEMES:
        return None
    return url


# -- rendering: inline ---------------------------------------------------------------
_HAS_MARKS, _HAS_CODE = 1, 2


def _md_inline(nodes: list, out: list[str], open_kinds: set[str], shift: dict) -> int:
    """Markdown of inline nodes, text not yet escaped (``_md_lines`` escapes it).

    Returns flags saying whether emphasis markers or code spans were written.
    """
    flags = 0
    for n in nodes:
        if isinstance(n, str):
            out.append(n)
        elif isinstance(n, Styled):
            # one level of emphasis: nested runs of mixed delimiters are where
            # CommonMark's flanking and rule-of-3 make markers show as text
            if open_kinds or not _has_text(n.children):
                flags |= _md_inline(n.children, out, open_kinds, shift)
            else:
                open_kinds.add(n.kind)
                out.append(_OPEN[n.kind])
                flags |= _md_inline(n.children, out, open_kinds, shift) | _HAS_MARKS
                out.append(_CLOSE[n.kind])
                open_kinds.discard(n.kind)
        elif isinstance(n, Link):
            flags |= _md_inline(n.children, out, open_kinds, shift)
            out.append(f"{_NBREF}[{n.number}]")
        elif isinstance(n, Media):
            out.append(f" [{n.kind}: {n.alt}]" if n.alt else f" [{n.kind}]")
            if n.number is not None:
                out.append(f"{_NBREF}[{n.number}]")
            out.append(" ")
        elif isinstance(n, Code):
            out.append(_code_marked(n.text, shift))
            flags |= _HAS_CODE
    return flags


def _code_marked(raw: str, shift: dict) -> str:
    """Code text between span markers, shifted out of the escaper's way; spaces at
    its ends move outside, where they still separate words."""
    text = _fold(raw)
    if not text:
        return " " if raw else ""
    before = " " if raw[0].isspace() else ""
    after = " " if raw[-1].isspace() else ""
    return f"{before}{_CODE_OPEN}{text.translate(shift)}{_CODE_CLOSE}{after}"


def _code_span(m: re.Match[str]) -> str:
    """Marked code as a Markdown code span, its fence longer than any backtick run in it."""
    text = m.group(1).translate(_UNSHIFT)
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _plain_inline(nodes: list, out: list[str], refs: bool) -> None:
    for n in nodes:
        if isinstance(n, str):
            out.append(n)
        elif isinstance(n, Styled):
            _plain_inline(n.children, out, refs)
        elif isinstance(n, Link):
            _plain_inline(n.children, out, refs)
            if refs:
                out.append(f"{_NBREF}[{n.number}]")
        elif isinstance(n, Media):
            if refs:
                out.append(f" [{n.kind}: {n.alt}]" if n.alt else f" [{n.kind}]")
                if n.number is not None:
                    out.append(f"{_NBREF}[{n.number}]")
                out.append(" ")
        elif isinstance(n, Code):
            out.append(n.text)


def _lines(joined: str) -> list[str]:
    """Inline text folded like HTML: whitespace runs to one space, hard breaks kept."""
    if _NBREF in joined:
        joined = _BEFORE_REF.sub(_NBREF, joined)
    if _BREAK not in joined:
        line = _WS.sub(" ", joined).strip()
        return [line] if line else []
    lines: list[str] = []
    for part in joined.split(_BREAK):
        line = _WS.sub(" ", part).strip()
        if line or (lines and lines[-1]):  # at most one empty line in a row, none first
            lines.append(line)
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _md_lines(nodes: list, in_table: bool = False) -> list[str]:
    """Inline nodes as Markdown lines (one per hard break), all page text escaped."""
    out: list[str] = []
    flags = _md_inline(nodes, out, set(), _SHIFT_NO_PIPE if in_table else _SHIFT)
    joined = "".join(out)
    # a regex is fastest for ordinary text; a table for very long runs that may be
    # all punctuation (one match per character costs ~1 us)
    joined = (
        joined.translate(_MD_ESCAPES) if len(joined) > 4096 else _MD_SPECIAL.sub(r"\\\1", joined)
    )
    if flags & _HAS_MARKS:
        if sum(joined.count(c) for c in _OPENERS) > MAX_MARKS:
            joined = _MARKS.sub("", joined)
        else:
            joined = _place_delimiters(joined)
    if flags & _HAS_CODE:
        # spans that ended up side by side (markers between them dropped) become one,
        # or their backtick runs would merge
        joined = _CODE_SPAN.sub(_code_span, joined.replace(_CODE_CLOSE + _CODE_OPEN, ""))
    lines = [ln.replace(_NBREF, " ") for ln in _lines(joined)]
    for i, ln in enumerate(lines):
        if ln and ln[0] in _LINE_START_CHARS:
            lines[i] = _MD_LINE_START.sub(r"\1\\\2", ln)
    return lines


_LINE_START_CHARS = frozenset("-+=>.)0123456789")


def _plain_lines(nodes: list, refs: bool) -> list[str]:
    out: list[str] = []
    _plain_inline(nodes, out, refs)
    return _lines("".join(out))


def _is_space(c: str) -> bool:
    return c.isspace() or c in (_BREAK, _NBREF)


def _is_punct(c: str) -> bool:
    if c in (_CODE_OPEN, _CODE_CLOSE):  # a code span's backticks
        return True
    return c != "" and unicodedata.category(c)[0] in "PS"


def _place_delimiters(s: str) -> str:
    """Emphasis markers to ``*``/``**``/``~~`` where CommonMark reads them as such.

    Spaces move outside the markers; a pair whose markers could not open/close
    (by the flanking rules) is dropped, keeping its text plain.
    """
    # spaces inside a marker move out of it: "*foo *" -> "*foo* "
    s = re.sub("([\ue010\ue012\ue014]+)([ \t\n\ue000\ue001]+)", r"\2\1", s)
    s = re.sub("([ \t\n\ue000\ue001]+)([\ue011\ue013\ue015]+)", r"\2\1", s)
    keep: dict[int, bool] = {}
    stack: list[tuple[int, bool]] = []
    pairs: list[tuple[int, int]] = []
    for m in _MARKS.finditer(s):
        start, end = m.span()
        before = s[start - 1] if start > 0 else " "
        after = s[end] if end < len(s) else " "
        left = not _is_space(after) and (
            not _is_punct(after) or _is_space(before) or _is_punct(before)
        )
        right = not _is_space(before) and (
            not _is_punct(before) or _is_space(after) or _is_punct(after)
        )
        run = m.group()
        mixed = any(c in _OPENERS for c in run) and any(c not in _OPENERS for c in run)
        for i, c in enumerate(run):
            pos = start + i
            if c in _OPENERS:
                stack.append((pos, left and not mixed))
            elif stack:
                open_pos, ok = stack.pop()
                pairs.append((open_pos, pos))
                keep[open_pos] = keep[pos] = ok and right and s[open_pos + 1 : pos] != ""
    out: list[str] = []
    last = 0
    for m in _MARKS.finditer(s):
        out.append(s[last : m.start()])
        for i, c in enumerate(m.group()):
            if keep.get(m.start() + i):
                out.append(_DELIM[c])
        last = m.end()
    out.append(s[last:])
    return "".join(out)


# -- rendering: blocks ---------------------------------------------------------------
def _join_blocks(parts: Iterable[str]) -> str:
    return "\n\n".join(p for p in parts if p)


def _md_blocks(blocks: list, depth: int) -> Iterable[str]:
    previous = None
    alternate = False
    for b in blocks:
        if isinstance(b, ListBlock):
            # adjacent lists of one kind would merge: switch the marker character
            alternate = (
                not alternate
                if isinstance(previous, ListBlock) and previous.ordered == b.ordered
                else False
            )
            yield _md_list(b, depth, alternate)
        else:
            yield _md_block(b, depth)
        previous = b


def _md_block(b, depth: int) -> str:
    if isinstance(b, Para):
        lines = _md_lines(b.inlines)
        if b.caption and lines:
            lines = [f"*{ln}*" if _safe_em(ln) else ln for ln in lines]
        return "\\\n".join(lines)
    if isinstance(b, Heading):
        text = " ".join(_md_lines(b.inlines))
        return f"{'#' * b.level} {text}" if text else ""
    if isinstance(b, Rule):
        return "---"
    if isinstance(b, Pre):
        longest = max((len(m) for m in re.findall(r"`{3,}", b.text)), default=2)
        fence = "`" * (longest + 1)
        return f"{fence}{b.lang}\n{b.text}\n{fence}"
    if isinstance(b, Quote):
        inner = _join_blocks(_md_blocks(b.blocks, depth + 1))
        return "\n".join(f"> {ln}" if ln else ">" for ln in inner.split("\n"))
    if isinstance(b, Table):
        return _md_table(b)
    return ""


def _safe_em(line: str) -> bool:
    return bool(line) and not _is_punct(line[0]) and not _is_punct(line[-1]) and "*" not in line


def _item_join(item: list, parts: Iterable[str]) -> tuple[str, bool]:
    """A list item's blocks joined; True if a blank line separates two of them
    (which makes the list loose). A paragraph and the list after it stay tight."""
    out = ""
    loose = False
    previous = None
    for b, part in zip(item, parts, strict=True):
        if part:
            if not out:
                out = part
            elif isinstance(previous, Para) and _interrupts(b):
                out += "\n" + part
            else:
                out += "\n\n" + part
                loose = True
            previous = b
    return out, loose


def _interrupts(b) -> bool:
    """Can this list start right under a paragraph line (CommonMark: bullets, or 1.)?"""
    return isinstance(b, ListBlock) and (not b.ordered or b.start == 1)


def _md_list(b: ListBlock, depth: int, alternate: bool) -> str:
    items = []
    loose = False
    for i, item in enumerate(b.items):
        if b.ordered:
            marker = f"{b.start + i}{')' if alternate else '.'} "
        else:
            marker = "* " if alternate else "- "
        body, item_loose = _item_join(item, _md_blocks(item, depth + 1))
        if not body:
            continue
        loose = loose or item_loose
        pad = " " * len(marker)
        lines = body.split("\n")
        rest = [pad + ln if ln else "" for ln in lines[1:]]
        items.append("\n".join([marker + lines[0], *rest]))
    return ("\n\n" if loose else "\n").join(items)


def _md_table(t: Table) -> str:
    cols = max(len(r) for r in t.rows)
    rows = []
    for r in t.rows:
        cells = [" ".join(_md_lines(c, in_table=True)) for c in r]
        cells += [""] * (cols - len(cells))
        rows.append("| " + " | ".join(cells) + " |")
    rows.insert(1, "|" + "---|" * cols)
    return "\n".join(rows)


def _text_block(b) -> str:
    if isinstance(b, Para | Heading):
        return "\n".join(_plain_lines(b.inlines, refs=False))
    if isinstance(b, Pre):
        return b.text
    if isinstance(b, Quote):
        return _join_blocks(_text_block(x) for x in b.blocks)
    if isinstance(b, ListBlock):
        return "\n".join(_join_blocks(_text_block(x) for x in item) for item in b.items)
    if isinstance(b, Table):
        return "\n".join(" ".join(" ".join(_plain_lines(c, False)) for c in r) for r in b.rows)
    return ""


def _wrap(line: str, width: int | None, indent: str = "", first: str | None = None) -> str:
    """One line of text filled to ``width`` (greedy; words longer than the width
    stand alone); a reference never leaves its word."""
    lead = indent if first is None else first
    if width is None or len(lead) + len(line) <= width:
        return (lead + line).replace(_NBREF, " ")
    width = max(width, len(lead) + 20)
    lines: list[str] = []
    current: list[str] = [lead]
    used = len(lead)
    fresh = True
    for word in line.split(" "):
        if not word:
            continue
        if fresh:
            current.append(word)
            used += len(word)
            fresh = False
        elif used + 1 + len(word) <= width:
            current.append(" " + word)
            used += 1 + len(word)
        else:
            lines.append("".join(current))
            current = [indent, word]
            used = len(indent) + len(word)
    lines.append("".join(current))
    return "\n".join(lines).replace(_NBREF, " ")


def _plain_block(b, width: int | None) -> str:
    if isinstance(b, Para):
        return "\n".join(_wrap(ln, width) for ln in _plain_lines(b.inlines, refs=True))
    if isinstance(b, Heading):
        text = " ".join(_plain_lines(b.inlines, refs=True))
        wrapped = _wrap(text, width)
        rule = "=" if b.level == 1 else "-"
        longest = max(len(ln) for ln in wrapped.split("\n"))
        return wrapped + "\n" + rule * longest
    if isinstance(b, Rule):
        return "-" * min(width or 40, 40)
    if isinstance(b, Pre):
        return "\n".join("    " + ln if ln else "" for ln in b.text.split("\n"))
    if isinstance(b, Quote):
        inner = _join_blocks(_plain_block(x, _narrower(width, 2)) for x in b.blocks)
        return "\n".join(f"> {ln}" if ln else ">" for ln in inner.split("\n"))
    if isinstance(b, ListBlock):
        return _plain_list(b, width)
    if isinstance(b, Table):
        return _plain_table(b, width)
    return ""


def _narrower(width: int | None, by: int) -> int | None:
    return None if width is None else max(width - by, 20)


def _plain_list(b: ListBlock, width: int | None) -> str:
    items = []
    for i, item in enumerate(b.items):
        marker = f"{b.start + i}. " if b.ordered else "- "
        pad = " " * len(marker)
        inner = _narrower(width, len(marker))
        body, _ = _item_join(item, [_plain_block(x, inner) for x in item])
        if not body:
            continue
        lines = body.split("\n")
        items.append("\n".join([marker + lines[0], *(pad + ln if ln else "" for ln in lines[1:])]))
    return "\n".join(items)


def _plain_table(t: Table, width: int | None) -> str:
    rows = [[" ".join(_plain_lines(c, refs=True)).replace(_NBREF, " ") for c in r] for r in t.rows]
    cols = max(len(r) for r in rows)
    for r in rows:
        r += [""] * (cols - len(r))
    widths = [max(len(r[c]) for r in rows) for c in range(cols)]
    if width is None or sum(widths) + 3 * (cols - 1) <= width:
        lines = [
            " | ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
            for r in rows
        ]
        lines.insert(1, "-+-".join("-" * w for w in widths))
        return "\n".join(lines)
    # too wide: one record per row, "Header: value"
    head, records = rows[0], []
    for r in rows[1:]:
        lines = []
        for name, cell in zip(head, r, strict=True):
            if cell:
                label = f"{name}: " if name else ""
                lines.append(_wrap(cell, width, "    ", label))
        records.append("\n".join(lines))
    return _join_blocks([_wrap(" | ".join(c for c in head if c), width), *records])
