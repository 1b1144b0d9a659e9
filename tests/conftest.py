"""Shared fixtures: an isolated TERMNEWS_HOME, a real loopback HTTP server, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from http_fixtures import FeedServer

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own TERMNEWS_HOME; the user's files are never touched."""
    home = tmp_path / "home"
    monkeypatch.setenv("TERMNEWS_HOME", str(home))
    return home


@pytest.fixture
def server() -> Iterator[FeedServer]:
    srv = FeedServer()
    try:
        yield srv
    finally:
        srv.close()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(isolated_home: Path) -> Callable[..., CliResult]:
    """Run ``termnews ARGS`` as a subprocess with this test's TERMNEWS_HOME."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> CliResult:
        full_env = {**os.environ, "TERMNEWS_HOME": str(isolated_home), **(env or {})}
        proc = subprocess.run(
            [sys.executable, "-m", "termnews", *args], capture_output=True, text=True,
            env=full_env, timeout=timeout, stdin=subprocess.DEVNULL,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run
