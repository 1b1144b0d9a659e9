"""Comments to a real Isso server on 127.0.0.1: published, held, threaded, never twice."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backends.real_backends import Backends
from comment_server import seed_article
from termnews.comments.service import CommentService
from termnews.paths import home_paths
from termnews.services import NewsService

pytestmark = pytest.mark.backends


class Home:
    def __init__(self, home: Path, isso_url: str) -> None:
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(
            '[comments]\nname = "Ada"\nemail = "ada@example.org"\n\n'
            f'[[comments.backends]]\nmatch = "blog.example"\nkind = "isso"\nurl = "{isso_url}"\n'
        )
        self.news = NewsService(home_paths(home))
        self.comments = CommentService(self.news, quick_retries=())
        self.path = f"/posts/{uuid.uuid4().hex[:8]}/"  # a fresh thread per test
        self.article = seed_article(self.news, f"https://blog.example{self.path}", "A post")

    def post(self, text: str, **kw: str):
        return self.comments.post(self.comments.new_draft(self.article, text=text, **kw).id)

    def close(self) -> None:
        self.comments.close()
        self.news.close()


@pytest.fixture
def isso(isolated_home: Path, backends: Backends) -> Iterator[Home]:
    h = Home(isolated_home, backends.isso_url)
    yield h
    h.close()


@pytest.fixture
def moderated(isolated_home: Path, backends: Backends) -> Iterator[Home]:
    h = Home(isolated_home, backends.isso_moderated_url)
    yield h
    h.close()


def thread_on_server(url: str, path: str) -> list[dict]:
    resp = httpx.get(f"{url}/", params={"uri": path, "plain": "1"}, timeout=30)
    resp.raise_for_status()
    out = []
    for top in resp.json()["replies"]:
        out += [top, *top["replies"]]
    return out


def test_published_and_threaded(isso: Home, backends: Backends) -> None:
    first = isso.post("First *thought*", url="https://ada.example.org")
    assert first.state == "posted" and first.remote_id
    reply = isso.post("A reply", reply_to=first.remote_id)
    assert reply.state == "posted"
    listed = isso.comments.comments(isso.article)
    assert [(c.id, c.depth, c.author) for c in listed] == [
        (first.remote_id, 0, "Ada"), (reply.remote_id, 1, "Ada"),
    ]  # fmt: skip
    assert listed[0].text == "First thought"
    stored = thread_on_server(backends.isso_url, isso.path)
    assert [(str(c["id"]), c["text"], c["website"]) for c in stored] == [
        (first.remote_id, "First *thought*", "https://ada.example.org"),
        (reply.remote_id, "A reply", None),
    ]


def test_held_for_moderation(moderated: Home, backends: Backends) -> None:
    draft = moderated.post("Awaiting a moderator")
    assert draft.state == "held" and draft.remote_id
    assert moderated.comments.comments(moderated.article) == []


def test_the_server_refuses_in_words(isso: Home, backends: Backends) -> None:
    draft = isso.post("ab")  # Isso wants at least 3 characters
    assert draft.state == "failed"
    host = backends.isso_url.removeprefix("http://")
    assert draft.error == f"{host} refused the comment: text is too short (minimum length: 3)"


def _interrupt(home: Home, draft_id: int) -> None:
    """As if termnews died after the server took the comment, before recording it."""
    with home.comments.conn:
        home.comments.conn.execute(
            "UPDATE drafts SET state = 'sending', remote_id = NULL, sending_owner = 'gone:1:1',"
            " sending_at = 0 WHERE id = ?", (draft_id,),
        )  # fmt: skip


def test_an_interrupted_send_found_published_is_not_sent_again(
    isso: Home, backends: Backends
) -> None:
    draft = isso.post("Did this arrive?")
    _interrupt(isso, draft.id)
    [after] = isso.comments.send_outbox().attempted
    assert (after.state, after.remote_id) == ("posted", draft.remote_id)
    assert len(thread_on_server(backends.isso_url, isso.path)) == 1


def test_an_interrupted_send_hidden_by_moderation_waits_for_the_person(
    moderated: Home, backends: Backends
) -> None:
    draft = moderated.post("Held and interrupted")
    _interrupt(moderated, draft.id)
    [after] = moderated.comments.send_outbox().attempted
    assert after.state == "failed"
    assert "cannot tell whether it arrived" in (after.error or "")
