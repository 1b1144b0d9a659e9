"""Pilot tests: the related sidebar, search and saved searches, full text on demand."""

from __future__ import annotations

from pathlib import Path

from pilot_helpers import run, settle, wait_for

from termnews.demo import DemoHome
from termnews.paths import home_paths
from termnews.services import NewsService
from termnews.ui.app import TermnewsApp
from termnews.ui.widgets.reader import ReaderPanel

SIZE = (120, 40)


def test_related_sidebar_opens_an_article_and_back_returns(demo: DemoHome) -> None:
    async def scenario() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            await pilot.press("enter")
            await settle(pilot)
            first = screen.article.article.id
            await wait_for(pilot, lambda: bool(screen.related.items), timeout=20)
            assert first not in {i.article_id for i in screen.related.items}
            screen.related.focus()
            await pilot.press("w")  # why, on request
            assert screen.related.show_why
            assert all(item.why for item in screen.related.items)
            target = screen.related.items[1].article_id
            await pilot.press("down", "enter")
            await settle(pilot)
            assert screen.article.article.id == target
            assert isinstance(app.focused, ReaderPanel)
            await pilot.press("backspace")
            await settle(pilot)
            assert screen.article.article.id == first

    run(scenario)


def test_search_lists_matches_and_saved_searches_stay(demo: DemoHome) -> None:
    async def first_run() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            await pilot.press("slash")
            await pilot.press(*"barrier", "enter")
            await settle(pilot)
            assert screen.rows_key == "search:barrier"
            assert 3 <= screen.headlines.row_count <= 20
            titles = [screen.headlines.row(i).title for i in range(3)]
            assert any("barrier" in t.lower() for t in titles)
            await pilot.press("S")
            await settle(pilot)
            assert screen.searches == ["barrier"]

    async def second_run() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            keys = [r.key for r in app.main.feed_panel.rows]
            assert "search:barrier" in keys

    run(first_run)
    run(second_run)


def test_a_bad_search_says_why(demo: DemoHome) -> None:
    async def scenario() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            await pilot.press(*"feed:nosuchfeed war", "enter")
            await settle(pilot)
            assert "nosuchfeed" in app.main.status.error
            assert app.screen is app.main  # still running, the error shown

    run(scenario)


def test_f_fetches_the_full_article(server, isolated_home: Path) -> None:
    page = (
        "<html><head><title>Long story</title></head><body><nav>Home | News</nav>"
        "<article><h1>Long story</h1>"
        + "".join(
            f"<p>Paragraph {i} of the whole article, with enough words to count.</p>"
            for i in range(30)
        )
        + "</article><footer>Share this</footer></body></html>"
    )
    server.add("/story.html", page, headers={"Content-Type": "text/html; charset=utf-8"})
    server.add(
        "/feed.xml",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>'
        f"<item><guid>s1</guid><title>Long story</title><link>{server.url('/story.html')}</link>"
        "<description>A teaser…</description></item></channel></rss>",
    )
    (isolated_home).mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text('[reader]\nfull_text = "never"\n')
    seed = NewsService(home_paths(isolated_home))
    seed.subscribe(server.url("/feed.xml"))
    seed.refresh()
    seed.close()

    async def scenario() -> None:
        app = TermnewsApp(lambda: NewsService(home_paths(isolated_home)))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            await pilot.press("enter")
            await settle(pilot)
            assert "Paragraph 12" not in screen.article.markdown
            await pilot.press("f")
            await wait_for(pilot, lambda: screen.article.from_page, timeout=20)
            assert "Paragraph 12 of the whole article" in screen.article.markdown
            assert "Share this" not in screen.article.markdown

    run(scenario)
