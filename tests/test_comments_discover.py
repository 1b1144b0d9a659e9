"""Finding a WordPress article's REST root and post id: real pages, Link headers, guids."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from comment_server import CommentServer, Reply
from termnews.comments.discover import (
    discover_wordpress,
    page_hints,
    parse_link_header,
    post_id_from_url,
    rest_url,
)
from termnews.comments.outbox import SendFailure

NEWSPAPER = Path(__file__).resolve().parents[1].parent / "shared/data/extraction/newspaper-theme"


@pytest.fixture
def srv() -> Iterator[CommentServer]:
    s = CommentServer()
    yield s
    s.close()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as c:
        yield c


def real_pages() -> list[Path]:
    return sorted(NEWSPAPER.glob("*.html"))


def test_the_real_wordpress_pages_are_there() -> None:
    assert len(real_pages()) >= 20, f"expected the newspaper-theme pages in {NEWSPAPER}"


@pytest.mark.parametrize("page", real_pages(), ids=lambda p: p.name[:30])
def test_real_wordpress_pages_give_root_and_post_id(page: Path) -> None:
    html = page.read_bytes()
    hints = page_hints(html, "https://example.invalid/article/")
    assert hints.root.endswith("/wp-json/")
    # the post id, read independently from the shortlink or the comment form
    text = html.decode("utf-8", "replace")
    ids = set(re.findall(r"rel=['\"]?shortlink['\"]? href=['\"][^'\"]*\?p=(\d+)", text))
    ids |= set(re.findall(r"name=['\"]comment_post_ID['\"] value=['\"](\d+)", text))
    ids |= set(re.findall(r"/wp-json/wp/v2/posts/(\d+)", text))
    assert ids, "the page should name its post somewhere"
    assert str(hints.post_id) in ids


def test_link_headers_as_wordpress_sends_them() -> None:
    links = parse_link_header(
        [
            '<http://s.example/wp-json/>; rel="https://api.w.org/"',
            '<http://s.example/wp-json/wp/v2/posts/4>; rel="alternate"; type="application/json"',
            "<http://s.example/?p=4>; rel=shortlink",
        ]
    )
    assert links == [
        {"url": "http://s.example/wp-json/", "rel": "https://api.w.org/"},
        {"url": "http://s.example/wp-json/wp/v2/posts/4", "rel": "alternate",
         "type": "application/json"},
        {"url": "http://s.example/?p=4", "rel": "shortlink"},
    ]  # fmt: skip
    hints = page_hints(b"", "http://s.example/a/", ["<http://s.example/?p=9>; rel=shortlink"])
    assert (hints.root, hints.post_id) == ("", 9)


@pytest.mark.parametrize(
    ("url", "post"),
    [("https://s.example/?p=123", 123), ("https://s.example/?page_id=7", 7),
     ("https://s.example/wp-json/wp/v2/posts/55", 55),
     ("https://s.example/?rest_route=/wp/v2/posts/56", 56),
     ("https://s.example/2024/01/slug/", None), ("https://s.example/?p=abc", None),
     ("https://s.example/?p=0", None)],
)  # fmt: skip
def test_post_id_from_url(url: str, post: int | None) -> None:
    assert post_id_from_url(url) == post


def test_rest_urls_for_pretty_and_plain_permalinks() -> None:
    assert rest_url("https://s.example/wp-json/", "wp/v2/comments") == (
        "https://s.example/wp-json/wp/v2/comments"
    )
    assert rest_url("https://s.example/blog/wp-json", "wp/v2/comments", {"post": 3}) == (
        "https://s.example/blog/wp-json/wp/v2/comments?post=3"
    )
    assert rest_url("https://s.example/index.php?rest_route=/", "wp/v2/comments", {"post": 3}) == (
        "https://s.example/index.php?rest_route=%2Fwp%2Fv2%2Fcomments&post=3"
    )


def test_discovery_from_link_headers(srv: CommentServer, client: httpx.Client) -> None:
    root = srv.url("/api/")
    srv.on(
        "GET",
        "/news/story/",
        Reply(
            200,
            "<html><body>No hints in here</body></html>",
            {"Link": f'<{root}>; rel="https://api.w.org/", <{srv.url("/?p=42")}>; rel=shortlink'},
        ),
    )
    found = discover_wordpress(client, srv.url("/news/story/"), "", "", 1_000_000)
    assert (found.root, found.post_id) == (root, 42)
    assert found.form_action == srv.url("/wp-comments-post.php")


def test_discovery_from_the_comment_form_after_a_redirect(
    srv: CommentServer, client: httpx.Client
) -> None:
    srv.on("GET", "/old/", Reply(301, "", {"Location": "/new/"}))
    srv.on(
        "GET",
        "/new/",
        Reply(
            200,
            """<html><head></head><body>
        <form action="/blog/wp-comments-post.php" method="post" id="commentform">
        <input type='hidden' name='comment_post_ID' value='77' id='comment_post_ID' /></form>
        </body></html>""",
        ),
    )
    found = discover_wordpress(client, srv.url("/old/"), "", srv.url("/"), 1_000_000)
    assert found.post_id == 77
    assert found.root == srv.url("/wp-json/")  # the configured site root's default
    assert found.form_action == srv.url("/blog/wp-comments-post.php")


def test_the_feed_guid_gives_the_post_id(srv: CommentServer, client: httpx.Client) -> None:
    srv.on("GET", "/a/", Reply(200, "<html><body>plain page</body></html>"))
    guid = srv.url("/?p=5")
    assert discover_wordpress(client, srv.url("/a/"), guid, "", 10**6).post_id == 5
    # a guid on another host says nothing about this site
    with pytest.raises(SendFailure) as info:
        discover_wordpress(client, srv.url("/a/"), "http://other.example/?p=5", "", 10**6)
    assert info.value.result.outcome == "rejected"
    assert "Could not find the WordPress post" in info.value.result.message


def test_a_missing_page_is_a_refusal_and_a_server_error_a_retry(
    srv: CommentServer, client: httpx.Client
) -> None:
    with pytest.raises(SendFailure) as info:
        discover_wordpress(client, srv.url("/gone/"), "", "", 10**6)
    assert info.value.result.outcome == "rejected" and "HTTP 404" in info.value.result.message
    srv.on("GET", "/busy/", Reply(503, "busy"))
    with pytest.raises(SendFailure) as info:
        discover_wordpress(client, srv.url("/busy/"), "", "", 10**6)
    assert info.value.result.outcome == "retry"
    assert not info.value.result.maybe_sent  # a GET never posts anything


def test_an_article_without_a_web_address(client: httpx.Client) -> None:
    with pytest.raises(SendFailure) as info:
        discover_wordpress(client, "", "", "", 10**6)
    assert "no web address" in info.value.result.message
