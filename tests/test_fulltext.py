"""Full text of summary-only items: policy, background fetch over real HTTP, cache, errors."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from termnews.config import ConfigError, parse_config
from termnews.paths import resolve_paths
from termnews.reader.fulltext import looks_like_summary, wants_full_text
from termnews.services import NewsService

LONG_TEXT = " ".join(f"word{i}" for i in range(150))
ARTICLE_PAGE = """<!doctype html><html><head><title>Tide gauges go digital – Coast Post</title>
<meta name="author" content="Ana Reyes"><meta property="article:published_time"
content="2026-11-20T08:00:00Z"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Tide gauges go digital</h1>
<p>The harbour's century-old tide gauges were replaced this week by digital sensors that
report every minute, the port authority said on Friday, ending decades of paper charts.</p>
<p>Engineers spent three nights fitting the sensors between high tides. The old brass floats
will go to the maritime museum, where a curator said they would be shown next spring.</p>
<p>Readings will be published online within the month, and researchers at the university
plan to compare them with satellite measurements of sea level along the whole coast.</p>
<p>Fishing crews welcomed the change. "We used to phone the harbour office," one skipper
said, "now it will be on the phone in my pocket before I leave the quay."</p>
</article>
<div class="share"><a href="https://facebook.example/share">Share on Facebook</a></div>
<section class="related-posts"><h3>Related Articles</h3><ul>
<li><a href="/2026/11/sea-wall-repairs">Sea wall repairs to finish before winter storms</a></li>
<li><a href="https://other.example/ferry">Ferry timetable changes for the holidays</a></li>
</ul></section>
<div id="respond"><h3>Leave a Reply</h3><form><textarea placeholder="Please enter your comment!">
</textarea></form></div></body></html>"""


def rss_items(items: list[tuple[str, str, str, str]]) -> str:
    """RSS with items (guid, link, description, content:encoded)."""
    body = "".join(
        f"<item><guid>{g}</guid><title>Item {g}</title><link>{link}</link>"
        f"<description><![CDATA[{desc}]]></description>"
        + (f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else "")
        + "</item>"
        for g, link, desc, content in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Coast</title>'
        f"<link>http://example.org/</link>{body}</channel></rss>"
    )


def write_config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text, encoding="utf-8")


def service() -> NewsService:
    return NewsService(resolve_paths())


def by_guid(svc: NewsService) -> dict[str, int]:
    return {a.guid: a.id for a in svc.articles()}


# -- policy ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "summary", "expected"),
    [
        ("", "", True),
        ("", "<p>A short teaser.</p>", True),
        ("", f"<p>{LONG_TEXT}</p>", False),
        (f"<p>{LONG_TEXT}</p>", "", False),
        ("", f"<p>{LONG_TEXT} and then…</p>", True),
        ("", f"<p>{LONG_TEXT} [&#8230;]</p>", True),
        ("", f"<p>{LONG_TEXT}...</p>", True),
        ("", f'<p>{LONG_TEXT}</p><p><a href="/x">Read more</a></p>', True),
        ("", f"<p>{LONG_TEXT}</p><p>Continue reading →</p>", True),
        (f"<p>{LONG_TEXT}. Read more about tides in our archive.</p>", "", False),
    ],
)
def test_summary_detection(content: str, summary: str, expected: bool) -> None:
    assert looks_like_summary(content, summary) is expected


def test_policy_modes() -> None:
    long_html = f"<p>{LONG_TEXT}</p>"
    assert wants_full_text("auto", "https://x.example/a", "", "teaser")
    assert not wants_full_text("auto", "https://x.example/a", long_html, "")
    assert wants_full_text("always", "https://x.example/a", long_html, "")
    assert not wants_full_text("never", "https://x.example/a", "", "teaser")
    assert not wants_full_text("always", "", "", "teaser")  # nothing to fetch
    assert not wants_full_text("always", "javascript:alert(1)", "", "teaser")


def test_reader_config_validates_modes_and_per_feed_overrides() -> None:
    config = parse_config(
        '[reader]\nfull_text = "never"\n[reader.feeds."http://a.example/feed"]\n'
        'full_text = "always"\n'
    )
    assert config.reader.full_text_for("http://a.example/feed") == "always"
    assert config.reader.full_text_for("http://b.example/feed") == "never"
    with pytest.raises(ConfigError, match=r'reader.full_text: expected "auto" \| "always"'):
        parse_config('[reader]\nfull_text = "sometimes"\n', "cfg")
    with pytest.raises(ConfigError, match=r'reader.feeds."u".full_text: expected'):
        parse_config('[reader.feeds."u"]\nfull_text = "yes"\n', "cfg")
    with pytest.raises(ConfigError, match=r"reader\.max_page_mb: expected a number > 0"):
        parse_config("[reader]\nmax_page_mb = 0\n", "cfg")


# -- fetching over real HTTP -------------------------------------------------------------------
def test_refresh_fetches_summary_items_once_and_failures_keep_the_feed_text(
    server, isolated_home: Path
) -> None:
    write_config(isolated_home, "[reader]\npage_deadline = 1.0\nmax_page_mb = 0.2\n")
    html = {"Content-Type": "text/html; charset=utf-8"}
    page = server.add("/article", ARTICLE_PAGE, headers=html)
    server.add("/gone", b"", status=404)
    server.add("/slow", ARTICLE_PAGE, headers=html, delay=3.0)
    server.add("/huge", "<html><body>" + "<p>x</p>" * 100_000 + "</body></html>", headers=html)
    server.add("/pdf", b"%PDF-1.4 binary", headers={"Content-Type": "application/pdf"})
    server.add("/empty", "<html><body><nav>Home</nav></body></html>", headers=html)
    full = server.add("/full", ARTICLE_PAGE, headers=html)
    items = [
        (g, server.url(f"/{g}"), "<p>Tide gauges replaced. Read more</p>", "")
        for g in ("article", "gone", "slow", "huge", "pdf", "empty")
    ]
    items.append(("full", server.url("/full"), "teaser", f"<p>{LONG_TEXT}</p>"))
    feed = server.add("/feed", rss_items(items))
    svc = service()
    svc.subscribe(server.url("/feed"))
    started = time.monotonic()
    summary = svc.refresh()
    assert time.monotonic() - started < 2.9  # the slow page was given up, not waited out
    assert summary.failed == [] and summary.new_articles == 7
    ids = by_guid(svc)

    good = svc.article_body(svc.article(ids["article"]))
    assert good.from_page and good.note == ""
    assert "brass floats will go to the maritime museum" in good.html
    for junk in ("Share on Facebook", "Related Articles", "Leave a Reply", "Please enter"):
        assert junk not in good.html
    cached = svc.full_text(ids["article"])
    assert cached is not None and cached.ok and cached.meta["author"] == "Ana Reyes"
    assert cached.meta["title"] == "Tide gauges go digital"
    assert {r["url"] for r in cached.related} == {
        server.url("/2026/11/sea-wall-repairs"),
        "https://other.example/ferry",
    }

    reasons = {
        "gone": "HTTP 404 Not Found",
        "slow": "(reader.page_deadline)",
        "huge": "larger than the 0.2 MB limit (reader.max_page_mb)",
        "pdf": "the page is not HTML (application/pdf)",
        "empty": "no article text found on the page",
    }
    for guid, reason in reasons.items():
        body = svc.article_body(svc.article(ids[guid]))
        assert not body.from_page
        assert body.html == "<p>Tide gauges replaced. Read more</p>"  # the feed's text stays
        assert body.note.startswith("Full text unavailable: ") and reason in body.note
        assert "\n" not in body.note
    assert full.hits == 0  # the item with full content needs no page
    assert not svc.article_body(svc.article(ids["full"])).from_page

    feed.body = rss_items([(g, link, d + " (edited)", c) for g, link, d, c in items])
    svc.refresh()  # edits re-consider failed pages, but a page extracted once is kept
    assert page.hits == 1
    assert svc.article_body(svc.article(ids["article"])).from_page


def test_cached_full_text_reads_offline_and_read_full_refetches(server) -> None:
    html = {"Content-Type": "text/html"}
    page = server.add("/article", ARTICLE_PAGE, headers=html)
    server.add("/feed", rss_items([("a", server.url("/article"), "Teaser…", "")]))
    svc = service()
    svc.subscribe(server.url("/feed"))
    svc.refresh()
    article = svc.article(by_guid(svc)["a"])
    del server.routes["/article"]  # offline from now on: the page is gone
    assert svc.article_body(article).from_page
    forced = svc.article_body(article, full=True)  # fails, but keeps the good copy
    assert forced.from_page and page.hits == 1
    assert forced.note.startswith("Full text: the copy saved ")
    assert forced.note.endswith("(fetching it again failed: HTTP 404 Not Found)")
    server.routes["/article"] = page
    assert svc.article_body(article, full=True).from_page and page.hits == 2


def test_policy_never_and_per_feed_always(server, isolated_home: Path) -> None:
    html = {"Content-Type": "text/html"}
    server.add("/p1", ARTICLE_PAGE, headers=html)
    p2 = server.add("/p2", ARTICLE_PAGE, headers=html)
    server.add("/f1", rss_items([("a", server.url("/p1"), "teaser", "")]))
    server.add("/f2", rss_items([("b", server.url("/p2"), "teaser", f"<p>{LONG_TEXT}</p>")]))
    write_config(
        isolated_home,
        f'[reader]\nfull_text = "never"\n[reader.feeds."{server.url("/f2")}"]\n'
        'full_text = "always"\n',
    )
    svc = service()
    svc.subscribe(server.url("/f1"))
    svc.subscribe(server.url("/f2"))
    svc.refresh()
    ids = by_guid(svc)
    assert server.routes["/p1"].hits == 0
    assert not svc.article_body(svc.article(ids["a"])).from_page
    assert p2.hits == 1 and svc.article_body(svc.article(ids["b"])).from_page
    # --full works whatever the policy
    assert svc.article_body(svc.article(ids["a"]), full=True).from_page


def test_read_full_of_an_item_without_a_link_says_so(server) -> None:
    server.add("/feed", rss_items([("x", "", "<p>Only a teaser…</p>", "")]))
    svc = service()
    svc.subscribe(server.url("/feed"))
    svc.refresh()
    body = svc.article_body(svc.article(by_guid(svc)["x"]), full=True)
    assert not body.from_page and body.html == "<p>Only a teaser…</p>"
    assert body.note == "Full text unavailable: the item links to no web page"


def test_refresh_async_does_not_wait_for_pages(server) -> None:
    html = {"Content-Type": "text/html"}
    server.add("/article", ARTICLE_PAGE, headers=html, delay=1.0)
    server.add("/feed", rss_items([("a", server.url("/article"), "teaser", "")]))
    svc = service()
    svc.subscribe(server.url("/feed"))

    async def run() -> tuple[float, bool, bool]:
        started = time.monotonic()
        summary = await svc.refresh_async()
        took = time.monotonic() - started
        article = svc.article(summary.changed_ids[0])
        before = svc.article_body(article).from_page
        await svc.wait_full_texts()
        return took, before, svc.article_body(article).from_page

    took, before, after = asyncio.run(run())
    assert took < 0.9 and not before and after
    assert svc.last_full_text is not None and len(svc.last_full_text.fetched) == 1


def test_cli_refresh_then_read_shows_full_text_and_why_not(server, cli) -> None:
    html = {"Content-Type": "text/html"}
    server.add("/article", ARTICLE_PAGE, headers=html)
    server.add("/feed", rss_items([
        ("a", server.url("/article"), "<p>Teaser about tides…</p>", ""),
        ("b", server.url("/gone"), "<p>Another teaser…</p>", ""),
    ]))  # fmt: skip
    assert cli("add", "--no-refresh", server.url("/feed")).code == 0
    refresh = cli("refresh")
    assert refresh.code == 0  # a page that fails does not fail the refresh
    assert refresh.out.splitlines()[-1].startswith("Full text: 1 page extracted, 1 failed in ")
    arts = {a["guid"]: a["id"] for a in json.loads(cli("articles", "--json").out)["articles"]}
    good = cli("read", str(arts["a"]))
    assert good.code == 0 and "brass floats will go to the maritime museum" in good.out
    bad = cli("read", str(arts["b"]))
    assert bad.code == 0 and "Another teaser" in bad.out
    assert "Full text unavailable: HTTP 404 Not Found" in bad.out
