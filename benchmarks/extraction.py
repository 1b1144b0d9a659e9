#!/usr/bin/env python3
"""Article extraction quality and speed of termnews's own reader pipeline.

Runs, fetch-free, what the reader does with a page: saved HTML -> extract_page
(main article) -> convert (terminal text) -> ``Rendered.text``, the body alone
(no header, link numbers or link list).

* ``aeb-dev`` (91 pages of the Zyte article-extraction benchmark): precision,
  recall and F1 with the benchmark's metric (``\\w+`` tokens, word 4-gram shingle
  multisets, per-page P and R, F1 of mean P and mean R); target F1 >= 0.96.
  Also ms per page (extraction + conversion, best of --repeat).
* ``newspaper-theme`` (24 WordPress "Newspaper" theme pages): how many
  ``with`` snippets appear (target >= 90%), how many ``without`` snippets and
  theme boilerplate strings leak (target 0). Texts are compared
  whitespace-folded and NFC-normalised.

    /opt/tnv/bin/python benchmarks/extraction.py [--shared ../shared] [-v] [--repeat 1]
    ... --baselines   # also score plain trafilatura output and all visible text
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from termnews.reader.convert import convert  # noqa: E402
from termnews.reader.extract import ExtractionError, extract_page  # noqa: E402

BOILERPLATE = (
    "Please enter your comment!", "Please enter your name here", "Leave a Reply",
    "You have entered an incorrect email address", "Related Articles", "More from author",
    "back to top", "Share on Facebook", "Share on Twitter", "Share this", "WhatsApp",
    "Pinterest", "Linkedin", "Telegram", "Save my name, email, and website",
)  # fmt: skip

Pipeline = Callable[[bytes, str], str]


def reader_text(html: bytes, url: str) -> str:
    """What the reader shows as the body of the page at ``url``."""
    try:
        page = extract_page(html, url)
    except ExtractionError:
        return ""
    return convert(page.html, page.url).text


def trafilatura_text(html: bytes, url: str) -> str:
    """Baseline: trafilatura's own plain-text output, favor_precision."""
    import trafilatura

    return trafilatura.extract(html, url=url, favor_precision=True, include_comments=False) or ""


def visible_text(html: bytes, url: str) -> str:
    """Baseline: all visible text of the page."""
    return convert(html.decode("utf-8", "replace"), url).text


# -- aeb-dev ------------------------------------------------------------------------------
def shingles(text: str) -> Counter[tuple[str, ...]]:
    words = re.findall(r"\w+", text)
    if len(words) < 4:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + 4]) for i in range(len(words) - 3))


def score_aeb(root: Path, pipeline: Pipeline, repeat: int, verbose: bool) -> dict[str, float]:
    """Mean precision and recall over pages, their F1, and ms per page."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    precision = recall = 0.0
    seconds = 0.0
    worst: list[tuple[float, str]] = []
    for page_id, item in truth.items():
        html = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            text = pipeline(html, item["url"])
            best = min(best, time.perf_counter() - started)
        seconds += best
        got, want = shingles(text), shingles(item["articleBody"])
        tp = sum((got & want).values())
        p = tp / sum(got.values()) if got else 0.0
        r = tp / sum(want.values()) if want else 0.0
        precision += p
        recall += r
        worst.append((min(p, r), f"P {p:.2f} R {r:.2f} {item['url']}"))
    n = len(truth)
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    if verbose:
        for _, line in sorted(worst)[:10]:
            print("   ", line)
    return {"pages": n, "precision": precision, "recall": recall, "f1": f1,
            "ms_per_page": 1000 * seconds / n}  # fmt: skip


# -- newspaper-theme -------------------------------------------------------------------------
def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def score_newspaper(root: Path, pipeline: Pipeline, verbose: bool) -> dict[str, int]:
    """Counts of ``with`` snippets found, ``without`` snippets and boilerplate leaked."""
    annotations = json.loads((root / "annotations.json").read_text(encoding="utf-8"))
    counts = Counter[str]()
    for url, item in annotations.items():
        text = norm(pipeline((root / item["file"]).read_bytes(), url))
        lower = text.lower()
        for snippet in item.get("with", []):
            counts["with_total"] += 1
            found = norm(snippet) in text
            counts["with_found"] += found
            if verbose and not found:
                print(f"    missing  {item['file']}: {snippet!r}")
        for snippet in item.get("without", []):
            counts["without_total"] += 1
            leaked = norm(snippet) in text
            counts["without_leaked"] += leaked
            if verbose and leaked:
                print(f"    leaked   {item['file']}: {snippet!r}")
        for phrase in BOILERPLATE:
            if phrase.lower() in lower:
                counts["boilerplate_leaked"] += 1
                if verbose:
                    print(f"    boilerplate {item['file']}: {phrase!r}")
        counts["pages"] += 1
    return dict(counts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=HERE.parents[1] / "shared",
                    help="the shared data directory (default: ../shared)")  # fmt: skip
    ap.add_argument("--repeat", type=int, default=1, help="time each page this many times")
    ap.add_argument("--baselines", action="store_true",
                    help="also score trafilatura's own text and all visible text")  # fmt: skip
    ap.add_argument("-v", "--verbose", action="store_true", help="list worst pages and leaks")
    ap.add_argument("--json", action="store_true", help="print JSON")
    args = ap.parse_args()
    data = args.shared / "data" / "extraction"
    reader_text(b"<html><body><article><p>warm up the imports</p></article></body></html>", "")
    pipelines: dict[str, Pipeline] = {"termnews": reader_text}
    if args.baselines:
        pipelines.update({"trafilatura-text": trafilatura_text, "visible-text": visible_text})
    results = {}
    for name, pipeline in pipelines.items():
        if not args.json:
            print(f"{name}:")
        aeb = score_aeb(data / "aeb-dev", pipeline, args.repeat, args.verbose and not args.json)
        news = score_newspaper(data / "newspaper-theme", pipeline, args.verbose and not args.json)
        results[name] = {"aeb-dev": aeb, "newspaper-theme": news}
        if args.json:
            continue
        print(f"  aeb-dev ({aeb['pages']} pages): P {aeb['precision']:.3f}"
              f"  R {aeb['recall']:.3f}  F1 {aeb['f1']:.3f} (target >= 0.96)"
              f"  {aeb['ms_per_page']:.1f} ms/page")  # fmt: skip
        share = news["with_found"] / max(news["with_total"], 1)
        print(f"  newspaper-theme ({news['pages']} pages): with {news['with_found']}/"
              f"{news['with_total']} ({share:.0%}, target >= 90%);"
              f" without leaked {news.get('without_leaked', 0)}/{news['without_total']};"
              f" boilerplate leaked {news.get('boilerplate_leaked', 0)} (targets 0)")  # fmt: skip
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
