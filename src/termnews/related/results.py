"""Turning engine matches and search hits into items for the CLI and the UI."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from termnews.related.items import RelatedItem, SearchItem
from termnews.related.query import SearchQuery
from termnews.related.terms import link_key
from termnews.storage import related as related_repo
from termnews.storage import search as search_repo

if TYPE_CHECKING:
    from termnews.related.engine import RelatedEngine


def related_items(
    conn: sqlite3.Connection, engine: RelatedEngine, article_id: int, k: int = 10
) -> list[RelatedItem]:
    """The articles related to ``article_id``, best first, each with its reason."""
    keys = [link_key(url) for url in related_repo.page_links(conn, article_id)]
    linked = [a for ids in related_repo.docs_with_link(conn, keys).values() for a in ids]
    matches = engine.related(conn, article_id, k, linked=linked)
    ids = [m.article_id for m in matches] + [a for m in matches for a in m.also]
    articles = related_repo.articles_by_id(conn, ids)
    names = related_repo.term_names(conn, {t for m in matches for t in m.terms})
    items: list[RelatedItem] = []
    for m in matches:
        article = articles.get(m.article_id)
        if article is None:  # deleted since it was indexed
            continue
        items.append(RelatedItem(
            article=article, score=m.score, same_story=m.same_story, linked=m.linked,
            terms=[names[t] for t in m.terms if t in names],
            also=[articles[a] for a in m.also if a in articles],
        ))  # fmt: skip
    return items


def search_items(
    conn: sqlite3.Connection,
    query: SearchQuery,
    feed_ids: Sequence[int] | None,
    limit: int = 20,
) -> list[SearchItem]:
    """Run a parsed query; each hit says which of the words its title has."""
    hits = search_repo.search(conn, query.match, feed_ids=feed_ids, unread=query.unread,
                              starred=query.starred, limit=limit)  # fmt: skip
    items: list[SearchItem] = []
    for hit in hits:
        title = hit.article.title.lower()
        in_title = [w for w in query.words if w.lower() in title]
        if not query.words:
            why = "matches the filters"
        elif in_title:
            why = "title: " + ", ".join(in_title[:3])
        else:
            why = "in the text"
        items.append(SearchItem(hit.article, hit.score, why))
    return items
