"""Isso: ``POST {url}/new?uri=PATH`` with JSON; 201 published, 202 held for moderation.

The thread is the article's path (what Isso's embed uses by default). A title
is always sent, or Isso would fetch the article itself to find one. Isso has
no duplicate check, so an interrupted send is looked for among the published
comments and, when not there, never resent without asking the person.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from termnews.comments.backends import ArticleRef, BackendContext
from termnews.comments.backends.wordpress import clean, parent_id
from termnews.comments.backends.wordpress_form import error_page_message
from termnews.comments.http import host_of, request, server_trouble
from termnews.comments.outbox import SendFailure, SendResult, rejected, retry
from termnews.comments.threads import RemoteComment, comment_text, same_text, thread
from termnews.storage.drafts import Draft
from termnews.text import one_line

RATE_LIMIT_WAIT = 60.0


def thread_uri(article_url: str) -> str:
    """The Isso thread of an article: its URL's path."""
    return urlsplit(article_url).path or "/"


def _flatten(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for reply in node.get("replies") or []:
        if isinstance(reply, dict):
            out.append(reply)
            out += _flatten(reply)
    return out


class IssoBackend:
    """Comments on an Isso server."""

    kind = "isso"
    dedupes = False

    def __init__(self, ctx: BackendContext) -> None:
        self.ctx = ctx
        self.base = ctx.config.url.rstrip("/")

    def prepare(self, draft: Draft) -> dict[str, Any]:
        if not draft.article_url.startswith(("http://", "https://")):
            raise SendFailure(rejected("This article has no web address to comment on."))
        return {"uri": thread_uri(draft.article_url)}

    def send(self, draft: Draft, target: dict[str, Any]) -> SendResult:
        body = {
            "text": draft.text, "author": draft.name or None, "email": draft.email or None,
            "website": draft.url or None, "parent": parent_id(draft.reply_to),
            "title": draft.article_title or target["uri"],
        }  # fmt: skip
        url = f"{self.base}/new?{urlencode({'uri': target['uri']})}"
        resp = request(self.ctx.client, "POST", url, json=body)
        host = host_of(url)
        if resp.status_code in (201, 202):
            try:
                data = resp.json()
            except ValueError:
                data = {}
            remote_id = str(data.get("id")) if isinstance(data, dict) and "id" in data else None
            link = f"{draft.article_url.split('#')[0]}#isso-{remote_id}" if remote_id else None
            outcome = "posted" if resp.status_code == 201 else "held"
            return SendResult(outcome, remote_id=remote_id, remote_url=link)
        if resp.status_code >= 500 or resp.status_code == 429:
            return server_trouble(resp, "comment")
        message = error_page_message(resp.content) or f"HTTP {resp.status_code}"
        if resp.status_code == 403:
            low = message.lower()
            if "ratelimit" in low or "rate limit" in low or "too many" in low:
                return retry(
                    f"{host} says you are commenting too fast ({message}); it will be sent"
                    " again in a minute.",
                    after=RATE_LIMIT_WAIT,
                )
            return rejected(f"{host} refused the comment: {message}")
        if resp.status_code == 404:
            return rejected(f"There is no Isso server at {clean(self.base)} (HTTP 404).")
        return rejected(f"{host} refused the comment: {message}")

    def _thread(self, uri: str, plain: bool) -> dict[str, Any]:
        params = {"uri": uri, **({"plain": "1"} if plain else {})}
        url = f"{self.base}/?{urlencode(params)}"
        resp = request(self.ctx.client, "GET", url)
        if resp.status_code == 404:
            return {}
        if resp.status_code >= 500 or resp.status_code == 429:
            raise SendFailure(server_trouble(resp, "comment list"))
        if resp.status_code >= 400:
            message = error_page_message(resp.content) or f"HTTP {resp.status_code}"
            raise SendFailure(rejected(f"{host_of(url)}: {message}"))
        try:
            data = resp.json()
        except ValueError:
            raise SendFailure(rejected(f"{host_of(url)} sent a thread that is not JSON.")) from None
        return data if isinstance(data, dict) else {}

    def find(self, draft: Draft, target: dict[str, Any]) -> SendResult | None:
        for item in reversed(_flatten(self._thread(str(target["uri"]), plain=True))):
            same_author = str(item.get("author") or "") == (draft.name or "")
            if same_author and same_text(str(item.get("text", "")), draft.text):
                remote_id = str(item.get("id"))
                link = f"{draft.article_url.split('#')[0]}#isso-{remote_id}"
                return SendResult("posted", remote_id=remote_id, remote_url=link)
        return None

    def comments(self, article: ArticleRef) -> list[RemoteComment]:
        items = _flatten(self._thread(thread_uri(article.url), plain=False))
        out = []
        for item in items:
            created = item.get("created")
            parent = item.get("parent")
            out.append(
                RemoteComment(
                    id=str(item.get("id", "")),
                    parent=str(parent) if parent is not None else None,
                    author=one_line(str(item.get("author") or "")) or "Anonymous",
                    date=int(created) if isinstance(created, int | float) else None,
                    text=comment_text(str(item.get("text", "")), article.url),
                    url=f"{article.url.split('#')[0]}#isso-{item.get('id')}",
                    status="approved" if item.get("mode", 1) == 1 else "held",
                )
            )
        return thread(out)
