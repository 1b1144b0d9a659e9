"""The main article of a web page: body, title, byline, date and its related links.

trafilatura does the extraction (measured best on the article-extraction
benchmark, see ``benchmarks/extraction.py``); it is imported on first use, never
at start-up. Its result is turned into simple HTML (headings, paragraphs, lists,
quotes, code, tables, links, emphasis) for :mod:`termnews.reader.convert`, after
dropping the few theme blocks (comment forms, share rows, "Related Articles")
that can slip through. Input is capped in size, so a hostile page costs bounded
time.
"""

from __future__ import annotations

import gzip
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from termnews.storage.records import Article
from termnews.text import one_line

if TYPE_CHECKING:
    from lxml.html import HtmlElement

DEFAULT_MAX_BYTES = 5_000_000  # reader.max_page_mb
MAX_BODY_CHARS = 1_000_000  # extracted article HTML kept, at most
MAX_RELATED = 20
MAX_ELEMENTS = 15_000  # a long real article page has a few thousand
MIN_ARTICLE_WORDS = 10

# Whole blocks that are theme furniture, never article text (compared lower-case,
# whitespace-folded, trailing punctuation removed).
BOILERPLATE_BLOCKS = frozenset(
    {
        "please enter your comment",
        "please enter your name here",
        "you have entered an incorrect email address",
        "leave a reply",
        "leave a comment",
        "cancel reply",
        "post comment",
        "related articles",
        "related posts",
        "related stories",
        "more from author",
        "more stories",
        "most popular",
        "popular posts",
        "recent posts",
        "recent comments",
        "back to top",
        "share",
        "share this",
        "share this article",
        "share on facebook",
        "share on twitter",
        "tweet",
        "pin it",
        "copy link",
        "sign up for our newsletter",
        "subscribe to our newsletter",
        "advertisement",
        "save my name, email, and website in this browser for the next time i comment",
    }
)
# A heading with one of these texts starts a block of links to other articles.
RELATED_HEADING = re.compile(
    r"^(related( articles| posts| stories| content| reading| news)?|read (next|more|also)|"
    r"more (stories|news|from [\w .'-]+|on this( story| topic)?|like this)|"
    r"you (may|might) (also )?(like|be interested in)|recommended( for you| stories)?|"
    r"also read|see also|further reading|what to read next)$",
    re.IGNORECASE,
)
RELATED_CLASS = re.compile(
    r"related|read-?next|more-stories|recommend|also-read|yarpp|crp_related", re.IGNORECASE
)
_PUNCT_END = re.compile(r"[\s!.:…»›>|-]+$")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


class ExtractionError(Exception):
    """No article could be extracted; the message says why, for people."""


@dataclass(slots=True)
class RelatedLink:
    """A link the page itself offers as related reading."""

    title: str
    url: str

    def to_json(self) -> dict[str, str]:
        return {"title": self.title, "url": self.url}


@dataclass(slots=True)
class ExtractedPage:
    """The main article of a page. ``html`` is simple, already-sanitised markup."""

    url: str
    html: str
    title: str = ""
    author: str = ""
    date: str = ""  # as the page gives it, ISO 8601 (YYYY-MM-DD) when known
    sitename: str = ""
    description: str = ""
    categories: list[str] = field(default_factory=list)
    related: list[RelatedLink] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "the page was cut at 5 MB"

    def meta_json(self) -> dict[str, Any]:
        """Title, byline, date and site as JSON-able data (the cache keeps this)."""
        return {
            "title": self.title,
            "author": self.author,
            "date": self.date,
            "sitename": self.sitename,
            "description": self.description,
            "categories": self.categories,
            "notes": self.notes,
        }


def page_as_article(page: ExtractedPage) -> Article:
    """The page as an (uncached) article record, for the reader's header."""
    return Article(
        id=0, feed_id=0, guid="", link=page.url, title=page.title, author=page.author,
        published=None, updated=None, summary=page.description, content=page.html,
        read=False, starred=False, first_seen=0, sort_date=0, categories=page.categories,
        feed_title=page.sitename,
    )  # fmt: skip


# -- input --------------------------------------------------------------------------
def read_page_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, bool]:
    """The bytes of a saved page (plain or gzip), at most ``max_bytes``; and whether cut."""
    with path.open("rb") as raw:
        magic = raw.read(2)
        raw.seek(0)
        stream = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
        try:
            data = stream.read(max_bytes + 1)
        except (OSError, EOFError) as exc:
            raise ExtractionError(f"{path}: not a readable gzip file ({exc})") from None
    return data[:max_bytes], len(data) > max_bytes


def decode_page(data: bytes, content_type: str = "") -> str:
    """The text of a page: the HTTP charset, else UTF-8, else the page's ``<meta>``
    charset, else windows-1252 (what browsers assume); never fails."""
    declared = [m.group(1) for m in (_CHARSET.search(content_type),) if m]
    if not declared:
        if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-8-sig" if data[:1] == b"\xef" else "utf-16", errors="replace")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        meta = _META_CHARSET.search(data[:4096])
        declared = [meta.group(1).decode("ascii", "replace")] if meta else []
    for charset in [*declared, "windows-1252"]:
        try:
            return data.decode(charset, errors="replace")
        except LookupError:
            continue
    return data.decode("windows-1252", errors="replace")  # pragma: no cover - always known


def _trafilatura() -> Any:
    """Import trafilatura (slow: ~0.1 s) on first use, with its logging kept quiet."""
    for name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
        logger.propagate = False
    import trafilatura

    return trafilatura


# -- extraction -----------------------------------------------------------------------
def extract_page(
    page: bytes | str,
    url: str = "",
    *,
    content_type: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ExtractedPage:
    """The main article of ``page`` (HTML bytes or text) found at ``url``.

    Raises :class:`ExtractionError` when the page holds no article text.
    """
    notes: list[str] = []
    if len(page) > max_bytes:
        page = page[:max_bytes]
        notes.append(f"the page was cut at {max_bytes / 1e6:g} MB")
    if isinstance(page, bytes):
        page = decode_page(page, content_type)
    traf = _trafilatura()
    try:
        tree = traf.load_html(page)
    except (ValueError, TypeError) as exc:
        raise ExtractionError(f"cannot parse the page as HTML ({exc})") from None
    if tree is None:
        raise ExtractionError("the page is not HTML")
    if _limit_elements(tree, MAX_ELEMENTS):
        notes.append(f"the page was cut at {MAX_ELEMENTS:,} elements")
    base = _base_url(tree, url)
    related = find_related_links(tree, base)
    doc = traf.bare_extraction(
        tree,
        url=url or None,
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=True,
        include_formatting=True,
        with_metadata=True,
        deduplicate=False,
        # dates from the page's markup only: a year guessed from free text misleads
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None or doc.body is None:
        raise ExtractionError("no article text found on the page")
    body = _clean_body(doc.body)
    html = _body_html(body)
    if _word_count(body) < MIN_ARTICLE_WORDS:  # a menu or a caption is not an article
        raise ExtractionError("no article text found on the page")
    if len(html) > MAX_BODY_CHARS:
        html = html[:MAX_BODY_CHARS]
        notes.append(f"the article was cut at {MAX_BODY_CHARS:,} characters")
    sitename = one_line(doc.sitename or "")
    canonical = one_line(doc.url or "")  # a saved file's links resolve against its own URL
    if not url and urlsplit(canonical).scheme in ("http", "https"):
        url = canonical
    return ExtractedPage(
        url=url,
        html=html,
        title=_tidy_title(one_line(doc.title or ""), sitename),
        author=one_line(doc.author or ""),
        date=one_line(doc.date or ""),
        sitename=sitename,
        description=one_line(doc.description or ""),
        categories=[one_line(c) for c in (doc.categories or []) if one_line(c)],
        related=related,
        notes=notes,
    )


def _limit_elements(tree: HtmlElement, limit: int) -> bool:
    """Keep the first ``limit`` elements of a huge page (extraction time grows faster than
    the page); scripts, styles and drawings go first. True if the page was cut."""
    if sum(1 for _ in tree.iter()) <= limit:
        return False
    for el in list(tree.iter("script", "style", "noscript", "template", "svg", "iframe")):
        if el.get("type") != "application/ld+json" and el.getparent() is not None:
            el.drop_tree()
    first_cut = next((el for i, el in enumerate(tree.iter()) if i == limit), None)
    if first_cut is None:
        return False
    node = first_cut
    parent = node.getparent()
    while parent is not None:
        siblings = list(node.itersiblings())
        if node is first_cut:
            siblings.insert(0, node)
        for sibling in siblings:
            parent.remove(sibling)
        node, parent = parent, parent.getparent()
    return True


def _base_url(tree: HtmlElement, url: str) -> str:
    """The URL relative links resolve against: ``<base href>`` if the page sets one."""
    for base in tree.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return urljoin(url, href)
    return url


def _norm(text: str) -> str:
    return _PUNCT_END.sub("", " ".join(text.split())).lower()


def _clean_body(body: Any) -> Any:
    """Drop theme blocks (comment form prompts, share rows, related-article lists)."""
    drop_list = False
    for el in list(body):
        if drop_list and el.tag == "list":  # the links under a "Related Articles" heading
            body.remove(el)
            continue
        text = _norm("".join(el.itertext()))
        related = RELATED_HEADING.match(text) is not None and el.tag in ("head", "p")
        drop_list = related
        if related or text in BOILERPLATE_BLOCKS:
            body.remove(el)
    for table in body.iter("table"):
        _caption_out_of_table(table)
    return body


def _caption_out_of_table(table: Any) -> None:
    """trafilatura turns ``<caption>`` into a first row with one filled cell: make it a
    paragraph before the table again, so the header row stays the header."""
    rows = [r for r in table if r.tag == "row"]
    if len(rows) < 2:
        return
    filled = [c for c in rows[0] if "".join(c.itertext()).strip()]
    if len(filled) != 1 or len(rows[0]) == len(rows[1]) == 1:
        return
    parent = table.getparent()
    caption = filled[0]
    caption.tag, caption.tail = "p", None
    caption.attrib.clear()
    table.remove(rows[0])
    parent.insert(parent.index(table), caption)


def _word_count(body: Any) -> int:
    return len(" ".join(body.itertext()).split())


def _body_html(body: Any) -> str:
    """trafilatura's XML body as simple HTML."""
    from lxml import etree
    from trafilatura.htmlprocessing import convert_to_html

    ordered = [el for el in body.iter("list") if el.get("rend") == "ol"]
    root = convert_to_html(body)  # every list becomes <ul>: numbered ones are <ol> again
    for el in ordered:
        el.tag = "ol"
    for a in root.iter("a"):  # keep web and mail links only (no javascript:, data:, "")
        href = (a.get("href") or "").strip()
        if urlsplit(href).scheme.lower() not in ("http", "https", "mailto"):
            a.attrib.pop("href", None)
    html = etree.tostring(root[0], encoding="unicode", method="html")
    return unicodedata.normalize("NFC", html)


def _tidy_title(title: str, sitename: str) -> str:
    """``Story – Site`` -> ``Story`` when the page names the site."""
    if sitename:
        for sep in (" – ", " — ", " - ", " | ", " :: ", " · "):
            suffix = sep + sitename
            if title.endswith(suffix) and len(title) > len(suffix):
                return title[: -len(suffix)].strip()
    return title


# -- related links ---------------------------------------------------------------------
def find_related_links(tree: HtmlElement, base_url: str) -> list[RelatedLink]:
    """Links in the page's own "Related articles" blocks (by class/id or heading)."""
    page = _strip_fragment(base_url)
    containers: list[HtmlElement] = []
    for el in tree.iter("section", "div", "aside", "ul", "nav"):
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        if RELATED_CLASS.search(marker) and not _inside(el, containers):
            containers.append(el)
    for head in tree.iter("h2", "h3", "h4", "h5"):
        if RELATED_HEADING.match(_norm(head.text_content())):
            parent = head.getparent()
            if parent is not None and not _inside(parent, containers):
                containers.append(parent)
    found: list[RelatedLink] = []
    seen: set[str] = {page}
    for box in containers:
        for a in box.iter("a"):
            link = _related_link(a, base_url)
            if link is None or link.url in seen:
                continue
            seen.add(link.url)
            found.append(link)
            if len(found) >= MAX_RELATED:
                return found
    return found


def _inside(el: HtmlElement, containers: list[HtmlElement]) -> bool:
    ancestors = set(el.iterancestors())
    return any(c is el or c in ancestors for c in containers)


def _related_link(a: HtmlElement, base_url: str) -> RelatedLink | None:
    """A link that names an article (a few words of title) at a web address."""
    title = one_line(a.text_content()) or one_line(a.get("title") or "")
    if len(title.split()) < 3 or len(title) > 300:
        return None
    href = (a.get("href") or "").strip()
    if not href or href.startswith("#"):
        return None
    url = _strip_fragment(urljoin(base_url, href))
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return RelatedLink(title, url)


def _strip_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment=""))
