"""Hostile input: nothing from the network reaches the terminal raw, and no page can
make the converter hang or eat memory.

The small corpus lives in tests/fixtures/hostile/; the big inputs (50 MB, 10,000
levels, a million entities...) are generated here. Time limits are generous safety
bounds for a shared machine, not benchmarks.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from termnews.reader import convert as convert_module
from termnews.reader.convert import Rendered, convert
from termnews.reader.header import article_header
from termnews.storage.records import Article
from termnews.text import escape_markup, one_line, strip_controls, visible_controls

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
SAFE_SCHEMES = ("http://", "https://", "mailto:", "ftp://", "ftps://", "gopher://", "gemini://")


def read(name: str) -> str:
    return (HOSTILE / name).read_text(encoding="utf-8", errors="replace")


def outputs(r: Rendered) -> list[str]:
    return [r.markdown, r.text, r.plain(80), r.plain(None), *r.links]


def assert_clean(r: Rendered) -> None:
    for out in outputs(r):
        bad = CONTROLS.search(out)
        assert bad is None, f"control {bad.group()!r} in {out[:200]!r}"
    for url in r.links:
        assert url.startswith(SAFE_SCHEMES), url
        assert not any(c.isspace() for c in url), url


def shown(markdown: str) -> str:
    """The text a Markdown viewer (Textual's parser settings) shows."""
    parts: list[str] = []
    for tok in MarkdownIt("gfm-like").parse(markdown):
        assert tok.type not in ("html_block", "html_inline")
        if tok.type in ("fence", "code_block"):
            parts.append(tok.content)
        for child in tok.children or []:
            assert child.type != "html_inline"
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
        parts.append(" ")
    return " ".join("".join(parts).split())


# -- the corpus -----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE.glob("*.html")))
def test_corpus_outputs_are_clean(name: str) -> None:
    r = convert(read(name), "https://site.example/a/")
    assert_clean(r)
    assert r.text  # something readable is left


def test_escape_sequences_are_removed_whole() -> None:
    r = convert(read("escapes.html"), "https://site.example/")
    assert_clean(r)
    for out in (r.text, r.markdown, r.plain(80).split("Links:")[0]):
        # payloads of removed sequences do not linger as text
        for payload in (
            "[31m",
            "[2J",
            "]52;",
            "cm0gLXJm",
            "Y3VybCBl",
            "pwned title",
            "8;;https",
            "[5m",
            "[8m",
            "Pq#0",
        ):
            assert payload not in out, (payload, out)
    assert "Title with a colour change RED and a bell" in r.text
    assert "Raw CSI: screen cleared? and a cursor move up." in r.text
    assert "OSC 8 hyperlink: click me done." in r.text
    assert "Bidi override: txt.exe and isolate abc." in r.text
    assert r.links[1] == "https://ok.example/"  # &#27;[31m dropped from the URL
    # an unterminated OSC in a URL loses its ESC; the rest is inert text
    assert r.links[0] == "https://ok.example/8;;https://evil/"


def test_scripts_styles_frames_forms_and_handlers_never_survive() -> None:
    r = convert(read("active.html"), "https://site.example/a/")
    assert_clean(r)
    everything = "\n".join(outputs(r))
    for gone in (
        "SCRIPT TEXT",
        "STYLE TEXT",
        "NOSCRIPT",
        "TEMPLATE",
        "IFRAME",
        "FORM LABEL",
        "FORM VALUE",
        "TEXTAREA",
        "OPTION TEXT",
        "BUTTON TEXT",
        "SVG",
        "HIDDEN TEXT",
        "DISPLAY NONE",
        "DIALOG",
        "Not body text",
        "evil",
        "javascript",
        "vbscript",
        "data:",
        "file:",
        "alert",
        "onclick",
        "onerror",
        "onload",
    ):
        assert gone.lower() not in everything.lower(), gone
    assert r.links == ["https://ok.example/page", "https://site.example/a/x"]
    assert "Visible paragraph one." in r.text and "Visible paragraph two." in r.text
    assert "OBJECT FALLBACK" in r.text  # fallback text of an unwrapped <object> stays


def test_markup_in_page_text_shows_literally() -> None:
    r = convert(read("markup.html"))
    text = shown(r.markdown)
    for literal in (
        "[bold red]x[/] **not bold** __nor this__ `no code`",
        "[link=https://evil.example]click[/link] [@click=app.quit]quit[/]",
        "[$accent]accent[/] [b]bold[/b] \\[escaped] \\\\[double]",
        "# heading? * bullet? 1. number? > quote? | a | b | ~~strike~~",
        "![img](https://evil.example/x.png) [text](javascript:alert(1)) <https://auto.example>",
        "<script>alert(1)</script> <b>bold?</b> &amp; &lt;",
        "[bold]item[/bold]",
        "- nested marker",
        "[red]head[/]",
        "**cell**",
        "`tick`",
        "> [blink]quoted[/blink]",
    ):
        assert literal in text, literal
        assert literal in " ".join(r.plain(None).split())
    tokens = [t.type for t in MarkdownIt("gfm-like").parse(r.markdown)]
    assert "link_open" not in tokens and "image" not in tokens


def test_private_use_characters_cannot_pose_as_internal_markers() -> None:
    """The converter marks emphasis, breaks and code with private-use characters; a
    page sending them (raw or as entities) gets no styling, breaks or code spans."""
    raw = "".join(chr(c) for c in range(0xE000, 0xE030)) + chr(0xF760)
    html = f"<p>a &#xe010;b&#xe011; c&#xe000;d &#xe020;x&#xe021; {raw} e</p>"
    r = convert(html)
    assert r.markdown == r.text == "a b cd x e"


def test_broken_html_keeps_its_text() -> None:
    r = convert(read("broken.html"), "https://site.example/")
    assert_clean(r)
    for piece in (
        "Unclosed paragraph bold both",
        "Stray < less-than and a > greater-than",
        "cell one cell two",
        "row two",
        "nested",
        "block inside link",
        "with paragraph",
        "<b>xmp shows tags</b>",
        "End of document",
    ):
        assert piece in " ".join(r.text.split()), piece


def test_textual_markdown_widget_shows_markup_literally() -> None:
    """The real reader widget: Textual's Markdown, fed the converter's output."""
    from textual.app import App, ComposeResult
    from textual.widgets import Markdown
    from textual.widgets._markdown import MarkdownBlock

    r = convert(read("markup.html"))

    class Reader(App[None]):
        def compose(self) -> ComposeResult:
            yield Markdown(r.markdown)

    async def run() -> str:
        app = Reader()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            blocks = app.query_one(Markdown).query(MarkdownBlock)
            return " ".join(str(b.render()) for b in blocks)

    screen = " ".join(asyncio.run(run()).split())
    assert "[bold red]x[/] **not bold**" in screen
    assert "[link=https://evil.example]click[/link] [@click=app.quit]quit[/]" in screen
    assert "<script>alert(1)</script>" in screen


# -- terminal-safety helpers ------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\x1b[31mred\x1b[0m", "red"),
        ("a\x1b]8;;https://evil/\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),
        ("a\x1b]52;c;ZXZpbA==\x07b", "ab"),
        ("a\x9b2Jb", "ab"),
        ("a\x9d0;title\x9cb", "ab"),
        ("bell\x07 nul\x00 del\x7f", "bell nul del"),
        ("keep\ttabs\nand newlines", "keep\ttabs\nand newlines"),
        ("\u202etxt.exe\u202c", "txt.exe"),
        ("line\u2028sep", "line\nsep"),
        ("lone ESC at end \x1b", "lone ESC at end "),
        ("ESC with a final byte \x1bc (reset) \x1b(B", "ESC with a final byte  (reset) "),
        ("unterminated \x1b]52;c;AAAA", "unterminated 52;c;AAAA"),
    ],
)
def test_strip_controls(raw: str, clean: str) -> None:
    assert strip_controls(raw) == clean
    assert CONTROLS.search(one_line(raw)) is None


def test_visible_controls_shows_what_was_sent() -> None:
    assert visible_controls("a\x1b[31m\x07\x9b") == "a\u241b[31m\u2407<U+009B>"


@pytest.mark.parametrize(
    "s", ["[bold red]x[/]", "a\\[b]c", "\\[bold]x", "end\\", "[$accent]v", "[@click=app.quit]q"]
)
def test_escape_markup_round_trips_through_textual(s: str) -> None:
    from textual.content import Content

    assert Content.from_markup(escape_markup(s)).plain == s


def test_header_fields_are_safe() -> None:
    a = Article(
        id=1,
        feed_id=1,
        guid="g",
        link="javascript:alert(1)",
        title="\x1b]0;x\x07[b]T[/b]",
        author="A\x1b[2J",
        published=None,
        updated=None,
        summary="",
        content="",
        read=False,
        starred=False,
        first_seen=0,
        sort_date=0,
        categories=["\x9b31mC"],
        enclosures=[{"url": "https://ex.org/\x1b[31ma.mp3", "type": "audio/mpeg\x07"}],
        feed_title="F\u202e",
    )
    h = article_header(a)
    for out in (h.text, h.markdown, *h.links):
        assert CONTROLS.search(out) is None, out
    assert h.lines[0] == "[b]T[/b]"
    assert "javascript" not in h.text
    assert shown(h.markdown).startswith("[b]T[/b] F · by A")


# -- size, depth and time bounds ------------------------------------------------------------
def _timed(html: str, base: str = "https://ex.org/") -> tuple[Rendered, float]:
    start = time.perf_counter()
    r = convert(html, base)
    for _ in outputs(r):
        pass
    return r, time.perf_counter() - start


BIG_CASES = {
    "50 MB page": lambda: "<p>" + ("lorem ipsum dolor sit amet " * 40 + "</p><p>") * 45_000,
    "10,000 nested divs": lambda: "<div>" * 10_000 + "deep" + "</div>" * 10_000,
    "10,000 nested quotes": lambda: "<blockquote>" * 10_000 + "deep",
    "10,000 nested lists": lambda: "<ul><li>" * 10_000 + "deep",
    "10,000 nested inline": lambda: "<b><i><a href='/x'>" * 3_334 + "deep",
    "10,000 nested tables": lambda: "<table><tr><td>" * 10_000 + "deep",
    "a million entities": lambda: "<p>" + "&amp;&lt;&#x41;&eacute;" * 250_000 + "</p>",
    "a million encoded escapes": lambda: "<p>" + "&#27;[31mx" * 1_000_000 + "</p>",
    "a million elements": lambda: "<b>x</b>" * 1_000_000,
    "300,000 distinct links": lambda: "".join(f"<a href='/l{i}'>a</a> " for i in range(300_000)),
    "a 10 MB word": lambda: "<p>" + "a" * 10_000_000,
    "a 10 MB attribute": lambda: "<p title='" + "x" * 10_000_000 + "'>t</p>",
    "internal DTD entities": lambda: (
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><p>&c;&c;&c;&c;&c;</p>'
    ),
    "a million emphasis runs": lambda: "<p>" + "<em>a</em>*" * 1_000_000 + "</p>",
}


@pytest.mark.parametrize("case", list(BIG_CASES))
def test_big_and_deep_inputs_are_bounded(case: str) -> None:
    html = BIG_CASES[case]()
    r, seconds = _timed(html)
    assert seconds < 10, f"{case}: {seconds:.1f} s"
    assert_clean(r)
    assert len(r.text) <= 1.01 * convert_module.MAX_TEXT_CHARS  # plus block separators
    assert len(r.markdown) <= 4 * convert_module.MAX_TEXT_CHARS
    if len(html) > convert_module.MAX_INPUT_CHARS or html.count("<") > convert_module.MAX_TAGS:
        assert r.truncated, case
        assert r.truncated in r.plain(80) and "cut" in r.markdown
    if "nested" in case:
        assert r.truncated and "nesting" in r.truncated
        assert md_nesting(r.markdown) <= 20  # markdown-it's own limit (maxNesting)


@pytest.mark.parametrize(
    "open_tags", ["<div>", "<blockquote>", "<ul><li>", "<b><i>", "<table><tr><td>", "<ol><li><p>"]
)
def test_deep_text_within_the_parser_limit_is_kept_flat(open_tags: str) -> None:
    """libxml2 keeps 255 levels (deeper content never reaches the converter); what
    it keeps beyond MAX_DEPTH is read as flat text, in at most MAX_NEST levels."""
    levels = 250 // open_tags.count("<")
    r = convert(open_tags * levels + "deep <em>text</em>")
    assert r.text == "deep text"
    assert r.truncated == f"nesting deeper than {convert_module.MAX_DEPTH} levels flattened"
    assert shown(r.markdown) == f"deep text [{r.truncated}]"
    assert md_nesting(r.markdown) <= 20


def md_nesting(markdown: str) -> int:
    deepest = 0
    for tok in MarkdownIt("gfm-like").parse(markdown):
        deepest = max(deepest, tok.level)
    return deepest


def test_no_truncation_note_on_ordinary_articles() -> None:
    r = convert("<p>ordinary</p>" * 2_000)
    assert r.truncated is None and "cut" not in r.markdown


@pytest.mark.parametrize(
    "build",
    [
        "''.join(['<p>' + 'lorem ipsum ' * 200 + '</p>'] * 20_000)",  # 50 MB of text
        "''.join(['<b>x</b>'] * 1_000_000)",  # a million elements in 8 MB
        "''.join(['<p>&amp;&lt;&#65;'] * 1_000_000)",  # a million paragraphs of entities
    ],
)
def test_memory_stays_bounded(build: str) -> None:
    """Peak memory that converting adds, in a fresh process, beyond the input string.
    Unbounded, a million elements take over 400 MB of tree."""
    code = (
        "import resource\n"
        "from termnews.reader.convert import convert\n"
        f"html = {build}\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "r = convert(html); r.markdown; r.text; r.plain(78)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    grown_mb = int(out.stdout.strip())
    assert grown_mb < 150, f"converting grew the process by {grown_mb} MB"
