"""Full-text search: the query language, ranking, filters, malformed input, the CLI."""

from __future__ import annotations

import itertools
import json
import time
from html import escape

import pytest

from termnews.fetch.model import ParsedEntry
from termnews.paths import resolve_paths
from termnews.related.query import parse_query
from termnews.services import NewsService, NotFound, ServiceError
from termnews.storage.articles import upsert_entries
from termnews.storage.db import transaction

NOW = int(time.time())


def entry(guid: str, title: str, body: str, author: str = "", age_days: int = 0) -> ParsedEntry:
    return ParsedEntry(guid=guid, link=f"https://site.example/{guid}", title=title,
                       author=author, content=f"<p>{escape(body)}</p>",
                       published=NOW - age_days * 86_400)  # fmt: skip


@pytest.fixture
def svc() -> NewsService:
    s = NewsService(resolve_paths())
    feeds = {
        ("https://harbour.example/rss", "The Harbour Times"): [
            entry("h1", "Council approves tidal barrier", "The vote was nine to four.",
                  "Mara Quill", 1),
            entry("h2", "Harbour dredging resumes", "Dredgers return to the channel; the tidal "
                  "range complicates the work near the barrier site.", "Tom Reed", 2),
            entry("h3", "Barrier bonds priced", "Investors bought the <b>bond</b> issue & more.",
                  "Mara Quill", 3),
        ],
        ("https://circuit.example/atom", "The Circuit"): [
            entry("c1", "Transit card breach", "TapLine card numbers leaked; barrier gates at "
                  "stations kept working.", "Ivy Chen", 1),
            entry("c2", "Osprey security release", "Patch the web server now.", "Ivy Chen", 5),
            entry("c3", "Café culture in Port Alder", "The crème brûlée was excellent.", "", 4),
        ],
    }  # fmt: skip
    for (url, title), entries in feeds.items():
        feed = s.subscribe(url, title)
        with transaction(s.conn):
            upsert_entries(s.conn, feed.id, entries, NOW)
    yield s
    s.close()


def guids(items) -> list[str]:
    return [i.article.guid for i in items]


# -- the language ----------------------------------------------------------------------
def test_parse_words_phrases_prefixes_and_filters() -> None:
    q = parse_query('tidal "barrier bonds" barr* feed:"Harbour Times" unread starred')
    assert q.match == '("tidal") AND ("barrier bonds") AND ("barr" *)'
    assert q.feeds == ["Harbour Times"] and q.unread and q.starred and q.error is None
    assert parse_query("tidal OR dredging -vote").match == '(("tidal" OR "dredging")) NOT "vote"'
    assert parse_query("title:barrier").match == '(title : "barrier")'
    assert parse_query("is:unread").match is None and parse_query("is:unread").unread


def test_prefixes_expand_to_the_commonest_words() -> None:
    def expand(prefix: str) -> list[str]:
        return {"pres": ["president", "press"]}.get(prefix, [])

    assert parse_query("Pres*", expand).match == '(("president" OR "press"))'
    assert parse_query("title:pres*", expand).match == '(title : ("president" OR "press"))'
    assert parse_query("zz*", expand).match == '("zz" *)'  # nothing known: FTS5's own prefix
    assert parse_query('"pres conf"*', expand).match == '("pres conf" *)'


def test_service_prefix_search_uses_the_vocabulary(svc: NewsService) -> None:
    assert set(guids(svc.search("barr*"))) == {"h1", "h2", "h3", "c1"}
    assert set(guids(svc.search("title:barr*"))) == {"h1", "h3"}
    assert guids(svc.search("tapl*")) == ["c1"]


@pytest.mark.parametrize("text", ['"', '"unclosed phrase', "OR", "AND", "NOT", "-", "*", "()",
                                  "NEAR(a b, 2)", "title:", "body:x:y", "a OR", "OR a", "^start",
                                  '"a" "', "x -", "col:value", "{a b}: c", "a + b", "'", "\\",
                                  "\x00", "😀", ")))", "a AND NOT", "NOT NOT a"])  # fmt: skip
def test_malformed_queries_never_raise(svc: NewsService, text: str) -> None:
    query = parse_query(text)
    assert query.match is not None or query.error or query.feeds or query.unread
    try:
        svc.search(text)
    except ServiceError as exc:  # a clear message, never a sqlite error
        assert str(exc) and "fts5" not in str(exc).lower() and "syntax" not in str(exc)


# -- results -------------------------------------------------------------------------------
def test_ranked_title_first_then_body(svc: NewsService) -> None:
    found = guids(svc.search("barrier"))
    assert set(found) == {"h1", "h2", "h3", "c1"}
    assert set(found[:2]) == {"h1", "h3"}  # in the title beats in the body
    items = svc.search("barrier")
    assert items[0].why.startswith("title:") and items[-1].why == "in the text"
    assert all(a.score >= b.score for a, b in itertools.pairwise(items))


def test_phrase_prefix_author_and_accents(svc: NewsService) -> None:
    assert guids(svc.search('"tidal barrier"')) == ["h1"]
    assert set(guids(svc.search("tidal barrier"))) == {"h1", "h2"}
    assert set(guids(svc.search("dredg*"))) == {"h2"}
    assert set(guids(svc.search("quill"))) == {"h1", "h3"}  # authors are searched
    assert guids(svc.search("creme brulee")) == ["c3"]  # diacritics folded
    assert guids(svc.search("bonds")) == ["h3"] and guids(svc.search("bond")) == ["h3"]
    assert "b>" not in svc.search("bond")[0].article.title  # HTML tags are not words


def test_filters(svc: NewsService) -> None:
    assert set(guids(svc.search("barrier feed:circuit"))) == {"c1"}
    assert set(guids(svc.search("feed:harbour"))) == {"h1", "h2", "h3"}
    ids = {a.guid: a.id for a in svc.articles()}
    svc.mark([ids["h1"]], read=True)
    svc.mark([ids["h3"]], starred=True)
    assert set(guids(svc.search("barrier unread"))) == {"h2", "h3", "c1"}
    assert guids(svc.search("barrier starred")) == ["h3"]
    assert guids(svc.search("starred")) == ["h3"]
    with pytest.raises(NotFound):
        svc.search("barrier feed:nosuchfeed")
    assert set(guids(svc.search("barrier -vote -bonds"))) == {"h2", "c1"}


def test_limit_and_no_match(svc: NewsService) -> None:
    assert len(svc.search("barrier", limit=2)) == 2
    assert svc.search("zebra") == []


# -- CLI --------------------------------------------------------------------------------------
def test_cli_search_lines_json_and_errors(svc: NewsService, cli) -> None:
    svc.close()
    res = cli("search", "tidal", "barrier")
    assert res.code == 0, res.err
    first = res.out.splitlines()[0].split()
    assert float(first[1]) > 0 and "Council approves tidal barrier" in res.out
    assert "The Harbour Times" in res.out
    data = json.loads(cli("search", "barrier", "--json", "--limit", "3").out)
    assert len(data["articles"]) == 3
    art = data["articles"][0]
    assert {"id", "feed", "title", "published", "read", "starred", "score", "why"} <= set(art)
    res = cli("search", "--", "-x")
    assert res.code == 2 and "excluded" in res.err and "Traceback" not in res.err
    res = cli("search", 'NEAR("unbalanced')
    assert res.code == 0 and "Traceback" not in res.err
    res = cli("search", "zebra")
    assert res.code == 0 and res.out == "" and "No articles match" in res.err
