"""Pilot tests: the virtual headline list on a big cache, and hostile text in rows."""

from __future__ import annotations

import time
from pathlib import Path

from pilot_helpers import rows_text, run, settle, wait_for

from termnews.paths import home_paths
from termnews.services import NewsService
from termnews.storage.db import transaction
from termnews.ui.app import TermnewsApp
from termnews.ui.loading import PAGE
from termnews.ui.widgets.headline_list import MAX_PAGES

SIZE = (120, 40)


def test_big_list_loads_only_what_it_shows(big_home) -> None:
    home: Path = big_home(30_000)

    async def scenario() -> None:
        started = time.perf_counter()
        app = TermnewsApp(lambda: NewsService(home_paths(home)))
        async with app.run_test(size=SIZE) as pilot:
            headlines = app.main.headlines
            await wait_for(pilot, lambda: headlines.row_count == 30_000)
            assert time.perf_counter() - started < 5  # a full list of widgets takes far longer
            await settle(pilot)
            assert rows_text(headlines)[0].split()[1:3] == ["Headline", "0"]
            assert sum(len(p) for p in headlines._pages.values()) <= 3 * PAGE
            await pilot.press("G")
            await settle(pilot)
            assert headlines.cursor == 29_999
            last = headlines.row(29_999)
            assert last is not None and last.title == "Headline 29999"
            for _ in range(60):
                await pilot.press("pageup")
            await settle(pilot)
            assert headlines.row(headlines.cursor) is not None
            assert len(headlines._pages) <= MAX_PAGES

    run(scenario)


def test_network_text_is_shown_literally(tmp_path: Path) -> None:
    home = tmp_path / "hostile"
    service = NewsService(home_paths(home))
    feed = service.subscribe("http://127.0.0.1:9/x.xml", "[red]Feed[/red] \x1b]52;c;aGk=\x07")
    with transaction(service.conn):
        service.conn.execute(
            """INSERT INTO articles (feed_id, key, title, content, first_seen, sort_date,
                   fingerprint) VALUES (?, 'k', ?, '<p>x</p>', 1, ?, '')""",
            (feed.id, "[bold red]Alert[/] \x1b[2J\x1b[31mred\x07 $(rm)", int(time.time())),
        )
    service.close()

    async def scenario() -> None:
        app = TermnewsApp(lambda: NewsService(home_paths(home)))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            row = rows_text(screen.headlines)[0]
            assert "[bold red]Alert[/]" in row and "red" in row
            assert "\x1b" not in row and "\x07" not in row
            feed_row = next(t for t in rows_text(screen.feed_panel) if "Feed" in t)
            assert "[red]Feed[/red]" in feed_row and "\x1b" not in feed_row
            await pilot.press("enter")
            await settle(pilot)
            assert "\x1b" not in screen.article.markdown

    run(scenario)
