"""End to end, as a person: the real ``termnews --demo`` in tmux, keys typed, the screen read.

tmux runs on a private socket with a fixed window size; ``send-keys`` types and
``capture-pane`` reads what a person would see. Skipped only when tmux is
missing on a developer machine; in CI (CI=true) a missing tmux is a failure.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

WIDTH, HEIGHT = 120, 40
EXITED = "[termnews exited "  # printed by the shell wrapper when the command ends
START_TIMEOUT = 30.0  # the demo seeds its cache before the first paint
STEP_TIMEOUT = 10.0


def termnews_command() -> list[str]:
    """The installed ``termnews`` script next to this Python, else ``python -m termnews``."""
    script = Path(sys.executable).with_name("termnews")
    return [str(script)] if script.exists() else [sys.executable, "-m", "termnews"]


def clean_environment() -> dict[str, str]:
    """This process's environment for the tmux server, without a fixed terminal size.

    Something in the test process can put COLUMNS=80 and LINES=24 into the C-level
    environment (which a child inherits when ``env`` is not given), and Textual
    believes them over the size of its tty.
    """
    return {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


class Terminal:
    """One tmux session running one command."""

    def __init__(self, socket: str, name: str = "e2e") -> None:
        self.socket, self.name = socket, name

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-u", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=check,
            env=clean_environment(),
        )

    def start(self, command: list[str], env: dict[str, str]) -> None:
        """Run ``command``; the pane stays after it ends, showing its exit status."""
        env_args = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
        wrapped = f'{shlex.join(command)}; echo "{EXITED}$?]"; sleep 600'
        self.tmux("new-session", "-d", "-s", self.name, "-x", str(WIDTH), "-y", str(HEIGHT),
                  *env_args, wrapped)  # fmt: skip

    def screen(self, history: int = 0) -> str:
        """The visible screen, with ``history`` lines of scrollback above it."""
        start = ["-S", str(-history)] if history else []
        result = self.tmux("capture-pane", "-p", "-t", self.name, *start, check=False)
        return result.stdout if result.returncode == 0 else ""

    def press(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def exit_status(self) -> int | None:
        """The command's exit status once it has ended, else None."""
        screen = self.screen(history=2000)
        if EXITED not in screen:
            return None
        return int(screen.rsplit(EXITED, 1)[1].split("]", 1)[0])

    def check_running(self) -> None:
        status = self.exit_status()
        if status is not None:
            pytest.fail(f"termnews ended (status {status}):\n{self.screen(history=2000)}")

    def wait_for(self, *texts: str, timeout: float = STEP_TIMEOUT) -> str:
        """The screen once it shows every one of ``texts``; fails with the last screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if all(t in screen for t in texts):
                return screen
            self.check_running()
            if time.monotonic() > deadline:
                missing = [t for t in texts if t not in screen]
                size = self.tmux(
                    "display-message", "-p", "-t", self.name, "#{window_width}x#{window_height}"
                ).stdout.strip()
                pytest.fail(f"the {size} screen never showed {missing}; it shows:\n{screen}")
            time.sleep(0.1)

    def wait_until_gone(self, *texts: str, timeout: float = STEP_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if not any(t in screen for t in texts):
                return screen
            self.check_running()
            if time.monotonic() > deadline:
                pytest.fail(f"the screen still shows {texts}:\n{screen}")
            time.sleep(0.1)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    if shutil.which("tmux") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("tmux is missing in CI: scripts/test installs it")
        pytest.skip("tmux is not installed (scripts/test installs it)")
    term = Terminal(f"termnews-e2e-{os.getpid()}-{tmp_path.name}")
    try:
        yield term
    finally:
        term.tmux("kill-server", check=False)


def test_demo_read_an_article_get_help_switch_theme_and_quit(
    terminal: Terminal, tmp_path: Path, isolated_home: Path
) -> None:
    demo_tmp = tmp_path / "tmp"
    demo_tmp.mkdir()
    env = {
        "TERMNEWS_HOME": str(isolated_home),
        "TMPDIR": str(demo_tmp),  # where the demo makes its throwaway home
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }
    terminal.start([*termnews_command(), "--demo"], env)

    # Headlines: the feed panel with the demo's outlets and the newest headline first.
    screen = terminal.wait_for(
        "All unread", "Tessellate review", "47 unread", timeout=START_TIMEOUT
    )
    assert "MetroWire" in screen and "The Harbour Times" in screen and "Green Ledger" in screen
    assert screen.index("Tessellate review") < screen.index("Heat and dry spring")
    assert any(d.name.startswith("termnews-demo-") for d in demo_tmp.iterdir())

    # Enter opens the highlighted article in the reader and marks it read.
    terminal.press("Enter")
    screen = terminal.wait_for("I want to warn you", "46 unread")
    assert "thecircuit.example" in screen  # the article's link in the metadata header

    # Back to the list (the footer offers Enter again), down one, open the next article.
    # Each key waits for its effect: Escape and a key right after it read as Alt+key.
    terminal.press("Escape")
    terminal.wait_for("⏎ Open")
    terminal.press("j")
    terminal.press("Enter")
    terminal.wait_for("45 unread")
    terminal.wait_until_gone("I want to warn you")
    assert "Heat and dry spring" in terminal.screen()

    # ? lists every binding with its id; Escape closes the list.
    terminal.press("?")
    screen = terminal.wait_for("Keys", "app.quit", "article.next_unread", "app.theme")
    terminal.press("Escape")
    terminal.wait_until_gone("app.quit")

    # t switches the theme at once.
    terminal.press("t")
    terminal.wait_for("Theme: termnews-")

    # q quits: the process ends cleanly and the demo's throwaway home is removed.
    terminal.press("q")
    deadline = time.monotonic() + STEP_TIMEOUT
    while terminal.exit_status() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert terminal.exit_status() == 0, terminal.screen(history=2000)
    assert "Traceback" not in terminal.screen(history=2000)
    assert not any(d.name.startswith("termnews-demo-") for d in demo_tmp.iterdir())
