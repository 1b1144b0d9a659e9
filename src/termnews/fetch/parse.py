"""Feed bytes -> ParsedFeed: the one entry point the rest of termnews calls.

Dispatch, cheapest first: JSON documents go to jsonfeed; obvious HTML pages are
refused; XML goes to the strict lxml fast path, and whatever that is not sure of
(ill-formed XML, odd encodings, old or unknown formats) to feedparser.
"""

from __future__ import annotations

import codecs
import logging
import re

from termnews.fetch.fastparse import NotSure, parse_fast
from termnews.fetch.model import FeedParseError, ParsedFeed

__all__ = ["FeedParseError", "ParsedFeed", "parse_feed"]

log = logging.getLogger(__name__)

# (prefix, codec): BOMs first, then BOM-less "<?" in UTF-32 / UTF-16.
_WIDE = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
    (b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"),
)  # fmt: skip
_DECLARED = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*""")
_HTML_START = re.compile(
    rb"(?:\s|<\?[^>]*>|<!--.*?-->)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL
)


def parse_feed(data: bytes, url: str = "", content_type: str = "") -> ParsedFeed:
    """Parse RSS, Atom or JSON Feed bytes fetched from url (with its Content-Type).

    Raises FeedParseError with a short human message when data is not a feed.
    """
    wide = _to_utf8(data)
    if wide is not None:  # both parsers and the DOCTYPE scan want an ASCII-compatible text
        data, content_type = wide, ""
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    head = body[:2048].lstrip()
    if not head:
        raise FeedParseError("empty document")
    if head[:1] in (b"{", b"["):
        from termnews.fetch.jsonfeed import parse_json_feed

        return parse_json_feed(body, url)
    if _HTML_START.match(head):
        raise FeedParseError("not a feed: looks like an HTML page")
    try:
        return parse_fast(data, url, content_type)
    except NotSure as exc:
        log.debug("fast path declined %s: %s", url or "<bytes>", exc)
    except FeedParseError:
        raise
    except Exception:  # a fast-path bug must not lose a feed feedparser can read
        log.exception("fast feed parser failed on %s", url or "<bytes>")
    from termnews.fetch.feedparser_path import parse_with_feedparser

    try:
        return parse_with_feedparser(data, url, content_type)
    except FeedParseError:
        raise
    except Exception as exc:
        raise FeedParseError(f"not a feed: unreadable ({type(exc).__name__})") from exc


def _to_utf8(data: bytes) -> bytes | None:
    """A UTF-16/32 document re-encoded as UTF-8 (declaration adjusted), else None."""
    for prefix, codec in _WIDE:
        if data.startswith(prefix):
            text = data.decode(codec, "replace").lstrip("\ufeff")
            return _DECLARED.sub(r"\1utf-8", text, count=1).encode("utf-8")
    return None
