"""Indexing articles for related-articles ranking and full-text search.

:func:`index_articles` runs inside the caller's write transaction (refresh calls it
for each feed's new and edited articles), so the index never lags the articles
another process sees. It needs no numpy: only the engine, which ranks, does.
"""

from __future__ import annotations

import heapq
import math
import sqlite3
import sys
from array import array
from collections import Counter
from collections.abc import Sequence

from termnews.related.terms import (
    MAX_BODY_CHARS,
    TERMS_VERSION,
    html_text,
    link_key,
    term_weights,
    title_key,
)
from termnews.storage import related as related_repo
from termnews.storage import search as search_repo

KEY_TERMS = 128  # terms kept per article for ranking (its highest tf-idf)
BACKLOG_NOW = 10  # a feed's first batch up to this size is indexed at once, bigger ones later


def idf(df: int, n_docs: int) -> float:
    """Smoothed inverse document frequency (as scikit-learn's)."""
    return math.log((n_docs + 1) / (df + 1)) + 1.0


def _blob(kind: str, values: Sequence[float] | Sequence[int]) -> bytes:
    arr = array(kind, values)
    if sys.byteorder == "big":  # blobs are little-endian everywhere
        arr.byteswap()
    return arr.tobytes()


def _ints(blob: bytes) -> array:
    arr = array("i")
    arr.frombytes(blob)
    if sys.byteorder == "big":
        arr.byteswap()
    return arr


def forget_articles(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """Drop articles from both indexes, giving back their terms' document frequencies."""
    vocab = related_repo.vocabularies(conn, ids)
    if vocab:
        counts: Counter[int] = Counter()
        for blob in vocab.values():
            counts.update(_ints(blob))
        related_repo.uncount_terms(conn, counts)
        related_repo.delete_docs(conn, list(vocab))
    search_repo.delete_rows(conn, ids)


def index_articles(conn: sqlite3.Connection, ids: Sequence[int]) -> int:
    """(Re)index the articles ``ids`` (missing ones are dropped); how many were indexed.

    Call inside a write transaction.
    """
    if not ids:
        return 0
    forget_articles(conn, ids)
    texts = related_repo.article_texts(conn, ids)
    if not texts:
        return 0
    bodies = [html_text(t.html)[:MAX_BODY_CHARS] for t in texts]
    weights = [term_weights(t.title, body) for t, body in zip(texts, bodies, strict=True)]
    counts: Counter[str] = Counter()
    for w in weights:
        counts.update(w.keys())
    terms = related_repo.count_terms(conn, counts)  # term -> (id, document frequency)
    n_docs = related_repo.doc_count(conn) + len(texts)
    # a word seen once so far weighs as if seen twice: a new story's names still count
    idf_of = {t: idf(max(df, 2), n_docs) for t, (_, df) in terms.items()}
    rows: list[related_repo.DocRow] = []
    for text, w in zip(texts, weights, strict=True):
        ranked = heapq.nlargest(KEY_TERMS, w, key=lambda t: w[t] * idf_of[t])
        rows.append(related_repo.DocRow(
            article_id=text.article_id, fingerprint=f"{TERMS_VERSION}:{text.fingerprint}",
            full=text.full, link_key=link_key(text.link), title_key=title_key(text.title),
            terms=_blob("i", [terms[t][0] for t in ranked]),
            weights=_blob("f", [w[t] for t in ranked]),
            vocab=_blob("i", [terms[t][0] for t in w]),
        ))  # fmt: skip
    related_repo.save_docs(conn, rows)
    search_repo.save_rows(conn, [
        (t.article_id, t.title, t.author, body) for t, body in zip(texts, bodies, strict=True)
    ])  # fmt: skip
    return len(rows)


def index_refreshed(conn: sqlite3.Connection, feed_id: int, ids: Sequence[int]) -> int:
    """Index what a refresh just stored for one feed, in its transaction; how many.

    A feed's first batch (its backlog, every article it has) is left to
    :func:`termnews.related.upkeep.sync_index` when it is big, so a first refresh of
    many feeds costs no more than the fetching: indexing would double its CPU time.
    """
    if not ids:
        return 0
    if len(ids) > BACKLOG_NOW and related_repo.feed_size(conn, feed_id) == len(ids):
        return 0
    # Indexing must never cost the refresh its articles: on any failure its writes are
    # undone and the sync retries (and reports) when the index is next used.
    conn.execute("SAVEPOINT related_index")
    try:
        done = index_articles(conn, ids)
    except Exception:
        conn.execute("ROLLBACK TO related_index")
        done = 0
    conn.execute("RELEASE related_index")
    return done
