"""WordPress's classic comment form: ``POST /wp-comments-post.php``.

A redirect to ``#comment-N`` is success, one with ``?unapproved=N`` means held
for moderation; otherwise WordPress answers with an error page whose message
("Please type your comment text.") becomes the reason. Comments are read, and
earlier sends looked for, through the REST API when the site has one.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from termnews.comments.backends import ArticleRef, BackendContext
from termnews.comments.backends.wordpress import (
    FLOOD_WAIT,
    clean,
    find_draft,
    list_comments,
    parent_id,
    to_remote,
    wordpress_target,
)
from termnews.comments.discover import discover_wordpress
from termnews.comments.http import host_of, request, server_trouble
from termnews.comments.outbox import SendFailure, SendResult, rejected, retry
from termnews.comments.threads import RemoteComment, thread
from termnews.storage.drafts import Draft

_COMMENT_ANCHOR = re.compile(r"^comment-(\d+)$")


def error_page_message(body: bytes) -> str:
    """The message of a wp_die() page ("Error: Please fill the required fields.")."""
    import lxml.html

    if not body.strip():
        return ""
    try:
        doc = lxml.html.document_fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return clean(body.decode("utf-8", "replace"))
    found = doc.find_class("wp-die-message")
    if found:
        text = found[0].text_content()
    else:
        paras = [p.text_content() for p in doc.iter("p")]
        text = " ".join(p for p in paras if "back" not in p.lower() or len(p) > 12)
        if not text.strip():
            body_el = doc.find("body")
            text = body_el.text_content() if body_el is not None else doc.text_content()
    text = clean(text)
    return re.sub(r"^(Error|ERROR)\s*:\s*", "", text)


def redirect_result(location: str) -> SendResult:
    """Where WordPress sends the browser after a comment, as a result."""
    parts = urlsplit(location)
    unapproved = parse_qs(parts.query).get("unapproved", [""])[0]
    link = location.split("?")[0] + (f"#{parts.fragment}" if parts.fragment else "")
    if unapproved.isdigit():
        return SendResult("held", remote_id=unapproved, remote_url=link)
    m = _COMMENT_ANCHOR.match(parts.fragment)
    return SendResult("posted", remote_id=m.group(1) if m else None, remote_url=link)


class WordPressFormBackend:
    """Comments through the form every WordPress theme shows."""

    kind = "wordpress-form"
    dedupes = True  # the form answers 409 to a duplicate comment

    def __init__(self, ctx: BackendContext) -> None:
        self.ctx = ctx
        self.cfg = ctx.config

    def prepare(self, draft: Draft) -> dict[str, Any]:
        return wordpress_target(self.ctx, draft, "form")

    def send(self, draft: Draft, target: dict[str, Any]) -> SendResult:
        parent = parent_id(draft.reply_to) or 0
        form = {
            "comment": draft.text, "author": draft.name, "email": draft.email,
            "url": draft.url, "comment_post_ID": str(target["post"]),
            "comment_parent": str(parent),
        }  # fmt: skip
        action = str(target["form"])
        resp = request(self.ctx.client, "POST", action, data=form)
        host = host_of(action)
        if resp.status_code in (301, 302, 303, 307) and resp.headers.get("location"):
            return redirect_result(urljoin(action, resp.headers["location"]))
        if resp.status_code >= 500:
            return server_trouble(resp, "comment")
        message = error_page_message(resp.content)
        if resp.status_code == 409:
            note = f"Already there: {host} says this comment was posted before."
            found = self.find(draft, target)
            if found is not None:
                return SendResult("duplicate", note, found.remote_id, found.remote_url)
            return SendResult("duplicate", note)
        if resp.status_code == 429:
            return retry(
                f"You are commenting too fast for {host}; it will be sent again in a minute.",
                after=FLOOD_WAIT,
            )
        if resp.status_code == 200 and not message:
            return rejected(
                f"{host} did not take the comment (no such post {target['post']}, or comments"
                " are switched off)."
            )
        if resp.status_code == 404:
            return rejected(f"{host} has no comment form at {action} (HTTP 404).")
        return rejected(
            f"{host}: {message}" if message else f"{host} answered HTTP {resp.status_code}."
        )

    def find(self, draft: Draft, target: dict[str, Any]) -> SendResult | None:
        try:
            return find_draft(
                self.ctx.client, str(target["root"]), int(target["post"]), draft, None
            )
        except SendFailure as exc:
            if exc.result.outcome == "retry":
                raise
            return None  # no REST API to ask: the form's own duplicate check still holds

    def comments(self, article: ArticleRef) -> list[RemoteComment]:
        found = discover_wordpress(
            self.ctx.client, article.url, article.guid, self.cfg.url, self.ctx.page_cap
        )
        items = list_comments(self.ctx.client, found.root, found.post_id)
        return thread([to_remote(i, article.url) for i in items])
