"""The related-articles engine: an in-memory inverted index over the stored key terms.

Built once from ``related_docs`` (3-4 s and about 100 MB of arrays for 100,000
articles), then kept up to date from the rows writers add (their ``seq`` grows) and
those they drop, so a long-lived process such as the TUI pays the build once.
Ranking is cosine similarity of tf-idf vectors (each article's key terms), widened
by pseudo relevance feedback (the nearest articles' words join the query), scaled by
closeness in time, with the same story published several times collapsed into one
entry; articles the page itself links to come first.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from termnews.related import snapshot
from termnews.storage import related as related_repo

MAX_DF = 0.5  # terms in more than this share of articles say nothing
IDF_OFFSET = 2.0  # added to ln(N/df): flatter than scikit-learn's 1.0, a little better on both sets
DAY = 86_400.0
OLDER_DAYS = 7.0  # closeness in time: an article this many days older scores 1/2**0.2 ...
NEWER_DAYS = 14.0  # ... while newer ones (follow-ups) are scaled down half as fast
TIME_POWER = 0.2
SAME_STORY = 0.8  # cosine at which an article is a copy of the same story as the query
POOL = 1_000  # most similar articles then weighed by closeness in time
CANDIDATES = 60  # of those, looked at for collapsing, per 10 results asked
MAX_ALSO = 5  # copies of a story listed under its entry
PRF_DOCS = 10  # nearest articles whose words widen the query (0: off)
PRF_WEIGHT = 1.0  # their share against the article's own words
PRF_TERMS = 64  # words in the widened query (128: no better, twice the time)
LINK_BONUS = 0.3  # added for an article the page itself lists as related
RELATIVE_FLOOR = 0.15  # ... and so are those under this share of the best score (no P@5 cost)
MIN_SCORE = 0.05  # entries scoring less are noise, left out (0.1 would cost P@5 on AllSides)
REBUILD_SHARE = 0.25  # rebuild the main index when additions reach this share of it
REBUILD_MIN = 20_000  # ... and at least this many postings (small caches rebuild seldom)


@dataclass(slots=True)
class Match:
    """One related article found by the engine."""

    article_id: int
    score: float  # cosine similarity scaled by closeness in time, 0..1
    similarity: float  # the plain cosine similarity
    same_story: bool  # the same story as the query article (near-duplicate text or URL)
    terms: list[int] = field(default_factory=list)  # shared key terms, biggest share first
    also: list[int] = field(default_factory=list)  # the same story elsewhere (collapsed)
    linked: bool = False  # the article's page links to it


def _f32(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")


def _i32(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<i4")


class RelatedEngine:
    """Ranks cached articles by relatedness to one of them."""

    def __init__(self, snapshot: Path | None = None) -> None:
        self.snapshot = snapshot  # where the arrays are kept between processes
        self._lock = threading.Lock()
        self._built = False
        self.builds = 0  # full builds so far (the rest came in incrementally)
        self.seq = 0
        self.n_rows = 0
        self.article_ids = np.zeros(0, dtype=np.int64)
        self.dates = np.zeros(0, dtype=np.float64)
        self.dead: list[int] = []  # rows of articles since re-indexed (their old vectors)
        self.link_keys: list[str] = []
        self.title_keys: list[str] = []
        self.row_of: dict[int, int] = {}
        self.df = np.zeros(1, dtype=np.float64)
        self._idf_cache: np.ndarray | None = None
        self.n_docs = 0
        # main postings, by term: rows and weights of term t are [indptr[t]:indptr[t+1]]
        self.indptr = np.zeros(2, dtype=np.int64)
        self.post_rows = np.zeros(0, dtype=np.int32)
        self.post_w = np.zeros(0, dtype=np.float32)
        # postings added since the build, unsorted
        self._delta: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._delta_size = 0

    # -- keeping up with the database -----------------------------------------------
    def refresh(self, conn: sqlite3.Connection) -> None:
        """Take in what was indexed since the last look (build on first use)."""
        with self._lock:
            if not self._built:
                self._built = True
                if self.snapshot is None or not snapshot.load(self, conn, self.snapshot):
                    self._build(conn)
                    return
            if related_repo.max_seq(conn) > self.seq:
                docs = [d for chunk in related_repo.docs_since(conn, self.seq) for d in chunk]
                added = self._delta_size + 128 * len(docs)
                if added > max(REBUILD_SHARE * len(self.post_w), REBUILD_MIN):
                    self._build(conn)
                    return
                self._add(conn, docs)
            if related_repo.doc_count(conn) < len(self.row_of):
                self._drop_deleted(conn)

    def _drop_deleted(self, conn: sqlite3.Connection) -> None:
        """Stop ranking articles that left the index (a removed feed, say)."""
        indexed = related_repo.indexed_ids(conn)
        for article_id in [a for a in self.row_of if a not in indexed]:
            self.dead.append(self.row_of.pop(article_id))

    def _idf(self) -> np.ndarray:
        """Current idf per term id, zero for terms that say nothing (float32)."""
        if self._idf_cache is None:
            n = max(self.n_docs, 1)
            idf = (np.log((n + 1) / (self.df + 1)) + IDF_OFFSET).astype(np.float32)
            idf[(self.df < 2) | (self.df > MAX_DF * n)] = 0.0
            self._idf_cache = idf
        return self._idf_cache

    def _load_df(self, conn: sqlite3.Connection, ids: np.ndarray | None = None) -> None:
        self.n_docs = related_repo.doc_count(conn)
        self._idf_cache = None
        size = related_repo.max_term_id(conn) + 1
        if size > len(self.df):
            grown = np.zeros(max(size, len(self.df) * 2), dtype=np.float64)
            grown[: len(self.df)] = self.df
            self.df = grown
        found = related_repo.term_dfs(conn, None if ids is None else np.unique(ids).tolist())
        if found:
            keys = np.fromiter(found.keys(), dtype=np.int64, count=len(found))
            self.df[keys] = np.fromiter(found.values(), dtype=np.float64, count=len(found))

    def _vectors(self, docs: list[related_repo.IndexedDoc]) -> tuple[np.ndarray, ...]:
        """(row offsets, term ids, unit tf-idf weights) of ``docs`` concatenated."""
        lens = np.fromiter((len(d.terms) // 4 for d in docs), dtype=np.int64, count=len(docs))
        terms = np.frombuffer(b"".join(d.terms for d in docs), dtype="<i4")
        tf = np.frombuffer(b"".join(d.weights for d in docs), dtype="<f4")
        local = np.repeat(np.arange(len(docs), dtype=np.int32), lens)
        w = tf * self._idf()[terms]
        norms = np.sqrt(np.bincount(local, weights=w * w, minlength=len(docs))).astype(np.float32)
        w /= np.maximum(norms, 1e-12)[local]
        keep = w > 0
        return local[keep], terms[keep], w[keep]

    def _append_rows(self, docs: list[related_repo.IndexedDoc]) -> np.ndarray:
        start = self.n_rows
        for d in docs:
            old = self.row_of.get(d.article_id)
            if old is not None:
                self.dead.append(old)
        n = len(docs)
        self.article_ids = np.concatenate(
            [self.article_ids[:start], np.array([d.article_id for d in docs], dtype=np.int64)]
        )
        self.dates = np.concatenate(
            [self.dates[:start], np.array([d.sort_date for d in docs], dtype=np.float64) / DAY]
        )
        for i, d in enumerate(docs):
            self.row_of[d.article_id] = start + i
            self.link_keys.append(d.link_key)
            self.title_keys.append(d.title_key)
        self.n_rows = start + n
        self.seq = max([self.seq, *(d.seq for d in docs)])
        return np.arange(start, start + n, dtype=np.int64)

    def _build(self, conn: sqlite3.Connection) -> None:
        builds = self.builds
        self.__init__(self.snapshot)  # type: ignore[misc]
        self._built = True
        self.builds = builds + 1
        self._load_df(conn)
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for docs in related_repo.docs_since(conn, 0):  # in chunks: the blobs are freed early
            rows = self._append_rows(docs).astype(np.int32)
            local, terms, w = self._vectors(docs)
            parts.append((terms, rows[local], w))
        # counting sort by term straight into the final arrays (no concatenated copies)
        counts = np.zeros(len(self.df), dtype=np.int64)
        for terms, _, _ in parts:
            counts += np.bincount(terms, minlength=len(self.df))
        self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.post_rows = np.empty(int(self.indptr[-1]), dtype=np.int32)
        self.post_w = np.empty(int(self.indptr[-1]), dtype=np.float32)
        cursor = self.indptr[:-1].copy()
        while parts:
            terms, rows, w = parts.pop(0)
            order = np.argsort(terms, kind="stable")
            sorted_terms = terms[order]
            first = np.searchsorted(sorted_terms, sorted_terms, side="left")
            at = cursor[sorted_terms] + (np.arange(len(order)) - first)
            self.post_rows[at] = rows[order]
            self.post_w[at] = w[order]
            cursor += np.bincount(terms, minlength=len(self.df))
        if self.snapshot is not None:
            with contextlib.suppress(OSError):  # read-only or full disk: the next one builds
                snapshot.save(self, conn, self.snapshot)

    def _add(self, conn: sqlite3.Connection, docs: list[related_repo.IndexedDoc]) -> None:
        if not docs:
            return
        self._load_df(conn, np.frombuffer(b"".join(d.terms for d in docs), dtype="<i4"))
        rows = self._append_rows(docs)
        local, terms, w = self._vectors(docs)
        self._delta.append((terms.astype(np.int64), rows[local].astype(np.int32), w))
        self._delta_size += len(w)

    # -- ranking ----------------------------------------------------------------------
    def _postings(self, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, weights, position in ``terms``) of the postings of ``terms``."""
        keep = np.flatnonzero(terms < len(self.indptr) - 1)
        starts = self.indptr[terms[keep]]
        ends = self.indptr[terms[keep] + 1]
        spans = list(zip(starts.tolist(), ends.tolist(), strict=True))
        rows = np.concatenate([self.post_rows[a:b] for a, b in spans] or [self.post_rows[:0]])
        ws = np.concatenate([self.post_w[a:b] for a, b in spans] or [self.post_w[:0]])
        pos_of = np.repeat(keep, ends - starts)
        if self._delta:
            if len(self._delta) > 1:
                self._delta = [
                    (
                        np.concatenate([d[0] for d in self._delta]),
                        np.concatenate([d[1] for d in self._delta]),
                        np.concatenate([d[2] for d in self._delta]),
                    )
                ]
            d_terms, d_rows, d_w = self._delta[0]
            hit = np.isin(d_terms, terms)
            sorter = np.argsort(terms)
            pos = sorter[np.searchsorted(terms, d_terms[hit], sorter=sorter)]
            rows = np.concatenate([rows, d_rows[hit]])
            ws = np.concatenate([ws, d_w[hit]])
            pos_of = np.concatenate([pos_of, pos])
        return rows, ws, pos_of

    def query_vector(self, terms_blob: bytes, weights_blob: bytes) -> tuple[np.ndarray, ...]:
        """(term ids, unit weights) of an article's stored key terms, with current idf."""
        terms = _i32(terms_blob).astype(np.int64)
        inside = terms < len(self.df)
        terms = terms[inside]
        w = _f32(weights_blob)[inside] * self._idf()[terms]
        norm = float(np.sqrt((w.astype(np.float64) ** 2).sum()))
        keep = w > 0
        return terms[keep], (w[keep] / max(norm, 1e-12)).astype(np.float32)

    def related(
        self,
        conn: sqlite3.Connection,
        article_id: int,
        k: int = 10,
        min_score: float | None = None,
        linked: Collection[int] = (),
    ) -> list[Match]:
        """Up to ``k`` entries related to the article, best first (empty if not indexed);
        entries scoring under ``min_score`` are left out. ``linked`` articles (the page's
        own related links) get LINK_BONUS."""
        self.refresh(conn)
        row = conn.execute(
            "SELECT terms, weights, link_key, title_key FROM related_docs WHERE article_id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return []
        with self._lock:
            found = self._rank(
                article_id, row[0], row[1], row[2], row[3], k, linked,
                lambda ids: related_repo.key_terms(conn, ids),
            )  # fmt: skip
        floor = MIN_SCORE if min_score is None else min_score
        if found and min_score is None:
            floor = max(floor, RELATIVE_FLOOR * found[0].score)
        return [m for m in found if m.score >= floor]

    def _rank(
        self,
        article_id: int,
        terms_blob: bytes,
        weights_blob: bytes,
        link: str,
        title: str,
        k: int,
        linked: Collection[int] = (),
        key_terms: Callable[[list[int]], list[tuple[bytes, bytes]]] | None = None,
    ) -> list[Match]:
        q_terms, q_w = self.query_vector(terms_blob, weights_blob)
        if not self.n_rows or not (len(q_terms) or linked):
            return []
        rows, ws, pos = self._postings(q_terms)
        contrib = ws * q_w[pos]
        sims = np.bincount(rows, weights=contrib, minlength=self.n_rows)
        if self.dead:
            sims[self.dead] = 0.0
        me = self.row_of.get(article_id)
        if me is not None:
            sims[me] = 0.0
        ranking = sims
        if key_terms is not None and PRF_DOCS and len(q_terms):
            ranking = self._feedback(q_terms, q_w, sims, me, key_terms)
        # the most similar, then scaled by closeness in time (a factor of 0.45..1 for a year)
        pool = min(POOL, self.n_rows)
        cand = np.argpartition(-ranking, pool - 1)[:pool] if pool < self.n_rows else np.arange(pool)
        cand = cand[ranking[cand] > 0]
        boosted = [self.row_of[a] for a in linked if a in self.row_of and a != article_id]
        if boosted:
            cand = np.union1d(cand, np.array(boosted, dtype=cand.dtype))
        if not len(cand):
            return []
        scores = ranking[cand]
        if me is not None:
            gap = self.dates[cand] - self.dates[me]
            span = np.where(gap >= 0, NEWER_DAYS, OLDER_DAYS)
            scores = scores * (1.0 + np.abs(gap) / span) ** -TIME_POWER
        if boosted:
            scores = scores + LINK_BONUS * np.isin(cand, boosted)
        order = np.argsort(-scores, kind="stable")[: CANDIDATES * max(1, (k + 9) // 10)]
        found = self._collapse(cand[order], scores[order], sims, link, title, k)
        self._explain(found, rows, contrib, q_terms[pos])
        for row, match in found:
            match.linked = row in boosted
        return [m for _, m in found]

    def _feedback(
        self,
        q_terms: np.ndarray,
        q_w: np.ndarray,
        sims: np.ndarray,
        me: int | None,
        key_terms: Callable[[list[int]], list[tuple[bytes, bytes]]],
    ) -> np.ndarray:
        """Similarities to the query widened by its PRF_DOCS nearest articles (pseudo
        relevance feedback): the words a story's other reports use count too."""
        n = min(PRF_DOCS, self.n_rows)
        top = np.argpartition(-sims, n - 1)[:n] if n < self.n_rows else np.arange(n)
        top = top[sims[top] > 0]
        blobs = key_terms(self.article_ids[top].tolist()) if len(top) else []
        if not blobs:
            return sims
        parts = [(q_terms, q_w)] + [self.query_vector(t, w) for t, w in blobs]
        terms = np.concatenate([p[0] for p in parts])
        share = PRF_WEIGHT / len(blobs)
        weights = np.concatenate([parts[0][1]] + [p[1] * share for p in parts[1:]])
        uniq, where = np.unique(terms, return_inverse=True)
        summed = np.bincount(where, weights=weights)
        keep = np.argsort(-summed, kind="stable")[:PRF_TERMS]
        e_terms, e_w = uniq[keep], summed[keep]
        e_w = (e_w / max(float(np.sqrt((e_w**2).sum())), 1e-12)).astype(np.float32)
        rows, ws, pos = self._postings(e_terms)
        widened = np.bincount(rows, weights=ws * e_w[pos], minlength=self.n_rows)
        if self.dead:
            widened[self.dead] = 0.0
        if me is not None:
            widened[me] = 0.0
        return widened

    def _collapse(
        self, rows: np.ndarray, scores: np.ndarray, sims: np.ndarray, link: str, title: str, k: int
    ) -> list[tuple[int, Match]]:
        """One entry per story: rows sharing a link or title join the best-scored one.

        Returns (row, match) pairs, best first."""
        found: list[tuple[int, Match]] = []
        by_key: dict[str, Match] = {}
        for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
            keys = [key for key in (self.link_keys[row], self.title_keys[row]) if key]
            aid = int(self.article_ids[row])
            leader = next((by_key[key] for key in keys if key in by_key), None)
            if leader is not None:
                if len(leader.also) < MAX_ALSO:
                    leader.also.append(aid)
            elif len(found) < k:
                same = bool(sims[row] >= SAME_STORY) or any(key in (link, title) for key in keys)
                leader = Match(aid, round(score, 4), round(float(sims[row]), 4), same)
                found.append((row, leader))
            else:
                continue
            for key in keys:
                by_key.setdefault(key, leader)
        return found

    def _explain(
        self,
        found: list[tuple[int, Match]],
        rows: np.ndarray,
        contrib: np.ndarray,
        terms: np.ndarray,
    ) -> None:
        """Fill each match's shared key terms, biggest contribution first."""
        if not found:
            return
        marked = np.zeros(self.n_rows, dtype=bool)
        marked[[row for row, _ in found]] = True
        mask = marked[rows]
        by_row: dict[int, list[tuple[float, int]]] = {}
        for r, c, t in zip(
            rows[mask].tolist(), contrib[mask].tolist(), terms[mask].tolist(), strict=True
        ):
            by_row.setdefault(r, []).append((c, t))
        for row, match in found:
            shares = sorted(by_row.get(row, []), reverse=True)
            match.terms = [t for _, t in shares[:5]]
