"""What a send can come to, and what the outbox does next: states, retries, backoff.

A backend turns every answer into a :class:`SendResult`; :func:`settle` maps it
to the draft's next state. Transient trouble (no network, timeouts, 5xx, rate
limits) goes back to the queue with an exponential backoff; a refusal (4xx)
fails the draft with the site's reason and keeps its text for another try.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["posted", "held", "duplicate", "rejected", "retry"]

BACKOFF_BASE = 30.0  # seconds before the first retry
BACKOFF_CAP = 3600.0  # never wait longer than this between automatic retries...
MAX_RETRY_AFTER = 6 * 3600.0  # ...unless the site asks for up to this long


@dataclass(frozen=True, slots=True)
class SendResult:
    """How one attempt (or one check) ended."""

    outcome: Outcome
    message: str = ""  # for people: the site's reason, or what went wrong on the way
    remote_id: str | None = None
    remote_url: str | None = None
    retry_after: float | None = None  # seconds the site asked us to wait
    maybe_sent: bool = False  # retry only: the request may have reached the site


class SendFailure(Exception):
    """Raised deep inside a backend (discovery, login check) to end a send with a result."""

    def __init__(self, result: SendResult) -> None:
        super().__init__(result.message)
        self.result = result


def retry(message: str, *, maybe_sent: bool = False, after: float | None = None) -> SendResult:
    return SendResult("retry", message, retry_after=after, maybe_sent=maybe_sent)


def rejected(message: str) -> SendResult:
    return SendResult("rejected", message)


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds to wait after the ``attempts``-th failed try: 30 s doubling up to an hour."""
    delay = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


@dataclass(frozen=True, slots=True)
class Settlement:
    """The draft's next state after a result."""

    state: Literal["posted", "held", "failed", "queued"]
    error: str | None
    remote_id: str | None = None
    remote_url: str | None = None
    next_attempt: int | None = None
    needs_check: bool = False


def settle(result: SendResult, attempts: int, now: int) -> Settlement:
    """Map a result to the next state; ``attempts`` counts this one."""
    if result.outcome in ("posted", "held"):
        note = result.message or None
        return Settlement(result.outcome, note, result.remote_id, result.remote_url)
    if result.outcome == "duplicate":
        note = result.message or "The site already has this comment."
        return Settlement("posted", note, result.remote_id, result.remote_url)
    if result.outcome == "rejected":
        return Settlement("failed", result.message or "The site refused the comment.")
    wait = backoff(attempts, result.retry_after)
    return Settlement(
        "queued", result.message, next_attempt=now + round(wait), needs_check=result.maybe_sent
    )
