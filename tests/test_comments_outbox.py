"""The outbox: states, retries with backoff, never twice, crashes at any moment.

Sites are played by a loopback server (tests/comment_server.py); the real
WordPress and Isso are in tests/backends/.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from comment_server import CommentServer, Reply, seed_article
from termnews.comments.outbox import SendResult, backoff, settle
from termnews.comments.service import CommentService, InvalidComment
from termnews.paths import home_paths
from termnews.services import NewsService, ServiceError
from termnews.storage import drafts as repo

NOW = 1_800_000_000


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def srv() -> Iterator[CommentServer]:
    s = CommentServer()
    yield s
    s.close()


class Env:
    """A home with a config, its services, and a site on the loopback server."""

    def __init__(self, home: Path, srv: CommentServer) -> None:
        self.home = home
        self.srv = srv
        self.clock = Clock()
        self.sleeps: list[float] = []
        self.news: NewsService | None = None

    def config(self, backends: str, extra: str = "") -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "config.toml").write_text(
            f'[comments]\nname = "Ada"\nemail = "ada@example.org"\n{backends}\n{extra}'
        )

    def webhook(self, **kw: str) -> None:
        lines = "".join(f'{k} = "{v}"\n' for k, v in kw.items())
        self.config(
            f'[[comments.backends]]\nmatch = "{self.srv.host}"\nkind = "webhook"\n'
            f'url = "{self.srv.url("/hook")}"\n{lines}'
        )

    def service(self, quick_retries: tuple[float, ...] = ()) -> CommentService:
        if self.news is not None:
            self.news.close()
        self.news = NewsService(home_paths(self.home))
        return CommentService(
            self.news, clock=self.clock, quick_retries=quick_retries, sleep=self.sleeps.append
        )

    def article(self, path: str = "/2026/story/", title: str = "A story") -> int:
        assert self.news is not None
        return seed_article(self.news, self.srv.url(path), title)


@pytest.fixture
def env(isolated_home: Path, srv: CommentServer) -> Iterator[Env]:
    e = Env(isolated_home, srv)
    yield e
    if e.news is not None:
        e.news.close()


# -- pure parts -------------------------------------------------------------------
def test_backoff_doubles_from_30_seconds_to_an_hour() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20) == 3600
    assert backoff(1, retry_after=600) == 600  # the site asked for longer
    assert backoff(3, retry_after=5) == 120
    assert backoff(1, retry_after=10**9) == 6 * 3600


def test_settle_maps_outcomes_to_states() -> None:
    assert settle(SendResult("posted", remote_id="7"), 1, NOW).state == "posted"
    assert settle(SendResult("held", remote_id="7"), 1, NOW).state == "held"
    dup = settle(SendResult("duplicate", "already there", remote_id="7"), 1, NOW)
    assert (dup.state, dup.remote_id, dup.error) == ("posted", "7", "already there")
    bad = settle(SendResult("rejected", "Comments are closed on this article."), 1, NOW)
    assert (bad.state, bad.error) == ("failed", "Comments are closed on this article.")
    again = settle(SendResult("retry", "down", maybe_sent=True), 2, NOW)
    assert (again.state, again.next_attempt, again.needs_check) == ("queued", NOW + 60, True)


# -- posting over a webhook -------------------------------------------------------
def test_post_sends_once_with_the_draft_and_its_article(env: Env, srv: CommentServer) -> None:
    env.webhook()
    srv.on("POST", "/hook", Reply(201, {"id": 99, "url": "https://site.example/c/99"}))
    comments = env.service()
    article = env.article()
    draft = comments.new_draft(article, text="First!", url="https://ada.example.org")
    assert (draft.name, draft.email, draft.state) == ("Ada", "ada@example.org", "draft")
    done = comments.post(draft.id)
    assert (done.state, done.remote_id, done.remote_url) == (
        "posted", "99", "https://site.example/c/99",
    )  # fmt: skip
    [req] = srv.got("POST", "/hook")
    body = req.json()
    assert body["draft"]["text"] == "First!" and body["draft"]["url"] == "https://ada.example.org"
    assert body["article"] == {
        "id": article, "url": env.srv.url("/2026/story/"), "title": "A story",
        "guid": env.srv.url("/2026/story/"),
    }  # fmt: skip
    assert req.headers["Idempotency-Key"] == draft.token
    with pytest.raises(ServiceError, match="already on the site"):
        comments.post(draft.id)
    assert len(srv.got("POST", "/hook")) == 1


def test_form_mistakes_stop_the_post_and_keep_the_text(env: Env, srv: CommentServer) -> None:
    env.webhook()
    comments = env.service()
    draft = comments.new_draft(env.article(), name="", email="not-an-address", text="Kept")
    with pytest.raises(InvalidComment) as info:
        comments.post(draft.id)
    assert [(e.field, e.message) for e in info.value.errors] == [
        ("name", "Please enter your name here"),
        ("email", "You have entered an incorrect email address!"),
    ]
    again = comments.draft(draft.id)
    assert (again.state, again.text) == ("draft", "Kept")
    assert srv.got("POST", "/hook") == []


def test_server_errors_retry_with_growing_backoff(env: Env, srv: CommentServer) -> None:
    env.webhook()
    srv.on("POST", "/hook", Reply(503, "down"), Reply(502, "bad gateway"), Reply(200, {"id": 1}))
    comments = env.service()
    draft = comments.new_draft(env.article(), text="Patience")
    first = comments.post(draft.id)
    assert (first.state, first.attempts, first.next_attempt) == ("queued", 1, NOW + 30)
    assert "HTTP 503" in (first.error or "")
    assert comments.send_outbox().attempted == []  # not due yet
    env.clock.now += 30
    second = comments.send_outbox().attempted[0]
    assert (second.state, second.attempts, second.next_attempt) == ("queued", 2, NOW + 30 + 60)
    env.clock.now += 60
    third = comments.send_outbox().attempted[0]
    assert (third.state, third.remote_id, third.error) == ("posted", "1", None)
    # every try carried the same key, so the receiver can drop repeats
    assert {r.headers["Idempotency-Key"] for r in srv.got("POST", "/hook")} == {draft.token}


def test_retry_after_is_honoured(env: Env, srv: CommentServer) -> None:
    env.webhook()
    srv.on("POST", "/hook", Reply(429, "slow down", {"Retry-After": "600"}))
    comments = env.service()
    draft = comments.post(comments.new_draft(env.article(), text="Hi").id)
    assert (draft.state, draft.next_attempt) == ("queued", NOW + 600)
    assert "slow down" in (draft.error or "")


def test_a_refusal_fails_with_the_reason_and_can_be_edited_and_retried(
    env: Env, srv: CommentServer
) -> None:
    env.webhook()
    srv.on("POST", "/hook", Reply(422, {"message": "Links are not allowed"}), Reply(200, {}))
    comments = env.service()
    draft = comments.new_draft(env.article(), text="see http://x.example")
    failed = comments.post(draft.id)
    assert failed.state == "failed"
    assert failed.error == f"{srv.host} refused the comment (HTTP 422): Links are not allowed"
    assert failed.text == "see http://x.example"
    edited = comments.save(draft.id, text="no links now")
    assert (edited.state, edited.text) == ("draft", "no links now")
    assert comments.post(draft.id).state == "posted"


def test_no_network_queues_after_one_quick_retry(env: Env, srv: CommentServer) -> None:
    env.webhook()
    srv.close()  # nothing listens on the port any more
    comments = env.service(quick_retries=(1.0,))
    draft = comments.post(comments.new_draft(env.article(), text="offline").id)
    assert draft.state == "queued"
    assert "connection refused" in (draft.error or "")
    assert not draft.needs_check  # a refused connection sent nothing
    assert env.sleeps == [1.0]


def test_a_timeout_after_sending_is_checked_before_resending(env: Env, srv: CommentServer) -> None:
    env.webhook()
    (env.home / "config.toml").write_text(
        (env.home / "config.toml").read_text() + "[refresh]\nread_timeout = 0.3\n"
    )
    srv.on("POST", "/hook", Reply(200, {"id": 5}, delay=1.0), Reply(200, {"id": 5}))
    comments = env.service(quick_retries=(0.0,))
    draft = comments.post(comments.new_draft(env.article(), text="slow site").id)
    assert draft.state == "queued" and draft.needs_check
    assert env.sleeps == []  # no quick resend of something that may have arrived
    with pytest.raises(ServiceError, match="may already have reached the site"):
        comments.save(draft.id, text="changed")
    env.clock.now += 30
    done = comments.send_outbox().attempted[0]
    assert (done.state, done.remote_id) == ("posted", "5")
    keys = [r.headers["Idempotency-Key"] for r in srv.got("POST", "/hook")]
    assert keys == [draft.token, draft.token]


def test_a_site_going_away_mid_queue_holds_its_other_drafts(env: Env, srv: CommentServer) -> None:
    env.webhook()
    srv.on("POST", "/hook", Reply(200, {"id": 1}), Reply(503, "gone"), Reply(200, {"id": 2}))
    comments = env.service()
    article = env.article()
    ids = [comments.new_draft(article, text=f"comment {i}").id for i in range(3)]
    for i in ids:
        repo.queue(comments.conn, i, NOW)
    run = comments.send_outbox()
    assert [d.state for d in run.attempted] == ["posted", "queued"]
    assert [d.id for d in run.deferred] == [ids[2]]
    assert len(srv.got("POST", "/hook")) == 2  # the third was not even tried
    env.clock.now += 30
    run = comments.send_outbox()
    assert [(d.id, d.state) for d in run.attempted] == [(ids[1], "posted"), (ids[2], "posted")]
    bodies = [r.json()["draft"]["text"] for r in srv.got("POST", "/hook")]
    assert bodies == ["comment 0", "comment 1", "comment 1", "comment 2"]


def test_no_backend_keeps_the_draft_and_says_how_to_configure(env: Env) -> None:
    env.config("")
    comments = env.service()
    draft = comments.post(comments.new_draft(env.article(), text="local only").id)
    assert draft.state == "draft"
    assert f'match = "{env.srv.host}"' in (draft.error or "")
    assert "[[comments.backends]]" in (draft.error or "")


def test_match_picks_the_backend_by_host_and_port(env: Env) -> None:
    env.config(
        '[[comments.backends]]\nmatch = "a.example:8080"\nkind = "webhook"\nurl = "http://h/1"\n'
        '[[comments.backends]]\nmatch = "*.b.example"\nkind = "webhook"\nurl = "http://h/2"\n'
        '[[comments.backends]]\nmatch = "a.example"\nkind = "webhook"\nurl = "http://h/3"\n'
    )
    comments = env.service()

    def url_for(article: str) -> str | None:
        cfg = comments.backend_config(article)
        return cfg.url if cfg else None

    assert url_for("http://a.example:8080/x") == "http://h/1"
    assert url_for("https://A.example/x") == "http://h/3"
    assert url_for("https://news.b.example/x") == "http://h/2"
    assert url_for("https://b.example/x") == "http://h/2"
    assert url_for("https://notb.example/x") is None


# -- never twice ----------------------------------------------------------------------
def _mark_sending(comments: CommentService, draft_id: int, owner: str, at: int) -> None:
    with comments.conn:
        comments.conn.execute(
            "UPDATE drafts SET state = 'sending', sending_owner = ?, sending_at = ? WHERE id = ?",
            (owner, at, draft_id),
        )


def test_a_send_cut_short_by_a_crash_is_checked_then_resent_with_the_same_key(
    env: Env, srv: CommentServer
) -> None:
    env.webhook()
    srv.on("POST", "/hook", Reply(200, {"id": 3}))
    comments = env.service()
    draft = comments.new_draft(env.article(), text="interrupted")
    _mark_sending(comments, draft.id, "elsewhere:1:1", NOW - 10)  # another machine, recent
    assert comments.recover_interrupted() == []
    _mark_sending(comments, draft.id, f"{os.uname().nodename}:999999999:1", NOW - 10)
    [back] = comments.recover_interrupted()
    assert (back.state, back.needs_check) == ("queued", True)
    done = comments.send_outbox().attempted[0]
    assert done.state == "posted"
    assert [r.headers["Idempotency-Key"] for r in srv.got("POST", "/hook")] == [draft.token]


def test_our_own_live_send_is_left_alone(env: Env) -> None:
    env.webhook()
    comments = env.service()
    draft = comments.new_draft(env.article(), text="mine")
    _mark_sending(comments, draft.id, comments.owner, NOW - 5)
    assert comments.recover_interrupted() == []
    with pytest.raises(ServiceError, match="being sent"):
        comments.delete(draft.id)
    env.clock.now += 16 * 60  # older than any send can take: it died
    assert [d.id for d in comments.recover_interrupted()] == [draft.id]


def isso_config(env: Env) -> None:
    env.config(
        f'[[comments.backends]]\nmatch = "{env.srv.host}"\nkind = "isso"\n'
        f'url = "{env.srv.url("/isso")}"\n'
    )


def test_isso_interrupted_send_found_on_the_site_is_not_resent(
    env: Env, srv: CommentServer
) -> None:
    isso_config(env)
    thread = {"replies": [{"id": 12, "author": "Ada", "text": "Was it *sent*?", "mode": 1,
                           "parent": None, "created": NOW, "replies": []}]}  # fmt: skip
    srv.on("GET", "/isso/", Reply(200, thread))
    comments = env.service()
    draft = comments.new_draft(env.article(), text="Was it *sent*?")
    _mark_sending(comments, draft.id, "x:1:1", NOW - 3600)
    comments.recover_interrupted()
    done = comments.send_outbox().attempted[0]
    assert (done.state, done.remote_id) == ("posted", "12")
    assert srv.got("POST", "/isso/new") == []
    assert srv.got("GET", "/isso/")[0].query["uri"] == ["/2026/story/"]


def test_isso_interrupted_send_not_seen_is_not_resent_without_asking(
    env: Env, srv: CommentServer
) -> None:
    isso_config(env)
    srv.on("GET", "/isso/", Reply(200, {"replies": []}))
    srv.on("POST", "/isso/new", Reply(201, {"id": 13, "mode": 1}))
    comments = env.service()
    draft = comments.new_draft(env.article(), text="Maybe held")
    _mark_sending(comments, draft.id, "x:1:1", NOW - 3600)
    comments.recover_interrupted()
    failed = comments.send_outbox().attempted[0]
    assert failed.state == "failed"
    assert "cannot tell whether it arrived" in (failed.error or "")
    assert f"termnews post {draft.id}" in (failed.error or "")
    assert srv.got("POST", "/isso/new") == []
    # the person looked and decided: post sends it
    assert comments.post(draft.id).state == "posted"
    assert len(srv.got("POST", "/isso/new")) == 1


def test_two_senders_at_once_send_each_draft_once(env: Env, srv: CommentServer) -> None:
    env.webhook()
    srv.on("POST", "/hook", lambda req: Reply(200, {"id": req.json()["draft"]["id"]}, delay=0.05))
    first = env.service()
    article = env.article()
    ids = [first.new_draft(article, text=f"c{i}").id for i in range(8)]
    for i in ids:
        repo.queue(first.conn, i, NOW)
    second = CommentService(first.news, clock=env.clock, quick_retries=())
    threads = [threading.Thread(target=s.send_outbox) for s in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    posted = [r.json()["draft"]["id"] for r in srv.got("POST", "/hook")]
    assert sorted(posted) == ids  # each exactly once
    assert {d.state for d in first.drafts()} == {"posted"}
    second.close()


# -- storage ----------------------------------------------------------------------------
def test_claim_is_exclusive_across_connections(env: Env) -> None:
    env.webhook()
    comments = env.service()
    draft = comments.new_draft(env.article(), text="x")
    repo.queue(comments.conn, draft.id, NOW)
    other = sqlite3.connect(comments.news.paths.database, isolation_level=None)
    other.row_factory = sqlite3.Row
    assert repo.claim(comments.conn, draft.id, "a", NOW) is not None
    assert repo.claim(other, draft.id, "b", NOW) is None
    other.close()


def test_a_draft_outlives_its_article(env: Env) -> None:
    env.webhook()
    comments = env.service()
    draft = comments.new_draft(env.article(title="Soon gone"), text="keep me")
    assert env.news is not None
    env.news.conn.execute("DELETE FROM feeds")  # unsubscribing drops the articles
    kept = comments.draft(draft.id)
    assert (kept.article_id, kept.article_title, kept.text) == (None, "Soon gone", "keep me")


def test_open_draft_reuses_the_unsent_one(env: Env) -> None:
    env.webhook()
    comments = env.service()
    article = env.article()
    first = comments.open_draft(article)
    assert comments.open_draft(article).id == first.id
    assert comments.open_draft(article, reply_to="4").id != first.id
