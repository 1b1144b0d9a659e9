"""WordPress's REST API: ``POST {root}wp/v2/comments``, and reading an article's comments.

Anonymous where the site allows it (``rest_allow_anonymous_comments``), else as
a user with an Application Password over HTTP Basic. WordPress quietly treats a
wrong Application Password as no login at all, so the login is checked on
``wp/v2/users/me`` before the first comment goes out.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import httpx

from termnews.comments.backends import ArticleRef, BackendContext
from termnews.comments.discover import discover_wordpress, rest_url
from termnews.comments.http import host_of, request, server_trouble
from termnews.comments.outbox import SendFailure, SendResult, rejected, retry
from termnews.comments.threads import RemoteComment, comment_text, same_text, thread
from termnews.config import CommentBackendConfig
from termnews.storage.drafts import Draft
from termnews.text import one_line

MAX_PAGES = 10  # comments are listed 100 a page: at most 1,000
FLOOD_WAIT = 60.0  # seconds before trying again after comment_flood

MESSAGES = {
    "rest_comment_login_required": (
        "{host} takes comments only from logged-in users: give it a user and an Application"
        " Password (user and password_env in its [[comments.backends]] table)."
    ),
    "rest_comment_invalid_post_id": (
        "{host} has no post {post} to comment on (it may have been removed or unpublished)."
    ),
    "rest_comment_closed": "Comments are closed on this article.",
    "rest_comment_content_invalid": "{host} refused the comment as empty or invalid.",
    "rest_comment_author_data_required": (
        "{host} needs a name and a valid email address with each comment."
    ),
    "rest_comment_draft_post": "The article is not published, so it takes no comments.",
    "rest_comment_trash_post": "The article was deleted, so it takes no comments.",
    "rest_cannot_read_post": "The article is private: log in (user and password_env) to comment.",
    "rest_comment_invalid_author": "{host} does not let this account comment as someone else.",
    "rest_comment_failed_create": "{host} could not save the comment (it may be back later).",
    "comment_flood": "You are commenting too fast for {host}; it will be sent again in a minute.",
    "comment_duplicate": "Already there: {host} says this comment was posted before.",
}


def password_source(cfg: CommentBackendConfig) -> str:
    """Where the password comes from, for messages (never the password)."""
    if cfg.password_env:
        return f"the environment variable {cfg.password_env}"
    return f"the file {cfg.password_file}"


def wrong_login(cfg: CommentBackendConfig, host: str) -> str:
    return (
        f"Wrong user or password for {host}: check user = {cfg.user!r} and the Application"
        f" Password in {password_source(cfg)}."
    )


def clean(text: str, limit: int = 300) -> str:
    """A server's message as one safe line: entities decoded, tags and controls gone."""
    text = one_line(html.unescape(re.sub(r"<[^>]*>", " ", text)))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_message(resp: httpx.Response, post: object, cfg: CommentBackendConfig) -> str:
    """A WordPress REST error in words."""
    host = host_of(str(resp.request.url))
    try:
        data = resp.json()
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    code = str(data.get("code", ""))
    message = clean(str(data.get("message", "")))
    if resp.status_code == 401 and cfg.user:
        return wrong_login(cfg, host)
    if code in MESSAGES:
        return MESSAGES[code].format(host=host, post=post)
    if code == "rest_invalid_param":
        extra = data.get("data")
        details = extra.get("params", {}) if isinstance(extra, dict) else {}
        if isinstance(details, dict) and details:
            parts = [f"{clean(str(k))}: {clean(str(v))}" for k, v in details.items()]
            return f"{host} refused the comment: {'; '.join(parts)}"
    if resp.status_code == 404 and not code:
        return f"{host} has no WordPress REST API at {clean(str(resp.request.url))} (HTTP 404)."
    why = message or f"HTTP {resp.status_code}"
    return f"{host} refused the comment: {why}" + (f" ({code})" if code else "")


def _epoch(value: object) -> int | None:
    try:
        return int(datetime.fromisoformat(str(value)).replace(tzinfo=UTC).timestamp())
    except ValueError:
        return None


def to_remote(item: dict[str, Any], base_url: str) -> RemoteComment:
    """A REST comment object as a RemoteComment (plain, terminal-safe text)."""
    content = item.get("content") or {}
    rendered = content.get("rendered", "") if isinstance(content, dict) else str(content)
    parent = item.get("parent") or None
    return RemoteComment(
        id=str(item.get("id", "")),
        parent=str(parent) if parent else None,
        author=one_line(html.unescape(str(item.get("author_name", "")))) or "Anonymous",
        date=_epoch(item.get("date_gmt")),
        text=comment_text(str(rendered), base_url),
        url=one_line(str(item.get("link", ""))),
        status="held" if item.get("status") == "hold" else str(item.get("status", "approved")),
    )


def list_comments(
    client: httpx.Client,
    root: str,
    post_id: int,
    auth: httpx.Auth | None = None,
    status: str = "approve",
) -> list[dict[str, Any]]:
    """Raw REST comment objects of a post, oldest first; raises SendFailure on trouble."""
    items: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        params: dict[str, object] = {
            "post": post_id, "per_page": 100, "page": page, "orderby": "date_gmt",
            "order": "asc", "status": status,
        }  # fmt: skip
        if auth is not None:
            params["context"] = "edit"  # raw content, to compare drafts exactly
        url = rest_url(root, "wp/v2/comments", params)
        resp = request(client, "GET", url, auth=auth or httpx.USE_CLIENT_DEFAULT)
        if resp.status_code >= 500 or resp.status_code == 429:
            raise SendFailure(server_trouble(resp, "comment list"))
        if resp.status_code >= 400:
            raise SendFailure(rejected(error_message(resp, post_id, _ANON)))
        try:
            batch = resp.json()
        except ValueError:
            not_json = rejected(f"{host_of(url)} sent a comment list that is not JSON.")
            raise SendFailure(not_json) from None
        if not isinstance(batch, list):
            break
        items += [b for b in batch if isinstance(b, dict)]
        try:
            pages = int(resp.headers.get("X-WP-TotalPages", "1"))
        except ValueError:
            pages = 1
        if page >= pages or not batch:
            break
    return items


_ANON = CommentBackendConfig(match="", kind="wordpress")


def find_draft(
    client: httpx.Client,
    root: str,
    post_id: int,
    draft: Draft,
    auth: httpx.Auth | None,
) -> SendResult | None:
    """The draft's comment among those the site shows (held ones too, for moderators)."""
    statuses = ["approve", "hold"] if auth is not None else ["approve"]
    for status in statuses:
        try:
            items = list_comments(client, root, post_id, auth, status)
        except SendFailure:
            if status == "approve":
                raise
            continue  # a user who may not moderate cannot list held comments
        for item in reversed(items):
            content = item.get("content") or {}
            body = content.get("raw") or content.get("rendered", "")
            by_draft = auth is not None or html.unescape(str(item.get("author_name"))) == draft.name
            if by_draft and same_text(str(body), draft.text):
                outcome = "held" if item.get("status") == "hold" else "posted"
                return SendResult(
                    outcome, remote_id=str(item.get("id")), remote_url=str(item.get("link") or "")
                )
    return None


def parent_id(reply_to: str) -> int | None:
    """The numeric parent of a reply; raises SendFailure for a non-number."""
    reply_to = reply_to.strip()
    if not reply_to:
        return None
    if not reply_to.isdigit():
        raise SendFailure(rejected(f"The comment replied to, {reply_to!r}, is not a number."))
    return int(reply_to) or None



def wordpress_target(ctx: BackendContext, draft: Draft, needed: str) -> dict[str, Any]:
    """The draft's saved target if it has ``needed`` and a post id, else a fresh discovery."""
    if draft.target.get(needed) and draft.target.get("post"):
        return draft.target
    found = discover_wordpress(
        ctx.client, draft.article_url, draft.article_guid, ctx.config.url, ctx.page_cap
    )
    return {"root": found.root, "post": found.post_id, "form": found.form_action}

class WordPressBackend:
    """Comments through WordPress's REST API."""

    kind = "wordpress"
    dedupes = True  # WordPress answers 409 comment_duplicate to the same comment twice

    def __init__(self, ctx: BackendContext) -> None:
        self.ctx = ctx
        self.cfg = ctx.config
        self._login_checked: set[str] = set()

    @property
    def auth(self) -> httpx.Auth | None:
        if self.cfg.user and self.ctx.password is not None:
            return httpx.BasicAuth(self.cfg.user, self.ctx.password)
        return None

    def prepare(self, draft: Draft) -> dict[str, Any]:
        return wordpress_target(self.ctx, draft, "root")

    def check_login(self, root: str) -> None:
        """Make sure the Application Password works before anything is posted."""
        auth = self.auth
        if auth is None or root in self._login_checked:
            return
        url = rest_url(root, "wp/v2/users/me", {"_fields": "id"})
        resp = request(self.ctx.client, "GET", url, auth=auth)
        if resp.status_code in (401, 403):
            raise SendFailure(rejected(wrong_login(self.cfg, host_of(url))))
        if resp.status_code >= 500 or resp.status_code == 429:
            raise SendFailure(server_trouble(resp, "login check"))
        if resp.status_code >= 400:
            raise SendFailure(rejected(error_message(resp, "", self.cfg)))
        self._login_checked.add(root)

    def send(self, draft: Draft, target: dict[str, Any]) -> SendResult:
        root, post = str(target["root"]), int(target["post"])
        self.check_login(root)
        body: dict[str, Any] = {"post": post, "content": draft.text}
        parent = parent_id(draft.reply_to)
        if parent:
            body["parent"] = parent
        if self.auth is None:  # a logged-in comment carries the account's own name
            body["author_name"] = draft.name
            body["author_email"] = draft.email
            if draft.url:
                body["author_url"] = draft.url
        url = rest_url(root, "wp/v2/comments")
        resp = request(self.ctx.client, "POST", url, json=body, auth=self.auth or _NO_AUTH)
        return self.answer(resp, draft, target)

    def answer(self, resp: httpx.Response, draft: Draft, target: dict[str, Any]) -> SendResult:
        """The result of the POST."""
        if resp.status_code in (200, 201):
            try:
                data = resp.json()
            except ValueError:
                data = None
            if not isinstance(data, dict) or "id" not in data:
                return retry(
                    f"{host_of(str(resp.request.url))} answered without the new comment.",
                    maybe_sent=True,
                )
            remote_id, link = str(data["id"]), str(data.get("link") or "")
            status = data.get("status")
            if status == "approved":
                return SendResult("posted", remote_id=remote_id, remote_url=link)
            if status == "spam":
                return SendResult("held", "The site marked it as spam.", remote_id, link)
            return SendResult("held", remote_id=remote_id, remote_url=link)
        if resp.status_code >= 500:
            return server_trouble(resp, "comment")
        message = error_message(resp, target.get("post"), self.cfg)
        code = _code(resp)
        if resp.status_code == 409 or code == "comment_duplicate":
            found = self.find(draft, target)
            if found is not None:
                return SendResult("duplicate", message, found.remote_id, found.remote_url)
            return SendResult("duplicate", message)
        if code == "comment_flood" or resp.status_code == 429:
            return retry(message, after=FLOOD_WAIT)
        return rejected(message)

    def find(self, draft: Draft, target: dict[str, Any]) -> SendResult | None:
        root, post = str(target["root"]), int(target["post"])
        self.check_login(root)
        return find_draft(self.ctx.client, root, post, draft, self.auth)

    def comments(self, article: ArticleRef) -> list[RemoteComment]:
        found = discover_wordpress(
            self.ctx.client, article.url, article.guid, self.cfg.url, self.ctx.page_cap
        )
        items = list_comments(self.ctx.client, found.root, found.post_id)
        return thread([to_remote(i, article.url) for i in items])


_NO_AUTH = httpx.USE_CLIENT_DEFAULT


def _code(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return ""
    return str(data.get("code", "")) if isinstance(data, dict) else ""
