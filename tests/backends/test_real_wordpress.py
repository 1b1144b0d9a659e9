"""Comments to a real WordPress (REST API and classic form) on 127.0.0.1."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backends.real_backends import Backends
from termnews.comments.backends import BackendContext, make_backend
from termnews.comments.service import CommentService
from termnews.config import CommentBackendConfig
from termnews.paths import home_paths
from termnews.services import NewsService
from termnews.storage import drafts

pytestmark = pytest.mark.backends


def unique(text: str) -> str:
    return f"{text} [{uuid.uuid4().hex[:8]}]"


class Home:
    """A termnews home subscribed to the real WordPress's feed."""

    def __init__(self, home: Path, bk: Backends, backend: str) -> None:
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(
            f'[comments]\nname = "Ada"\nemail = "ada@example.org"\n\n'
            f'[[comments.backends]]\nmatch = "{bk.wp_host}"\n{backend}\n'
        )
        self.bk = bk
        self.news = NewsService(home_paths(home))
        self.comments = CommentService(self.news, quick_retries=())
        feed = self.news.subscribe(f"{bk.wp_url}/feed/")
        summary = self.news.refresh([str(feed.id)])
        assert not summary.failed, summary.failed
        self.by_title = {a.title: a for a in self.news.articles()}

    def article(self, key: str) -> int:
        """The article of one of the setup's posts ('open', 'form', 'queue', 'closed')."""
        link = self.bk.wp["permalinks"][key]
        return next(a.id for a in self.by_title.values() if a.link == link)

    def post(self, key: str, text: str, **kw: str):
        draft = self.comments.new_draft(self.article(key), text=text, **kw)
        return self.comments.post(draft.id)

    def close(self) -> None:
        self.comments.close()
        self.news.close()


@pytest.fixture
def rest(isolated_home: Path, backends: Backends) -> Iterator[Home]:
    h = Home(isolated_home, backends, f'kind = "wordpress"\nurl = "{backends.wp_url}"')
    yield h
    h.close()


@pytest.fixture
def admin(backends: Backends) -> Iterator[httpx.Client]:
    auth = httpx.BasicAuth(backends.wp["user"], backends.wp["app_password"])
    with httpx.Client(base_url=f"{backends.wp_url}/wp-json/wp/v2/", auth=auth, timeout=30) as c:
        yield c


def on_site(admin: httpx.Client, post: int, text: str) -> list[dict[str, Any]]:
    """Every comment (approved or held) of a post whose raw text is ``text``."""
    found = []
    for status in ("approve", "hold"):
        resp = admin.get("comments", params={"post": post, "status": status, "context": "edit",
                                             "per_page": 100})  # fmt: skip
        resp.raise_for_status()
        found += [c for c in resp.json() if c["content"]["raw"] == text]
    return found


def test_discovery_from_the_feed_guid_and_from_the_page(rest: Home, backends: Backends) -> None:
    hello = rest.by_title["Hello world!"]
    assert hello.guid.endswith("/?p=1")  # WordPress's own guid form
    bike = rest.by_title["Local council approves new bike lanes"]
    assert "?p=" not in bike.guid  # only the page (Link headers, form) can tell its id
    for article, post in ((hello, backends.wp["hello_post"]), (bike, backends.wp["posts"]["open"])):
        draft = rest.comments.post(rest.comments.new_draft(article.id, text=unique("Found")).id)
        assert draft.state == "posted", draft.error
        assert draft.target["post"] == post
        assert draft.target["root"] == f"{backends.wp_url}/wp-json/"
        assert draft.remote_url and draft.remote_url.startswith(article.link)


def test_posted_comment_is_listed_threaded_with_a_reply(rest: Home, admin: httpx.Client) -> None:
    text = unique("Good news for cyclists")
    first = rest.post("open", text)
    assert first.state == "posted" and first.remote_id
    reply = rest.post("open", unique("Agreed"), reply_to=first.remote_id)
    assert reply.state == "posted"
    listed = rest.comments.comments(rest.article("open"))
    ids = [c.id for c in listed]
    assert ids.index(reply.remote_id) == ids.index(first.remote_id) + 1
    mine = listed[ids.index(reply.remote_id)]
    assert (mine.parent, mine.depth, mine.author) == (first.remote_id, 1, "Ada")
    [stored] = on_site(admin, rest.bk.wp["posts"]["open"], text)
    assert (stored["author_name"], stored["author_email"]) == ("Ada", "ada@example.org")


def test_moderation_holds_the_comment(rest: Home, admin: httpx.Client, backends: Backends) -> None:
    text = unique(f"Please look at this {backends.wp['hold_word']}")
    draft = rest.post("open", text)
    assert draft.state == "held" and draft.remote_id
    [stored] = on_site(admin, backends.wp["posts"]["open"], text)
    assert (str(stored["id"]), stored["status"]) == (draft.remote_id, "hold")
    assert draft.remote_id not in [c.id for c in rest.comments.comments(rest.article("open"))]


def test_a_duplicate_is_already_there_and_posted_once(
    rest: Home, admin: httpx.Client, backends: Backends
) -> None:
    text = unique("Said it once")
    first = rest.post("open", text)
    second = rest.post("open", text)
    assert second.state == "posted"
    assert "Already there" in (second.error or "")
    assert second.remote_id == first.remote_id
    assert len(on_site(admin, backends.wp["posts"]["open"], text)) == 1


def test_a_closed_post(rest: Home) -> None:
    draft = rest.post("closed", unique("Too late"))
    assert (draft.state, draft.error) == ("failed", "Comments are closed on this article.")
    assert draft.text.startswith("Too late")


def test_the_application_password_and_a_wrong_one(
    isolated_home: Path, backends: Backends, admin: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = (f'kind = "wordpress"\nurl = "{backends.wp_url}"\nuser = "{backends.wp["user"]}"\n'
               'password_env = "TERMNEWS_TEST_WP_PASSWORD"')  # fmt: skip
    monkeypatch.setenv("TERMNEWS_TEST_WP_PASSWORD", "wrong wrong wrong wrong")
    home = Home(isolated_home, backends, backend)
    try:
        text = unique("As admin")
        refused = home.post("open", text)
        assert refused.state == "failed"
        assert refused.error == (
            f"Wrong user or password for {backends.wp_host}: check user = 'admin' and the"
            " Application Password in the environment variable TERMNEWS_TEST_WP_PASSWORD."
        )
        assert on_site(admin, backends.wp["posts"]["open"], text) == []  # not even as a guest
        monkeypatch.setenv("TERMNEWS_TEST_WP_PASSWORD", backends.wp["app_password"])
        home.comments = CommentService(home.news, quick_retries=())
        done = home.comments.post(refused.id)
        assert done.state == "posted", done.error
        [stored] = on_site(admin, backends.wp["posts"]["open"], text)
        assert (stored["author"], stored["author_name"]) == (1, "admin")
    finally:
        home.close()


def test_wordpress_going_away_mid_queue_and_coming_back(
    rest: Home, admin: httpx.Client, backends: Backends
) -> None:
    article = rest.article("queue")
    texts = [unique(f"Queued {i}") for i in range(3)]
    ids = [rest.comments.new_draft(article, text=t).id for t in texts]
    for i in ids:
        assert rest.comments.draft(i).state == "draft"
        drafts.queue(rest.comments.conn, i, 0)

    class StopsAfterFirstComment(httpx.HTTPTransport):
        """The real network, but WordPress's server is stopped right after one comment."""

        posted = 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            resp = super().handle_request(request)
            if request.method == "POST" and not self.posted:
                self.posted += 1
                resp.read()
                backends.run("wp-stop")
            return resp

    rest.comments.transport = StopsAfterFirstComment()
    try:
        run = rest.comments.send_outbox()
        assert [d.state for d in run.attempted] == ["posted", "queued"]
        assert "connection refused" in (run.attempted[1].error or "")
        assert [d.id for d in run.deferred] == [ids[2]]
    finally:
        backends.run("wp-start")
    rest.comments.transport = None
    run = rest.comments.send_outbox(force=True)
    assert [(d.id, d.state) for d in run.attempted] == [(ids[1], "posted"), (ids[2], "posted")]
    for text in texts:
        assert len(on_site(admin, backends.wp["posts"]["queue"], text)) == 1


def test_an_interrupted_send_is_checked_against_the_site(
    rest: Home, admin: httpx.Client, backends: Backends
) -> None:
    text = unique("Arrived before the crash")
    draft = rest.post("open", text)
    assert draft.state == "posted"
    # as if the process had died after WordPress took the comment, before recording it
    with rest.comments.conn:
        rest.comments.conn.execute(
            "UPDATE drafts SET state = 'sending', remote_id = NULL, sending_owner = 'gone:1:1',"
            " sending_at = 0 WHERE id = ?", (draft.id,),
        )  # fmt: skip
    run = rest.comments.send_outbox()
    [after] = run.attempted
    assert (after.state, after.remote_id) == ("posted", draft.remote_id)
    assert len(on_site(admin, backends.wp["posts"]["open"], text)) == 1


# -- the classic form ---------------------------------------------------------------------
@pytest.fixture
def form(isolated_home: Path, backends: Backends) -> Iterator[Home]:
    h = Home(isolated_home, backends, 'kind = "wordpress-form"')
    yield h
    h.close()


def test_the_classic_form_posts_holds_and_spots_duplicates(
    form: Home, admin: httpx.Client, backends: Backends
) -> None:
    text = unique("Through the form")
    posted = form.post("form", text)
    assert posted.state == "posted" and posted.remote_id
    assert posted.remote_url and posted.remote_url.endswith(f"#comment-{posted.remote_id}")
    again = form.post("form", text)
    assert (again.state, again.remote_id) == ("posted", posted.remote_id)
    assert "Already there" in (again.error or "")
    held = form.post("form", unique(f"Hold me {backends.wp['hold_word']}"))
    assert held.state == "held" and held.remote_id
    closed = form.post("closed", unique("Closed"))
    assert closed.state == "failed"
    assert closed.error == f"{backends.wp_host}: Sorry, comments are closed for this item."
    assert len(on_site(admin, backends.wp["posts"]["form"], text)) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"text": "  ", "name": "Ada"}, "Please type your comment text."),
     ({"text": "hello", "name": ""}, "Please fill the required fields.")],
)  # fmt: skip
def test_the_forms_own_error_pages(
    form: Home, backends: Backends, fields: dict[str, str], message: str
) -> None:
    draft = form.comments.new_draft(form.article("form"), **fields)  # type: ignore[arg-type]
    cfg = CommentBackendConfig(match=backends.wp_host, kind="wordpress-form")
    with httpx.Client(timeout=30) as client:
        backend = make_backend(BackendContext(cfg, client))
        result = backend.send(draft, backend.prepare(draft))
    assert (result.outcome, result.message) == ("rejected", f"{backends.wp_host}: {message}")


# -- the CLI, end to end ----------------------------------------------------------------
def test_the_cli_from_comment_to_listing(cli, isolated_home: Path, backends: Backends) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(
        '[comments]\nname = "Ada"\nemail = "ada@example.org"\n[[comments.backends]]\n'
        f'match = "{backends.wp_host}"\nkind = "wordpress"\n'
    )
    assert cli("add", f"{backends.wp_url}/feed/").code == 0
    articles = json.loads(cli("articles", "--json").out)["articles"]
    article = next(a["id"] for a in articles if a["title"] == "Old news with comments closed")
    made = cli("comment", str(article), "--text", "Closed, sadly")
    assert made.code == 0 and made.out.strip().isdigit()
    draft = made.out.strip()
    sent = cli("post", draft)
    assert sent.code == 1
    assert "Comments are closed on this article." in sent.err
    listed = json.loads(cli("drafts", "--json").out)["drafts"]
    assert [(d["id"], d["state"], d["error"], d["remote_id"], d["text"]) for d in listed] == [
        (int(draft), "failed", "Comments are closed on this article.", None, "Closed, sadly")
    ]
    hello = next(a["id"] for a in articles if a["title"] == "Hello world!")
    text = unique("From the command line")
    draft = cli("comment", str(hello), "--text", text).out.strip()
    assert cli("post", draft).code == 0
    shown = json.loads(cli("comments", str(hello), "--json").out)["comments"]
    assert any(c["text"] == text and c["author"] == "Ada" for c in shown)
    assert shown[0]["author"] == "A WordPress Commenter"
    assert os.environ.get("TERMNEWS_TEST_WP_PASSWORD") is None
