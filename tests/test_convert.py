"""The HTML converter: structure, links, whitespace, escaping, demo articles, header, CLI."""

from __future__ import annotations

import html as htmllib
import random
import re
from datetime import UTC, datetime, timedelta, timezone

import lxml.html
import pytest
from markdown_it import MarkdownIt

from termnews.reader.convert import MAX_NEST, Rendered, convert, to_plain
from termnews.reader.header import article_header, human_size, reading_time, relative_age
from termnews.storage.records import Article

# The Markdown parser configuration Textual's Markdown widget uses.
MD = MarkdownIt("gfm-like")


def md_text(markdown: str) -> str:
    """What a Markdown viewer shows (text only), failing on raw HTML getting through."""
    out: list[str] = []
    for tok in MD.parse(markdown):
        assert tok.type not in ("html_block", "html_inline"), tok
        if tok.type in ("fence", "code_block"):
            out.append(tok.content)
        elif tok.children is not None:
            for c in tok.children:
                assert c.type != "html_inline", c
                if c.type in ("text", "code_inline"):
                    out.append(c.content)
                elif c.type in ("softbreak", "hardbreak"):
                    out.append(" ")
                elif c.type == "image":
                    out.append(c.content)
            out.append(" ")
    return norm("".join(out))


def md_tokens(markdown: str) -> list[str]:
    types: list[str] = []
    for tok in MD.parse(markdown):
        types.append(tok.type)
        types.extend(c.type for c in tok.children or [])
    return types


def norm(text: str) -> str:
    return " ".join(text.split())


def body(rendered: Rendered) -> str:
    """The plain text without its link list."""
    return rendered.plain(None).split("\n\nLinks:\n")[0]


# -- structure -----------------------------------------------------------------------
def test_blocks_become_markdown_structure() -> None:
    r = convert(
        "<h1>Head</h1><h3>Sub</h3><p>A <em>b</em> <strong>c</strong> <del>d</del> <code>e()</code>"
        "</p><ul><li>one<ul><li>inner</li></ul></li><li>two</li></ul><ol start='3'><li>x</li>"
        "<li>y</li></ol><blockquote><p>q1</p><p>q2</p></blockquote><pre class='language-py'>"
        "def f():\n    return 1</pre><hr><table><tr><th>K</th><th>V</th></tr><tr><td>a</td>"
        "<td>1</td></tr></table><p>line<br>break</p>"
    )
    md = r.markdown
    assert md.startswith("# Head\n\n### Sub\n\n")
    assert "A *b* **c** ~~d~~ `e()`" in md
    assert "- one\n  - inner\n- two" in md
    assert "3. x\n4. y" in md
    assert "> q1\n>\n> q2" in md
    assert "```py\ndef f():\n    return 1\n```" in md
    assert "\n---\n" in md
    assert "| K | V |\n|---|---|\n| a | 1 |" in md
    assert "line\\\nbreak" in md
    tokens = md_tokens(md)
    for t in (
        "heading_open",
        "em_open",
        "strong_open",
        "s_open",
        "code_inline",
        "bullet_list_open",
        "ordered_list_open",
        "blockquote_open",
        "fence",
        "hr",
        "table_open",
        "hardbreak",
    ):
        assert t in tokens, t
    assert tokens.count("bullet_list_open") == 2  # the inner list is nested, not merged


def test_text_is_the_body_alone() -> None:
    r = convert(
        '<p>See <a href="https://x.org/a">the report</a>.</p><p><img src="/i.png" alt="Cat"></p>'
        "<ol><li>first</li><li>second</li></ol><table><tr><td>c1</td><td>c2</td></tr></table>"
    )
    assert r.text == "See the report.\n\nfirst\nsecond\n\nc1 c2"
    assert "[" not in r.text and "Links" not in r.text


def test_plain_wraps_and_lists_links() -> None:
    words = " ".join(f"word{i}" for i in range(60))
    r = convert(
        f'<p>{words} <a href="/more">read more</a></p><ul><li>{words}</li></ul>',
        "https://ex.org/a/",
    )
    out = r.plain(40)
    text, links = out.split("\n\nLinks:\n")
    assert links == "[1] https://ex.org/more"
    assert all(len(line) <= 40 for line in text.splitlines())
    assert "read more [1]" in norm(text)
    assert re.search(r"more\n\[1\]", text) is None  # a reference stays with its word
    assert "\n- word0" in "\n" + text.split("\n\n")[1]
    assert "\n  word" in text.split("\n\n")[1]  # list items hang-indented
    assert to_plain(r, 40) == out
    assert convert("<p>x</p>", width=30).plain() == convert("<p>x</p>").plain(30)


def test_nested_lists_and_loose_items() -> None:
    r = convert(
        "<ul><li><p>a</p><p>b</p></li><li>c<ol><li>d<ul><li>e</li></ul></li></ol></li></ul>"
    )
    assert md_text(r.markdown) == "a b c d e"
    tokens = md_tokens(r.markdown)
    assert tokens.count("bullet_list_open") == 2 and tokens.count("ordered_list_open") == 1
    assert "- c\n  1. d\n     - e" in r.markdown


def test_adjacent_lists_stay_apart() -> None:
    r = convert("<ul><li>a</li></ul><ul><li>b</li></ul><ol><li>c</li></ol><ol><li>d</li></ol>")
    tokens = md_tokens(r.markdown)
    assert tokens.count("bullet_list_open") == 2
    assert tokens.count("ordered_list_open") == 2


def test_deep_structure_is_capped_for_the_viewer() -> None:
    html = "<ul><li>x" * 30 + "deep" + "</li></ul>" * 30
    r = convert(html)
    assert md_text(r.markdown) == norm("x " * 30 + "deep").replace("x deep", "xdeep")
    assert md_tokens(r.markdown).count("bullet_list_open") == MAX_NEST
    quotes = convert("<blockquote>" * 30 + "<p>inside <em>it</em></p>" + "</blockquote>" * 30)
    assert md_text(quotes.markdown) == "inside it"


def test_code_keeps_backticks_and_whitespace() -> None:
    r = convert("<p>Use <code>a `b` c</code> and <code>`x`</code></p><pre>x = '```'\n\n  y</pre>")
    assert md_text(r.markdown) == norm("Use a `b` c and `x` x = '```' y")
    fence = next(t for t in MD.parse(r.markdown) if t.type == "fence")
    assert fence.content == "x = '```'\n\n  y\n"


def test_tables_escape_pipes_and_span_columns() -> None:
    r = convert(
        "<table><thead><tr><th>a|b</th><th colspan=2>wide</th></tr></thead>"
        "<tr><td><code>x|y</code></td><td>1</td><td>2</td></tr></table>"
    )
    cells = [c.content for t in MD.parse(r.markdown) if t.children for c in t.children]
    assert cells == ["a|b", "wide", "x|y", "1", "2"]
    assert "a|b | wide" in r.plain(80)


def test_layout_tables_read_as_blocks() -> None:
    r = convert("<table><tr><td><h2>Title</h2><p>Body text.</p></td></tr></table>")
    assert "table_open" not in md_tokens(r.markdown)
    assert r.markdown == "## Title\n\nBody text."


def test_wide_table_in_plain_text_becomes_records() -> None:
    cell = "long cell text " * 5
    r = convert(
        f"<table><tr><th>Name</th><th>Note</th></tr><tr><td>A</td><td>{cell}</td></tr></table>"
    )
    out = r.plain(40)
    assert "Name: A" in out and "Note: long cell text" in out
    assert all(len(line) <= 40 for line in out.splitlines())


# -- links, images, URLs ---------------------------------------------------------------
def test_links_are_numbered_once_and_absolute() -> None:
    r = convert(
        '<base href="https://cdn.ex.org/dir/"><p><a href="a.html">one</a> <a href="/b">two</a> '
        '<a href="a.html">again</a> <a href="#top">top</a> <a href="javascript:alert(1)">js</a> '
        '<a href="data:text/html,x">data</a> <a href="mailto:x@ex.org">mail</a> '
        '<a href=" https://o.org/ x ">spaces</a></p>',
        "https://ex.org/post/",
    )
    assert r.links == [
        "https://cdn.ex.org/dir/a.html",
        "https://cdn.ex.org/b",
        "mailto:x@ex.org",
        "https://o.org/x",
    ]
    assert md_text(r.markdown) == "one [1] two [2] again [1] top js data mail [3] spaces [4]"


def test_relative_urls_use_base_url_without_base_tag() -> None:
    r = convert('<a href="../x">x</a><img src="i.png" alt="pic">', "https://ex.org/a/b/")
    assert r.links == ["https://ex.org/a/x", "https://ex.org/a/b/i.png"]


def test_images_become_placeholders_with_numbered_urls() -> None:
    r = convert(
        '<p><img src="/cat.jpg" alt="A [cat]"> <img src="data:image/gif;base64,AAAA" '
        'data-src="/lazy.jpg" alt="lazy"> <img src="/pixel.gif" width="1" height="1">'
        ' <a href="/big.jpg"><img src="/small.jpg" alt="thumb"></a> <img alt="no src"></p>',
        "https://ex.org/",
    )
    assert r.links == [
        "https://ex.org/cat.jpg",
        "https://ex.org/lazy.jpg",
        "https://ex.org/big.jpg",
    ]
    shown = md_text(r.markdown)
    assert shown == "[image: A [cat]] [1] [image: lazy] [2] [image: thumb] [3] [image: no src]"
    assert body(r) == shown
    assert r.text == ""  # images are not body text


def test_media_and_figures() -> None:
    r = convert(
        '<figure><img src="/p.jpg" alt="Harbour"><figcaption>The harbour at dawn</figcaption>'
        '</figure><video src="/v.mp4" title="Launch"></video><audio><source src="/a.mp3">'
        "Your browser cannot play audio</audio>",
        "https://ex.org/",
    )
    assert r.links == ["https://ex.org/p.jpg", "https://ex.org/v.mp4", "https://ex.org/a.mp3"]
    assert "*The harbour at dawn*" in r.markdown
    assert "[video: Launch] [2]" in body(r) and "[audio] [3]" in body(r)
    assert "browser" not in r.text


def test_link_wrapping_blocks_numbers_its_first_text() -> None:
    r = convert('<a href="https://ex.org/story"><h3>Story title</h3><p>Teaser</p></a>')
    assert r.markdown == "### Story title \\[1\\]\n\nTeaser"
    assert r.links == ["https://ex.org/story"]


# -- whitespace and entities ---------------------------------------------------------------
def test_whitespace_is_tidy() -> None:
    r = convert(
        "<div>\n\n<p>  a\n\n  b  </p>\n\n\n<p></p><p>&nbsp;</p><div><div>\n</div></div>"
        "<p>c&amp;d &lt;e&gt; &eacute; &#x263A;</p>\n\n</div>"
    )
    for out in (r.markdown, r.text, r.plain(78)):
        assert "\n\n\n" not in out
        assert out == out.strip()
        assert not any(line != line.rstrip() for line in out.splitlines())
    assert r.text == "a b\n\nc&d <e> é ☺"
    assert md_text(r.markdown) == "a b c&d <e> é ☺"


def test_inline_spacing_follows_html() -> None:
    r = convert("<p>a<em> b </em>c <strong>d</strong>e<span> </span>f</p>")
    assert r.text == "a b c de f"
    assert r.markdown == "a *b* c **d**e f"


def test_empty_and_plain_inputs() -> None:
    for html in ("", "   ", "<p></p>", "<script>x</script>", "<!-- c -->"):
        r = convert(html)
        assert (r.markdown, r.text, r.links, r.plain(78)) == ("", "", [], "")
    assert convert("just text & more").text == "just text & more"
    assert convert('<?xml version="1.0" encoding="utf-8"?><p>x</p>').text == "x"


# -- escaping: what the page says is what the reader shows ------------------------------
TRICKY = [
    "[bold red]x[/]",
    "**not bold**",
    "*a*",
    "_u_",
    "`tick`",
    "<b>tag</b>",
    "&amp; &lt;",
    "# not a heading",
    "- not a list",
    "+ plus",
    "1. not ordered",
    "2) nor this",
    "> no quote",
    "| a | b |",
    "~~no strike~~",
    "[link](https://ex.org)",
    "![img](x.png)",
    "<https://ex.org>",
    "\\[escaped\\]",
    "back\\slash\\",
    "===",
    "---",
    "***",
    "    indented",
    "a_b_c",
    "2*3*4",
    "[^1]",
    "$x$",
    "C# and F#",
    "#hashtag",
    "x<y>z",
    "&copy;",
    "&#65;",
    "\\",
    "``",
    "*",
]


@pytest.mark.parametrize("s", TRICKY)
def test_page_text_shows_literally(s: str) -> None:
    for wrap, expect in (
        ("<p>{}</p>", "{}"),
        ("<h2>{}</h2>", "{}"),
        ("<ul><li>{}</li></ul>", "{}"),
        ("<blockquote><p>{}</p></blockquote>", "{}"),
        ("<p>x <em>{}</em> y</p>", "x {} y"),
        ("<p><strong>{}</strong>z</p>", "{}z"),
        ('<p><a href="https://ex.org/">{}</a></p>', "{} [1]"),
        ("<table><tr><td>{}</td><td>k</td></tr></table>", "{} k"),
        ("<p>a<br>{}</p>", "a {}"),
        ("<p><code>{}</code></p>", "{}"),
    ):
        r = convert(wrap.format(htmllib.escape(s)))
        assert md_text(r.markdown) == norm(expect.format(s)), (wrap, r.markdown)
        assert norm(r.text) == norm(expect.format(s).replace(" [1]", ""))


def test_random_punctuation_round_trips() -> None:
    rng = random.Random(7)
    alphabet = "ab *_`[]<>|~&#\\!-+=.()7:'/" + "\u00a0é"  # no "1": "[1]" is the link
    wrappers = [
        "{}",
        "<em>{}</em>",
        "<strong>{}</strong>",
        "<del>{}</del>",
        "<code>{}</code>",
        "<em>x{}</em>y",
        "<b><i>{}</i></b>",
        "<a href='/l'>{}</a>",
    ]
    for _ in range(400):
        parts = []
        for _ in range(rng.randint(1, 4)):
            s = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
            parts.append(rng.choice(wrappers).format(htmllib.escape(s)))
        html = "<p>" + "".join(parts) + "</p>"
        r = convert(html, "https://ex.org/")
        expected = norm(lxml.html.fragment_fromstring(html).text_content())
        shown = md_text(r.markdown).replace(" [1]", "").replace("[1]", "")
        assert shown.replace(" ", "") == expected.replace(" ", ""), (html, r.markdown)
        assert norm(r.text) == expected, html


def _random_document(rng: random.Random) -> str:
    alphabet = "ab *_`[]<>|~&#\\!-+=.()7:'/\u00a0é\n\t"
    inline = [
        "{}",
        "<em>{}</em>",
        "<strong>{}</strong>",
        "<code>{}</code>",
        "<a href='/l'>{}</a>",
        "{}<br>",
        "<span>{}</span>",
        "<del>{}</del>",
    ]
    blocks = [
        "<p>{}</p>",
        "<h2>{}</h2>",
        "<ul><li>{}</li><li>{}</li></ul>",
        "<ol start=3><li>{}</li></ol>",
        "<blockquote>{}</blockquote>",
        "<table><tr><td>{}</td><td>{}</td></tr></table>",
        "<div>{}</div>",
        "{}",
    ]

    def text() -> str:
        return htmllib.escape("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))))

    def inlines(depth: int = 0) -> str:
        return "".join(
            rng.choice(inline).replace(
                "{}", inlines(depth + 1) if depth < 2 and rng.random() < 0.3 else text(), 1
            )
            for _ in range(rng.randint(1, 3))
        )

    def block(depth: int = 0) -> str:
        out = ""
        for _ in range(rng.randint(1, 3)):
            t = rng.choice(blocks)
            while "{}" in t:
                t = t.replace(
                    "{}", block(depth + 1) if depth < 3 and rng.random() < 0.3 else inlines(), 1
                )
            out += t
        return out

    return block()


def test_random_documents_round_trip() -> None:
    """Nested blocks, emphasis, code and links around punctuation: the viewer shows
    every character of the page text, and no Markdown of the page's own."""
    rng = random.Random(11)
    for _ in range(300):
        html = _random_document(rng)
        r = convert(html, "https://ex.org/")
        expected = "".join(
            lxml.html.fragment_fromstring(html, create_parent="div").text_content().split()
        )
        shown = "".join(md_text(r.markdown).split()).replace("[1]", "")
        assert shown == expected, (html, r.markdown)
        assert "".join(r.text.split()) == expected, html


def test_emphasis_that_cannot_flank_is_dropped_not_garbled() -> None:
    r = convert('<p>a<em>"quoted"</em>b and <strong> spaced </strong>!</p>')
    assert md_text(r.markdown) == 'a"quoted"b and spaced !'
    assert "*" not in md_text(r.markdown)


# -- the demo articles, as a reader sees them -----------------------------------------------
@pytest.fixture(scope="module")
def demo_articles() -> list[Article]:
    from termnews.demo import DemoHome

    home = DemoHome.create()
    try:
        service = home.service()
        articles = service.articles()
        service.close()
        return articles
    finally:
        home.cleanup()


def test_demo_articles_convert_cleanly(demo_articles: list[Article]) -> None:
    assert len(demo_articles) >= 40
    for a in demo_articles:
        source = a.content or a.summary
        r = convert(source, a.link)
        visible = lxml.html.fragment_fromstring(source, create_parent="div").text_content()
        # all the body text, in order, and nothing else
        assert "".join(r.text.split()) == "".join(visible.split()), a.title
        for out in (r.markdown, r.text, r.plain(78)):
            assert "\n\n\n" not in out
            assert re.search(r"</?[a-z][a-z0-9]*[ >/]", out) is None, (a.title, out)
            assert re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", out, re.I) is None
        assert all(u.startswith(("https://", "http://", "mailto:")) for u in r.links)
        numbers = {int(n) for n in re.findall(r"\\\[(\d+)\\\]", r.markdown)}
        assert numbers == set(range(1, len(r.links) + 1)), a.title
        assert r.truncated is None


def test_converting_in_threads_gives_the_same_results(demo_articles: list[Article]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def render(a: Article) -> tuple[str, str, list[str]]:
        r = convert(a.content or a.summary, a.link)
        return r.markdown, r.plain(60), r.links

    expected = [render(a) for a in demo_articles]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(render, demo_articles)) == expected


def test_demo_rich_article_has_every_kind_of_block(demo_articles: list[Article]) -> None:
    tokens: set[str] = set()
    for a in demo_articles:
        tokens.update(md_tokens(convert(a.content or a.summary, a.link).markdown))
    for t in (
        "heading_open",
        "bullet_list_open",
        "ordered_list_open",
        "blockquote_open",
        "table_open",
        "fence",
        "code_inline",
        "em_open",
        "strong_open",
    ):
        assert t in tokens, t


# -- the header ----------------------------------------------------------------------------
def _article(**kw: object) -> Article:
    base = dict(
        id=1,
        feed_id=1,
        guid="g",
        link="https://ex.org/a",
        title="T",
        author="",
        published=None,
        updated=None,
        summary="",
        content="",
        read=False,
        starred=False,
        first_seen=0,
        sort_date=0,
    )
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def test_header_holds_all_metadata() -> None:
    tz = timezone(timedelta(hours=1), "CET")
    published = int(datetime(2026, 11, 26, 19, 21, tzinfo=UTC).timestamp())
    a = _article(
        title="Ferries arrive",
        author="Dana Roe",
        published=published,
        comments_count=12,
        categories=["Transport", "transport", "Harbour"],
        enclosures=[
            {"url": "https://ex.org/ep.mp3", "type": "audio/mpeg", "length": 38420112},
            {"url": "javascript:alert(1)", "type": "video/mp4"},
        ],
    )
    h = article_header(a, "Harbour Times", words=700, now=published + 3 * 3600 + 5, tz=tz)
    assert h.lines == [
        "Ferries arrive",
        "Harbour Times · by Dana Roe",
        "Thu 26 Nov 2026 20:21 CET (3 hours ago) · 4 min read · 12 comments",
        "Tags: Transport, Harbour",
        "https://ex.org/a",
        "Audio: https://ex.org/ep.mp3 (audio/mpeg, 36.6 MB)",
    ]
    assert h.links == ["https://ex.org/ep.mp3"]
    assert h.markdown.startswith("# Ferries arrive\n\n**Harbour Times** · by Dana Roe\\\n")
    assert "[ep.mp3](<https://ex.org/ep.mp3>)" in h.markdown
    assert md_text(h.markdown).startswith("Ferries arrive Harbour Times · by Dana Roe Thu 26 Nov")


def test_header_without_optional_fields() -> None:
    h = article_header(_article(title="", link=""), "")
    assert h.lines == ["(untitled)"]
    assert h.markdown == "# (untitled)"


def test_header_defaults_to_the_articles_feed_title() -> None:
    h = article_header(_article(feed_title="Green Ledger", comments_count=1))
    assert h.lines[1:3] == ["Green Ledger", "1 comment"]


def test_header_escapes_hostile_fields() -> None:
    a = _article(
        title="[bold red]x[/] **y** <b>z</b>\x1b[31m",
        author="`e`\x07",
        categories=["#tag"],
        feed_title="[link=x]f[/]",
    )
    h = article_header(a)
    assert h.lines[0] == "[bold red]x[/] **y** <b>z</b>"
    assert md_text(h.markdown).startswith("[bold red]x[/] **y** <b>z</b> [link=x]f[/] · by `e`")
    assert "#tag" in md_text(h.markdown)
    assert "\x1b" not in h.markdown and "\x07" not in h.text


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (5, "just now"),
        (61, "1 minute ago"),
        (7200, "2 hours ago"),
        (86400 * 3, "3 days ago"),
        (86400 * 15, "2 weeks ago"),
        (86400 * 65, "2 months ago"),
        (86400 * 800, "2 years ago"),
        (-7200, "in 2 hours"),
    ],
)
def test_relative_age(delta: int, words: str) -> None:
    assert relative_age(1_000_000_000 - delta, 1_000_000_000) == words


def test_reading_time_and_sizes() -> None:
    assert reading_time(1) == "1 min read"
    assert reading_time(230) == "1 min read"
    assert reading_time(231) == "2 min read"
    assert human_size(512) == "512 bytes"
    assert human_size(2048) == "2.0 KB"


# -- the command line ----------------------------------------------------------------------
def test_read_prints_header_body_and_links(cli) -> None:
    listing = cli("--demo", "articles", "--json")
    import json

    articles = json.loads(listing.out)["articles"]
    podcast = next(a for a in articles if a["enclosures"])
    result = cli("--demo", "read", str(podcast["id"]), "--keep-unread")
    assert result.code == 0, result.err
    out = result.out
    head, rest = out.split("\n\n", 1)
    assert head.splitlines()[0] == podcast["title"]
    assert " min read" in head and "ago)" in head
    assert "Audio: https://" in head
    assert "\nLinks:\n[1] https://" in rest
    assert "<" not in rest.split("\nLinks:\n")[0]
    as_json = cli("--demo", "read", str(podcast["id"]), "--json")
    assert json.loads(as_json.out)["article"]["content"].startswith("<")
