"""Pilot tests: the keymap from the config, and the command palette."""

from __future__ import annotations

from pilot_helpers import run, settle

from termnews.demo import DemoHome
from termnews.paths import home_paths
from termnews.services import NewsService
from termnews.ui.app import TermnewsApp

SIZE = (120, 40)


def _service_with_config(demo: DemoHome, config: str):
    (demo.root / "config.toml").write_text(config)
    transport = demo.service().transport
    return lambda: NewsService(home_paths(demo.root), transport=transport)


def test_keymap_rebinds_keys_by_binding_id(demo: DemoHome, db: NewsService) -> None:
    make = _service_with_config(demo, '[keymap]\n"article.star" = "x"\n"list.down" = "ctrl+n"\n')

    async def scenario() -> None:
        app = TermnewsApp(make)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.main
            await pilot.press("ctrl+n")
            assert screen.headlines.cursor == 1
            article_id = screen.headlines.article_id(1)
            await pilot.press("s")  # no longer bound
            await settle(pilot)
            assert not db.article(article_id).starred
            await pilot.press("x")
            await settle(pilot)
            assert db.article(article_id).starred
            assert app.key_for("article.star") == "x"

    run(scenario)


def test_unknown_keymap_ids_are_reported(demo: DemoHome) -> None:
    make = _service_with_config(demo, '[keymap]\n"article.stra" = "x"\n')

    async def scenario() -> None:
        app = TermnewsApp(make)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            messages = [n.message for n in app._notifications]
            assert any("article.stra" in m for m in messages)

    run(scenario)


def test_palette_offers_every_action_and_runs_them(demo: DemoHome, db: NewsService) -> None:
    async def scenario() -> None:
        app = TermnewsApp(demo.service)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            titles = {c.title for c in app.get_system_commands(app.main)}
            other_screens = {"Comment form", "Drafts"}  # their keys work on their own screens
            wanted = {
                b.description
                for where, _, b in app.all_bindings()
                if b.action != "command_palette" and where not in other_screens
            }
            assert wanted <= titles
            article_id = app.main.headlines.article_id(0)
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"Star")
            await pilot.pause(0.5)
            await pilot.press("enter")
            await settle(pilot)
            assert db.article(article_id).starred

    run(scenario)
