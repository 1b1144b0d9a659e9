#!/usr/bin/env python3
"""Feed parsing throughput: termnews.parse_feed vs feedparser, in MB/s.

Generates synthetic feeds with benchmarks/feedgen.py (or reads --dir), parses every
file with each parser a few times and prints the best MB/s of each, plus which
path parse_feed took. Optionally adds the real feeds in ../shared/data/feeds.

    python benchmarks/parse_speed.py [--n 40] [--repeat 3] [--dir DIR] [--corpus]
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from termnews.fetch.parse import parse_feed  # noqa: E402

CORPUS = HERE.parents[1] / "shared" / "data" / "feeds"
FEED_URL = "http://127.0.0.1:8000/feed.xml"  # as refresh passes it: links resolve against it


def generate(n: int, out: Path) -> None:
    """Write n synthetic feeds into out with the feed generator."""
    cmd = [sys.executable, str(HERE / "feedgen.py"), "--n", str(n), "--out", str(out)]
    subprocess.run([*cmd, "--port", "8000"], check=True, capture_output=True)


def best_rate(docs: list[bytes], fn: Callable[[bytes], object], repeat: int) -> float:
    """Best-of-repeat throughput of fn over all docs, in MB/s."""
    total = sum(len(d) for d in docs)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for doc in docs:
            fn(doc)
        best = min(best, time.perf_counter() - start)
    return total / best / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40, help="number of synthetic feeds")
    ap.add_argument("--repeat", type=int, default=5, help="best of this many runs")
    ap.add_argument("--dir", type=Path, help="parse the *.xml in DIR instead of generating")
    ap.add_argument("--corpus", action="store_true", help="also time the shared real feeds")
    args = ap.parse_args()

    import feedparser
    from lxml import etree

    sets: list[tuple[str, list[bytes]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir
        if folder is None:
            folder = Path(tmp)
            generate(args.n, folder)
        sets.append(
            (f"synthetic ({folder})", [p.read_bytes() for p in sorted(folder.glob("*.xml"))])
        )
    if args.corpus and CORPUS.is_dir():
        xml = (".xml", ".rss", ".atom", ".rdf")
        real = [p.read_bytes() for p in sorted(CORPUS.iterdir()) if p.suffix in xml]
        sets.append(("real corpus (XML files)", real))

    parsers: dict[str, Callable[[bytes], object]] = {
        "parse_feed": lambda d: parse_feed(d, FEED_URL),
        "feedparser.parse": feedparser.parse,
        "feedparser, no sanitizer": lambda d: feedparser.parse(
            d, sanitize_html=False, resolve_relative_uris=False
        ),
        "(lxml.etree.fromstring only)": _lxml_only(etree),
    }
    for label, docs in sets:
        size = sum(len(d) for d in docs)
        paths = collections.Counter(_path(d) for d in docs)
        entries = sum(len(parse_feed(d, FEED_URL).entries) for d in docs if _path(d) != "error")
        print(f"\n{label}: {len(docs)} files, {size / 1e6:.2f} MB, {entries} entries")
        print("  parse_feed paths: " + ", ".join(f"{k} {v}" for k, v in paths.most_common()))
        for name, fn in parsers.items():
            print(f"  {name:26s} {best_rate(docs, fn, args.repeat):8.1f} MB/s")


def _lxml_only(etree) -> Callable[[bytes], object]:
    """Bare lxml parsing, the ceiling for the fast path (ill-formed docs skipped)."""

    def parse(doc: bytes) -> object:
        try:
            return etree.fromstring(doc.removeprefix(b"\xef\xbb\xbf").lstrip())
        except etree.XMLSyntaxError:
            return None

    return parse


def _path(doc: bytes) -> str:
    try:
        return parse_feed(doc, FEED_URL).parser
    except Exception:
        return "error"


if __name__ == "__main__":
    main()
