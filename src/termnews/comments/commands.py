"""The comment commands of the CLI: comment, post, drafts, outbox, comments.

``add_commands`` is called by :mod:`termnews.cli` with its sub-command factory.
Exit codes follow the CLI's: 0 done, 1 not posted (refused, or no backend),
2 usage error (bad comment form, unknown draft or article).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from termnews.comments.http import host_of
from termnews.comments.validate import check_comment
from termnews.services import ServiceError
from termnews.storage.db import StorageError
from termnews.storage.drafts import Draft
from termnews.text import one_line

if TYPE_CHECKING:
    from termnews.services import NewsService

EXIT_OK, EXIT_NOT_POSTED, EXIT_USAGE = 0, 1, 2
Handler = Callable[["NewsService", argparse.Namespace], int]


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _clock(ts: int | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else "-"


def age(seconds: float) -> str:
    """A short age: 40s, 5m, 3h, 2d."""
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def draft_json(d: Draft, now: float) -> dict[str, Any]:
    return {**d.to_json(), "age_seconds": max(0, int(now) - d.updated_at)}


def outcome_line(d: Draft) -> str:
    """One line saying where a draft stands after a send."""
    where = host_of(d.article_url) if d.article_url else "the site"
    ref = one_line(d.remote_url or "") or (f"comment {d.remote_id}" if d.remote_id else "")
    note = f" ({one_line(d.error)})" if d.error else ""
    if d.state == "posted":
        return f"Draft {d.id} posted to {where}{': ' + ref if ref else ''}{note}"
    if d.state == "held":
        return f"Draft {d.id} reached {where} and awaits moderation{': ' + ref if ref else ''}."
    if d.state == "queued":
        return (
            f"Draft {d.id} waits in the outbox: {one_line(d.error or '')} Next try after"
            f" {_clock(d.next_attempt)}; `termnews outbox --send` tries now."
        )
    if d.state == "failed":
        return f"Draft {d.id} was not posted: {one_line(d.error or 'refused')}"
    if d.state == "draft":
        return f"Draft {d.id} was not sent: {one_line(d.error or '')}"
    return f"Draft {d.id} is {d.state}."


# -- commands ----------------------------------------------------------------------
def cmd_comment(service: NewsService, args: argparse.Namespace) -> int:
    if args.text is not None and args.stdin:
        raise ServiceError("give the comment with --text or on standard input (-), not both")
    if args.text == "-" or args.stdin:
        text = sys.stdin.read()
    elif args.text is not None:
        text = args.text
    elif sys.stdin.isatty():
        from termnews.comments.editor import EditorError, edit_text

        try:
            text = edit_text("")
        except EditorError as exc:
            raise ServiceError(str(exc)) from None
    else:
        text = sys.stdin.read()
    text = text.rstrip("\n")
    comments = service.comments
    cfg = comments.config
    name = cfg.name if args.name is None else args.name
    email = cfg.email if args.email is None else args.email
    errors = check_comment(name, email, args.url or "", text)
    if errors:
        for e in errors:
            _err(f"termnews: {e.field}: {e.message}")
        return EXIT_USAGE
    draft = comments.new_draft(
        args.article, name=name, email=email, url=args.url or "", text=text,
        reply_to=args.reply_to or "",
    )  # fmt: skip
    print(draft.id)
    _err(
        f"Draft {draft.id} saved for {one_line(draft.article_title) or 'the article'!r};"
        f" send it with: termnews post {draft.id}"
    )
    return EXIT_OK


def cmd_post(service: NewsService, args: argparse.Namespace) -> int:
    draft = service.comments.post(args.draft)
    line = outcome_line(draft)
    if draft.state in ("posted", "held", "queued"):
        print(line)
        return EXIT_OK
    _err(line)
    return EXIT_NOT_POSTED


def cmd_drafts(service: NewsService, args: argparse.Namespace) -> int:
    comments = service.comments
    if args.delete is not None:
        gone = comments.delete(args.delete)
        print(f"Deleted draft {gone.id} ({gone.state}).")
        return EXIT_OK
    items = comments.drafts()
    now = time.time()
    if args.json:
        _json({"drafts": [draft_json(d, now) for d in items]})
        return EXIT_OK
    if not items:
        print("No comment drafts. `termnews comment ARTICLE` writes one.")
        return EXIT_OK
    _print_drafts(items, now)
    return EXIT_OK


def _print_drafts(items: list[Draft], now: float) -> None:
    width = max(len(str(d.id)) for d in items)
    for d in items:
        title = one_line(d.article_title)[:36] or one_line(d.article_url)[:36] or "(no article)"
        text = one_line(d.text)
        text = text if len(text) <= 40 else text[:39] + "…"
        ago = age(now - d.updated_at)
        print(f"{d.id:>{width}}  {d.state:<7} {ago:>4}  {title:<36}  {text}")
        if d.error and d.state != "posted":
            print(f"{'':>{width}}  {one_line(d.error)}")


def cmd_outbox(service: NewsService, args: argparse.Namespace) -> int:
    comments = service.comments
    now = time.time()
    code = EXIT_OK
    sent: dict[str, Any] = {}
    if args.send:
        run = comments.send_outbox(force=True)
        if args.json:
            sent = {
                "sent": [draft_json(d, now) for d in run.attempted],
                "deferred": [draft_json(d, now) for d in run.deferred],
            }
        for d in run.attempted:
            if d.state == "failed" or d.state == "draft":
                code = EXIT_NOT_POSTED
            if not args.json:
                (_err if code and d.state in ("failed", "draft") else print)(outcome_line(d))
        if not args.json:
            for d in run.deferred:
                print(f"Draft {d.id} waits: its site did not answer this time.")
            if not run.attempted and not run.deferred:
                print("The outbox is empty.")
    items = comments.outbox()
    if args.json:
        _json({**sent, "outbox": [draft_json(d, now) for d in items]})
    elif not args.send:
        if items:
            _print_drafts(items, now)
        else:
            print("The outbox is empty.")
    return code


def cmd_comments(service: NewsService, args: argparse.Namespace) -> int:
    found = service.comments.comments(args.article)
    if args.json:
        _json({"article_id": args.article, "comments": [c.to_json() for c in found]})
        return EXIT_OK
    if not found:
        print("No comments yet.")
        return EXIT_OK
    for c in found:
        pad = "  " * c.depth
        reply = "↳ " if c.depth else ""
        held = " (awaiting moderation)" if c.status == "held" else ""
        print(f"{pad}{reply}#{c.id} {c.author} · {_clock(c.date)}{held}")
        for line in c.text.splitlines() or [""]:
            print(f"{pad}    {line}" if line else "")
        print()
    return EXIT_OK


def send_due_after_refresh(service: NewsService) -> None:
    """After a refresh: send the outbox's due drafts, and say so on stderr."""
    try:
        comments = service.comments
        if not comments.outbox():
            return
        run = comments.send_outbox()
    except (ServiceError, StorageError, sqlite3.Error) as exc:  # the refresh itself went fine
        _err(f"outbox: {one_line(str(exc))}")
        return
    done = [d for d in run.attempted if d.state in ("posted", "held")]
    waiting = len(comments.outbox())
    if run.attempted or run.deferred:
        _err(
            f"Outbox: {len(done)} comment{'s' if len(done) != 1 else ''} sent, {waiting} waiting"
            " (`termnews outbox` lists them)."
        )
    for d in run.attempted:
        if d.state in ("failed", "draft"):
            _err(outcome_line(d))


# -- parser ------------------------------------------------------------------------
def _id(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    return int(text)


def add_commands(command: Callable[[str, Handler, str], argparse.ArgumentParser]) -> None:
    """Register the comment sub-commands with the CLI's factory."""
    p = command(
        "comment", cmd_comment, "write a comment on an article: saves a draft, prints its id"
    )
    p.add_argument("article", type=_id, metavar="ARTICLE", help="article id")
    p.add_argument("--name", metavar="N", help="your name (default: comments.name)")
    p.add_argument("--email", metavar="E", help="your email (default: comments.email)")
    p.add_argument("--url", metavar="U", help="your website (optional)")
    p.add_argument("--reply-to", metavar="ID", help="the id of the comment answered")
    p.add_argument("--text", metavar="TEXT", help="the comment ('-': standard input)")
    # "-" as a flag rather than a positional, so it may come after the options too
    p.add_argument("-", dest="stdin", action="store_true", help="read the comment from stdin")

    p = command(
        "post", cmd_post, "send a draft now, or keep it in the outbox until the site answers"
    )
    p.add_argument("draft", type=_id, metavar="DRAFT", help="draft id")

    p = command("drafts", cmd_drafts, "list comment drafts with their article, state and age")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--delete", type=_id, metavar="DRAFT", help="delete this draft")

    p = command("outbox", cmd_outbox, "list comments waiting to be sent; --send sends them")
    p.add_argument("--send", action="store_true", help="send everything queued now")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("comments", cmd_comments, "list an article's comments on its site, threaded")
    p.add_argument("article", type=_id, metavar="ARTICLE", help="article id")
    p.add_argument("--json", action="store_true", help="print JSON")
