"""parse_feed on the real feeds in ../shared/data/feeds, checked against feedparser."""

from __future__ import annotations

import calendar
import dataclasses
import html
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import feedparser
import lxml.html
import pytest

from termnews.fetch.fastparse import parse_fast
from termnews.fetch.feedparser_path import parse_with_feedparser
from termnews.fetch.model import FeedParseError, ParsedFeed
from termnews.fetch.parse import parse_feed

FEEDS = Path(__file__).parents[2] / "shared" / "data" / "feeds"
if not FEEDS.is_dir():
    pytest.skip(f"feed corpus not found at {FEEDS}", allow_module_level=True)

FILES = sorted(p.name for p in FEEDS.iterdir() if p.suffix in (".xml", ".rss", ".atom", ".rdf"))
JSON_FILES = sorted(p.name for p in FEEDS.glob("*.json") if p.name != "MANIFEST.json")

# What the fast path declines (so feedparser parses it), and why.
FEEDPARSER_PATH = {
    "feedjira__GoogleDocsList.xml": "Atom content of type application/pdf",
    "feedjira__itunes.xml": "undeclared namespace prefix content:",
    "feedrs__rss_2.0_invalid_1.xml": "truncated (ill-formed) document",
    "miniflux__no_encoding_ISO-8859-1.xml": "says UTF-8, bytes are ISO-8859-1",
    "rssparser__reddit-atom.rss": "unescaped XHTML inside <description>",
    "rssparser__uolNoticias.rss": "says UTF-8, bytes are ISO-8859-1",
}
# Deliberate differences in the article text, per file.
KNOWN_BODY_DIFFS = {
    "feedjira__SamRuby.xml": "inline <svg> logos: nh3 drops SVG, feedparser keeps its <text>",
}
HTML_TYPES = ("text/html", "application/xhtml+xml")


@cache
def data(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


@cache
def reference(name: str) -> feedparser.FeedParserDict:
    return feedparser.parse(data(name))


@cache
def ours(name: str) -> ParsedFeed:
    return parse_feed(data(name))


def visible(value: str, content_type: str = "text/html") -> str:
    """The text a reader sees, without any whitespace (sanitizers differ in layout)."""
    if not value:
        return ""
    if content_type in HTML_TYPES:
        value = lxml.html.fragment_fromstring(value, create_parent="div").text_content()
    return "".join(value.split())


def words(value: str) -> str:
    return " ".join(value.split())


def ref_title(obj) -> str:
    title = obj.get("title", "")
    if (dict.get(obj, "title_detail") or {}).get("type") in HTML_TYPES:
        title = html.unescape(re.sub(r"<[^>]*>", "", title))
    return words(title)


def ref_bodies(e) -> list[str]:
    """feedparser's summary (unless it is a copy of the content) and first content."""
    out = []
    if "summary_detail" in e:
        out.append(visible(e.get("summary", ""), e["summary_detail"].get("type")))
    contents = dict.get(e, "content") or []
    if contents:
        out.append(visible(contents[0]["value"], contents[0].get("type")))
    return sorted(b for b in out if b)


def epoch(parsed) -> int | None:
    return calendar.timegm(parsed) if parsed else None


@pytest.mark.parametrize("name", FILES + JSON_FILES)
def test_parses_without_crashing(name):
    try:
        feed = ours(name)
    except FeedParseError:
        assert not reference(name).entries, "feedparser finds entries in it"
        return
    assert feed.parser in ("fast", "feedparser", "json")
    for entry in feed.entries:
        assert isinstance(entry.title, str) and isinstance(entry.content, str)


@pytest.mark.parametrize("name", FILES + JSON_FILES)
def test_parser_path(name):
    if name.endswith(".json"):
        expected = "json"
    else:
        expected = "feedparser" if name in FEEDPARSER_PATH else "fast"
    assert ours(name).parser == expected


@pytest.mark.parametrize("name", FILES)
def test_same_entries_as_feedparser(name):
    feed, ref = ours(name), reference(name)
    assert len(feed.entries) == len(ref.entries)
    assert feed.title == ref_title(ref.feed)
    for i, (mine, theirs) in enumerate(zip(feed.entries, ref.entries, strict=True)):
        where = f"entry {i}"
        assert words(mine.title) == ref_title(theirs), where
        assert mine.link == dict.get(theirs, "link", ""), where
        assert mine.guid == dict.get(theirs, "id", ""), where
        assert mine.published == epoch(dict.get(theirs, "published_parsed")), where
        assert mine.updated == epoch(dict.get(theirs, "updated_parsed")), where
        enclosures = [x["href"] for x in theirs.get("enclosures", [])]
        if enclosures:  # plus audio/video media:content when a feed has no enclosures
            assert [x.url for x in mine.enclosures] == enclosures, where
        terms = [words(t.get("term") or "") for t in theirs.get("tags", [])]
        assert mine.categories == [t for t in dict.fromkeys(terms) if t], where
        if name not in KNOWN_BODY_DIFFS:
            bodies = sorted(b for b in (visible(mine.summary), visible(mine.content)) if b)
            assert bodies == ref_bodies(theirs), where


@pytest.mark.parametrize("name", sorted(set(FILES) - set(FEEDPARSER_PATH)))
def test_fast_path_agrees_with_feedparser_path(name):
    fast, slow = parse_fast(data(name)), parse_with_feedparser(data(name))
    assert (fast.title, fast.link, fast.format) == (slow.title, slow.link, slow.format)
    assert len(fast.entries) == len(slow.entries)
    for i, (a, b) in enumerate(zip(fast.entries, slow.entries, strict=True)):
        for field in dataclasses.fields(a):
            x, y = getattr(a, field.name), getattr(b, field.name)
            if field.name in ("summary", "content"):  # XHTML is re-serialized differently
                x, y = visible(x), visible(y)
            assert x == y, f"entry {i} {field.name}"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("miniflux__encoding_ISO-8859-1.xml", ["wünschen", "Zünden", "für", "Entwickler"]),
        ("miniflux__encoding_WINDOWS-1251.xml", ["Цитата", "есть", "программер", "пользователей"]),
        ("miniflux__no_encoding_ISO-8859-1.xml", ["études", "très", "criminalité", "oisiveté"]),
        ("rssparser__uolNoticias.rss", ["simulações", "inquérito", "Pré"]),
    ],
)
def test_declared_and_undeclared_encodings(name, expected):
    feed = ours(name)
    text = " ".join(f"{e.title} {html.unescape(e.summary)} {e.content}" for e in feed.entries)
    for word in expected:
        assert word in text
    assert "Ã" not in text and "\ufffd" not in text  # no mojibake, no replacement chars


SURVEY_LINE = re.compile(r"^(\S+)\s+(\S+)\s+(\d)\s+(\S+)\s+(\d+)\s")


def survey() -> dict[str, int]:
    """Entry counts per file from SURVEY.txt (names there are cut at 47 characters)."""
    out = {}
    for line in (FEEDS / "SURVEY.txt").read_text(encoding="utf-8").splitlines()[1:]:
        m = SURVEY_LINE.match(line)
        if m:
            out[m.group(1)] = int(m.group(5))
    return out


@pytest.mark.parametrize("name", JSON_FILES)
def test_json_feeds(name):
    feed = ours(name)
    expected = next((n for key, n in survey().items() if name.startswith(key)), None)
    if name == "nnw__ScriptingNews.json":  # RSS-in-JSON: feedparser and SURVEY see nothing
        assert feed.format == "rss20-json" and len(feed.entries) == 50
    else:
        assert feed.format.startswith("json1")
        assert len(feed.entries) == expected
    assert feed.title
    for entry in feed.entries:
        assert entry.link.startswith(("http://", "https://"))
        assert entry.guid
        assert entry.content or entry.summary
        assert "<script" not in entry.content.lower()


def test_json_feed_fields():
    feed = ours("nnw__3960.json")
    entry = feed.entries[0]
    assert feed.format == "json1.1"
    assert feed.link == "https://journal.3960.org/"
    assert entry.title == "Lecker, lecker"
    assert entry.author == "Frank Boës"
    assert entry.published and entry.published > 1_500_000_000
    assert entry.content.startswith("<blockquote>")


XML_BASE_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.org/blog/">
  <title>Base</title><link href="/"/>
  <entry xml:base="posts/">
    <title>One</title><id>one</id><link href="one.html"/>
    <link rel="enclosure" href="../media/one.mp3" type="audio/mpeg" length="123"/>
    <updated>2024-05-01T10:00:00+02:00</updated>
    <content type="html" xml:base="http://cdn.example.net/x/">&lt;img src="pic.png"&gt;
      &lt;a href="../page"&gt;more&lt;/a&gt;</content>
  </entry>
  <entry><title>Two</title><id>http://example.org/2</id>
    <published>2024-05-02T10:00:00Z</published></entry>
</feed>"""


def test_relative_urls_resolved_like_feedparser():
    url = "http://example.org/feed.xml"
    feed = parse_feed(XML_BASE_FEED, url=url)
    ref = feedparser.parse(XML_BASE_FEED, response_headers={"content-location": url})
    assert feed.parser == "fast"
    assert feed.link == ref.feed.link == "http://example.org/"
    one, two = feed.entries
    assert one.link == ref.entries[0].link == "http://example.org/blog/posts/one.html"
    assert one.guid == ref.entries[0].id
    assert [(e.url, e.type, e.length) for e in one.enclosures] == [
        ("http://example.org/blog/media/one.mp3", "audio/mpeg", 123)
    ]
    assert 'src="http://cdn.example.net/x/pic.png"' in one.content
    assert 'href="http://cdn.example.net/page"' in one.content
    assert one.updated == 1714550400 and one.published is None
    assert two.link == "http://example.org/2"  # an Atom id doubles as the link
    assert two.published == 1714644000


def test_guids_do_not_depend_on_the_feed_url():
    doc = b"""<rss version="2.0"><channel><title>T</title><item><guid>42</guid></item>
    <item><guid>post-7</guid><link>/p/7</link></item></channel></rss>"""
    for url in ("", "http://a.example/feed", "https://b.example/x/rss"):
        fast, slow = parse_feed(doc, url=url), parse_with_feedparser(doc, url=url)
        assert [e.guid for e in fast.entries] == [e.guid for e in slow.entries] == ["42", "post-7"]
        assert [e.link for e in fast.entries] == [e.link for e in slow.entries]
    assert [e.link for e in fast.entries] == ["https://b.example/x/42", "https://b.example/p/7"]


def test_http_charset_overrides_like_feedparser():
    latin1 = '<rss version="2.0"><channel><title>Café</title><item><title>Crème brûlée</title>'
    latin1 += "</item></channel></rss>"
    feed = parse_feed(latin1.encode("iso-8859-1"), content_type="text/xml; charset=ISO-8859-1")
    assert (feed.title, feed.entries[0].title) == ("Café", "Crème brûlée")
    utf8 = latin1.replace("<rss", '<?xml version="1.0" encoding="utf-8"?><rss')
    feed = parse_feed(utf8.encode(), content_type="application/rss+xml; charset=utf-8")
    assert feed.parser == "fast" and feed.entries[0].title == "Crème brûlée"


def test_fast_path_does_not_import_feedparser():
    code = (
        "import sys\n"
        "from termnews.fetch.parse import parse_feed\n"
        f"feed = parse_feed({XML_BASE_FEED!r})\n"
        "assert feed.parser == 'fast', feed.parser\n"
        "assert 'feedparser' not in sys.modules\n"
    )
    src = str(Path(__file__).parents[1] / "src")
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": src})
