"""The related-articles engine: an in-memory inverted index over the stored key terms.

Built once from ``related_docs`` (about a second per 100,000 articles), then kept up
to date from the rows other writers add (their ``seq`` grows), so a long-lived
process such as the TUI pays the build once. Ranking is cosine similarity of
tf-idf vectors (each article's key terms), scaled by closeness in time, with the
same story published several times collapsed into one entry.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field

import numpy as np

from termnews.storage import related as related_repo

MAX_DF = 0.5  # terms in more than this share of articles say nothing
DAY = 86_400.0
OLDER_DAYS = 7.0  # closeness in time: an article this many days older scores 1/2**0.2 ...
NEWER_DAYS = 14.0  # ... while newer ones (follow-ups) are scaled down half as fast
TIME_POWER = 0.2
SAME_STORY = 0.8  # cosine at which an article is a copy of the same story as the query
CANDIDATES = 60  # scored candidates looked at for collapsing, per 10 results asked
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


def _f32(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")


def _i32(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<i4")


class RelatedEngine:
    """Ranks cached articles by relatedness to one of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built = False
        self.builds = 0  # full builds so far (the rest came in incrementally)
        self.seq = 0
        self.n_rows = 0
        self.article_ids = np.zeros(0, dtype=np.int64)
        self.dates = np.zeros(0, dtype=np.float64)
        self.alive = np.zeros(0, dtype=bool)
        self.link_keys: list[str] = []
        self.title_keys: list[str] = []
        self.row_of: dict[int, int] = {}
        self.df = np.zeros(1, dtype=np.float64)
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
                self._build(conn)
                return
            newest = related_repo.max_seq(conn)
            if newest <= self.seq:
                return
            docs = related_repo.docs_since(conn, self.seq)
            added = self._delta_size + 128 * len(docs)
            if added > max(REBUILD_SHARE * len(self.post_w), REBUILD_MIN):
                self._build(conn)
            else:
                self._add(conn, docs)

    def _idf(self) -> tuple[np.ndarray, np.ndarray]:
        """Current idf per term id and whether each term counts at all."""
        n = max(self.n_docs, 1)
        idf = np.log((n + 1) / (self.df + 1)) + 1.0
        usable = (self.df >= 2) & (self.df <= MAX_DF * n)
        return idf, usable

    def _load_df(self, conn: sqlite3.Connection, ids: np.ndarray | None = None) -> None:
        self.n_docs = related_repo.doc_count(conn)
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
        local = np.repeat(np.arange(len(docs), dtype=np.int64), lens)
        idf, usable = self._idf()
        w = (tf * idf[terms] * usable[terms]).astype(np.float32)
        norms = np.sqrt(np.bincount(local, weights=w.astype(np.float64) ** 2, minlength=len(docs)))
        w /= np.maximum(norms, 1e-12)[local].astype(np.float32)
        keep = w > 0
        return local[keep], terms[keep], w[keep]

    def _append_rows(self, docs: list[related_repo.IndexedDoc]) -> np.ndarray:
        start = self.n_rows
        for d in docs:
            old = self.row_of.get(d.article_id)
            if old is not None:
                self.alive[old] = False
        n = len(docs)
        self.article_ids = np.concatenate(
            [self.article_ids[:start], np.array([d.article_id for d in docs], dtype=np.int64)]
        )
        self.dates = np.concatenate(
            [self.dates[:start], np.array([d.sort_date for d in docs], dtype=np.float64) / DAY]
        )
        self.alive = np.concatenate([self.alive[:start], np.ones(n, dtype=bool)])
        for i, d in enumerate(docs):
            self.row_of[d.article_id] = start + i
            self.link_keys.append(d.link_key)
            self.title_keys.append(d.title_key)
        self.n_rows = start + n
        self.seq = max([self.seq, *(d.seq for d in docs)])
        return np.arange(start, start + n, dtype=np.int64)

    def _build(self, conn: sqlite3.Connection) -> None:
        docs = related_repo.docs_since(conn, 0)
        builds = self.builds
        self.__init__()  # type: ignore[misc]
        self._built = True
        self.builds = builds + 1
        self._load_df(conn)
        if not docs:
            return
        rows = self._append_rows(docs)
        local, terms, w = self._vectors(docs)
        order = np.argsort(terms, kind="stable")
        self.post_rows = rows[local[order]].astype(np.int32)
        self.post_w = w[order]
        counts = np.bincount(terms, minlength=len(self.df))
        self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

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
        size = len(self.indptr) - 1
        inside = terms[terms < size]
        starts, ends = self.indptr[inside], self.indptr[inside + 1]
        lens = ends - starts
        total = int(lens.sum())
        # gather all slices at once: index = start of its slice + offset within it
        slice_of = np.repeat(np.arange(len(inside)), lens)
        offsets = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
        idx = starts[slice_of] + offsets
        rows, ws = self.post_rows[idx], self.post_w[idx]
        pos_of = np.flatnonzero(terms < size)[slice_of]
        if self._delta:
            d_terms = np.concatenate([d[0] for d in self._delta])
            d_rows = np.concatenate([d[1] for d in self._delta])
            d_w = np.concatenate([d[2] for d in self._delta])
            if len(self._delta) > 1:
                self._delta = [(d_terms, d_rows, d_w)]
            sorter = np.argsort(terms)
            hit = np.isin(d_terms, terms)
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
        tf = _f32(weights_blob)[inside]
        idf, usable = self._idf()
        w = tf * idf[terms] * usable[terms]
        norm = float(np.sqrt((w.astype(np.float64) ** 2).sum()))
        keep = w > 0
        return terms[keep], (w[keep] / max(norm, 1e-12)).astype(np.float32)

    def related(self, conn: sqlite3.Connection, article_id: int, k: int = 10) -> list[Match]:
        """Up to ``k`` entries related to the article, best first (empty if not indexed)."""
        self.refresh(conn)
        row = conn.execute(
            "SELECT terms, weights, link_key, title_key FROM related_docs WHERE article_id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return []
        with self._lock:
            return self._rank(article_id, row[0], row[1], row[2], row[3], k)

    def _rank(
        self, article_id: int, terms_blob: bytes, weights_blob: bytes, link: str, title: str, k: int
    ) -> list[Match]:
        q_terms, q_w = self.query_vector(terms_blob, weights_blob)
        if not len(q_terms) or not self.n_rows:
            return []
        rows, ws, pos = self._postings(q_terms)
        contrib = ws * q_w[pos]
        sims = np.bincount(rows, weights=contrib, minlength=self.n_rows)
        me = self.row_of.get(article_id)
        sims[~self.alive] = 0.0
        if me is not None:
            sims[me] = 0.0
        hits = np.flatnonzero(sims > 0)
        if not len(hits):
            return []
        scores = sims[hits]
        if me is not None:
            gap = self.dates[hits] - self.dates[me]
            span = np.where(gap >= 0, NEWER_DAYS, OLDER_DAYS)
            scores = scores * (1.0 + np.abs(gap) / span) ** -TIME_POWER
        want = min(len(hits), CANDIDATES * max(1, (k + 9) // 10))
        top = (
            np.argpartition(-scores, want - 1)[:want] if want < len(hits) else np.arange(len(hits))
        )
        top = top[np.argsort(-scores[top], kind="stable")]
        found = self._collapse(hits[top], scores[top], sims, link, title, k)
        self._explain(found, rows, contrib, q_terms[pos])
        return found

    def _collapse(
        self, rows: np.ndarray, scores: np.ndarray, sims: np.ndarray, link: str, title: str, k: int
    ) -> list[Match]:
        """One entry per story: rows sharing a link or title join the best-scored one."""
        found: list[Match] = []
        by_key: dict[str, Match] = {}
        row_match: dict[int, Match] = {}
        for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
            keys = [k_ for k_ in (self.link_keys[row], self.title_keys[row]) if k_]
            aid = int(self.article_ids[row])
            same = bool(sims[row] >= SAME_STORY) or any(k_ in (link, title) for k_ in keys)
            leader = next((by_key[k_] for k_ in keys if k_ in by_key), None)
            if leader is not None:
                leader.also.append(aid)
            elif len(found) < k:
                leader = Match(aid, round(float(score), 4), round(float(sims[row]), 4), same)
                found.append(leader)
                row_match[row] = leader
            else:
                continue
            for k_ in keys:
                by_key.setdefault(k_, leader)
        self._rows = list(row_match)
        return found

    def _explain(
        self, found: list[Match], rows: np.ndarray, contrib: np.ndarray, terms: np.ndarray
    ) -> None:
        """Fill each match's shared key terms, biggest contribution first."""
        if not found:
            return
        picked = np.array(self._rows, dtype=np.int64)
        mask = np.isin(rows, picked)
        by_row: dict[int, list[tuple[float, int]]] = {}
        for r, c, t in zip(
            rows[mask].tolist(), contrib[mask].tolist(), terms[mask].tolist(), strict=True
        ):
            by_row.setdefault(r, []).append((c, t))
        for row, match in zip(self._rows, found, strict=True):
            shares = sorted(by_row.get(row, []), reverse=True)
            match.terms = [t for _, t in shares[:5]]
