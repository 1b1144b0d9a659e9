"""The bundled offline demo: seeded, offline, throwaway."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from termnews.demo import DemoHome, manifest


def test_demo_runs_any_command_offline_without_touching_user_data(
    cli, isolated_home: Path
) -> None:
    feeds = cli("--demo", "feeds", "--json")
    assert feeds.code == 0, feeds.err
    data = json.loads(feeds.out)["feeds"]
    assert len(data) >= 4
    assert all(f["error"] is None for f in data)
    assert {f["folder"] for f in data} >= {"News", "Tech"}
    articles = json.loads(cli("--demo", "articles", "--json").out)["articles"]
    assert len(articles) >= 40
    assert len({a["feed_id"] for a in articles}) == len(data)
    assert not isolated_home.exists()  # the user's TERMNEWS_HOME was never created


def test_demo_home_is_removed_afterwards() -> None:
    before = set(Path(tempfile.gettempdir()).glob("termnews-demo-*"))
    home = DemoHome.create()
    assert home.root.exists()
    home.cleanup()
    assert set(Path(tempfile.gettempdir()).glob("termnews-demo-*")) == before


def test_demo_articles_are_rich_and_fresh() -> None:
    home = DemoHome.create()
    try:
        service = home.service()
        articles = service.articles()
        full = [a for a in articles if a.content]
        tags = "".join(a.content for a in full)
        for tag in ("<h2", "<ul", "<ol", "<blockquote", "<a ", "<img", "<table", "<pre"):
            assert tag in tags, tag
        summary_only = [a for a in articles if not a.content]
        pages = manifest()["pages"]
        with_pages = [a for a in summary_only if a.link in pages]
        assert len(with_pages) >= 6
        newest = max(a.sort_date for a in articles)
        import time

        assert 0 < time.time() - newest < 2 * 3600  # shifted to look like today's news
        assert any(a.enclosures for a in articles)
        service.close()
    finally:
        home.cleanup()


def test_demo_refresh_and_discovery_work_offline(cli) -> None:
    refresh = cli("--demo", "refresh", "--json")
    assert refresh.code == 0
    assert {f["status"] for f in json.loads(refresh.out)["feeds"]} == {"not_modified"}
    site = manifest()["feeds"][0]["url"].split("/")[2]
    found = cli("--demo", "add", "--list", f"https://{site}/")
    assert found.code == 0 and manifest()["feeds"][0]["url"] in found.out


def test_demo_read_shows_the_article(cli) -> None:
    articles = json.loads(cli("--demo", "articles", "--json").out)["articles"]
    first = articles[0]
    text = cli("--demo", "read", str(first["id"])).out
    assert first["title"] in text and "Links:" in text
