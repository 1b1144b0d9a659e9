"""Pilot tests: layout, opening articles, moving around, marking, links, state."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import rows_text, run, settle, wait_for

from termnews.demo import DemoHome
from termnews.paths import home_paths
from termnews.services import NewsService
from termnews.storage.headlines import View
from termnews.ui.app import TermnewsApp
from termnews.ui.screens.help import HelpScreen
from termnews.ui.widgets.headline_list import HeadlineList
from termnews.ui.widgets.reader import ReaderPanel

SIZE = (120, 40)


def test_wide_layout_shows_feeds_headlines_reader_and_sidebar(demo: DemoHome) -> None:
    async def scenario() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            labels = [r.label for r in screen.feed_panel.rows]
            assert labels[:2] == ["All unread", "Starred"]
            assert {"MetroWire", "The Harbour Times", "The Circuit"} <= set(labels)
            assert screen.rows_key == "unread"
            assert screen.headlines.row_count == 47
            assert screen.has_class("-wide") and not screen.has_class("-narrow")
            for widget in (screen.feed_panel, screen.headlines, screen.reader, screen.related):
                assert widget.display and widget.region.width > 0
            first = rows_text(screen.feed_panel)[0]
            assert "All unread" in first and first.rstrip().endswith("47")
            headline = rows_text(screen.headlines)[0]
            assert "●" in headline and "Tessellate review" in headline
            assert screen.status.counts == "47 unread · 5 feeds"

    run(scenario)


def test_enter_opens_the_article_and_marks_it_read(demo: DemoHome, db: NewsService) -> None:
    async def scenario() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            first_id = screen.headlines.article_id(0)
            await pilot.press("enter")
            await settle(pilot)
            assert screen.article is not None and screen.article.article.id == first_id
            assert isinstance(app.focused, ReaderPanel)
            markdown = screen.article.markdown
            assert "Tessellate review" in markdown and "\\[1\\]" in markdown
            assert screen.article.links[0].startswith("https://")
            assert db.article(first_id).read  # persisted at once
            assert screen.headlines.row(0).read
            await wait_for(pilot, lambda: screen.feed_panel.rows[0].unread == 46)

    run(scenario)


def test_list_keys_move_the_cursor(demo: DemoHome) -> None:
    async def scenario() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            headlines = app.main.headlines
            assert isinstance(app.focused, HeadlineList)
            await pilot.press("j", "j", "down")
            assert headlines.cursor == 3
            await pilot.press("k", "up")
            assert headlines.cursor == 1
            await pilot.press("G")
            assert headlines.cursor == 46
            await pilot.press("g")
            assert headlines.cursor == 0
            await pilot.press("space")
            assert headlines.cursor > 10
            await pilot.press("b")
            assert headlines.cursor == 0
            await pilot.press("shift+tab")
            assert app.focused is app.main.feed_panel
            await pilot.press("tab")
            assert app.focused is headlines

    run(scenario)


def test_reader_keys_scroll_and_step_between_articles(demo: DemoHome) -> None:
    async def scenario() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            await pilot.press("enter")
            await settle(pilot)
            reader = screen.reader
            assert reader.max_scroll_y > 0
            await pilot.press("space")
            assert reader.scroll_y > 0
            await pilot.press("G")
            assert reader.scroll_y == reader.max_scroll_y
            await pilot.press("g")
            assert reader.scroll_y == 0
            await pilot.press("j")
            assert reader.scroll_y == 1
            second = screen.headlines.article_id(1)
            await pilot.press("J")
            await settle(pilot)
            assert screen.article.article.id == second and screen.headlines.cursor == 1
            await pilot.press("K")
            await settle(pilot)
            assert screen.headlines.cursor == 0
            await pilot.press("escape")
            assert isinstance(app.focused, HeadlineList)

    run(scenario)


def test_next_unread_crosses_into_the_next_feed(demo: DemoHome, db: NewsService) -> None:
    async def scenario() -> None:
        feeds = db.feeds()
        quayside = next(f for f in feeds if f.title.startswith("Quayside"))
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            screen.feed_panel.focus()
            index = screen.feed_panel.index_of(f"feed:{quayside.id}")
            screen.feed_panel.move_cursor(index)
            await settle(pilot)
            assert screen.rows_key == f"feed:{quayside.id}"
            for _ in range(quayside.unread):
                await pilot.press("n")
                await settle(pilot)
                assert screen.rows_key == f"feed:{quayside.id}"
            await pilot.press("n")
            await settle(pilot)
            next_feed = screen.feed_panel.rows[index + 2]  # past the "News" folder row
            assert screen.rows_key == next_feed.key
            assert screen.article.article.feed_id == next_feed.feed_id
            await pilot.press("p")
            await settle(pilot)
            assert screen.article.article.feed_id == next_feed.feed_id  # only read ones before

    run(scenario)


def test_toggle_read_and_star_persist(demo: DemoHome, db: NewsService) -> None:
    async def scenario() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            article_id = screen.headlines.article_id(2)
            await pilot.press("j", "j", "m")
            await settle(pilot)
            assert db.article(article_id).read and screen.headlines.row(2).read
            await pilot.press("m", "s")
            await settle(pilot)
            stored = db.article(article_id)
            assert not stored.read and stored.starred
            assert "★" in rows_text(screen.headlines)[2]
            await pilot.press("s")
            await settle(pilot)
            assert not db.article(article_id).starred

    run(scenario)


def test_mark_all_read_then_undo(demo: DemoHome, db: NewsService) -> None:
    async def scenario() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            assert len(db.view_ids(View(unread=True))) == 47
            await pilot.press("A")
            await settle(pilot)
            assert len(db.view_ids(View(unread=True))) == 0
            assert all(screen.headlines.row(i).read for i in range(10))
            await wait_for(pilot, lambda: screen.feed_panel.rows[0].unread == 0)
            await pilot.press("u")
            await settle(pilot)
            assert len(db.view_ids(View(unread=True))) == 47
            await wait_for(pilot, lambda: screen.feed_panel.rows[0].unread == 47)

    run(scenario)


def test_links_open_in_the_browser_and_copy(
    demo: DemoHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {opened}\n')
    browser.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(browser))

    async def scenario() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            await pilot.press("enter")
            await settle(pilot)
            view = screen.article
            assert view is not None and len(view.links) >= 1
            await pilot.press("1")
            await settle(pilot)
            await wait_for(pilot, lambda: opened.exists())
            await pilot.press("o")
            await settle(pilot)
            await wait_for(pilot, lambda: len(opened.read_text().splitlines()) == 2)
            assert opened.read_text().splitlines() == [view.links[0], view.article.link]
            await pilot.press("y")
            assert app.clipboard == view.article.link
            await pilot.press("9")  # the article has fewer links: a notice, nothing opens
            await settle(pilot)
            assert len(opened.read_text().splitlines()) == 2

    run(scenario)


def test_narrow_terminal_shows_one_pane_at_a_time(demo: DemoHome) -> None:
    async def scenario() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.main
            assert screen.has_class("-narrow")
            assert screen.headlines.region.width > 60
            assert screen.reader.region.width == 0 and screen.related.region.width == 0
            await pilot.press("enter")
            await settle(pilot)
            assert screen.reader.region.width > 60
            assert screen.headlines.region.width == 0
            await pilot.press("backslash")
            await pilot.pause()
            assert screen.related.region.width > 0
            await pilot.press("escape")
            await pilot.pause()
            assert screen.headlines.region.width > 0 and screen.reader.region.width == 0

    run(scenario)


def test_sidebar_toggles_on_a_wide_terminal(demo: DemoHome) -> None:
    async def scenario() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            related = app.main.related
            assert related.region.width > 0
            await pilot.press("backslash")
            await pilot.pause()
            assert related.region.width == 0
            await pilot.press("backslash")
            await pilot.pause()
            assert related.region.width > 0

    run(scenario)


def test_restart_returns_to_the_last_feed_and_article(demo: DemoHome, db: NewsService) -> None:
    circuit = next(f for f in db.feeds() if f.title == "The Circuit")

    async def first_run() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            screen.feed_panel.move_cursor(screen.feed_panel.index_of(f"feed:{circuit.id}"))
            await settle(pilot)
            await pilot.press("j", "j", "enter")
            await settle(pilot)
            state["article"] = screen.article.article.id

    async def second_run() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            assert screen.rows_key == f"feed:{circuit.id}"
            assert screen.feed_panel.current.key == f"feed:{circuit.id}"
            assert screen.headlines.cursor == 2
            assert screen.article is not None and screen.article.article.id == state["article"]

    state: dict[str, int] = {}
    run(first_run)
    run(second_run)


def test_mark_read_on_open_can_be_turned_off(demo: DemoHome) -> None:
    (demo.root / "config.toml").write_text("[ui]\nmark_read_on_open = false\n")

    def make() -> NewsService:
        return NewsService(home_paths(demo.root), transport=demo.service().transport)

    async def scenario() -> None:
        app = TermnewsApp(make)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            article_id = app.main.headlines.article_id(0)
            await pilot.press("enter")
            await settle(pilot)
            assert app.main.article.article.id == article_id
            with app.backend.shared() as service:
                assert not service.article(article_id).read

    run(scenario)


def test_help_lists_every_binding(demo: DemoHome) -> None:
    async def scenario() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            text = str(app.screen.query_one("#help-text").content)
            ids = [b.id for _, _, b in app.all_bindings()]
            assert len(ids) > 40 and all(ids)
            missing = [i for i in ids if i not in text]
            assert missing == []
            await pilot.press("escape")
            assert app.screen is app.main

    run(scenario)


def test_restart_reopens_the_last_article_even_when_read_since(demo: DemoHome) -> None:
    async def first_run() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("j", "enter")  # in All unread; opening marks it read
            await settle(pilot)
            state["article"] = app.main.article.article.id

    async def second_run() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            assert screen.rows_key == "unread" and screen.headlines.row_count == 46
            assert screen.article is not None and screen.article.article.id == state["article"]

    state: dict[str, int] = {}
    run(first_run)
    run(second_run)
