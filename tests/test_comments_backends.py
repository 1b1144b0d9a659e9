"""Each backend's answers in words: WordPress REST and form, Isso, webhook, secrets.

The site is a loopback server playing back the answers the real servers give
(tests/backends/ posts to the real ones).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from comment_server import CommentServer, Reply, seed_article
from termnews.comments.backends.wordpress_form import error_page_message, redirect_result
from termnews.comments.service import CommentService
from termnews.paths import home_paths
from termnews.services import NewsService

PASSWORD = "s3cret-Application-Passw0rd"


@pytest.fixture
def srv() -> Iterator[CommentServer]:
    s = CommentServer()
    yield s
    s.close()


@pytest.fixture
def site(isolated_home: Path, srv: CommentServer) -> Iterator[Site]:
    s = Site(isolated_home, srv)
    yield s
    s.close()


class Site:
    def __init__(self, home: Path, srv: CommentServer) -> None:
        self.home, self.srv = home, srv
        self.news: NewsService | None = None
        self.comments: CommentService | None = None

    def configure(self, kind: str, **kw: str) -> CommentService:
        self.home.mkdir(parents=True, exist_ok=True)
        lines = "".join(f'{k} = "{v}"\n' for k, v in kw.items())
        (self.home / "config.toml").write_text(
            '[comments]\nname = "Ada"\nemail = "ada@example.org"\n[[comments.backends]]\n'
            f'match = "{self.srv.host}"\nkind = "{kind}"\n{lines}'
        )
        self.close()
        self.news = NewsService(home_paths(self.home))
        self.comments = CommentService(self.news, quick_retries=())
        return self.comments

    def wordpress_page(self, post: int = 4, path: str = "/2026/11/story/") -> str:
        self.srv.on("GET", path, Reply(200, "<html><body>story</body></html>", {
            "Link": f'<{self.srv.url("/wp-json/")}>; rel="https://api.w.org/", '
                    f'<{self.srv.url(f"/?p={post}")}>; rel=shortlink'}))  # fmt: skip
        return path

    def post(self, text: str = "Hello", path: str = "/2026/11/story/", **kw: str):
        assert self.news is not None and self.comments is not None
        article = seed_article(self.news, self.srv.url(path), "Story")
        draft = self.comments.new_draft(article, text=text, **kw)
        return self.comments.post(draft.id)

    def close(self) -> None:
        if self.comments is not None:
            self.comments.close()
        if self.news is not None:
            self.news.close()


def wp_error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"code": code, "message": message, "data": {"status": status}})


# -- WordPress REST --------------------------------------------------------------------
def test_wordpress_anonymous_comment_and_its_fields(site: Site, srv: CommentServer) -> None:
    site.configure("wordpress")
    site.wordpress_page(post=4)
    srv.on("POST", "/wp-json/wp/v2/comments", Reply(201, {
        "id": 9, "status": "approved", "link": srv.url("/2026/11/story/#comment-9")}))  # fmt: skip
    draft = site.post("Nice one", url="https://ada.example.org", reply_to="3")
    assert (draft.state, draft.remote_id) == ("posted", "9")
    assert draft.target["root"] == srv.url("/wp-json/") and draft.target["post"] == 4
    [req] = srv.got("POST", "/wp-json/wp/v2/comments")
    assert req.json() == {
        "post": 4, "content": "Nice one", "parent": 3, "author_name": "Ada",
        "author_email": "ada@example.org", "author_url": "https://ada.example.org",
    }  # fmt: skip
    assert "Authorization" not in req.headers


def test_wordpress_hold_means_held(site: Site, srv: CommentServer) -> None:
    site.configure("wordpress")
    site.wordpress_page()
    srv.on("POST", "/wp-json/wp/v2/comments", Reply(201, {"id": 10, "status": "hold"}))
    draft = site.post()
    assert (draft.state, draft.remote_id) == ("held", "10")


@pytest.mark.parametrize(
    ("reply", "state", "message"),
    [
        (wp_error(401, "rest_comment_login_required", "Sorry, you must be logged in to comment."),
         "failed", "takes comments only from logged-in users"),
        (wp_error(403, "rest_comment_invalid_post_id", "Sorry, you are not allowed to create this"
                  " comment without a post."), "failed", "has no post 4 to comment on"),
        (wp_error(403, "rest_comment_closed", "Sorry, comments are closed for this item."),
         "failed", "Comments are closed on this article."),
        (wp_error(400, "rest_comment_content_invalid", "Invalid comment content."),
         "failed", "refused the comment as empty or invalid"),
        (wp_error(400, "rest_comment_author_data_required", "Creating a comment requires valid"
                  " author name and email values."), "failed", "needs a name and a valid email"),
        (wp_error(400, "comment_flood", "You are posting comments too quickly. Slow down."),
         "queued", "commenting too fast"),
        (Reply(400, {"code": "rest_invalid_param",
                     "message": "Invalid parameter(s): author_email",
                     "data": {"status": 400,
                              "params": {"author_email": "Invalid email address."}}}),
         "failed", "author_email: Invalid email address."),
        (wp_error(403, "some_plugin_said_no", "<strong>Blocked</strong> by &ldquo;Guard&rdquo;"),
         "failed", "refused the comment: Blocked by “Guard” (some_plugin_said_no)"),
        (Reply(500, "<html>Fatal error</html>"), "queued", "had a problem with the comment"),
    ],
)  # fmt: skip
def test_wordpress_errors_in_words(
    site: Site, srv: CommentServer, reply: Reply, state: str, message: str
) -> None:
    site.configure("wordpress")
    site.wordpress_page()
    srv.on("POST", "/wp-json/wp/v2/comments", reply)
    srv.on("GET", "/wp-json/wp/v2/comments", Reply(200, []))
    draft = site.post()
    assert draft.state == state
    assert message in (draft.error or "")
    if state == "queued":
        assert draft.next_attempt is not None


def test_wordpress_duplicate_is_already_there(site: Site, srv: CommentServer) -> None:
    site.configure("wordpress")
    site.wordpress_page()
    srv.on(
        "POST",
        "/wp-json/wp/v2/comments",
        wp_error(
            409,
            "comment_duplicate",
            "Duplicate comment detected; it looks as though you&#8217;ve already said that!",
        ),
    )
    srv.on("GET", "/wp-json/wp/v2/comments", Reply(200, [
        {"id": 31, "author_name": "Ada",
         "content": {"rendered": "<p>Hello &#8220;you&#8221;</p>\n"},
         "status": "approved", "link": srv.url("/2026/11/story/#comment-31")}]))  # fmt: skip
    draft = site.post('Hello "you"')
    assert (draft.state, draft.remote_id) == ("posted", "31")
    assert "Already there" in (draft.error or "")


def test_wordpress_wrong_password_is_caught_before_posting(
    site: Site, srv: CommentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WP_PASS", PASSWORD)
    site.configure("wordpress", user="ada", password_env="WP_PASS")
    site.wordpress_page()
    srv.on("GET", "/wp-json/wp/v2/users/me", wp_error(401, "rest_not_logged_in", "You are not"
           " currently logged in."))  # fmt: skip
    draft = site.post()
    assert draft.state == "failed"
    assert draft.error == (
        f"Wrong user or password for {srv.host}: check user = 'ada' and the Application Password"
        " in the environment variable WP_PASS."
    )
    assert srv.got("POST", "/wp-json/wp/v2/comments") == []  # never posted as a guest
    [check] = srv.got("GET", "/wp-json/wp/v2/users/me")
    assert check.headers["Authorization"].startswith("Basic ")


def test_wordpress_logged_in_comment_carries_no_guest_fields(
    site: Site, srv: CommentServer, tmp_path: Path
) -> None:
    secret = tmp_path / "wp-password"
    secret.write_text(PASSWORD + "\n")
    secret.chmod(0o600)
    site.configure("wordpress", user="ada", password_file=str(secret))
    site.wordpress_page()
    srv.on("GET", "/wp-json/wp/v2/users/me", Reply(200, {"id": 1}))
    srv.on("POST", "/wp-json/wp/v2/comments", Reply(201, {"id": 5, "status": "approved"}))
    assert site.post().state == "posted"
    [req] = srv.got("POST", "/wp-json/wp/v2/comments")
    assert req.json() == {"post": 4, "content": "Hello"}
    import base64

    assert base64.b64decode(req.headers["Authorization"][6:]).decode() == f"ada:{PASSWORD}"


def test_a_password_file_others_can_read_is_refused(
    site: Site, srv: CommentServer, tmp_path: Path
) -> None:
    secret = tmp_path / "wp-password"
    secret.write_text(PASSWORD)
    secret.chmod(0o644)
    site.configure("wordpress", user="ada", password_file=str(secret))
    site.wordpress_page()
    draft = site.post()
    assert draft.state == "failed"
    assert f"chmod 600 '{secret}'" in (draft.error or "")
    assert srv.requests == []


def test_a_missing_password_variable_says_which(site: Site, srv: CommentServer) -> None:
    os.environ.pop("TERMNEWS_NO_SUCH_VAR", None)
    site.configure("wordpress", user="ada", password_env="TERMNEWS_NO_SUCH_VAR")
    draft = site.post()
    assert draft.state == "failed"
    assert "TERMNEWS_NO_SUCH_VAR, which is not set" in (draft.error or "")


def test_wordpress_comment_list_is_threaded(site: Site, srv: CommentServer) -> None:
    comments = site.configure("wordpress")
    path = site.wordpress_page(post=4)
    srv.on("GET", "/wp-json/wp/v2/comments", Reply(200, [
        {"id": 1, "parent": 0, "author_name": "Bo", "date_gmt": "2026-01-01T10:00:00",
         "content": {"rendered": "<p>First \x1b[31mred</p>"}},
        {"id": 3, "parent": 1, "author_name": "Cy", "date_gmt": "2026-01-01T12:00:00",
         "content": {"rendered": "<p>Reply</p>"}},
        {"id": 2, "parent": 0, "author_name": "Di &amp; Co", "date_gmt": "2026-01-01T11:00:00",
         "content": {"rendered": "<p>Second</p>"}},
    ], {"X-WP-TotalPages": "1"}))  # fmt: skip
    assert site.news is not None
    article = seed_article(site.news, srv.url(path))
    found = comments.comments(article)
    assert [(c.id, c.depth, c.author) for c in found] == [
        ("1", 0, "Bo"), ("3", 1, "Cy"), ("2", 0, "Di & Co"),
    ]  # fmt: skip
    assert [c.text for c in found][1:] == ["Reply", "Second"]
    assert found[0].text.startswith("First") and "\x1b" not in found[0].text
    [req] = srv.got("GET", "/wp-json/wp/v2/comments")
    assert req.query["post"] == ["4"]


# -- the classic form -------------------------------------------------------------------
def test_form_redirects_tell_posted_from_held() -> None:
    posted = redirect_result("http://s.example/2026/11/x/#comment-5")
    assert (posted.outcome, posted.remote_id) == ("posted", "5")
    held = redirect_result("http://s.example/2026/11/x/?unapproved=6&moderation-hash=ab#comment-6")
    assert (held.outcome, held.remote_id, held.remote_url) == (
        "held", "6", "http://s.example/2026/11/x/#comment-6",
    )  # fmt: skip


def test_form_error_pages_become_their_message() -> None:
    page = (b"<!DOCTYPE html><html><head><title>Comment Submission Failure</title></head>"
            b"<body id='error-page'><div class=\"wp-die-message\"><p><strong>Error:</strong>"
            b" Please type your comment text.</p></div><p><a href='javascript:history.back()'>"
            b"&laquo; Back</a></p></body></html>")  # fmt: skip
    assert error_page_message(page) == "Please type your comment text."
    old = b"<html><body><p><strong>ERROR</strong>: please fill the required fields.</p></body>"
    assert error_page_message(old) == "please fill the required fields."


def test_form_post_fields_and_failures(site: Site, srv: CommentServer) -> None:
    site.configure("wordpress-form")
    site.wordpress_page(post=8)
    srv.on("POST", "/wp-comments-post.php",
           Reply(302, "", {"Location": srv.url("/2026/11/story/?unapproved=12#comment-12")}),
           Reply(200, "<p><strong>Error:</strong> Please fill the required fields.</p>"),
           Reply(429, "<p>You are posting comments too quickly. Slow down.</p>"),
           Reply(403, "<div class='wp-die-message'><p>Sorry, comments are closed for this"
                      " item.</p></div>"))  # fmt: skip
    held = site.post("Form comment", reply_to="2")
    assert (held.state, held.remote_id) == ("held", "12")
    [req] = srv.got("POST", "/wp-comments-post.php")
    assert req.body.decode() == (
        "comment=Form+comment&author=Ada&email=ada%40example.org&url=&comment_post_ID=8"
        "&comment_parent=2"
    )
    failed = site.post("two")
    assert (failed.state, failed.error) == (
        "failed", f"{srv.host}: Please fill the required fields.",
    )  # fmt: skip
    assert site.post("three").state == "queued"
    closed = site.post("four")
    assert closed.error == f"{srv.host}: Sorry, comments are closed for this item."


# -- Isso --------------------------------------------------------------------------------
def test_isso_new_comment_published_held_and_refused(site: Site, srv: CommentServer) -> None:
    site.configure("isso", url=srv.url("/isso"))
    srv.on("POST", "/isso/new",
           Reply(201, {"id": 1, "mode": 1}), Reply(202, {"id": 2, "mode": 2}),
           Reply(400, "<!doctype html><title>400 Bad Request</title><h1>Bad Request</h1>"
                      "<p>text is too short (minimum length: 3)</p>"),
           Reply(403, "<!doctype html><title>403 Forbidden</title><h1>Forbidden</h1>"
                      "<p>127.0.0.1: ratelimit exceeded (1, 2)</p>"))  # fmt: skip
    posted = site.post("Hello isso", path="/blog/post-1/")
    assert (posted.state, posted.remote_id) == ("posted", "1")
    [req] = srv.got("POST", "/isso/new")
    assert req.query == {"uri": ["/blog/post-1/"]}
    assert req.json() == {"text": "Hello isso", "author": "Ada", "email": "ada@example.org",
                          "website": None, "parent": None, "title": "Story"}  # fmt: skip
    assert site.post("held one").state == "held"
    short = site.post("abc")
    assert (short.state, short.error) == (
        "failed", f"{srv.host} refused the comment: text is too short (minimum length: 3)",
    )  # fmt: skip
    limited = site.post("too fast")
    assert limited.state == "queued" and "commenting too fast" in (limited.error or "")


# -- webhook, and secrets never shown ----------------------------------------------------
def test_webhook_token_goes_only_into_the_header(
    site: Site, srv: CommentServer, monkeypatch: pytest.MonkeyPatch, cli
) -> None:
    monkeypatch.setenv("HOOK_TOKEN", PASSWORD)
    site.configure("webhook", url=srv.url("/hook"), password_env="HOOK_TOKEN")
    srv.on("POST", "/hook", Reply(401, {"error": f"bad token {PASSWORD[:3]}"}),
           Reply(200, {"id": "w1", "status": "pending"}))  # fmt: skip
    refused = site.post("one")
    assert refused.state == "failed" and "refused the credentials" in (refused.error or "")
    held = site.post("two")
    assert (held.state, held.remote_id) == ("held", "w1")
    assert all(r.headers["Authorization"] == f"Bearer {PASSWORD}" for r in srv.requests)
    assert PASSWORD not in str([r.body for r in srv.requests])
    assert site.news is not None
    dump = "\n".join(site.news.conn.iterdump())
    assert PASSWORD not in dump
    for args in (("drafts", "--json"), ("drafts",), ("outbox", "--json"), ("post", "1")):
        result = cli(*args, env={"HOOK_TOKEN": PASSWORD})
        assert PASSWORD not in result.out + result.err
