"""Pilot tests: refresh with progress and errors, a UI that never waits, first run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pilot_helpers import run, settle, wait_for

from termnews.paths import home_paths
from termnews.services import NewsService
from termnews.ui.app import TermnewsApp
from termnews.ui.screens.errors import FeedErrorsScreen
from termnews.ui.screens.welcome import WelcomeScreen

SIZE = (120, 40)


def feed_xml(title: str, items: list[str]) -> str:
    body = "".join(
        f"<item><guid>{t}</guid><title>{t}</title><link>http://example.org/{t}</link>"
        f"<description>&lt;p&gt;About {t}&lt;/p&gt;</description>"
        f"<pubDate>Wed, 25 Nov 2026 10:0{i}:00 GMT</pubDate></item>"
        for i, t in enumerate(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://example.org/</link>{body}</channel></rss>"
    )


def factory(home: Path):
    return lambda: NewsService(home_paths(home))


def test_refresh_shows_progress_new_articles_and_failures(server, isolated_home: Path) -> None:
    server.add("/good.xml", feed_xml("Good news", ["one", "two"]))
    server.add("/bad.xml", "oops", status=500)
    seed = NewsService(home_paths(isolated_home))
    good = seed.subscribe(server.url("/good.xml"), "Good news")
    seed.subscribe(server.url("/bad.xml"), "Broken feed")
    seed.close()

    async def scenario() -> None:
        app = TermnewsApp(factory(isolated_home))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            assert screen.headlines.row_count == 0
            await pilot.press("R")
            await settle(pilot)
            await wait_for(pilot, lambda: not screen.refreshing)
            await settle(pilot)
            assert "2 feeds" in screen.status.activity
            assert "1 failed" in screen.status.error and "Broken feed" in screen.status.error
            assert screen.headlines.row_count == 2
            broken = next(r for r in screen.feed_panel.rows if r.label == "Broken feed")
            assert broken.error
            assert next(r for r in screen.feed_panel.rows if r.feed_id == good.id).unread == 2
            await pilot.press("E")
            await pilot.pause()
            assert isinstance(app.screen, FeedErrorsScreen)
            assert [f.title for f in app.screen.feeds] == ["Broken feed"]
            await pilot.press("escape")
            assert app.screen is screen

    run(scenario)


def test_keys_work_while_a_slow_refresh_runs(server, isolated_home: Path) -> None:
    server.add("/fast.xml", feed_xml("Fast", [f"item{i}" for i in range(8)]))
    server.add("/slow.xml", feed_xml("Slow", ["late"]), delay=3.0)
    seed = NewsService(home_paths(isolated_home))
    seed.subscribe(server.url("/fast.xml"), "Fast")
    seed.refresh()
    seed.subscribe(server.url("/slow.xml"), "Slow")
    seed.close()

    async def scenario() -> None:
        app = TermnewsApp(factory(isolated_home))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            await pilot.press("R")
            await wait_for(pilot, lambda: screen.status.activity.startswith("Refreshing"))
            started = time.perf_counter()
            await pilot.press("j", "j", "j")
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.article is not None)
            assert time.perf_counter() - started < 1.5
            assert screen.refreshing  # the slow feed is still being fetched
            assert screen.article.article.title == screen.headlines.row(3).title
            await wait_for(pilot, lambda: not screen.refreshing, timeout=15)

    run(scenario)


def test_first_run_offers_a_welcome_and_adds_a_feed(server, isolated_home: Path) -> None:
    server.add("/feed.xml", feed_xml("Fresh", ["alpha", "beta", "gamma"]))

    async def scenario() -> None:
        app = TermnewsApp(factory(isolated_home))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, WelcomeScreen)
            await pilot.press(*server.url("/feed.xml"))
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is app.main)
            await settle(pilot)
            screen = app.main
            assert [r.label for r in screen.feed_panel.rows if r.kind == "feed"] == ["Fresh"]
            assert screen.headlines.row_count == 3

    run(scenario)


def test_first_run_imports_opml(server, isolated_home: Path, tmp_path: Path) -> None:
    server.add("/a.xml", feed_xml("Feed A", ["a1"]))
    server.add("/b.xml", feed_xml("Feed B", ["b1", "b2"]))
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        f'<outline type="rss" text="Feed A" xmlUrl="{server.url("/a.xml")}"/>'
        f'<outline type="rss" text="Feed B" xmlUrl="{server.url("/b.xml")}"/>'
        "</body></opml>"
    )

    async def scenario() -> None:
        app = TermnewsApp(factory(isolated_home))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, WelcomeScreen)
            app.screen.query_one("#welcome-opml").focus()
            await pilot.press(*str(opml), "enter")
            await wait_for(pilot, lambda: app.screen is app.main)
            await wait_for(pilot, lambda: app.main.feed_panel.rows[0].unread == 3)
            labels = [r.label for r in app.main.feed_panel.rows if r.kind == "feed"]
            assert labels == ["Feed A", "Feed B"]

    run(scenario)


def test_first_run_opens_the_demo(isolated_home: Path) -> None:
    async def scenario() -> None:
        app = TermnewsApp(factory(isolated_home))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, WelcomeScreen)
            await pilot.click("#welcome-demo")
            await wait_for(pilot, lambda: app.screen is app.main, timeout=20)
            await wait_for(pilot, lambda: app.main.headlines.row_count == 47)
            state["demo"] = app.demo.root
            assert app.main.feed_panel.rows[0].unread == 47

    state: dict[str, Path] = {}
    run(scenario)
    assert not state["demo"].exists()  # the app removes the demo it made
    assert NewsService(home_paths(isolated_home)).feeds() == []  # the user's cache is untouched


def test_auto_refresh_runs_on_its_interval(
    server, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = server.add("/feed.xml", feed_xml("Ticker", ["t1", "t2"]))
    seed = NewsService(home_paths(isolated_home))
    seed.subscribe(server.url("/feed.xml"), "Ticker")
    seed.close()
    (isolated_home / "config.toml").write_text("[ui]\nauto_refresh_minutes = 1\n")
    monkeypatch.setattr(TermnewsApp, "SECONDS_PER_MINUTE", 0.5)

    async def scenario() -> None:
        app = TermnewsApp(factory(isolated_home))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.main.headlines.row_count == 2, timeout=20)
            await wait_for(pilot, lambda: route.hits >= 2, timeout=20)  # and again

    run(scenario)
