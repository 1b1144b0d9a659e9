"""Related articles: terms, the index kept by refresh and by sync, ranking, why, CLI."""

from __future__ import annotations

import json
import time
from html import escape

import pytest

from termnews.fetch.model import ParsedEntry
from termnews.paths import Paths, resolve_paths
from termnews.related.terms import html_text, link_key, stem, term_weights, title_key, tokens
from termnews.services import NewsService, NotFound
from termnews.storage.articles import upsert_entries
from termnews.storage.db import transaction

DAY = 86_400
NOW = int(time.time())

STORIES = {
    "barrier": [
        "The council voted nine to four for the tidal barrier at the river mouth.",
        "Engineers say the barrier gates close during storm surges and king tides.",
        "The barrier bond issue pays for the flood gates and the sea wall upgrade.",
    ],
    "chips": [
        "The semiconductor plant will need recycled water for its wafer fabrication.",
        "Chip makers bring jobs; the fab uses lithography machines and clean rooms.",
        "The wafer plant incentive package cost the state hundreds of millions.",
    ],
    "heat": [
        "The heatwave pushed the electricity grid close to rolling blackouts.",
        "Forecasters warn of record temperatures; cooling centres open for the heat.",
        "Grid operators ask households to cut air conditioning during the heatwave.",
    ],
    "football": [
        "The striker scored twice as the home side won the cup final at the stadium.",
        "Supporters filled the stadium; the goalkeeper saved a penalty in the final.",
    ],
    "garden": [
        "Tomato seedlings need compost, sunlight and careful watering in spring.",
        "Prune roses after flowering and mulch the garden beds with compost.",
    ],
}


def entry(guid: str, title: str, sentences: list[str], when: int, link: str = "") -> ParsedEntry:
    body = "".join(f"<p>{escape(s)}</p>" for s in sentences)
    return ParsedEntry(guid=guid, link=link or f"https://site.example/{guid}", title=title,
                       content=body, published=when)  # fmt: skip


def store(svc: NewsService, feed_url: str, entries: list[ParsedEntry]) -> None:
    """Store entries the way code other than refresh might: no indexing."""
    feed = svc.subscribe(feed_url, feed_url.split("//")[1].split(".")[0].title())
    with transaction(svc.conn):
        upsert_entries(svc.conn, feed.id, entries, NOW)


def ids_by_guid(svc: NewsService) -> dict[str, int]:
    return {g: i for g, i in svc.conn.execute("SELECT guid, id FROM articles")}


@pytest.fixture
def svc() -> NewsService:
    s = NewsService(resolve_paths())
    s_ = STORIES
    store(s, "https://harbour.example/rss", [
        entry("h-barrier", "Council approves tidal barrier", s_["barrier"][:2], NOW - 2 * DAY),
        entry("h-chips", "Chip plant wins water deal", s_["chips"][:2], NOW - 3 * DAY),
        entry("h-football", "Cup final thriller at the stadium", s_["football"], NOW - DAY),
        entry("h-garden", "Spring garden jobs", s_["garden"], NOW - 5 * DAY),
    ])  # fmt: skip
    store(s, "https://wire.example/feed", [
        entry("w-barrier", "Council approves tidal barrier", s_["barrier"][:2], NOW - 2 * DAY),
        entry("w-bonds", "Who buys the barrier bonds", s_["barrier"][1:], NOW - DAY),
        entry("w-heat", "Heatwave strains the grid", s_["heat"][:2], NOW - 4 * DAY),
        entry("w-chips", "Wafer fab incentive questioned", s_["chips"][1:], NOW - 2 * DAY),
    ])  # fmt: skip
    store(s, "https://green.example/atom", [
        entry("g-heat", "Record heat and blackouts", s_["heat"][1:], NOW - 4 * DAY),
        entry("g-barrier", "What the barrier means for the marsh",
              [s_["barrier"][0], s_["garden"][1]], NOW - 30 * DAY),
        entry("g-garden", "Compost for tomatoes", s_["garden"][:1], NOW - 6 * DAY),
    ])  # fmt: skip
    yield s
    s.close()


# -- terms --------------------------------------------------------------------------
def test_html_text_drops_tags_scripts_and_decodes_entities() -> None:
    text = html_text("<p>Fish &amp; chips<script>alert('x')</script></p><style>p{}</style>ok")
    assert "Fish & chips" in text and "alert" not in text and "p{}" not in text
    assert text.split() == ["Fish", "&", "chips", "ok"]


def test_tokens_fold_plurals_and_skip_stop_words() -> None:
    assert tokens("The Barriers of the cities, said officials in 2026") == [
        "barrier", "city", "official",
    ]  # fmt: skip
    assert stem("glass") == "glass" and stem("bus") == "bus" and stem("status") == "status"
    weights = term_weights("Tidal barrier", "barrier barrier gate")
    assert weights["barrier"] > weights["tidal"] > weights["gate"]


def test_keys_for_same_story_detection() -> None:
    assert (
        link_key("https://www.Site.example/a/b/?utm_source=x&id=3#top") == "site.example/a/b?id=3"
    )
    assert link_key("https://site.example/") == ""
    assert title_key("Council approves tidal barrier!") == "council approves tidal barrier"
    assert title_key("Short title") == ""


# -- ranking ------------------------------------------------------------------------
def test_related_finds_the_same_story_across_feeds_first(svc: NewsService) -> None:
    ids = ids_by_guid(svc)
    items = svc.related(ids["h-barrier"], 5)
    got = [i.article.id for i in items]
    # the wire copy (same title) collapses into one entry: the best of the two
    assert got[0] in (ids["w-barrier"],) or ids["w-barrier"] in [a.id for a in items[0].also]
    barrier = {ids["w-barrier"], ids["w-bonds"], ids["g-barrier"]}
    assert set(got[:3]) | {a.id for i in items for a in i.also} >= barrier - {got[0]}
    assert items[0].same_story and items[0].why == "same story"
    assert all(i.article.id != ids["h-barrier"] for i in items)
    assert items == sorted(items, key=lambda i: -i.score)
    # shared key terms say why
    bonds = next(i for i in items if i.article.id == ids["w-bonds"])
    assert "barrier" in bonds.terms and "barrier" in bonds.why


def test_closeness_in_time_breaks_near_ties(svc: NewsService) -> None:
    ids = ids_by_guid(svc)
    # g-barrier shares as much text with w-barrier as w-bonds does, but is a month older
    items = svc.related(ids["w-bonds"], 5)
    order = [i.article.id for i in items]
    assert order.index(ids["h-barrier"]) < order.index(ids["g-barrier"])


def test_unrelated_topics_stay_apart(svc: NewsService) -> None:
    ids = ids_by_guid(svc)
    items = svc.related(ids["g-heat"], 3)
    assert items[0].article.id == ids["w-heat"]
    football = svc.related(ids["h-football"], 5)
    assert all(i.score < 0.2 for i in football)


def test_same_link_in_two_feeds_is_one_entry(svc: NewsService) -> None:
    store(svc, "https://aggregator.example/rss", [
        entry("a-copy", "Tidal barrier: the vote", STORIES["barrier"][:2], NOW - 2 * DAY,
              link="https://site.example/w-barrier/"),
    ])  # fmt: skip
    ids = ids_by_guid(svc)
    items = svc.related(ids["h-barrier"], 5)
    entries = [[i.article.id, *(a.id for a in i.also)] for i in items]
    group = next(g for g in entries if ids["w-barrier"] in g)
    assert ids["a-copy"] in group


def test_unknown_article_is_not_found(svc: NewsService) -> None:
    with pytest.raises(NotFound):
        svc.related(99_999)


# -- keeping the index in step ---------------------------------------------------------
def feed_xml(title: str, items: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f"<item><guid>{g}</guid><title>{t}</title><link>http://news.example/{g}</link>"
        f"<description>{escape('<p>' + b + '</p>')}</description>"
        f"<pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate></item>"
        for g, t, b in items
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://news.example/</link>{body}</channel></rss>")  # fmt: skip


def test_refresh_indexes_new_and_edited_articles_incrementally(svc: NewsService, server) -> None:
    ids = ids_by_guid(svc)
    svc.related(ids["w-heat"], 3)  # builds the in-memory engine
    engine = svc._related_engine
    assert engine is not None
    heat = " ".join(STORIES["heat"])
    route = server.add("/heat.xml", feed_xml("Metro", [("m1", "Blackout fears", heat)]))
    svc.subscribe(server.url("/heat.xml"))
    svc.refresh()
    new_id = ids_by_guid(svc)["m1"]
    indexed = svc.conn.execute("SELECT count(*) FROM related_docs WHERE article_id = ?",
                               (new_id,)).fetchone()[0]  # fmt: skip
    assert indexed == 1  # stored and indexed in the refresh's transaction
    items = svc.related(ids["w-heat"], 3)
    assert new_id in [i.article.id for i in items]
    assert engine is svc._related_engine and engine.builds == 1  # taken in, no rebuild
    # an edit re-indexes: the article now talks about football
    route.body = feed_xml("Metro", [("m1", "Cup final", " ".join(STORIES["football"]))]).encode()
    svc.refresh()
    assert new_id not in [i.article.id for i in svc.related(ids["w-heat"], 5)]
    assert svc.related(ids["h-football"], 1)[0].article.id == new_id
    hits = svc.search("goalkeeper")
    assert new_id in [h.article.id for h in hits]
    assert new_id not in [h.article.id for h in svc.search("blackouts")]


def test_articles_stored_by_other_paths_are_indexed_on_use(svc: NewsService) -> None:
    assert svc.conn.execute("SELECT count(*) FROM related_docs").fetchone()[0] == 0
    ids = ids_by_guid(svc)
    assert svc.related(ids["h-chips"], 2)
    docs = svc.conn.execute("SELECT count(*) FROM related_docs").fetchone()[0]
    assert docs == len(ids)


def test_removing_a_feed_gives_its_words_back(svc: NewsService) -> None:
    ids = ids_by_guid(svc)
    svc.related(ids["h-barrier"], 3)

    def df(term: str) -> int:
        row = svc.conn.execute("SELECT df FROM related_terms WHERE term = ?", (term,)).fetchone()
        return row[0] if row else 0

    assert df("compost") == 3 and df("heatwave") == 2
    svc.remove("https://green.example/atom")
    assert df("compost") == 1 and df("heatwave") == 1
    items = svc.related(ids["h-barrier"], 10)
    assert ids["g-barrier"] not in [i.article.id for i in items]
    engine = svc._related_engine
    assert engine is not None and ids["g-barrier"] not in engine.row_of and engine.builds == 1
    assert svc.conn.execute("SELECT count(*) FROM search_fts").fetchone()[0] == len(ids) - 3


def test_articles_deleted_behind_its_back_are_forgotten(svc: NewsService) -> None:
    ids = ids_by_guid(svc)
    svc.related(ids["h-barrier"], 3)
    with transaction(svc.conn):
        svc.conn.execute("DELETE FROM articles WHERE guid = 'w-bonds'")
    items = svc.related(ids["h-barrier"], 10)
    assert ids["w-bonds"] not in [i.article.id for i in items]
    left = svc.conn.execute("SELECT count(*) FROM related_docs WHERE article_id = ?",
                            (ids["w-bonds"],)).fetchone()[0]  # fmt: skip
    assert left == 0


# -- CLI ----------------------------------------------------------------------------------
def test_cli_related_prints_lines_and_json(svc: NewsService, cli) -> None:
    ids = ids_by_guid(svc)
    svc.close()
    res = cli("related", str(ids["h-chips"]))
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0].startswith(f"Related to {ids['h-chips']}: Chip plant")
    first = lines[1].split()
    assert int(first[0]) in (ids["w-chips"],) and float(first[1]) > 0
    assert "Wire" in lines[1] and "Wafer fab incentive questioned" in lines[1]
    barrier = json.loads(cli("related", str(ids["h-barrier"]), "--json", "--limit", "2").out)
    assert len(barrier["articles"]) == 2
    res = cli("related", str(ids["h-chips"]), "--json", "--limit", "1")
    data = json.loads(res.out)
    assert len(data["articles"]) == 1
    art = data["articles"][0]
    for key in ("id", "feed_id", "feed", "title", "link", "published", "read", "starred",
                "score", "why"):  # fmt: skip
        assert key in art
    assert art["id"] == ids["w-chips"] and art["why"]
    res = cli("related", "424242")
    assert res.code == 2 and "no article 424242" in res.err


def test_demo_related_reads_sensibly(cli) -> None:
    res = cli("--demo", "related", "5", "--json", "--limit", "5")
    assert res.code == 0, res.err
    titles = [a["title"] for a in json.loads(res.out)["articles"]]
    # article 5 is about the Alder Mouth barrier: its cluster comes first
    assert sum("barrier" in t.lower() for t in titles[:3]) == 3, titles


def test_json_keys_match_articles_command(svc: NewsService, cli) -> None:
    svc.close()
    plain = json.loads(cli("articles", "--json", "--limit", "1").out)["articles"][0]
    ids = ids_by_guid(NewsService(resolve_paths()))
    rel = json.loads(cli("related", str(ids["h-barrier"]), "--json").out)["articles"][0]
    assert set(plain) <= set(rel) and {"score", "why"} <= set(rel)


def test_a_full_text_fetched_later_is_indexed(svc: NewsService) -> None:
    from termnews.storage.fulltext import FullText, save_full_text

    ids = ids_by_guid(svc)
    assert ids["g-garden"] not in [h.article.id for h in svc.search("greenhouse")]
    page = "<p>" + " ".join(STORIES["garden"]) + " The greenhouse needs ventilation.</p>"
    with transaction(svc.conn):
        save_full_text(svc.conn, FullText(ids["g-garden"], "ok", NOW, html=page))
    assert [h.article.id for h in svc.search("greenhouse")] == [ids["g-garden"]]
    assert svc.related(ids["h-garden"], 1)[0].article.id == ids["g-garden"]


def test_a_big_first_batch_is_indexed_on_first_use(server) -> None:
    svc = NewsService(resolve_paths())
    words = [
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
        "foxtrot",
        "golf",
        "hotel",
        "india",
        "juliet",
        "kilo",
        "lima",
    ]
    items = [(f"b{i}", f"Story {words[i % 12]} {i}", f"{words[i % 12]} {words[(i + 1) % 12]}")
             for i in range(15)]  # fmt: skip
    route = server.add("/big.xml", feed_xml("Big", items))
    svc.subscribe(server.url("/big.xml"))
    svc.refresh()
    count = "SELECT count(*) FROM related_docs"
    assert svc.conn.execute(count).fetchone()[0] == 0  # the backlog waits: refresh stays fast
    assert {h.article.guid for h in svc.search("charlie delta")} == {"b2", "b14"}
    assert svc.conn.execute(count).fetchone()[0] == 15
    route.body = feed_xml("Big", [*items, ("b15", "Late mike", "mike november")]).encode()
    svc.refresh()
    assert svc.conn.execute(count).fetchone()[0] == 16  # later ones go in with the refresh
    svc.close()


def test_a_new_process_starts_from_the_snapshot(svc: NewsService, tmp_path) -> None:
    ids = ids_by_guid(svc)
    first = [(i.article.id, i.score) for i in svc.related(ids["h-chips"], 5)]
    assert (svc.paths.cache_dir / "related-index" / "meta.json").exists()
    again = NewsService(resolve_paths())  # another process, same cache
    assert [(i.article.id, i.score) for i in again.related(ids["h-chips"], 5)] == first
    assert again._related_engine is not None and again._related_engine.builds == 0
    # what was indexed since the snapshot comes in on top of it
    store(again, "https://late.example/rss", [
        entry("l-chips", "Wafer plant water", STORIES["chips"], NOW - 3 * DAY),
    ])  # fmt: skip
    late = ids_by_guid(again)["l-chips"]
    assert late in [i.article.id for i in again.related(ids["h-chips"], 5)]
    assert again._related_engine.builds == 0
    again.close()
    # a snapshot made from another cache is not used
    home = tmp_path / "other"  # its own database, the same cache directory
    other = NewsService(Paths(home, home / "data", svc.paths.cache_dir, home / "config.toml"))
    store(other, "https://solo.example/rss", [entry("s1", "Lone story", ["Nothing alike"], NOW)])
    assert other.related(ids_by_guid(other)["s1"], 5) == []
    assert other._related_engine is not None and other._related_engine.builds == 1
    other.close()


def test_the_pages_own_related_links_come_first(svc: NewsService) -> None:
    from termnews.storage.fulltext import FullText, save_full_text

    ids = ids_by_guid(svc)
    page = "<p>" + " ".join(STORIES["football"]) + "</p>"
    links = [{"title": "Garden", "url": "https://www.site.example/g-garden/?utm_source=x"},
             {"title": "Elsewhere", "url": "https://other.example/not-cached"}]  # fmt: skip
    with transaction(svc.conn):
        save_full_text(svc.conn, FullText(ids["h-football"], "ok", NOW, html=page, related=links))
    items = svc.related(ids["h-football"], 5)
    assert items[0].article.id == ids["g-garden"] and items[0].linked
    assert items[0].why.startswith("linked from the article")
    assert not any(i.linked for i in items[1:])


def test_an_indexing_failure_never_costs_refresh_its_articles(server, monkeypatch) -> None:
    import termnews.related.indexer as indexer

    def broken(conn, ids):  # a bug in indexing, after it wrote part of its rows
        conn.execute("INSERT INTO related_terms (term, df) VALUES ('half-written', 1)")
        raise RuntimeError("indexing bug")

    svc = NewsService(resolve_paths())
    server.add("/f.xml", feed_xml("F", [("x1", "Harbour dredging", "dredgers in the channel")]))
    svc.subscribe(server.url("/f.xml"))
    monkeypatch.setattr(indexer, "index_articles", broken)
    summary = svc.refresh()
    assert summary.new_articles == 1 and not summary.failed
    assert svc.conn.execute("SELECT count(*) FROM related_terms").fetchone()[0] == 0
    monkeypatch.undo()
    assert [h.article.guid for h in svc.search("dredgers")] == ["x1"]  # the sync catches up
    svc.close()
