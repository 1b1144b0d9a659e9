"""Related articles and search: quality, latency, indexing cost and memory.

    python benchmarks/related.py --home /tmp/tn100k          # builds it first if missing
    python benchmarks/related.py --home /tmp/tn100k --parts related,search --queries 300

Parts (each in its own process, so each peak memory is its own):
  quality  ../shared/eval/related/eval_related.py on googlenews_ts and allsides_dev through
           benchmarks/related_ranker.py (termnews's engine on a real cache): P@5, nR@10, MRR
  related  on the big cache: first sync, engine build, then ``NewsService.related(id, 10)``
           for random articles: median / p95 / max ms; engine arrays and peak RSS
  index    1,000 new articles stored and indexed the way refresh does it (per feed of 50,
           in its transaction), then taken in by a running engine; the feed is removed
           afterwards so the cache is left as it was
  search   ``NewsService.search`` over words, pairs, phrases, prefixes and filters taken
           from the cache's titles, and a few very common words: median / p95 / max ms
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EVAL = HERE.parent.parent / "shared" / "eval" / "related"
DATASETS = ("googlenews_ts.jsonl.gz", "allsides_dev.jsonl.gz")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _stats(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(ms), "median_ms": round(statistics.median(ms), 2),
            "p95_ms": round(p95, 2), "max_ms": round(ordered[-1], 2)}  # fmt: skip


def _service(home: Path) -> Any:  # imported late: the parent process stays light
    from termnews.config import Config
    from termnews.paths import home_paths
    from termnews.services import NewsService

    return NewsService(home_paths(home), Config())


# -- parts (run in a child process) --------------------------------------------------------
def part_quality(_home: Path, _queries: int) -> dict[str, Any]:
    results = {}
    for name in DATASETS:
        out = Path(f"/tmp/termnews-eval-{name}.json")
        subprocess.run(
            [sys.executable, str(EVAL / "eval_related.py"), str(EVAL / name), "--ranker",
             str(HERE / "related_ranker.py"), "--out", str(out)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        r = json.loads(out.read_text())[0]
        results[name] = {k: round(r[k], 3) for k in
                         ("P@5", "P@5_ci95", "nR@10", "MRR@10", "lat_median_ms", "lat_p95_ms",
                          "load_s", "maxrss_mb_after")}  # fmt: skip
        results[name]["docs"] = r["docs"]
    return results


def part_related(home: Path, queries: int) -> dict[str, Any]:
    svc = _service(home)
    t0 = time.perf_counter()
    svc.sync_index()
    sync_s = time.perf_counter() - t0
    n = svc.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    ids = [r[0] for r in svc.conn.execute("SELECT id FROM articles")]
    from termnews.related.engine import RelatedEngine

    svc._related_engine = RelatedEngine(None)  # a cold build, as with no snapshot on disk
    t0 = time.perf_counter()
    svc.related(ids[0], 10)
    build_s = time.perf_counter() - t0
    engine = svc._related_engine
    build_rss = _rss_mb()
    t0 = time.perf_counter()
    loaded = RelatedEngine(svc.paths.cache_dir / "related-index")
    loaded.refresh(svc.conn)
    load_s = time.perf_counter() - t0
    arrays = sum(
        getattr(engine, a).nbytes
        for a in ("post_rows", "post_w", "indptr", "article_ids", "dates", "df")
    )
    rng = random.Random(7)
    sample = rng.sample(ids, min(queries, len(ids)))
    for aid in sample[:10]:
        svc.related(aid, 10)
    ms = []
    empty = 0
    for aid in sample:
        t = time.perf_counter()
        items = svc.related(aid, 10)
        ms.append((time.perf_counter() - t) * 1000)
        empty += not items
    return {
        "articles": n,
        "first_sync_s": round(sync_s, 2),
        "engine_build_s": round(build_s, 2),
        "snapshot_load_s": round(load_s, 2),
        "snapshot_used": loaded.builds == 0,
        "peak_rss_after_build_mb": round(build_rss, 1),
        "postings": len(engine.post_w),
        "engine_arrays_mb": round(arrays / 1e6, 1),
        "query": _stats(ms),
        "empty_results": empty,
        "peak_rss_mb": round(_rss_mb(), 1),
    }


def part_index(home: Path, _queries: int) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from big_cache import generate
    from termnews.related.indexer import index_articles
    from termnews.storage.articles import upsert_entries
    from termnews.storage.db import transaction

    svc = _service(home)
    svc.sync_index()
    first = svc.conn.execute("SELECT min(id) FROM articles").fetchone()[0]
    svc.related(first, 10)  # a running engine, as in the TUI
    entries = [e for batch in generate(1000, 20, seed=99).values() for e in batch][:1000]
    feed = svc.subscribe("https://incoming.example/rss", "Incoming (benchmark)")
    now = int(time.time())
    store_ms = index_ms = 0.0
    try:
        for start in range(0, len(entries), 50):  # one refresh transaction per feed of 50
            with transaction(svc.conn):
                t = time.perf_counter()
                counts = upsert_entries(svc.conn, feed.id, entries[start : start + 50], now)
                t2 = time.perf_counter()
                index_articles(svc.conn, counts.changed_ids)
                t3 = time.perf_counter()
            store_ms += (t2 - t) * 1000
            index_ms += (t3 - t2) * 1000
        new_id = svc.conn.execute("SELECT max(id) FROM articles").fetchone()[0]
        t = time.perf_counter()
        items = svc.related(new_id, 10)
        catch_up_ms = (time.perf_counter() - t) * 1000
        builds = svc._related_engine.builds
    finally:
        t = time.perf_counter()
        svc.remove(str(feed.id))
        remove_s = time.perf_counter() - t
    return {"articles": len(entries), "store_ms_per_article": round(store_ms / len(entries), 3),
            "index_ms_per_article": round(index_ms / len(entries), 3),
            "engine_catch_up_ms": round(catch_up_ms, 1), "engine_builds": builds,
            "new_article_related": len(items), "remove_feed_s": round(remove_s, 2),
            "peak_rss_mb": round(_rss_mb(), 1)}  # fmt: skip


def _queries(svc: Any, n: int) -> list[tuple[str, str]]:
    rng = random.Random(11)
    titles = [r[0] for r in svc.conn.execute(
        "SELECT title FROM articles WHERE id % 97 = 0 LIMIT 2000")]  # fmt: skip
    feeds = [r[0] for r in svc.conn.execute("SELECT id FROM feeds")]
    out: list[tuple[str, str]] = []
    kinds = ["word", "two words", "phrase", "prefix", "word feed:", "word unread",
             "word starred", "OR", "exclude"]  # fmt: skip
    while len(out) < n:
        words = [w for w in re.findall(r"[A-Za-z]{3,}", rng.choice(titles))]
        if len(words) < 2:
            continue
        kind = kinds[len(out) % len(kinds)]
        i = rng.randrange(len(words) - 1)
        a, b = words[i], words[i + 1]
        q = {
            "word": a,
            "two words": f"{a} {b}",
            "phrase": f'"{a} {b}"',
            "prefix": a[:4] + "*",
            "word feed:": f"{a} feed:{rng.choice(feeds)}",
            "word unread": f"{a} unread",
            "word starred": f"{a} starred",
            "OR": f"{a} OR {b}",
            "exclude": f"{a} -{b}",
        }[kind]
        out.append((kind, q))
    out += [("common", w) for w in ("the", "said", "president", "house", "people")]
    return out


def part_search(home: Path, queries: int) -> dict[str, Any]:
    svc = _service(home)
    svc.sync_index()
    qs = _queries(svc, queries)
    for _, q in qs[:10]:
        svc.search(q)
    by_kind: dict[str, list[float]] = {}
    all_ms = []
    for kind, q in qs:
        t = time.perf_counter()
        svc.search(q)
        ms = (time.perf_counter() - t) * 1000
        by_kind.setdefault(kind, []).append(ms)
        all_ms.append(ms)
    return {"all": _stats(all_ms), **{k: _stats(v) for k, v in by_kind.items()},
            "peak_rss_mb": round(_rss_mb(), 1)}  # fmt: skip


PARTS = {"quality": part_quality, "related": part_related, "index": part_index,
         "search": part_search}  # fmt: skip


# -- the report -------------------------------------------------------------------------------
def report(results: dict[str, Any]) -> None:
    rows: list[tuple[str, str, str]] = []
    q = results.get("quality", {})
    for name, target in (("googlenews_ts.jsonl.gz", 0.95), ("allsides_dev.jsonl.gz", 0.47)):
        if name in q:
            r = q[name]
            rows.append((f"P@5 {name.split('.')[0]} ({r['docs']} docs)",
                         f"{r['P@5']:.3f} ±{r['P@5_ci95']:.3f} (nR@10 {r['nR@10']:.3f}, "
                         f"MRR {r['MRR@10']:.3f})", f">= {target}"))  # fmt: skip
    if "related" in results:
        r = results["related"]
        rows += [
            (f"related query, {r['articles']} articles",
             f"median {r['query']['median_ms']} ms, p95 {r['query']['p95_ms']} ms, "
             f"max {r['query']['max_ms']} ms", "p95 <= 20 ms"),
            ("engine build (no snapshot yet)",
             f"{r['engine_build_s']} s, {r['postings']} postings, arrays "
             f"{r['engine_arrays_mb']} MB", ""),
            ("engine from its snapshot (a new process)", f"{r['snapshot_load_s']} s", ""),
            ("first index check of a process", f"{r['first_sync_s']} s", ""),
            ("peak RSS, related process", f"{r['peak_rss_mb']} MB", "reported"),
        ]  # fmt: skip
    if "index" in results:
        r = results["index"]
        rows += [
            ("indexing a new article (refresh path)",
             f"{r['index_ms_per_article']} ms (storing it: {r['store_ms_per_article']} ms)",
             "<= 5 ms"),
            ("running engine takes in 1,000 new", f"{r['engine_catch_up_ms']} ms "
             f"(full builds: {r['engine_builds']})", ""),
        ]  # fmt: skip
    if "search" in results:
        r = results["search"]
        rows.append((f"search, {r['all']['n']} queries",
                     f"median {r['all']['median_ms']} ms, p95 {r['all']['p95_ms']} ms, "
                     f"max {r['all']['max_ms']} ms", "p95 <= 50 ms"))  # fmt: skip
        rows.append(("peak RSS, search process", f"{r['peak_rss_mb']} MB", ""))
    print("| measure | value | target |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, required=True, help="the big cache (built if missing)")
    ap.add_argument("--n", type=int, default=100_000, help="articles when building (100000)")
    ap.add_argument("--parts", default="quality,related,index,search")
    ap.add_argument("--queries", type=int, default=500, help="queries per latency part (500)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--part", help=argparse.SUPPRESS)  # child process: run one part
    a = ap.parse_args(argv)
    if a.part:
        print(json.dumps(PARTS[a.part](a.home, a.queries)))
        return
    parts = [p.strip() for p in a.parts.split(",") if p.strip()]
    if set(parts) - {"quality"} and not (a.home / "data" / "termnews.db").exists():
        subprocess.run([sys.executable, str(HERE / "big_cache.py"), "--n", str(a.n), "--home",
                        str(a.home)], check=True)  # fmt: skip
    results: dict[str, Any] = {}
    for part in parts:
        print(f"# {part} ...", file=sys.stderr, flush=True)
        out = subprocess.run([sys.executable, __file__, "--home", str(a.home), "--queries",
                              str(a.queries), "--part", part],
                             check=True, capture_output=True, text=True)  # fmt: skip
        results[part] = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(results[part]), file=sys.stderr, flush=True)
    report(results)
    if a.json:
        a.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
