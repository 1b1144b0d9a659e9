"""Hostile feeds: entity bombs, external entities, script injection, terminal escapes."""

from __future__ import annotations

import time
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from termnews.fetch.doctype import find_doctype, strip_doctype
from termnews.fetch.fastparse import NotSure, _xml_parser, parse_fast
from termnews.fetch.feedparser_path import defuse_entities, parse_with_feedparser
from termnews.fetch.model import FeedParseError, ParsedFeed
from termnews.fetch.parse import parse_feed
from termnews.fetch.sanitize import sanitize_html

LOLS = "".join(
    f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
).replace("&lol0;", "lol")
BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY lol0 "lol">{LOLS}]>
<rss version="2.0"><channel><title>&lol9;</title><link>http://example.com/</link>
<item><title>Bomb &lol9;</title><description>&lol9;</description>
<link>http://example.com/1</link></item></channel></rss>""".encode()

QUADRATIC = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "'
    + "x" * 50_000
    + '">]><rss version="2.0"><channel><title>q</title><item><title>t</title><description>'
    + "&big;" * 20_000
    + "</description></item></channel></rss>"
).encode()


def _everything(feed: ParsedFeed) -> str:
    """All text the parser produced, to search for leaks."""
    parts = [feed.title, feed.link]
    for e in feed.entries:
        parts += [e.title, e.summary, e.content, e.link, e.guid, e.author, *e.categories]
    return "\n".join(parts)


def _external_entity_feed(tmp_path: Path) -> bytes:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "LEAKED-FROM-DTD">')
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY xxe SYSTEM "{secret.as_uri()}">
  <!ENTITY % ext SYSTEM "{dtd.as_uri()}"> %ext;
]>
<rss version="2.0"><channel><title>XXE &xxe;</title>
<item><title>t &xxe; &leak;</title><description>&xxe; &leak;</description>
<link>http://example.com/1</link></item></channel></rss>""".encode()


def test_billion_laughs_is_not_expanded():
    start = time.perf_counter()
    feed = parse_feed(BILLION_LAUGHS)
    assert time.perf_counter() - start < 2
    assert "lollol" not in _everything(feed)
    assert len(feed.entries) == 1


def test_billion_laughs_lxml_parser_does_not_expand():
    """Our lxml parser either rejects the bomb (libxml2's amplification limit) or keeps
    the references unexpanded; the fast path does not even try (DOCTYPE)."""
    start = time.perf_counter()
    try:
        root = etree.fromstring(BILLION_LAUGHS, _xml_parser())
    except etree.XMLSyntaxError as exc:
        assert "amplification" in str(exc)
    else:
        assert "lollol" not in etree.tostring(root, encoding="unicode")
    assert time.perf_counter() - start < 2
    with pytest.raises(NotSure):
        parse_fast(BILLION_LAUGHS)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_entity_bombs_in_utf16_and_utf32(codec):
    for bomb in (BILLION_LAUGHS, QUADRATIC):
        text = bomb.decode().replace('version="1.0"?>', f'version="1.0" encoding="{codec}"?>')
        if "encoding" not in text:
            text = f'<?xml version="1.0" encoding="{codec}"?>' + text
        start = time.perf_counter()
        feed = parse_feed(text.encode(codec), content_type=f"text/xml; charset={codec}")
        assert time.perf_counter() - start < 5
        assert "lollol" not in _everything(feed) and "x" * 1000 not in _everything(feed)


def test_utf16_feed_reads_like_utf8():
    doc = '<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>Ça</title>'
    doc += "<item><title>Ünïcödé</title></item></channel></rss>"
    feed = parse_feed(doc.encode("utf-16"), content_type="application/xml; charset=utf-16")
    assert (feed.parser, feed.title, feed.entries[0].title) == ("fast", "Ça", "Ünïcödé")


def test_quadratic_blowup_is_defused_on_feedparser_path():
    start = time.perf_counter()
    feed = parse_with_feedparser(QUADRATIC)
    assert time.perf_counter() - start < 5
    assert "x" * 1000 not in _everything(feed)


def test_defuse_entities_strips_declarations_only():
    out = defuse_entities(BILLION_LAUGHS)
    assert b"<!ENTITY" not in out
    assert out.endswith(BILLION_LAUGHS[BILLION_LAUGHS.index(b"<rss") :])


TRICKY_SUBSETS = [
    b'<!DOCTYPE rss [<!ENTITY a "]>"><!ENTITY b "<i>bomb</i>">]>',
    b"<!DOCTYPE rss [<!-- ]> --><!ENTITY a 'x]>y'>]>",
    b'<!DOCTYPE rss SYSTEM "a]>.dtd" [<!ENTITY a "&#60;">]>',
    b'<!DOCTYPE rss [<!ENTITY a "x">]><!DOCTYPE rss [<!ENTITY b "y">]>',
]


@pytest.mark.parametrize("doctype", TRICKY_SUBSETS)
def test_doctype_scan_is_not_fooled_by_quotes_or_comments(doctype):
    doc = b'<?xml version="1.0"?>\n<!-- hi -->' + doctype + b"<rss><channel/></rss>"
    out = strip_doctype(doc)
    assert out == b'<?xml version="1.0"?>\n<!-- hi --><rss><channel/></rss>'


def test_old_netscape_rss_keeps_html_entities():
    """With the DOCTYPE on the XML declaration's line, feedparser alone keeps it and
    expat then drops &eacute; silently; we strip it so the entities decode."""
    doc = b"""<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD \
RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>N</title><item><title>It&eacute;m</title>
<link>http://x.example/2</link><description>caf&eacute; &amp; cr&egrave;me</description>
</item></channel></rss>"""
    entry = parse_feed(doc).entries[0]
    assert entry.title == "Itém"
    assert "café" in entry.summary and "crème" in entry.summary
    plain = (
        doc.replace(b"It&eacute;m", b"Plain")
        .replace(b"caf&eacute; ", b"")
        .replace(b"cr&egrave;me", b"cream")
    )
    feed = parse_feed(plain)
    assert feed.parser == "fast" and feed.entries[0].title == "Plain"


def test_external_entities_are_never_resolved(tmp_path):
    data = _external_entity_feed(tmp_path)
    for feed in (parse_feed(data), parse_with_feedparser(data)):
        text = _everything(feed)
        assert "TOP-SECRET" not in text
        assert "LEAKED" not in text
    root = etree.fromstring(data, _xml_parser())
    assert "TOP-SECRET" not in etree.tostring(root, encoding="unicode")


def test_feedparser_itself_does_not_resolve_external_entities(tmp_path):
    """feedparser strips DOCTYPE entities and turns off external entities in expat."""
    d = feedparser.parse(_external_entity_feed(tmp_path))
    text = repr(d.feed) + repr(d.entries)
    assert "TOP-SECRET" not in text
    assert "LEAKED" not in text


def test_feedparser_itself_survives_billion_laughs():
    start = time.perf_counter()
    d = feedparser.parse(BILLION_LAUGHS)
    assert time.perf_counter() - start < 5
    assert "lollol" not in repr(d.entries)


def test_bytes_naming_a_local_file_are_not_read(tmp_path):
    """feedparser.parse(bytes) opens the file the bytes name; we must never do that."""
    local = tmp_path / "local.xml"
    local.write_bytes(b'<rss version="2.0"><channel><title>LOCAL FILE</title></channel></rss>')
    with pytest.raises(FeedParseError):
        parse_feed(str(local).encode())
    with pytest.raises(FeedParseError):
        parse_with_feedparser(str(local).encode())


def test_no_network_for_external_dtd():
    data = b"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/never.dtd">
<rss version="2.0"><channel><title>T</title><item><title>A</title></item></channel></rss>"""
    start = time.perf_counter()
    feed = parse_feed(data)
    assert time.perf_counter() - start < 2
    assert [e.title for e in feed.entries] == ["A"]


EVIL_HTML = """<p onclick="steal()">Hello <b>world</b></p>
<script>alert('x')</script><style>body{display:none}</style>
<img src="http://example.com/a.png" onerror="alert(1)" onload="alert(2)">
<a href="javascript:alert(3)">js link</a> <a href="JaVaScRiPt:alert(4)">js2</a>
<a href="/relative">rel</a>
<iframe src="http://evil.example/"></iframe><form action="/x"><input name="q"></form>
<object data="x.swf"><embed src="x.swf"></object>
<svg onload="alert(5)"></svg><table><tr><td>cell</td></tr></table>
<pre><code>code()</code></pre><blockquote>quote</blockquote><h2>Head</h2>
<figure><img src="http://example.com/b.png" alt="b"><figcaption>Cap</figcaption></figure>
<ul><li>one</li></ul>"""


BANNED = ["<script", "<style", "<iframe", "<form", "<object", "<embed", "<input", "onclick"]
BANNED += ["onerror", "onload", "javascript:", "alert(", "display:none"]
KEPT = [
    "<b>world</b>",
    "<table>",
    "<td>cell</td>",
    "<pre><code>code()</code></pre>",
    "<h2>Head</h2>",
]
KEPT += ["<blockquote>quote</blockquote>", "<figure>", "<figcaption>", "<li>one</li>"]
KEPT += ['src="http://example.com/a.png"']


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_script_and_handlers_are_removed(fmt):
    body = EVIL_HTML.replace("&", "&amp;").replace("<", "&lt;")
    if fmt == "rss":
        doc = f"""<rss version="2.0"><channel><title>T</title><item><title>I</title>
        <link>/item</link><description>{body}</description></item></channel></rss>"""
    else:
        doc = f"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry>
        <title>I</title><link href="/item"/><content type="html">{body}</content></entry></feed>"""
    feed = parse_feed(doc.encode(), url="http://example.com/feed")
    entry = feed.entries[0]
    html = entry.summary + entry.content
    lowered = html.lower()
    for bad in BANNED:
        assert bad not in lowered, bad
    for good in KEPT:
        assert good in html, good
    assert 'href="http://example.com/relative"' in html
    assert entry.link == "http://example.com/item"


def test_sanitizer_on_feedparser_path_too():
    body = EVIL_HTML.replace("&", "&amp;").replace("<", "&lt;")
    doc = f"""<rss version="2.0"><channel><title>T</title><item><title>I &nbsp;</title>
    <description>{body}</description></item></channel></rss>"""  # &nbsp; -> ill-formed
    feed = parse_feed(doc.encode())
    assert feed.parser == "feedparser"
    lowered = feed.entries[0].summary.lower()
    assert "<script" not in lowered and "onerror" not in lowered and "javascript:" not in lowered
    assert "<b>world</b>" in feed.entries[0].summary


@pytest.mark.parametrize("fast", [True, False])
def test_script_links_are_dropped(fast):
    doc = b"""<rss version="2.0"><channel><title>T</title><link>javascript:alert(1)</link>
    <item><title>I</title><link> JavaScript:alert(2)</link><comments>data:text/html,x</comments>
    <enclosure url="file:///etc/passwd" type="audio/mpeg"/></item></channel></rss>"""
    feed = parse_fast(doc) if fast else parse_with_feedparser(doc)
    entry = feed.entries[0]
    assert (feed.link, entry.link, entry.comments_url, entry.enclosures) == ("", "", "", [])


def test_self_closed_iframe_does_not_swallow_the_rest():
    out = sanitize_html('<p>a</p><iframe src="http://x/"/><p>after</p>')
    assert "after" in out and "iframe" not in out


ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x9b31m\x00\x08"


def test_control_characters_removed_from_titles():
    # literal C0 controls are not XML: the document takes the feedparser path
    doc = (
        '<rss version="2.0"><channel><title>Feed\x1b[31m</title><item>'
        f"<title>Evil{ESCAPES} title</title><author>a\x1b@b.c (Bad\x07 Guy)</author>"
        f"<category>cat\x1b[0m</category><description>body{ESCAPES}</description>"
        "</item></channel></rss>"
    ).encode()
    feed = parse_feed(doc)
    entry = feed.entries[0]
    for text in (feed.title, entry.title, entry.author, entry.summary, *entry.categories):
        assert not any(ord(c) < 32 and c not in "\n\t" for c in text), repr(text)
        assert not any(0x7F <= ord(c) <= 0x9F for c in text), repr(text)
    assert entry.title.startswith("Evil")


def test_escaped_control_references_removed_on_fast_path():
    # &#x9b; (C1 CSI) is legal XML; &amp;#27; only becomes ESC once the HTML is decoded
    doc = b"""<rss version="2.0"><channel><title>F&#x9b;31m</title><item>
    <title>A &amp;#27;[31m &amp;amp; B</title>
    <description>x &amp;#27;[2J &amp;#x9b;1m y</description></item></channel></rss>"""
    feed = parse_feed(doc)
    assert feed.parser == "fast"
    entry = feed.entries[0]
    for text in (feed.title, entry.title, entry.summary):
        assert "\x1b" not in text and "\x9b" not in text, repr(text)
    assert entry.title == "A [31m & B"


def test_titles_are_plain_text_with_whitespace_collapsed():
    doc = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">&lt;b&gt;My&lt;/b&gt;
    feed</title><entry><title type="html">Tom &amp;amp; &lt;i&gt;Jerry&lt;/i&gt;
    &lt;script&gt;x()&lt;/script&gt;</title><id>urn:1</id></entry></feed>"""
    feed = parse_feed(doc)
    assert feed.title == "My feed"
    assert feed.entries[0].title == "Tom & Jerry"


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><head><title>x</title></head><body><p>hi</p></body></html>",
        b'\n<html lang="en"><body>not a feed',
        b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
        b'<?xml version="1.0"?><!-- c --><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html><body/></html>',
        b"\xef\xbb\xbf  <HTML><BODY>shouting</BODY></HTML>",
    ],
)
def test_html_page_is_refused(data):
    with pytest.raises(FeedParseError, match="looks like an HTML page"):
        parse_feed(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty document"),
        (b"  \n\t ", "empty document"),
        (b'<?xml version="1.0"?><foo><bar/></foo>', "XML root <foo>"),
        (b"\x00\x01\x02 binary junk", "not a feed"),
        (b'{"hello": "world"}', "not a feed"),
        (b"[1, 2", "not a feed"),
    ],
)
def test_not_a_feed(data, message):
    with pytest.raises(FeedParseError, match=message):
        parse_feed(data)


def test_prolog_scans_do_not_backtrack_through_the_document():
    """A miss must cost the prolog only, not a rescan of a big body full of '?>'."""
    doc = b'<?xml version="1.0"?><!-- c --><rss version="2.0"><channel><title>T</title>'
    doc += b"<item><title>a ?> b --> c</title></item>" * 50_000 + b"</channel></rss>"
    start = time.perf_counter()
    for _ in range(10):
        assert find_doctype(doc) is None
        strip_doctype(doc)
    assert time.perf_counter() - start < 0.5
    start = time.perf_counter()
    assert len(parse_feed(doc).entries) == 50_000
    assert time.perf_counter() - start < 10
