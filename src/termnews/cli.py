"""The command line: ``termnews [--demo] [--config FILE] COMMAND ...``.

Exit codes: 0 done, 1 done but some feeds failed, 2 usage or config error,
3 the cache database cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from termnews import __version__
from termnews.comments.commands import add_commands as add_comment_commands
from termnews.comments.commands import send_due_after_refresh
from termnews.config import ConfigError
from termnews.paths import resolve_paths
from termnews.refresh import FeedOutcome, RefreshSummary
from termnews.related.commands import add_commands as add_related_commands
from termnews.services import NewsService, NotFound, ServiceError
from termnews.storage.db import StorageError
from termnews.storage.records import Article

if TYPE_CHECKING:
    from termnews.reader.extract import ExtractedPage
    from termnews.reader.fulltext import ArticleBody
from termnews.text import one_line

EXIT_OK, EXIT_FEEDS_FAILED, EXIT_USAGE, EXIT_STORAGE = 0, 1, 2, 3

Handler = Callable[[NewsService, argparse.Namespace], int]


def _out(text: str = "", stream: TextIO | None = None) -> None:
    print(text, file=stream or sys.stdout)


def _json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _date(ts: int | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else "-" * 16


# -- commands -----------------------------------------------------------------
def cmd_feeds(service: NewsService, args: argparse.Namespace) -> int:
    feeds = service.feeds()
    if args.json:
        _json({"feeds": [f.to_json() for f in feeds]})
        return EXIT_OK
    if not feeds:
        _out("No subscriptions yet: `termnews add URL` or `termnews import FILE.opml`.")
        return EXIT_OK
    width = max(len(str(f.id)) for f in feeds)
    folder = None
    for f in feeds:
        if f.folder != folder:
            folder = f.folder
            _out(f"{one_line(folder) or '(no folder)'}/")
        mark = "!" if f.last_error else " "
        _out(f"  {f.id:>{width}} {mark} {f.unread:>5}/{f.total:<5} {one_line(f.name)}")
        if f.last_error:
            _out(f"  {'':>{width}}     error: {one_line(f.last_error)}")
    return EXIT_OK


def cmd_add(service: NewsService, args: argparse.Namespace) -> int:
    found = service.discover(args.url)
    if args.list:
        if args.json:
            _json({"feeds": [{"url": f.url, "title": f.title, "kind": f.kind} for f in found]})
        else:
            for f in found:
                _out(f"{f.url}  {f.kind}  {one_line(f.title)}".rstrip())
        return EXIT_OK
    first = found[0]
    feed = service.subscribe(first.url, first.title, args.folder or "")
    summary = None if args.no_refresh else service.refresh([str(feed.id)])
    feed = service.feed(str(feed.id))
    if args.json:
        _json({"feed": feed.to_json(), "discovered": [f.url for f in found]})
    else:
        _out(f"Subscribed to {one_line(feed.name)} (feed {feed.id}, {feed.url}): "
             f"{feed.total} articles, {feed.unread} unread.")
        if len(found) > 1:
            _out(f"The page lists {len(found)} feeds; `termnews add --list {args.url}` shows them.")
        if feed.last_error:
            _out(f"error: {one_line(feed.last_error)}", sys.stderr)
    return EXIT_FEEDS_FAILED if summary and summary.failed else EXIT_OK


def cmd_remove(service: NewsService, args: argparse.Namespace) -> int:
    for ref in args.feeds:
        feed = service.remove(ref)
        _out(f"Removed {one_line(feed.name)} (feed {feed.id}, {feed.total} articles).")
    return EXIT_OK


class _ProgressBar:
    """A one-line progress bar on a terminal's stderr."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.failed = 0

    def __call__(self, outcome: FeedOutcome, done: int, total: int) -> None:
        self.failed += outcome.status == "error"
        width = 30
        filled = width * done // max(total, 1)
        failed = f", {self.failed} failed" if self.failed else ""
        bar = "#" * filled + "." * (width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} feeds{failed}")
        self.stream.flush()

    def end(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()


def cmd_refresh(service: NewsService, args: argparse.Namespace) -> int:
    bar = _ProgressBar(sys.stderr) if sys.stderr.isatty() and not args.json else None
    try:
        summary: RefreshSummary = service.refresh(args.feeds or None, bar)
    finally:
        if bar:
            bar.end()
    if args.json:
        _json(summary.to_json())
    else:
        for o in summary.failed:
            _out(f"feed {o.feed_id} {one_line(o.url)}: {one_line(o.error or '')}", sys.stderr)
        for o in summary.outcomes:
            if o.moved_to:
                _out(f"feed {o.feed_id} moved permanently to {one_line(o.moved_to)}")
        _out(summary.line())
        pages = service.last_full_text
        if pages and (pages.fetched or pages.failed):  # pages fetched for summary-only items
            _out(pages.line())
    send_due_after_refresh(service)  # comments written offline go out once back online
    return EXIT_FEEDS_FAILED if summary.failed else EXIT_OK


def cmd_articles(service: NewsService, args: argparse.Namespace) -> int:
    items = service.articles(
        args.feed, unread=args.unread, starred=args.starred, limit=args.limit
    )
    if args.json:
        _json({"articles": [a.to_json() for a in items]})
        return EXIT_OK
    for a in items:
        flags = ("N" if not a.read else " ") + ("*" if a.starred else " ")
        _out(f"{a.id:>6} {flags} {_date(a.sort_date)}  {one_line(a.feed_title)[:24]:<24}  "
             f"{one_line(a.title) or '(untitled)'}")
    return EXIT_OK


def render_article(article: Article, width: int = 78, shown: ArticleBody | None = None) -> str:
    """The article as plain text: a header, then the body, then its links.

    ``shown`` is the body the reader picked (full text or the feed's own, with a
    note); by default the feed's own text.
    """
    from termnews.reader.convert import convert
    from termnews.reader.header import article_header

    html = shown.html if shown else article.content or article.summary
    body = convert(html, shown.base_url if shown else article.link)
    head = article_header(article, words=body.word_count)
    note = f"\n[{one_line(shown.note)}]" if shown and shown.note else ""
    return head.text + note + "\n\n" + body.plain(width)


def render_page(page: ExtractedPage, width: int = 78, body_only: bool = False) -> str:
    """An extracted web page as the reader shows it (``body_only``: the body text alone)."""
    from termnews.reader.convert import convert
    from termnews.reader.extract import page_as_article
    from termnews.reader.header import article_header

    body = convert(page.html, page.url)
    if body_only:
        return body.text
    head = article_header(page_as_article(page), words=body.word_count).lines
    if page.date:
        head.insert(2 if len(head) > 2 else len(head), one_line(page.date))
    notes = [f"[{one_line(n)}]" for n in page.notes]
    return "\n".join(head + notes) + "\n\n" + body.plain(width)


def cmd_read(service: NewsService, args: argparse.Namespace) -> int:
    article = service.article(args.article)
    shown = service.article_body(article, full=args.full)
    if args.json:
        data = article.to_json(body=True)
        full = shown.full.to_json() | {"content": shown.full.html} if shown.full else None
        _json({"article": data | {"full_text": full, "note": shown.note or None}})
    else:
        _out(render_article(article, shown=shown))
    if not args.keep_unread:
        service.mark([article.id], read=True)
    return EXIT_OK


def cmd_mark(service: NewsService, args: argparse.Namespace) -> int:
    read = True if args.read else False if args.unread else None
    starred = True if args.star else False if args.unstar else None
    if read is None and starred is None:
        raise ServiceError("say what to do: --read, --unread, --star or --unstar")
    changed = service.mark(args.articles, read=read, starred=starred)
    _out(f"{changed} change{'s' if changed != 1 else ''}.")
    return EXIT_OK


def cmd_import(service: NewsService, args: argparse.Namespace) -> int:
    added, known = service.import_opml(Path(args.file))
    _out(f"Imported {added} new feed{'s' if added != 1 else ''} ({known} already subscribed)."
         " `termnews refresh` fetches them.")
    return EXIT_OK


def cmd_export(service: NewsService, args: argparse.Namespace) -> int:
    text = service.export_opml()
    if args.file and args.file != "-":
        Path(args.file).write_text(text, encoding="utf-8")
        _out(f"Wrote {len(service.feeds())} feeds to {args.file}.", sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_tui(service: NewsService, args: argparse.Namespace) -> int:
    """The terminal UI on this cache (checked usable first, so errors exit with a code)."""
    service.conn  # noqa: B018 - opens and migrates the cache: StorageError exits 3
    from termnews.ui.launch import run

    run(lambda: NewsService(service.paths, service.config, service.transport))
    return EXIT_OK


def cmd_extract(service: NewsService, args: argparse.Namespace) -> int:
    from termnews.reader.extract import ExtractionError, extract_page, read_page_file

    source: str = args.source
    try:
        if source.startswith(("http://", "https://")):
            page = service.extract_url(source)
        else:
            max_bytes = int(service.config.reader.max_page_mb * 1_000_000)
            try:
                data, cut = read_page_file(Path(source), max_bytes)
            except OSError as exc:  # a file that is not there is a usage error
                _out(f"termnews: {source}: {exc.strerror or exc}", sys.stderr)
                return EXIT_USAGE
            page = extract_page(data, max_bytes=max_bytes)
            if cut:
                page.notes.insert(0, f"the file was cut at {max_bytes / 1e6:g} MB")
    except (ServiceError, ExtractionError) as exc:
        _out(f"termnews: {exc}", sys.stderr)
        return EXIT_FEEDS_FAILED
    _out(render_page(page, body_only=args.body))
    return EXIT_OK


# -- parser ---------------------------------------------------------------------
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("expected a number >= 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="termnews",
        description="A keyboard-first terminal news reader with an offline cache.",
        epilog="Exit codes: 0 done, 1 some feeds failed, 2 usage or config error, "
        "3 the cache database cannot be used. TERMNEWS_HOME=DIR keeps all files under DIR.",
    )
    parser.add_argument("--version", action="version", version=f"termnews {__version__}")
    parser.add_argument("--config", metavar="FILE", help="use this config file")
    parser.add_argument("--demo", action="store_true",
                        help="run on a throwaway copy of the bundled offline demo")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Handler, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(handler=handler)
        return p

    p = command("add", cmd_add, "subscribe to a feed, or find the feeds of a web page")
    p.add_argument("url", metavar="URL")
    p.add_argument("--folder", metavar="F", help="put the feed in folder F")
    p.add_argument("--list", action="store_true", help="only list the feeds found")
    p.add_argument("--no-refresh", action="store_true", help="do not fetch it now")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("remove", cmd_remove, "unsubscribe from feeds (their articles go too)")
    p.add_argument("feeds", nargs="+", metavar="FEED", help="feed id or URL")

    p = command("feeds", cmd_feeds, "list subscriptions with unread counts and errors")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("refresh", cmd_refresh, "fetch new articles of all or some feeds")
    p.add_argument("feeds", nargs="*", metavar="FEED", help="feed id or URL (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("articles", cmd_articles, "list cached articles, newest first")
    p.add_argument("--feed", metavar="FEED", help="feed id or URL")
    p.add_argument("--unread", action="store_true", help="only unread")
    p.add_argument("--starred", action="store_true", help="only starred")
    p.add_argument("--limit", type=_positive_int, metavar="N", help="at most N")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("read", cmd_read, "print an article as plain text (and mark it read)")
    p.add_argument("article", type=_positive_int, metavar="ARTICLE", help="article id")
    p.add_argument("--keep-unread", action="store_true", help="do not mark it read")
    p.add_argument("--full", action="store_true",
                   help="fetch the linked page now and show its extracted article")
    p.add_argument("--json", action="store_true", help="print JSON with the HTML body")

    p = command("extract", cmd_extract,
                "print the main article of a saved HTML file (plain or .gz) or a web page")
    p.add_argument("source", metavar="FILE|URL")
    p.add_argument("--body", action="store_true",
                   help="only the body text (no header, link numbers or link list)")

    p = command("mark", cmd_mark, "mark articles read or unread, starred or not")
    p.add_argument("articles", nargs="+", type=_positive_int, metavar="ARTICLE")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--read", action="store_true")
    g.add_argument("--unread", action="store_true")
    g2 = p.add_mutually_exclusive_group()
    g2.add_argument("--star", action="store_true")
    g2.add_argument("--unstar", action="store_true")

    p = command("import", cmd_import, "subscribe to the feeds of an OPML file")
    p.add_argument("file", metavar="FILE.opml")

    p = command("export", cmd_export, "write subscriptions as OPML (stdout or FILE)")
    p.add_argument("file", nargs="?", metavar="FILE")

    add_comment_commands(command)  # comment, post, drafts, outbox, comments
    add_related_commands(command)  # related, search
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            parser.print_help()  # the UI needs a terminal
            return EXIT_OK
        args.handler = cmd_tui
    demo = None
    try:
        if args.demo:
            from termnews.demo import DemoHome

            demo = DemoHome.create()
            service = demo.service()
        else:
            paths = resolve_paths(args.config)
            service = NewsService(paths)
        try:
            return args.handler(service, args)
        except sqlite3.Error as exc:
            raise service.storage_error(exc) from None
        finally:
            service.close()
    except ConfigError as exc:
        _out(f"termnews: config error: {exc}", sys.stderr)
        return EXIT_USAGE
    except NotFound as exc:
        _out(f"termnews: {exc}", sys.stderr)
        return EXIT_USAGE
    except ServiceError as exc:
        _out(f"termnews: {exc}", sys.stderr)
        return EXIT_FEEDS_FAILED if args.command == "add" else EXIT_USAGE
    except StorageError as exc:
        _out(f"termnews: {exc}", sys.stderr)
        return EXIT_STORAGE
    except KeyboardInterrupt:
        _out("termnews: interrupted", sys.stderr)
        return 130
    except BrokenPipeError:  # `termnews articles | head`
        sys.stderr.close()
        return EXIT_OK
    finally:
        if demo is not None:
            demo.cleanup()

