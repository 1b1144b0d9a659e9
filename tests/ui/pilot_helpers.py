"""Helpers for driving the app in pilot tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from textual.pilot import Pilot
from textual.worker import WorkerFailed

from termnews.ui.app import TermnewsApp
from termnews.ui.screens.main import MainScreen


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    """Run an async test scenario."""
    asyncio.run(scenario())


async def settle(pilot: Pilot, rounds: int = 3) -> None:
    """Let workers finish and their messages be handled."""
    for _ in range(rounds):
        with contextlib.suppress(WorkerFailed):  # failures are shown by the app; tests check
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def main(app: TermnewsApp) -> MainScreen:
    return app.main


def rows_text(widget, count: int | None = None) -> list[str]:
    """The text of a Line API widget's visible lines."""
    height = widget.size.height if count is None else count
    return [widget.render_line(y).text for y in range(height)]


async def wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Pause until ``condition()`` holds (workers run meanwhile)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)
