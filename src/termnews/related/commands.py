"""The ``related`` and ``search`` commands of the CLI.

``add_commands`` is called by :mod:`termnews.cli` with its sub-command factory.
Each prints one line per article (id, score, date, feed, title) and its reason,
or with ``--json`` ``{"articles": [...]}``: the keys of ``termnews articles --json``
plus ``score`` and ``why``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from termnews.text import one_line

if TYPE_CHECKING:
    from termnews.related.items import RelatedItem, SearchItem
    from termnews.services import NewsService
    from termnews.storage.records import Article

EXIT_OK = 0
Handler = Callable[["NewsService", argparse.Namespace], int]


def _json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _line(article: Article, score: float) -> str:
    date = datetime.fromtimestamp(article.sort_date).strftime("%Y-%m-%d %H:%M")
    return (f"{article.id:>6} {score:7.3f} {date}  {one_line(article.feed_title)[:24]:<24}  "
            f"{one_line(article.title) or '(untitled)'}")  # fmt: skip


def _print(items: Sequence[RelatedItem] | Sequence[SearchItem]) -> None:
    for item in items:
        print(_line(item.article, item.score))
        if item.why:
            print(f"{'':>15}{one_line(item.why)}")


def cmd_related(service: NewsService, args: argparse.Namespace) -> int:
    items = service.related(args.article, args.limit)
    if args.json:
        _json({"articles": [i.to_json() for i in items]})
        return EXIT_OK
    article = service.article(args.article)
    print(f"Related to {article.id}: {one_line(article.title) or '(untitled)'}")
    if not items:
        print("Nothing related in the cache yet.")
    _print(items)
    return EXIT_OK


def cmd_search(service: NewsService, args: argparse.Namespace) -> int:
    items = service.search(" ".join(args.query), args.limit)
    if args.json:
        _json({"articles": [i.to_json() for i in items]})
        return EXIT_OK
    if not items:
        print("No articles match.", file=sys.stderr)
    _print(items)
    return EXIT_OK


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("expected a number >= 1")
    return value


def add_commands(command: Callable[[str, Handler, str], argparse.ArgumentParser]) -> None:
    """Register ``related`` and ``search`` with the CLI's factory."""
    p = command(
        "related",
        cmd_related,
        "list cached articles related to one (same story first, from every feed)",
    )
    p.add_argument("article", type=_count, metavar="ARTICLE", help="article id")
    p.add_argument("--limit", type=_count, default=10, metavar="N", help="at most N (10)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command(
        "search",
        cmd_search,
        'full-text search: words, "phrases", prefix*, -word, a OR b, title:WORD, '
        "feed:NAME, unread, starred",
    )
    p.add_argument("query", nargs="+", metavar="QUERY")
    p.add_argument("--limit", type=_count, default=20, metavar="N", help="at most N (20)")
    p.add_argument("--json", action="store_true", help="print JSON")
