"""Snapshot tests: how the app looks at a fixed size, on fixed data, at a fixed time.

The demo's dates are moved so its newest article is an hour older than
FROZEN_NOW, the clocks behind ages and article dates are frozen there and the
time zone is UTC, so the pictures never drift. After an intended change of
looks, review the report and run ``pytest tests/ui/test_snapshots.py
--snapshot-update``.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

import termnews.reader.header as header_module
import termnews.ui.format as format_module
from termnews.demo import DemoHome
from termnews.paths import home_paths
from termnews.services import NewsService
from termnews.storage.articles import shift_dates
from termnews.ui.app import TermnewsApp
from termnews.ui.loading import STATE_LAST
from termnews.ui.themes import STATE_KEY

FROZEN_NOW = 1_764_000_000  # Mon 24 Nov 2025 16:00 UTC
WIDE = (120, 40)
NARROW = (80, 24)
THEMES = ["termnews-dark", "termnews-light", "termnews-high-contrast", "termnews-newsprint"]


class FrozenTime:
    """The ``time`` module with ``time()`` stopped at one instant."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Ages and dates as seen at FROZEN_NOW in UTC."""
    module: ModuleType
    for module in (format_module, header_module):
        monkeypatch.setattr(module, "time", FrozenTime(FROZEN_NOW))
    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old_tz is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old_tz
    time.tzset()


@pytest.fixture(scope="module")
def frozen_demo_seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo cache with its newest article one hour before FROZEN_NOW."""
    demo = DemoHome.create()
    target = tmp_path_factory.mktemp("frozen-demo") / "home"
    shutil.copytree(demo.root, target)
    demo.cleanup()
    service = NewsService(home_paths(target))
    newest = service.articles(limit=1)[0].sort_date
    shift_dates(service.conn, FROZEN_NOW - 3600 - newest)
    service.close()
    yield target


@pytest.fixture
def frozen_demo(frozen_demo_seed: Path, tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(frozen_demo_seed, root)
    return root


def demo_app(root: Path) -> TermnewsApp:
    return TermnewsApp(DemoHome(root).service)


def with_reading_state(root: Path, theme: str | None = None) -> None:
    """The Circuit's headlines shown, some read, some starred, so every kind of row shows."""
    service = NewsService(home_paths(root))
    feed = next(f for f in service.feeds() if f.title == "The Circuit")
    ids = [a.id for a in service.articles(str(feed.id), limit=6)]
    service.mark(ids[1:3], read=True)
    service.mark([ids[2], ids[4]], starred=True)
    service.set_state(STATE_LAST, {"view": f"feed:{feed.id}"})
    if theme is not None:
        service.set_state(STATE_KEY, theme)
    service.close()


async def settle(pilot: Pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def still_inputs(pilot: Pilot) -> None:
    """Stop text cursors blinking, so the picture does not depend on the moment."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def open_first_article(pilot: Pilot) -> Any:
    async def run() -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    return run()


def test_main_layout(snap_compare: Any, frozen_demo: Path) -> None:
    with_reading_state(frozen_demo)
    assert snap_compare(demo_app(frozen_demo), terminal_size=WIDE, run_before=open_first_article)


def test_narrow_layout_reading(snap_compare: Any, frozen_demo: Path) -> None:
    assert snap_compare(demo_app(frozen_demo), terminal_size=NARROW, run_before=open_first_article)


def test_welcome_screen_on_first_run(snap_compare: Any, isolated_home: Path) -> None:
    app = TermnewsApp(lambda: NewsService(home_paths(isolated_home)))

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await still_inputs(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_empty_feed(snap_compare: Any, isolated_home: Path) -> None:
    service = NewsService(home_paths(isolated_home))
    service.subscribe("http://127.0.0.1:9/quiet.xml", "A Quiet Feed", "Local")
    service.close()
    app = TermnewsApp(lambda: NewsService(home_paths(isolated_home)))

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def with_feed_errors(root: Path) -> None:
    """Two feeds whose last refresh failed ten minutes ago."""
    service = NewsService(home_paths(root))
    for feed, error in (
        ("MetroWire", "HTTP 503 Service Unavailable"),
        ("The Circuit", "not a feed: the server sent an HTML page"),
    ):
        service.conn.execute(
            "UPDATE feeds SET last_error = ?, last_status = 'error', last_attempt = ?"
            " WHERE title = ?",
            (error, FROZEN_NOW - 600, feed),
        )
    service.close()


def test_feed_errors_marked(snap_compare: Any, frozen_demo: Path) -> None:
    """Error marks in the feed panel and the count in the status bar."""
    with_feed_errors(frozen_demo)

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)

    assert snap_compare(demo_app(frozen_demo), terminal_size=WIDE, run_before=run_before)


def test_feed_errors_listed(snap_compare: Any, frozen_demo: Path) -> None:
    """E lists the failing feeds with their errors."""
    with_feed_errors(frozen_demo)

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)

    assert snap_compare(demo_app(frozen_demo), terminal_size=WIDE, run_before=run_before)


@pytest.mark.parametrize("theme", THEMES)
def test_theme(snap_compare: Any, frozen_demo: Path, theme: str) -> None:
    """Each shipped theme, chosen in an earlier run: unread, read, starred rows and links."""
    with_reading_state(frozen_demo, theme=theme)
    app = demo_app(frozen_demo)

    async def run_before(pilot: Pilot) -> None:
        assert pilot.app.theme == theme
        await open_first_article(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)
