"""Comment backends: one Protocol, one module per kind of comment system."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from termnews.comments.outbox import SendResult
from termnews.comments.threads import RemoteComment
from termnews.config import CommentBackendConfig
from termnews.storage.drafts import Draft


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """What a backend needs to know of the article commented on."""

    url: str
    title: str = ""
    guid: str = ""

    @classmethod
    def of_draft(cls, draft: Draft) -> ArticleRef:
        return cls(draft.article_url, draft.article_title, draft.article_guid)


@dataclass(frozen=True, slots=True)
class BackendContext:
    """Everything a backend is made with."""

    config: CommentBackendConfig
    client: httpx.Client
    password: str | None = None  # never logged; only put in Authorization headers
    page_cap: int = 5_000_000  # bytes of an article page read for discovery


class CommentBackend(Protocol):
    """A site's comment system.

    ``prepare`` finds where a draft goes (it may ask the network; the result is
    stored with the draft so it is found once); ``send`` posts it; ``find`` looks
    on the site for a draft that may already have arrived (None: not seen);
    ``comments`` lists an article's comments, threaded. Network and server trouble
    comes back as a SendResult (or a raised SendFailure), never as an exception
    of another kind.
    """

    kind: str
    dedupes: bool  # the site itself refuses a second identical comment

    def prepare(self, draft: Draft) -> dict[str, Any]: ...

    def send(self, draft: Draft, target: dict[str, Any]) -> SendResult: ...

    def find(self, draft: Draft, target: dict[str, Any]) -> SendResult | None: ...

    def comments(self, article: ArticleRef) -> list[RemoteComment]: ...


class CannotList(Exception):
    """This kind of backend has no way to list comments."""


def make_backend(ctx: BackendContext) -> CommentBackend:
    """The backend for ``ctx.config.kind``."""
    kind = ctx.config.kind
    if kind == "wordpress":
        from termnews.comments.backends.wordpress import WordPressBackend

        return WordPressBackend(ctx)
    if kind == "wordpress-form":
        from termnews.comments.backends.wordpress_form import WordPressFormBackend

        return WordPressFormBackend(ctx)
    if kind == "isso":
        from termnews.comments.backends.isso import IssoBackend

        return IssoBackend(ctx)
    if kind == "webhook":
        from termnews.comments.backends.webhook import WebhookBackend

        return WebhookBackend(ctx)
    raise ValueError(f"unknown comment backend kind {kind!r}")
