"""Build a big termnews cache: N articles in F feeds, with realistic news text.

    python benchmarks/big_cache.py --n 100000 --home /tmp/tn100k [--feeds 200] [--no-index]

The result is an ordinary TERMNEWS_HOME (``TERMNEWS_HOME=/tmp/tn100k termnews ...``).
Text comes from the full-text news articles in ../shared/eval/related/allsides_dev.jsonl.gz
(the bundled demo's articles if that file is missing): each generated story takes
paragraphs of one source article plus a few from others, and is published by 1-6
feeds within hours (wire copies keep the title, some copies are re-posted under a
second URL), so the cache has what the related-articles sidebar deals with. Dates
spread over a year; a fifth of the articles are read, 1% starred. Articles are
stored with the same code refresh uses, then indexed (``NewsService.sync_index``)
unless ``--no-index``. Deterministic for a given --seed.

``build_cache(home, n)`` does the same from Python and returns a summary dict.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

from termnews.config import Config
from termnews.fetch.model import ParsedEntry
from termnews.paths import home_paths
from termnews.services import NewsService
from termnews.storage.articles import upsert_entries
from termnews.storage.db import transaction

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SOURCE = SHARED / "eval" / "related" / "allsides_dev.jsonl.gz"
START = 1_735_689_600  # 2025-01-01 UTC
YEAR = 365 * 86_400
STORE_BATCH = 5_000  # articles per transaction when storing
FIRST = (
    "Alex",
    "Sam",
    "Jordan",
    "Maria",
    "Wei",
    "Priya",
    "Omar",
    "Lena",
    "Tom",
    "Aiko",
    "Chidi",
    "Sofia",
    "Ravi",
    "Noor",
    "Ben",
)
LAST = (
    "Smith",
    "Chen",
    "Garcia",
    "Okafor",
    "Novak",
    "Haddad",
    "Kim",
    "Rossi",
    "Silva",
    "Patel",
    "Moreau",
    "Berg",
    "Ito",
)
SECTIONS = (
    "news",
    "politics",
    "world",
    "business",
    "tech",
    "science",
    "health",
    "culture",
    "sport",
    "opinion",
)


def load_texts() -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of the source articles."""
    texts: list[tuple[str, list[str]]] = []
    if SOURCE.exists():
        with gzip.open(SOURCE, "rt", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                paras = [p.strip() for p in d.get("text", "").split("\n") if len(p.strip()) > 40]
                if d.get("title") and len(paras) >= 3:
                    texts.append((d["title"], paras))
    if not texts:  # the demo's bodies
        from termnews.demo import data_dir, manifest

        for feed in manifest()["feeds"]:
            raw = (data_dir() / feed["file"]).read_text(encoding="utf-8")
            bodies = re.findall(r"<p>(.*?)</p>", html.unescape(raw), re.S)
            paras = [re.sub(r"<[^>]+>", "", b) for b in bodies if len(b) > 40]
            for i in range(0, len(paras) - 3, 4):
                texts.append((paras[i][:80], paras[i : i + 4]))
    return texts


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "story"


def _variant(rng: random.Random, title: str) -> str:
    """Another outlet's headline for the same story."""
    words = title.split()
    roll = rng.random()
    if roll < 0.5 or len(words) < 5:
        return title  # wire copy
    if roll < 0.8:
        cut = rng.randrange(1, len(words) - 2)
        return " ".join(words[:cut] + words[cut + 1 :])
    return f"{title.rstrip('.')}: what we know"


def generate(n: int, n_feeds: int, seed: int) -> dict[int, list[ParsedEntry]]:
    """Entries per feed number, n in all."""
    rng = random.Random(seed)
    texts = load_texts()
    per_feed: dict[int, list[ParsedEntry]] = {f: [] for f in range(n_feeds)}
    made = 0
    story = 0
    while made < n:
        story += 1
        title, paras = texts[rng.randrange(len(texts))]
        when = START + rng.randrange(YEAR)
        copies = min(n - made, 1 + min(int(rng.expovariate(0.7)), 5))
        feeds = rng.sample(range(n_feeds), copies)
        section = rng.choice(SECTIONS)
        for copy, feed in enumerate(feeds):
            start = rng.randrange(max(1, len(paras) // 3))
            take = paras[start : start + max(3, int(len(paras) * rng.uniform(0.5, 1.0)))]
            for _ in range(rng.randrange(3)):
                other = texts[rng.randrange(len(texts))][1]
                take.insert(rng.randrange(len(take) + 1), rng.choice(other))
            body = "".join(f"<p>{html.escape(p)}</p>" for p in take)
            head = title if copy == 0 else _variant(rng, title)
            link = f"https://feed{feed}.example/{section}/{story}/{_slug(head)}"
            author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            published = when + (0 if copy == 0 else rng.randrange(36 * 3600))
            per_feed[feed].append(ParsedEntry(
                guid=link, link=link, title=head, author=author, published=published,
                summary=html.escape(take[0][:280]), content=body, categories=[section],
            ))  # fmt: skip
            made += 1
            if rng.random() < 0.02 and made < n:  # re-posted under a second URL
                per_feed[feed].append(ParsedEntry(
                    guid=link + "?v=2", link=link.replace("/story", "/repost"), title=head,
                    author=author, published=published + 7200, content=body,
                ))  # fmt: skip
                made += 1
    return per_feed


def build_cache(
    home: Path, n: int = 100_000, n_feeds: int = 200, seed: int = 1, index: bool = True
) -> dict[str, Any]:
    """Create the cache under ``home`` (which must not hold one yet); a summary."""
    paths = home_paths(home)
    if paths.database.exists():
        raise SystemExit(f"{paths.database} exists: give a new --home")
    started = time.perf_counter()
    per_feed = generate(n, n_feeds, seed)
    gen_s = time.perf_counter() - started
    service = NewsService(paths, Config())
    conn = service.conn
    rng = random.Random(seed + 1)
    now = int(time.time())
    t0 = time.perf_counter()
    feed_ids = {
        f: service.subscribe(f"https://feed{f}.example/rss", f"Feed {f} News",
                             rng.choice(["News", "World", "Tech", "Business", ""])).id
        for f in per_feed
    }  # fmt: skip
    # oldest first, as refreshes over a year would have stored them (ids follow time)
    timeline = sorted(
        ((e.published or 0, f, e) for f, entries in per_feed.items() for e in entries),
        key=lambda t: (t[0], t[1]),
    )
    for start in range(0, len(timeline), STORE_BATCH):
        by_feed: dict[int, list[ParsedEntry]] = {}
        for _, f, e in timeline[start : start + STORE_BATCH]:
            by_feed.setdefault(f, []).append(e)
        with transaction(conn):
            for f, entries in by_feed.items():
                upsert_entries(conn, feed_ids[f], entries, now)
    with transaction(conn):
        conn.execute("UPDATE feeds SET last_status = 'new', last_attempt = ?, last_success = ?",
                     (now, now))  # fmt: skip
    with transaction(conn):
        conn.execute("UPDATE articles SET read = 1 WHERE id % 5 = 0")
        conn.execute("UPDATE articles SET starred = 1 WHERE id % 100 = 7")
    store_s = time.perf_counter() - t0
    index_s = 0.0
    if index:
        t0 = time.perf_counter()

        def progress(done: int, total: int) -> None:
            print(f"\rindexing {done}/{total}", end="", file=sys.stderr, flush=True)

        service.sync_index(progress)
        print(file=sys.stderr)
        index_s = time.perf_counter() - t0
    total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    service.close()
    return {
        "home": str(home), "articles": total, "feeds": n_feeds, "generate_s": round(gen_s, 1),
        "store_s": round(store_s, 1), "index_s": round(index_s, 1),
        "db_mb": round(paths.database.stat().st_size / 1e6, 1),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="articles (100000)")
    ap.add_argument("--feeds", type=int, default=200, help="feeds (200)")
    ap.add_argument("--home", required=True, type=Path, help="the new TERMNEWS_HOME")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-index", action="store_true", help="skip related/search indexing")
    a = ap.parse_args(argv)
    print(json.dumps(build_cache(a.home, a.n, a.feeds, a.seed, not a.no_index)))


if __name__ == "__main__":
    main()
