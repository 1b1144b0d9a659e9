"""Make feed text safe: sanitize HTML bodies, turn HTML-ish fields into plain text.

Everything that leaves the parsers goes through here, whichever path parsed it,
so the fast path and the feedparser fallback give the same kind of output.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Tags kept in article HTML: ordinary formatting, links, images, lists, tables,
# code, quotes, headings, figures. Everything else is unwrapped (text kept).
ALLOWED_TAGS = _words(
    """a abbr acronym address article aside audio b bdi bdo big blockquote br caption
    center cite code col colgroup dd del details dfn div dl dt em figcaption figure
    footer h1 h2 h3 h4 h5 h6 header hgroup hr i img ins kbd li mark ol p pre q rp rt
    ruby s samp section small source span strike strong sub summary sup table tbody td
    tfoot th thead time tr tt u ul var video wbr"""
) | _words(  # MathML presentation markup: formulas keep their text and structure
    """math mi mn mo ms mtext mspace mrow mfrac msqrt mroot msub msup msubsup munder mover
    munderover mtable mtr mtd mstyle mpadded mphantom menclose semantics"""
)
# Tags dropped together with their content (scripts, styles, embedded documents and
# raw-text elements whose content would otherwise show up as literal markup).
# <object>/<applet>/<form> tags go too, but their fallback content stays.
DROPPED_TAGS = _words(
    """script style iframe frame frameset noscript noembed noframes embed template
    textarea select title xmp plaintext head"""
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "audio": {"src", "controls"},
    "video": {"src", "poster", "controls", "width", "height"},
    "source": {"src", "type"},
    "td": {"colspan", "rowspan", "align", "headers"},
    "th": {"colspan", "rowspan", "align", "headers", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "details": {"open"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "ftps", "tel", "magnet", "news"})

# feedparser maps C1 controls to the cp1252 characters they were almost surely
# meant to be (text decoded as ISO-8859-1 that was really windows-1252).
_CP1252 = {}
for _c in range(0x80, 0xA0):
    try:
        _CP1252[_c] = bytes([_c]).decode("cp1252")
    except UnicodeDecodeError:
        _CP1252[_c] = None
# C0/C1 controls and DEL removed; \t and \n kept, \r dropped (\r\n -> \n).
_CONTROL_TABLE: dict[int, str | None] = {c: None for c in range(0x20) if c not in (9, 10)}
_CONTROL_TABLE[0x7F] = None
_CONTROL_TABLE.update(_CP1252)
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MOJIBAKE = re.compile("[\xc2-\xf4][\x80-\xbf]")
_SPACES = re.compile(r"[^\S\xa0\u2007\u202f]+")  # whitespace runs, no-break spaces kept
# XHTML-style <iframe .../> would swallow the rest of the document in an HTML parser.
_SELF_CLOSED = re.compile(
    r"<(?=[sSiInNoOaAtTxX])(script|style|iframe|noscript|noembed|noframes|object|applet|"
    r"template|textarea|select|title|xmp)(\s[^<>]*?)?/\s*>",
    re.IGNORECASE,
)
_TAGS_RE = re.compile(r"<[^>]*>")

# feedparser's list of "acceptable" HTML elements, used by looks_like_html() to
# guess whether an RSS field that should be plain text really holds HTML.
_FP_HTML_ELEMENTS = _words(
    """a abbr acronym address area article aside audio b big blockquote br button
    canvas caption center cite code col colgroup command datagrid datalist dd del
    details dfn dialog dir div dl dt em event-source fieldset figcaption figure font
    footer form h1 h2 h3 h4 h5 h6 header hr i img input ins kbd keygen label legend li
    m map menu meter multicol nav nextid noscript ol optgroup option output p pre
    progress q s samp section select small sound source spacer span strike strong sub
    sup table tbody td textarea tfoot th thead time tr tt u ul var video"""
)
_CLOSE_TAG_RE = re.compile(r"</(\w+)>")
_ENTITY_RE = re.compile(r"&#?\w+;")
_TAG_NAME_RE = re.compile(r"</?(\w+)")
_NAMED_ENTITY_RE = re.compile(r"&(\w+);")


def fix_text(s: str) -> str:
    """Repair text as feedparser does: UTF-8 that was decoded as Latin-1 is re-decoded."""
    if s.isascii() or _MOJIBAKE.search(s) is None:  # needs a UTF-8 lead+continuation pair
        return s
    try:
        return s.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return s


def strip_controls(s: str) -> str:
    """Drop C0/C1 control characters (ESC, BEL, NUL...) but keep tabs and newlines."""
    if _CONTROL_RE.search(s) is None:
        return s
    return s.translate(_CONTROL_TABLE)


def clean_text(s: str) -> str:
    """Plain text field: repaired, controls removed, ends stripped."""
    return strip_controls(fix_text(s)).strip()


def clean_line(s: str) -> str:
    """Single-line plain text (titles, names): like clean_text, whitespace collapsed."""
    s = strip_controls(fix_text(s))
    if "\xa0" in s or "\u2007" in s or "\u202f" in s:
        return _SPACES.sub(" ", s).strip()
    return " ".join(s.split())


def looks_like_html(s: str) -> bool:
    """feedparser's guess whether a nominally plain-text RSS field holds HTML."""
    if not (_CLOSE_TAG_RE.search(s) or _ENTITY_RE.search(s)):
        return False
    if any(t.lower() not in _FP_HTML_ELEMENTS for t in _TAG_NAME_RE.findall(s)):
        return False
    return all(e in html.entities.entitydefs for e in _NAMED_ENTITY_RE.findall(s))


def html_to_text(s: str) -> str:
    """Visible text of an HTML snippet: tags and scripts dropped, entities decoded."""
    if "<" in s:
        s = _text_cleaner().clean(s)
    if "&" in s:
        s = html.unescape(s)
    return s


def text_to_html(s: str) -> str:
    """Plain text as safe HTML, keeping its line breaks."""
    s = html.escape(s.strip(), quote=False)
    if "\n" not in s:
        return s
    paras = [p.strip().replace("\n", "<br>") for p in re.split(r"\n\s*\n", s)]
    return "".join(f"<p>{p}</p>" for p in paras if p)


def sanitize_html(s: str, base: str = "") -> str:
    """Safe HTML: allowed tags/attributes only, no scripts or handlers, URLs absolute."""
    if not s:
        return ""
    if "/>" in s:
        s = _SELF_CLOSED.sub(r"<\1\2></\1>", s)
    out = _cleaner(base if base.startswith(("http://", "https://")) else "").clean(s)
    return strip_controls(out).strip()


def order_bodies(summary: str, content: str) -> tuple[str, str]:
    """(summary, content) with the longer text as content: content is the full body."""
    if summary and content and _visible_len(summary) > _visible_len(content):
        return content, summary
    return summary, content


def _visible_len(s: str) -> int:
    return len(_TAGS_RE.sub("", s).strip()) if "<" in s else len(s.strip())


@lru_cache(maxsize=1)
def _text_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(tags=set(), clean_content_tags=set(DROPPED_TAGS), attributes={})


@lru_cache(maxsize=64)
def _cleaner(base: str) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        url_relative=("rewrite_with_base", base) if base else "pass_through",
    )
