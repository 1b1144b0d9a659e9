"""A webhook: the draft and its article as JSON to a URL; any 2xx is success.

Each draft carries a random token, sent as ``Idempotency-Key`` on every try, so
a receiver can drop a repeat of a send that was interrupted. A JSON answer may
give the comment's ``id``, ``url`` and ``status`` ("held"/"pending" for
moderation). A password with a user is HTTP Basic; without one, a Bearer token.
"""

from __future__ import annotations

from typing import Any

import httpx

from termnews.comments.backends import ArticleRef, BackendContext, CannotList
from termnews.comments.backends.wordpress import clean
from termnews.comments.http import host_of, request, server_trouble
from termnews.comments.outbox import SendResult, rejected
from termnews.comments.threads import RemoteComment
from termnews.storage.drafts import Draft


def payload(draft: Draft) -> dict[str, Any]:
    """What is posted: the comment and the article it is about."""
    return {
        "draft": {
            "id": draft.id, "token": draft.token, "name": draft.name, "email": draft.email,
            "url": draft.url, "text": draft.text, "reply_to": draft.reply_to or None,
        },
        "article": {
            "id": draft.article_id, "url": draft.article_url, "title": draft.article_title,
            "guid": draft.article_guid,
        },
    }  # fmt: skip


class WebhookBackend:
    """Comments handed to any HTTP endpoint."""

    kind = "webhook"
    dedupes = True  # the Idempotency-Key lets the receiver drop a repeat

    def __init__(self, ctx: BackendContext) -> None:
        self.ctx = ctx
        self.cfg = ctx.config

    def _headers(self, draft: Draft) -> dict[str, str]:
        headers = {"Idempotency-Key": draft.token, "Accept": "application/json"}
        if self.ctx.password is not None and not self.cfg.user:
            headers["Authorization"] = f"Bearer {self.ctx.password}"
        return headers

    def prepare(self, draft: Draft) -> dict[str, Any]:
        return {}

    def send(self, draft: Draft, target: dict[str, Any]) -> SendResult:
        auth: Any = httpx.USE_CLIENT_DEFAULT
        if self.cfg.user and self.ctx.password is not None:
            auth = httpx.BasicAuth(self.cfg.user, self.ctx.password)
        resp = request(
            self.ctx.client, "POST", self.cfg.url, json=payload(draft),
            headers=self._headers(draft), auth=auth,
        )  # fmt: skip
        host = host_of(self.cfg.url)
        if 200 <= resp.status_code < 300:
            try:
                data = resp.json()
            except ValueError:
                data = {}
            data = data if isinstance(data, dict) else {}
            remote_id = str(data["id"]) if data.get("id") is not None else None
            link = clean(str(data.get("url") or "")) or None
            held = str(data.get("status", "")).lower() in ("held", "hold", "pending", "moderation")
            return SendResult("held" if held else "posted", remote_id=remote_id, remote_url=link)
        if resp.status_code >= 500 or resp.status_code == 429:
            return server_trouble(resp, "comment")
        if resp.status_code in (401, 403) and self.ctx.password is not None:
            return rejected(f"{host} refused the credentials (HTTP {resp.status_code}).")
        try:
            data = resp.json()
            reason = data.get("message") or data.get("error") if isinstance(data, dict) else None
        except ValueError:
            reason = None
        reason = clean(str(reason or resp.text or ""), 200)
        tail = f": {reason}" if reason else "."
        return rejected(f"{host} refused the comment (HTTP {resp.status_code}){tail}")

    def find(self, draft: Draft, target: dict[str, Any]) -> SendResult | None:
        return None  # a webhook cannot be asked; the Idempotency-Key covers a resend

    def comments(self, article: ArticleRef) -> list[RemoteComment]:
        raise CannotList("a webhook backend cannot list comments")
