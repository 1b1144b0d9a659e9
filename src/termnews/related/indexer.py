"""Indexing articles for related-articles ranking and full-text search.

:func:`index_articles` runs inside the caller's write transaction (refresh calls it
for each feed's new and edited articles), so the index never lags the articles
another process sees. It needs no numpy: only the engine, which ranks, does.
"""

from __future__ import annotations

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
    term_ids = related_repo.count_terms(conn, counts)
    dfs = related_repo.term_dfs(conn, term_ids.values())
    n_docs = related_repo.doc_count(conn) + len(texts)
    rows: list[related_repo.DocRow] = []
    for text, w in zip(texts, weights, strict=True):
        # rank by tf-idf; a word seen once so far ranks as if seen twice (a new story's names)
        ranked = sorted(
            w.items(), key=lambda kv: -kv[1] * idf(max(dfs[term_ids[kv[0]]], 2), n_docs)
        )[:KEY_TERMS]
        rows.append(related_repo.DocRow(
            article_id=text.article_id, fingerprint=f"{TERMS_VERSION}:{text.fingerprint}",
            full=text.full,
            link_key=link_key(text.link), title_key=title_key(text.title),
            terms=_blob("i", [term_ids[t] for t, _ in ranked]),
            weights=_blob("f", [x for _, x in ranked]),
            vocab=_blob("i", [term_ids[t] for t in w]),
        ))  # fmt: skip
    related_repo.save_docs(conn, rows)
    search_repo.save_rows(conn, [
        (t.article_id, t.title, t.author, body) for t, body in zip(texts, bodies, strict=True)
    ])  # fmt: skip
    return len(rows)
