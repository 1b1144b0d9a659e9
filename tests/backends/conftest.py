"""Real comment backends for the integration tests, started once per test session.

tests/backends/comment-backends.sh starts Isso (publishing and moderating) and
WordPress (MariaDB + PHP's built-in server) on 127.0.0.1. Where WordPress's
packages are missing the tests skip, except under CI (CI=true), where that is a
failure: CI installs them (scripts/test).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator

import pytest

from backends.real_backends import MISSING_PACKAGES, SCRIPT, Backends


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "backends: needs the real Isso and WordPress servers")


@pytest.fixture(scope="session")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backends]:
    directory = tmp_path_factory.mktemp("comment-backends")
    started = time.monotonic()
    proc = subprocess.run(
        ["bash", str(SCRIPT), "start", str(directory)], capture_output=True, text=True,
        timeout=900, stdin=subprocess.DEVNULL,
        env={**os.environ, "BACKENDS_OWNER_PID": str(os.getpid())},
    )  # fmt: skip
    if proc.returncode != 0:
        subprocess.run(["bash", str(SCRIPT), "stop", str(directory)], timeout=60)
        why = f"the comment backends did not start (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
        if proc.returncode == MISSING_PACKAGES and os.environ.get("CI") != "true":
            pytest.skip(why)
        pytest.fail(why)
    info = json.loads((directory / "backends.json").read_text())
    try:
        yield Backends(directory, info, time.monotonic() - started)
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(directory)], timeout=60)
