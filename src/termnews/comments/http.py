"""One httpx client for comment traffic, and network trouble in plain words."""

from __future__ import annotations

import email.utils
import time
from urllib.parse import urlsplit

import httpx

from termnews.comments.outbox import SendFailure, SendResult, rejected, retry
from termnews.config import Config
from termnews.text import one_line

MAX_ANSWER_BYTES = 2_000_000  # a comment API's answer; pages for discovery use reader.max_page_mb


def make_client(config: Config, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A client with the refresh timeouts and user agent; redirects are handled by callers."""
    r = config.refresh
    return httpx.Client(
        transport=transport,
        follow_redirects=False,
        timeout=httpx.Timeout(
            connect=r.connect_timeout, read=r.read_timeout, write=r.read_timeout, pool=None
        ),
        headers={"User-Agent": r.user_agent},
    )


def host_of(url: str) -> str:
    """host[:port] of a URL, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or url
    return f"{host}:{parts.port}" if parts.port else host


def transport_failure(exc: httpx.HTTPError, url: str, method: str = "POST") -> SendResult:
    """A network error as a retry (or, for a bad URL, a refusal), in words.

    Only a POST that got as far as sending can have arrived (``maybe_sent``).
    """
    host = host_of(url)
    posted = method.upper() == "POST"
    text = one_line(str(exc))
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return retry(f"{host} did not answer (connection timed out).")
    if isinstance(exc, httpx.ConnectError):
        low = text.lower()
        if "refused" in low:
            why = "connection refused"
        elif "name" in low and ("not known" in low or "resolution" in low or "resolve" in low):
            why = "no such host, or no network"
        elif "unreachable" in low:
            why = "network unreachable"
        else:
            why = text or "connection failed"
        return retry(f"Could not reach {host} ({why}).")
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
        return retry(f"{host} stopped answering (timed out).", maybe_sent=posted)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return rejected(f"Cannot send to {one_line(url)}: {text}")
    why = text or type(exc).__name__
    return retry(f"The connection to {host} broke ({why}).", maybe_sent=posted)


def retry_after_seconds(resp: httpx.Response) -> float | None:
    """The Retry-After header in seconds, if any."""
    value = resp.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def server_trouble(resp: httpx.Response, what: str) -> SendResult:
    """A 5xx (or 429) answer as a retry: the site may be back later."""
    host = host_of(str(resp.request.url))
    after = retry_after_seconds(resp)
    if resp.status_code == 429:
        return retry(f"{host} asks to slow down (too many requests).", after=after)
    return retry(
        f"{host} had a problem with the {what} (HTTP {resp.status_code}); it will be tried again.",
        maybe_sent=resp.request.method == "POST",
        after=after,
    )


def request(
    client: httpx.Client, method: str, url: str, *, cap: int = MAX_ANSWER_BYTES, **kw: object
) -> httpx.Response:
    """Send a request and read at most ``cap`` bytes of the answer; raise SendFailure on
    network trouble."""
    try:
        with client.stream(method, url, **kw) as resp:  # type: ignore[arg-type]
            body = bytearray()
            for chunk in resp.iter_bytes():
                body += chunk
                if len(body) > cap:
                    raise SendFailure(
                        rejected(f"{host_of(url)} sent an answer larger than {cap // 1000} kB.")
                    )
            headers = [
                (k, v)
                for k, v in resp.headers.multi_items()
                if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
            ]
            return httpx.Response(
                resp.status_code, headers=headers, content=bytes(body), request=resp.request
            )
    except httpx.HTTPError as exc:
        raise SendFailure(transport_failure(exc, url, method)) from None
