"""HTTP for feeds: conditional GET with limits on time, size and politeness.

One :class:`Fetcher` per refresh holds an ``httpx.AsyncClient``, a global
concurrency limit and a per-host one. :meth:`Fetcher.get` never raises for
network or HTTP trouble: it returns a :class:`FetchResult` whose ``error`` says
what went wrong in words.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from termnews.config import RefreshConfig

PERMANENT_REDIRECTS = {301, 308}
REDIRECTS = {301, 302, 303, 307, 308}
RETRY_STATUSES = {429, 503}
SHORT_RETRY_SECONDS = 2.0  # a Retry-After this short is waited out within the refresh
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1"
)


class FetchError(Exception):
    """A fetch failed; the message is meant for people."""


@dataclass(slots=True)
class FetchResult:
    """The outcome of one GET (after redirects)."""

    url: str  # the URL asked for
    final_url: str = ""  # where the body came from
    moved_to: str | None = None  # new address when every redirect hop was permanent
    status: int | None = None  # final HTTP status, None if no response
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    retry_after: int | None = None  # epoch seconds before which not to ask again


def parse_retry_after(value: str | None, now: float, cap: float) -> int | None:
    """Retry-After (seconds or HTTP date) as an epoch time, capped at ``now + cap``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        delay = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        delay = when.timestamp() - now
    return math.ceil(now + max(0.0, min(delay, cap)))


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or ''}:{parts.port or ''}"


class _Decoder:
    """Content-Encoding decoding with a hard cap on the decoded size."""

    def __init__(self, encoding: str, cap: int) -> None:
        encoding = encoding.strip().lower()
        self.cap = cap
        self.size = 0
        self.obj: zlib._Decompress | None = None
        self.raw_deflate = False  # deflate may arrive with or without the zlib header
        if encoding in ("gzip", "x-gzip"):
            self.obj = zlib.decompressobj(zlib.MAX_WBITS | 32)
        elif encoding == "deflate":
            self.obj = zlib.decompressobj()
            self.raw_deflate = True
        elif encoding not in ("", "identity"):
            raise FetchError(f"unsupported Content-Encoding {encoding!r}")
        self.first = True

    def feed(self, data: bytes) -> bytes:
        if self.obj is None:
            out = data
        else:
            try:
                out = self.obj.decompress(data, self.cap - self.size + 1)
                if self.obj.unconsumed_tail:
                    raise FetchError(self._too_big())
            except zlib.error:
                if self.first and self.raw_deflate:
                    # Some servers send raw deflate without the zlib header.
                    self.obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    self.first = False
                    return self.feed(data)
                raise FetchError("the server sent a corrupt compressed body") from None
        self.first = False
        self.size += len(out)
        if self.size > self.cap:
            raise FetchError(self._too_big())
        return out

    def _too_big(self) -> str:
        return f"the feed is larger than the {self.cap / 1e6:g} MB limit (refresh.max_feed_mb)"


class Fetcher:
    """Fetches URLs politely: bounded concurrency, timeouts, size cap, redirects."""

    def __init__(
        self, config: RefreshConfig, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.config = config
        self._global = asyncio.Semaphore(config.max_connections)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(config.per_host)
        )
        self.client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=config.connect_timeout, read=config.read_timeout,
                write=config.read_timeout, pool=None,
            ),
            limits=httpx.Limits(
                max_connections=config.max_connections,
                max_keepalive_connections=config.max_connections,
            ),
            headers={
                "User-Agent": config.user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def get(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` conditionally; never raises for network or HTTP errors."""
        result = FetchResult(url=url)
        host = self._hosts[_host(url)]
        async with self._global, host:
            try:
                async with asyncio.timeout(self.config.feed_deadline):
                    await self._get(result, etag, last_modified)
            except TimeoutError:
                result.error = (
                    f"gave up after {self.config.feed_deadline:g} s"
                    " (refresh.feed_deadline): the server is too slow"
                )
            except FetchError as exc:
                result.error = str(exc)
            except httpx.TimeoutException as exc:
                result.error = _timeout_message(exc, self.config)
            except httpx.HTTPError as exc:
                result.error = _network_message(exc)
            except (httpx.StreamError, OSError, ValueError) as exc:
                result.error = f"fetch failed: {type(exc).__name__}: {exc}"
        return result

    async def _get(self, result: FetchResult, etag: str | None, last_modified: str | None) -> None:
        """Follow redirects by hand, so permanent moves can be recorded."""
        url = result.url
        permanent = True
        retried = False
        hops = 0
        while True:
            headers = {}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            try:
                request = self.client.build_request("GET", url, headers=headers)
            except httpx.InvalidURL as exc:
                raise FetchError(f"invalid URL {url!r}: {exc}") from None
            except httpx.UnsupportedProtocol:
                raise FetchError(f"unsupported URL scheme in {url!r}") from None
            response = await self.client.send(request, stream=True)
            try:
                status = response.status_code
                if status in REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError(f"HTTP {status} redirect without a Location")
                    hops += 1
                    if hops > self.config.max_redirects:
                        raise FetchError(
                            f"more than {self.config.max_redirects} redirects"
                            " (refresh.max_redirects)"
                        )
                    permanent = permanent and status in PERMANENT_REDIRECTS
                    url = urljoin(str(response.url), location.strip())
                    if urlsplit(url).scheme not in ("http", "https"):
                        raise FetchError(f"redirected to an unsupported address {url!r}")
                    continue
                if status in RETRY_STATUSES:
                    when = parse_retry_after(
                        response.headers.get("Retry-After"), time.time(),
                        self.config.max_retry_after,
                    )
                    short = when is not None and when - time.time() <= SHORT_RETRY_SECONDS
                    if short and not retried:
                        retried = True
                        await asyncio.sleep(max(0.0, (when or 0) - time.time()))
                        continue
                    result.status = status
                    result.retry_after = when
                    reason = "too many requests" if status == 429 else "service unavailable"
                    wait = ""
                    if when is not None:
                        wait = ", asked to wait until " + time.strftime(
                            "%Y-%m-%d %H:%M", time.localtime(when)
                        )
                    raise FetchError(f"HTTP {status} ({reason}){wait}")
                result.final_url = str(response.url)
                result.status = status
                if hops and permanent:
                    result.moved_to = result.final_url
                if status == 304:
                    result.not_modified = True
                    return
                if status >= 400 or status < 200:
                    raise FetchError(f"HTTP {status} {response.reason_phrase}".rstrip())
                result.content_type = response.headers.get("Content-Type", "")
                result.etag = response.headers.get("ETag")
                result.last_modified = response.headers.get("Last-Modified")
                result.body = await self._read_body(response)
                return
            finally:
                await response.aclose()

    async def _read_body(self, response: httpx.Response) -> bytes:
        """The decoded body, refusing more than ``max_feed_mb`` after decompression."""
        cap = int(self.config.max_feed_mb * 1_000_000)
        length = response.headers.get("Content-Length", "")
        encoding = response.headers.get("Content-Encoding", "")
        decoder = _Decoder(encoding, cap)
        if length.isdigit() and not encoding and int(length) > cap:
            raise FetchError(decoder._too_big())
        chunks = [decoder.feed(chunk) async for chunk in response.aiter_raw()]
        return b"".join(chunks)


def _timeout_message(exc: httpx.TimeoutException, config: RefreshConfig) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not connect within {config.connect_timeout:g} s (refresh.connect_timeout)"
    if isinstance(exc, httpx.PoolTimeout):
        return "timed out waiting for a free connection"
    return f"the server stopped sending for {config.read_timeout:g} s (refresh.read_timeout)"


def _network_message(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {text}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server broke the HTTP protocol: {text}"
    return f"network error: {text}"
