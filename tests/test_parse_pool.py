"""Parsing off the event loop: threads for small refreshes, processes for big ones."""

from __future__ import annotations

import asyncio

from http_fixtures import rss
from termnews.parse_pool import PROCESS_POOL_MIN_FEEDS, ParsePool


def parse_all(pool: ParsePool, docs: list[bytes]) -> list[list[str]]:
    async def run() -> list[list[str]]:
        try:
            feeds = await asyncio.gather(*(pool.parse(d, "http://x.example/", "") for d in docs))
        finally:
            pool.close()
        return [[e.title for e in f.entries] for f in feeds]

    return asyncio.run(run())


def test_processes_and_threads_give_the_same_result() -> None:
    docs = [rss(f"F{i}", [(f"{i}-{j}", f"Item {i}.{j}") for j in range(3)]).encode()
            for i in range(6)]
    small = ParsePool(feeds=1)
    big = ParsePool(feeds=PROCESS_POOL_MIN_FEEDS, workers=2)
    assert not small.use_processes and big.use_processes
    assert parse_all(big, docs) == parse_all(small, docs)
    assert parse_all(ParsePool(1), docs)[2] == ["Item 2.0", "Item 2.1", "Item 2.2"]
