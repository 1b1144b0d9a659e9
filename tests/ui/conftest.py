"""Fixtures for pilot tests: a copy of the seeded demo cache, a big cache, and helpers."""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from termnews.demo import DemoHome
from termnews.paths import home_paths
from termnews.services import NewsService
from termnews.storage.db import connect, transaction

SIZE = (120, 40)


@pytest.fixture(scope="session")
def demo_seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo cache, seeded once per session (tests get copies)."""
    demo = DemoHome.create()
    target = tmp_path_factory.mktemp("demo-seed") / "home"
    shutil.copytree(demo.root, target)
    demo.cleanup()
    yield target


@pytest.fixture
def demo(demo_seed: Path, tmp_path: Path) -> DemoHome:
    """A private copy of the demo home for one test."""
    root = tmp_path / "demo"
    shutil.copytree(demo_seed, root)
    return DemoHome(root)


@pytest.fixture
def db(demo: DemoHome) -> Iterator[NewsService]:
    """A second connection to the test's cache, to check what the app stored."""
    service = NewsService(home_paths(demo.root))
    yield service
    service.close()


def make_big_cache(home: Path, n: int, feeds: int = 20) -> None:
    """``n`` articles over ``feeds`` feeds, written straight to SQLite (fast)."""
    paths = home_paths(home)
    paths.ensure()
    conn = connect(paths.database)
    rnd = random.Random(7)
    now = int(time.time())
    with transaction(conn):
        for f in range(feeds):
            conn.execute(
                "INSERT INTO feeds (url, title, added_at) VALUES (?, ?, ?)",
                (f"http://127.0.0.1:9/feed{f}.xml", f"Feed {f}", now),
            )
        conn.executemany(
            """INSERT INTO articles (feed_id, key, title, link, content, first_seen, sort_date,
                   fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, '')""",
            [
                (
                    1 + i % feeds,
                    f"k{i}",
                    f"Headline {i}",
                    f"http://example.org/{i}",
                    f"<p>Body {i}</p>",
                    now,
                    now - i * 60 - rnd.randint(0, 30),
                )
                for i in range(n)
            ],
        )
    conn.close()


@pytest.fixture
def big_home(tmp_path: Path) -> Callable[[int], Path]:
    def make(n: int) -> Path:
        home = tmp_path / f"big{n}"
        make_big_cache(home, n)
        return home

    return make
