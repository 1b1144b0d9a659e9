"""Refresh end to end: real HTTP on loopback, a real cache, the CLI as a subprocess."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from http_fixtures import rss
from termnews.paths import resolve_paths
from termnews.services import NewsService

HTML_PAGE = """<!doctype html><html><head><title>Example site</title>
<link rel="alternate" type="application/rss+xml" title="Main feed" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" title="Comments" href="comments.atom">
<link rel="stylesheet" href="/style.css"></head><body><p>Hello</p></body></html>"""


def service() -> NewsService:
    return NewsService(resolve_paths())


def test_broken_feeds_are_marked_and_the_rest_refresh(server) -> None:
    server.add("/good", rss("Good", [("a", "Alpha"), ("b", "Beta")]))
    server.add("/missing", b"", status=404)
    server.add("/boom", b"oops", status=500)
    server.add("/html", HTML_PAGE, headers={"Content-Type": "text/html"})
    server.add("/garbage", b"\x00\x01 not xml at all")
    svc = service()
    for path in ("/good", "/missing", "/boom", "/html", "/garbage"):
        svc.subscribe(server.url(path))
    summary = svc.refresh()
    by_url = {o.url.rsplit("/", 1)[1]: o for o in summary.outcomes}
    assert by_url["good"].status == "new" and by_url["good"].new == 2
    assert by_url["missing"].error == "HTTP 404 Not Found"
    assert by_url["boom"].error.startswith("HTTP 500")
    assert "HTML" in by_url["html"].error
    assert by_url["garbage"].status == "error"
    feeds = {f.url.rsplit("/", 1)[1]: f for f in svc.feeds()}
    assert feeds["good"].title == "Good" and feeds["good"].last_error is None
    assert feeds["good"].unread == 2
    assert feeds["missing"].last_error == "HTTP 404 Not Found"
    assert feeds["missing"].last_success is None


def test_not_modified_costs_no_parse_and_no_article_write(server) -> None:
    route = server.add("/f", rss("F", [("1", "One")]), etag='"e1"')
    svc = service()
    svc.subscribe(server.url("/f"))
    assert svc.refresh().outcomes[0].status == "new"
    before = svc.conn.total_changes
    outcome = svc.refresh().outcomes[0]
    assert outcome.status == "not_modified"
    assert route.requests[-1]["If-None-Match"] == '"e1"'
    # only the feed's status row is touched, in one batch
    assert svc.conn.total_changes - before == 1


def test_edits_update_in_place_and_new_items_are_added(server) -> None:
    route = server.add("/f", rss("F", [("1", "One"), ("2", "Two")]))
    svc = service()
    svc.subscribe(server.url("/f"))
    svc.refresh()
    one = next(a for a in svc.articles() if a.guid == "1")
    svc.mark([one.id], read=True, starred=True)
    route.body = rss("F", [("1", "One, corrected"), ("2", "Two"), ("3", "Three")]).encode()
    outcome = svc.refresh().outcomes[0]
    assert (outcome.status, outcome.new, outcome.updated) == ("new", 1, 1)
    articles = svc.articles()
    assert len(articles) == 3
    fixed = next(a for a in articles if a.guid == "1")
    assert fixed.id == one.id and fixed.title == "One, corrected"
    assert fixed.read and fixed.starred
    assert svc.refresh().outcomes[0].status == "unchanged"


def test_permanent_redirect_updates_the_stored_url(server) -> None:
    server.add("/new", rss("Moved", [("1", "One")]))
    server.add("/old", status=308, headers={"Location": "/new"})
    svc = service()
    feed = svc.subscribe(server.url("/old"))
    outcome = svc.refresh().outcomes[0]
    assert outcome.moved_to == server.url("/new")
    assert svc.feed(str(feed.id)).url == server.url("/new")


def test_retry_after_is_honoured_on_the_next_refresh(server) -> None:
    route = server.add("/busy", b"", status=503, headers={"Retry-After": "3600"})
    svc = service()
    svc.subscribe(server.url("/busy"))
    assert svc.refresh().outcomes[0].status == "error"
    outcome = svc.refresh().outcomes[0]
    assert outcome.status == "skipped" and "wait until" in outcome.error
    assert route.hits == 1


def test_cli_refresh_json_and_exit_codes(cli, server, tmp_path: Path) -> None:
    server.add("/good", rss("Good", [("a", "Alpha"), ("b", "Beta <b>&amp;</b>")]))
    server.add("/bad", b"", status=500)
    assert cli("add", server.url("/good"), "--folder", "News").code == 0
    failed_add = cli("add", server.url("/bad"))
    assert failed_add.code == 1 and "HTTP 500" in failed_add.err
    opml = tmp_path / "bad.opml"
    opml.write_text(f'<opml><body><outline xmlUrl="{server.url("/bad")}"/></body></opml>')
    assert cli("import", str(opml)).code == 0
    result = cli("refresh", "--json")
    assert result.code == 1
    data = json.loads(result.out)
    assert data["failed"] == 1 and data["new"] == 0  # the good feed was fetched by `add`
    statuses = {f["url"]: f["status"] for f in data["feeds"]}
    assert statuses[server.url("/good")] == "unchanged"
    assert statuses[server.url("/bad")] == "error"
    # only the good one
    good = cli("refresh", server.url("/good"))
    assert good.code == 0 and "1 feeds in" in good.out
    feeds = json.loads(cli("feeds", "--json").out)["feeds"]
    for key in ("id", "url", "title", "folder", "unread", "error"):
        assert all(key in f for f in feeds)
    by_url = {f["url"]: f for f in feeds}
    assert by_url[server.url("/good")]["folder"] == "News"
    assert by_url[server.url("/good")]["unread"] == 2
    assert by_url[server.url("/bad")]["error"].startswith("HTTP 500")
    text = cli("feeds").out
    assert "!" in text and "error: HTTP 500" in text


def test_cli_articles_read_mark(cli, server) -> None:
    server.add("/f", rss("Feed", [("a", "Alpha"), ("b", "Beta")]))
    cli("add", server.url("/f"))
    articles = json.loads(cli("articles", "--json").out)["articles"]
    assert [a["title"] for a in articles] == ["Beta", "Alpha"]  # newest first
    for key in ("id", "feed_id", "title", "link", "published", "read", "starred"):
        assert all(key in a for a in articles)
    assert articles[0]["published"] == "2026-11-25T10:01:00Z"
    beta = articles[0]["id"]
    read = cli("read", str(beta))
    assert read.code == 0 and "Beta" in read.out and "Body of Beta" in read.out
    unread = json.loads(cli("articles", "--unread", "--json").out)["articles"]
    assert [a["title"] for a in unread] == ["Alpha"]
    assert cli("mark", str(beta), "--unread", "--star").code == 0
    starred = json.loads(cli("articles", "--starred", "--json").out)["articles"]
    assert [a["id"] for a in starred] == [beta] and starred[0]["read"] is False
    assert len(json.loads(cli("articles", "--limit", "1", "--json").out)["articles"]) == 1
    missing = cli("mark", "99999", "--read")
    assert missing.code == 2 and "no article 99999" in missing.err
    assert cli("read", "99999").code == 2
    assert cli("articles", "--feed", "12345").code == 2
    assert cli("mark", str(beta)).code == 2  # no action given


def test_cli_add_discovers_feeds_of_a_page(cli, server) -> None:
    server.add("/", HTML_PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    server.add("/feed.xml", rss("Main", [("1", "One")]))
    server.add("/comments.atom", "<feed xmlns='http://www.w3.org/2005/Atom'><title>C</title></feed>")
    listed = cli("add", "--list", server.url("/"))
    assert listed.code == 0
    lines = listed.out.strip().splitlines()
    assert lines[0].startswith(server.url("/feed.xml")) and "Main feed" in lines[0]
    assert lines[1].startswith(server.url("/comments.atom"))
    assert json.loads(cli("feeds", "--json").out)["feeds"] == []  # --list subscribes to none
    added = cli("add", server.url("/"))
    assert added.code == 0 and "Subscribed to Main" in added.out
    feeds = json.loads(cli("feeds", "--json").out)["feeds"]
    assert [f["url"] for f in feeds] == [server.url("/feed.xml")]


def test_cli_add_page_without_feeds(cli, server) -> None:
    server.add("/", "<html><body>nothing here</body></html>",
               headers={"Content-Type": "text/html"})
    result = cli("add", server.url("/"))
    assert result.code == 1 and "no feed found" in result.err


def test_cli_remove(cli, server) -> None:
    server.add("/f", rss("Feed", [("a", "Alpha")]))
    cli("add", server.url("/f"))
    assert cli("remove", server.url("/f")).code == 0
    assert json.loads(cli("articles", "--json").out)["articles"] == []
    assert cli("remove", "42").code == 2


def test_cli_help_for_every_command(cli) -> None:
    for command in ("add", "remove", "feeds", "refresh", "articles", "read", "mark",
                    "import", "export"):
        result = cli(command, "--help")
        assert result.code == 0 and "usage: termnews" in result.out
    assert cli("frobnicate").code == 2


def test_refresh_of_a_whole_opml(cli, server, tmp_path: Path) -> None:
    for i in range(30):
        server.add(f"/f{i}", rss(f"Feed {i}", [(f"{i}-{j}", f"Item {j}") for j in range(5)]),
                   etag=f'"{i}"')
    opml = tmp_path / "subs.opml"
    opml.write_text('<opml version="2.0"><body><outline text="Folder">' + "".join(
        f'<outline text="f{i}" xmlUrl="{server.url(f"/f{i}")}"/>' for i in range(30)
    ) + "</outline></body></opml>")
    cli("import", str(opml))
    first = json.loads(cli("refresh", "--json").out)
    assert first["new"] == 150 and first["failed"] == 0
    second = json.loads(cli("refresh", "--json").out)
    assert {f["status"] for f in second["feeds"]} == {"not_modified"}


def test_refresh_marks_teasers_for_the_full_text_step(server) -> None:
    long_body = "&lt;p&gt;" + " ".join(f"word{i}" for i in range(150)) + "&lt;/p&gt;"
    feed = rss("F", [("short", "Short one")]).replace(
        "</channel>",
        f"<item><guid>long</guid><title>Long</title><description>{long_body}</description>"
        "</item></channel>",
    )
    server.add("/f", feed)
    svc = service()
    svc.subscribe(server.url("/f"))
    summary = asyncio.run(svc.refresh_async())
    by_guid = {a.guid: a.id for a in svc.articles()}
    assert sorted(summary.changed_ids) == sorted(by_guid.values())
    assert summary.teaser_ids == [by_guid["short"]]
