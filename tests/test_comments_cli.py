"""The comment commands: comment, post, drafts, outbox, comments (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from comment_server import CommentServer, Reply, seed_article
from http_fixtures import rss
from termnews.paths import home_paths
from termnews.services import NewsService


@pytest.fixture
def srv() -> Iterator[CommentServer]:
    s = CommentServer()
    yield s
    s.close()


def configure(home: Path, srv: CommentServer, kind: str = "webhook") -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        '[comments]\nname = "Ada"\nemail = "ada@example.org"\n[[comments.backends]]\n'
        f'match = "{srv.host}"\nkind = "{kind}"\nurl = "{srv.url("/hook")}"\n'
    )


def article(home: Path, link: str, title: str = "Story") -> int:
    news = NewsService(home_paths(home))
    try:
        return seed_article(news, link, title)
    finally:
        news.close()


def test_comment_then_post(cli, isolated_home: Path, srv: CommentServer) -> None:
    configure(isolated_home, srv)
    srv.on("POST", "/hook", Reply(201, {"id": 42, "url": "https://site.example/#c42"}))
    art = article(isolated_home, srv.url("/a/"))
    made = cli("comment", str(art), "--text", "Hello there", "--reply-to", "7")
    assert made.code == 0, made.err
    draft = made.out.strip()
    assert draft.isdigit()
    assert f"termnews post {draft}" in made.err
    sent = cli("post", draft)
    assert (sent.code, sent.out.strip()) == (
        0, f"Draft {draft} posted to {srv.host}: https://site.example/#c42",
    )  # fmt: skip
    [req] = srv.got("POST", "/hook")
    assert req.json()["draft"]["reply_to"] == "7"
    [d] = json.loads(cli("drafts", "--json").out)["drafts"]
    assert {k: d[k] for k in ("id", "article_id", "state", "error", "remote_id", "text")} == {
        "id": int(draft), "article_id": art, "state": "posted", "error": None,
        "remote_id": "42", "text": "Hello there",
    }  # fmt: skip
    again = cli("post", draft)
    assert again.code == 2 and "already on the site" in again.err


def test_comment_from_stdin_and_form_errors(isolated_home: Path, srv: CommentServer, cli) -> None:
    configure(isolated_home, srv)
    art = article(isolated_home, srv.url("/a/"))
    env = {**os.environ, "TERMNEWS_HOME": str(isolated_home)}
    proc = subprocess.run(
        [sys.executable, "-m", "termnews", "comment", str(art), "--name", "Bo", "-"],
        input="Line one\nLine two\n", capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    [d] = json.loads(cli("drafts", "--json").out)["drafts"]
    assert (d["text"], d["name"], d["email"]) == ("Line one\nLine two", "Bo", "ada@example.org")
    empty = cli("comment", str(art), "--text", "   ")
    assert (empty.code, empty.out) == (2, "")
    assert "Please enter your comment!" in empty.err
    bad = cli("comment", str(art), "--text", "hi", "--name", "", "--email", "ada@")
    assert bad.code == 2
    assert "Please enter your name here" in bad.err
    assert "You have entered an incorrect email address!" in bad.err
    assert cli("comment", "999", "--text", "hi").code == 2
    assert len(json.loads(cli("drafts", "--json").out)["drafts"]) == 1


def test_no_backend_keeps_the_draft_and_exits_1(isolated_home: Path, cli) -> None:
    art = article(isolated_home, "https://unconfigured.example/story/")
    draft = cli("comment", str(art), "--text", "Stays here", "--name", "Ada",
                "--email", "ada@example.org").out.strip()  # fmt: skip
    sent = cli("post", draft)
    assert sent.code == 1
    assert 'match = "unconfigured.example"' in sent.err
    listed = cli("drafts")
    assert f"{draft}  draft" in listed.out and "Stays here" in listed.out
    assert cli("drafts", "--delete", draft).code == 0
    assert "No comment drafts" in cli("drafts").out


def test_outbox_waits_offline_and_refresh_sends_it(
    isolated_home: Path, srv: CommentServer, server, cli
) -> None:
    configure(isolated_home, srv)
    srv.on("POST", "/hook", Reply(503, "maintenance"), Reply(200, {"id": 1}))
    art = article(isolated_home, srv.url("/a/"))
    draft = cli("comment", str(art), "--text", "Written offline").out.strip()
    queued = cli("post", draft)
    assert queued.code == 0 and "waits in the outbox" in queued.out
    box = json.loads(cli("outbox", "--json").out)["outbox"]
    assert [(d["id"], d["state"], d["attempts"]) for d in box] == [(int(draft), "queued", 1)]
    assert "HTTP 503" in box[0]["error"]
    # not due yet: a refresh leaves it; --send forces it
    server.add("/feed.xml", rss("Feed", [("1", "One")]))
    assert cli("add", server.url("/feed.xml")).code == 0
    assert len(srv.got("POST", "/hook")) == 1
    sent = cli("outbox", "--send")
    assert sent.code == 0 and f"Draft {draft} posted" in sent.out
    assert cli("outbox").out.strip() == "The outbox is empty."


def test_refresh_sends_what_is_due(isolated_home: Path, srv: CommentServer, server, cli) -> None:
    configure(isolated_home, srv)
    srv.on("POST", "/hook", Reply(200, {"id": 8}))
    art = article(isolated_home, srv.url("/a/"))
    draft = cli("comment", str(art), "--text", "Send me at refresh").out.strip()
    news = NewsService(home_paths(isolated_home))
    from termnews.storage import drafts

    drafts.queue(news.comments.conn, int(draft), 0)
    news.close()
    server.add("/feed.xml", rss("Feed", [("1", "One")]))
    result = cli("add", server.url("/feed.xml"))
    assert result.code == 0
    refreshed = cli("refresh", server.url("/feed.xml"))
    assert refreshed.code == 0
    assert "Outbox: 1 comment sent, 0 waiting" in refreshed.err
    assert len(srv.got("POST", "/hook")) == 1


def test_listing_comments_needs_a_backend_that_can(
    isolated_home: Path, srv: CommentServer, cli
) -> None:
    configure(isolated_home, srv)
    art = article(isolated_home, srv.url("/a/"))
    listed = cli("comments", str(art))
    assert listed.code == 2 and "cannot list comments" in listed.err
    other = article(isolated_home, "https://elsewhere.example/x/", "Other")
    assert "No comment system is set up for elsewhere.example" in cli("comments", str(other)).err


def test_isso_comments_listed_as_a_thread(isolated_home: Path, srv: CommentServer, cli) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(
        f'[[comments.backends]]\nmatch = "{srv.host}"\nkind = "isso"\nurl = "{srv.url("/c")}"\n'
    )
    srv.on("GET", "/c/", Reply(200, {"replies": [
        {"id": 1, "parent": None, "author": "Bo", "text": "<p>Top</p>", "created": 1.7e9,
         "mode": 1, "replies": [
             {"id": 2, "parent": 1, "author": None, "text": "<p>Under</p>", "created": 1.8e9,
              "mode": 1, "replies": []}]}]}))  # fmt: skip
    art = article(isolated_home, srv.url("/post/"))
    shown = cli("comments", str(art))
    assert shown.code == 0
    assert shown.out.splitlines()[:5] == [
        f"#1 Bo · {shown.out.splitlines()[0].split(' · ')[1]}", "    Top", "",
        f"  ↳ #2 Anonymous · {shown.out.splitlines()[3].split(' · ')[1]}", "      Under",
    ]  # fmt: skip
    data = json.loads(cli("comments", str(art), "--json").out)
    assert [(c["id"], c["parent"], c["depth"]) for c in data["comments"]] == [
        ("1", None, 0), ("2", "1", 1),
    ]  # fmt: skip
