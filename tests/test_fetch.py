"""HTTP fetching over a real loopback server: validators, limits, redirects, errors."""

from __future__ import annotations

import asyncio
import gzip
import time

import pytest

from termnews.config import RefreshConfig
from termnews.fetch.http import Fetcher, FetchResult, parse_retry_after

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


def get(url: str, config: RefreshConfig | None = None, **kw: str | None) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(config or RefreshConfig()) as fetcher:
            return await fetcher.get(url, **kw)

    return asyncio.run(run())


def test_conditional_get_with_etag_and_last_modified(server) -> None:
    route = server.add("/f", FEED, etag='"v1"', last_modified="Wed, 25 Nov 2026 10:00:00 GMT")
    first = get(server.url("/f"))
    assert first.status == 200 and first.body == FEED
    assert first.etag == '"v1"' and first.last_modified.startswith("Wed")
    second = get(server.url("/f"), etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.body == b""
    assert route.requests[1]["If-None-Match"] == '"v1"'
    assert route.requests[1]["If-Modified-Since"] == first.last_modified


@pytest.mark.parametrize("status", [404, 500, 410])
def test_http_errors_are_results(server, status: int) -> None:
    server.add("/f", b"nope", status=status)
    result = get(server.url("/f"))
    assert result.error.startswith(f"HTTP {status}")


def test_connection_refused_is_a_result() -> None:
    result = get("http://127.0.0.1:9/feed")
    assert result.error and "connect" in result.error


def test_slow_server_cannot_hold_the_refresh(server) -> None:
    server.add("/slow", FEED * 50, trickle=0.2)  # one byte every 0.2 s: ~20 min in all
    config = RefreshConfig(feed_deadline=1.5, read_timeout=5)
    started = time.monotonic()
    result = get(server.url("/slow"), config)
    assert time.monotonic() - started < 4
    assert "gave up after 1.5 s" in result.error


def test_read_timeout(server) -> None:
    server.add("/stall", FEED, delay=3)
    result = get(server.url("/stall"), RefreshConfig(read_timeout=0.5))
    assert "stopped sending" in result.error


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_bodies(server, encoding: str) -> None:
    route = server.add("/z", FEED * 100, encoding=encoding)
    result = get(server.url("/z"))
    assert result.error is None and result.body == FEED * 100
    assert "gzip" in route.requests[0]["Accept-Encoding"]


def test_size_cap_plain_and_after_decompression(server) -> None:
    big = b"<rss>" + b"a" * 3_000_000 + b"</rss>"
    server.add("/big", big)
    server.add("/bomb", big, encoding="gzip")
    config = RefreshConfig(max_feed_mb=1)
    assert len(gzip.compress(big)) < 100_000  # the wire size is small...
    for path in ("/big", "/bomb"):
        result = get(server.url(path), config)
        assert result.body == b"" and "larger than the 1 MB limit" in result.error


def test_redirects_permanent_and_temporary(server) -> None:
    server.add("/new", FEED)
    server.add("/old", status=301, headers={"Location": "/new"})
    server.add("/tmp", status=302, headers={"Location": server.url("/new")})
    server.add("/mixed", status=301, headers={"Location": "/tmp"})
    moved = get(server.url("/old"))
    assert moved.body == FEED and moved.moved_to == server.url("/new")
    temporary = get(server.url("/tmp"))
    assert temporary.body == FEED and temporary.moved_to is None
    assert get(server.url("/mixed")).moved_to is None


def test_redirect_loop_is_cut(server) -> None:
    server.add("/a", status=302, headers={"Location": "/b"})
    server.add("/b", status=302, headers={"Location": "/a"})
    result = get(server.url("/a"), RefreshConfig(max_redirects=4))
    assert "more than 4 redirects" in result.error


def test_redirect_to_other_scheme_refused(server) -> None:
    server.add("/r", status=302, headers={"Location": "file:///etc/passwd"})
    assert "unsupported" in get(server.url("/r")).error


def test_retry_after_429_is_recorded(server) -> None:
    server.add("/busy", b"", status=429, headers={"Retry-After": "120"})
    result = get(server.url("/busy"))
    assert result.status == 429 and "too many requests" in result.error
    assert result.retry_after is not None and 100 < result.retry_after - time.time() <= 121


def test_short_retry_after_is_waited_out(server) -> None:
    route = server.add("/blip", b"", status=503, headers={"Retry-After": "1"})

    async def flip() -> FetchResult:
        async with Fetcher(RefreshConfig()) as fetcher:
            task = asyncio.create_task(fetcher.get(server.url("/blip")))
            await asyncio.sleep(0.3)
            route.status, route.body, route.headers = 200, FEED, {}
            return await task

    result = asyncio.run(flip())
    assert result.error is None and result.body == FEED and route.hits == 2


def test_retry_after_parsing() -> None:
    now = 1_000_000.0
    assert parse_retry_after("30", now, 3600) == 1_000_030
    assert parse_retry_after("999999", now, 3600) == 1_003_600
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now, 3600) == 1_000_000
    assert parse_retry_after("1", now + 0.5, 3600) == 1_000_002
    assert parse_retry_after("soon", now, 3600) is None
    assert parse_retry_after(None, now, 3600) is None


def test_per_host_and_global_limits(server) -> None:
    for i in range(12):
        server.add(f"/f{i}", FEED, delay=0.2)

    async def run(config: RefreshConfig) -> None:
        async with Fetcher(config) as fetcher:
            await asyncio.gather(*(fetcher.get(server.url(f"/f{i}")) for i in range(12)))

    asyncio.run(run(RefreshConfig(per_host=3, max_connections=10)))
    assert server.max_active <= 3
    server.max_active = 0
    asyncio.run(run(RefreshConfig(per_host=10, max_connections=2)))
    assert server.max_active <= 2
    server.max_active = 0
    asyncio.run(run(RefreshConfig(per_host=6, max_connections=12)))
    assert server.max_active >= 4  # the limits are limits, not serialisation
