#!/usr/bin/env python3
"""Time to first paint of the termnews TUI on big caches, beside newsboat on the same data.

For each cache size N: builds a termnews cache of N articles with big_cache.py
(untimed), copies the same feeds and articles into a newsboat cache.db (its
rss_feed and rss_item tables), then measures from outside, as a person would see it:

* termnews: ``termnews`` started in a tmux window of a fixed size; the clock runs
  from the tmux command until ``capture-pane`` shows the feed panel ("All unread")
  and one of the newest headlines. Peak RSS (VmHWM) of the process is read at
  first paint and again after a settle time.
* newsboat ``-x print-unread`` on the same cache: wall time and peak RSS.
* newsboat's own TUI in tmux: time until its feed list shows a feed title.

Each measurement is repeated (--reps) after one untimed warm-up run, so the
figures are for a warm page cache; medians are printed in one table.

Example:
  /opt/tnv/bin/python benchmarks/tui_startup.py                 # 10k and 100k, 3 reps
  /opt/tnv/bin/python benchmarks/tui_startup.py --sizes 10000 --reps 1 --keep
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIG_CACHE = HERE / "big_cache.py"
FEED_PANEL_MARK = "All unread"


@dataclass
class Result:
    """Figures for one cache size."""

    articles: int
    feeds: int = 0
    paint_s: list[float] = field(default_factory=list)
    rss_paint_mb: list[float] = field(default_factory=list)
    rss_settled_mb: list[float] = field(default_factory=list)
    nb_print_s: list[float] = field(default_factory=list)
    nb_print_rss_mb: list[float] = field(default_factory=list)
    nb_tui_s: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- processes ------------------------------------------------------------------
def peak_rss_mb(pid: int) -> float:
    """The largest VmHWM among ``pid`` and its descendants (the shell may fork once)."""
    best = 0.0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    best = max(best, int(line.split()[1]) / 1024)
            for task in Path(f"/proc/{p}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return best


def timed_child(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and stdout of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    out = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {out[-500:]}")
    return wall, usage.ru_maxrss / 1024, out


class Tmux:
    """A private tmux server (its own socket) with a fixed window size."""

    def __init__(self, width: int, height: int) -> None:
        self.socket = f"termnews-bench-{os.getpid()}"
        self.width, self.height = width, height
        # Start the server with an idle session so server start-up is never timed.
        self.run(
            "new-session", "-d", "-s", "idle", "-x", str(width), "-y", str(height), "sleep 100000"
        )

    def run(self, *args: str) -> str:
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        result = subprocess.run(  # COLUMNS/LINES would override the window size
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False, env=env
        )
        if result.returncode != 0 and args[0] not in ("kill-session", "kill-server"):
            raise RuntimeError(f"tmux {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def start(self, name: str, command: str, env: dict[str, str]) -> int:
        """A new session running ``command``; returns the pane's process id."""
        env_args = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
        self.run(
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            str(self.width),
            "-y",
            str(self.height),
            *env_args,
            command,
        )
        return int(self.run("display-message", "-p", "-t", name, "#{pane_pid}").strip())

    def screen(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name)

    def wait_for(self, name: str, ready: list[list[str]], timeout: float) -> str:
        """Poll the screen until, for every group in ``ready``, one of its strings shows."""
        deadline = time.perf_counter() + timeout
        while True:
            text = self.screen(name)
            if all(any(s in text for s in group) for group in ready):
                return text
            if time.perf_counter() > deadline:
                raise TimeoutError(f"screen never showed {ready}; last screen:\n{text}")
            time.sleep(0.005)

    def kill(self, name: str) -> None:
        self.run("kill-session", "-t", name)

    def close(self) -> None:
        self.run("kill-server")


# -- caches ---------------------------------------------------------------------
def build_termnews_cache(builder: Path, n: int, home: Path) -> None:
    if not builder.exists():
        sys.exit(f"{builder} is missing: it builds the caches this benchmark reads")
    subprocess.run(
        [sys.executable, str(builder), "--n", str(n), "--home", str(home)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def database_of(home: Path) -> Path:
    return home / "data" / "termnews.db"


def markers(db: Path, count: int = 8, width: int = 18) -> tuple[list[str], int, int]:
    """Starts of the newest unread titles (one shows first), feed and article counts."""
    conn = sqlite3.connect(db)
    try:
        titles = [
            r[0]
            for r in conn.execute(
                "SELECT title FROM articles WHERE read = 0"
                " ORDER BY sort_date DESC, id DESC LIMIT ?",
                (count,),
            )
        ]
        feeds = conn.execute("SELECT count(*) FROM feeds").fetchone()[0]
        total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()
    starts = [" ".join(t.split())[:width] for t in titles if t.strip()]
    if not starts:
        raise RuntimeError(f"{db} has no unread titled articles to wait for")
    return starts, feeds, total


def build_newsboat_cache(source: Path, target_dir: Path) -> tuple[Path, Path, list[str]]:
    """newsboat's urls file and cache.db holding the same feeds and articles as ``source``."""
    target_dir.mkdir(parents=True, exist_ok=True)
    urls, cache, config = target_dir / "urls", target_dir / "cache.db", target_dir / "config"
    config.write_text("cleanup-on-quit no\nshow-read-feeds yes\n")
    src = sqlite3.connect(source)
    feeds = list(src.execute("SELECT id, url, site_url, title FROM feeds ORDER BY id"))
    urls.write_text("".join(f"{url}\n" for _, url, _, _ in feeds))
    # Let newsboat create its own schema first (an empty cache, nothing reloaded).
    timed_child(
        ["newsboat", "-u", str(urls), "-c", str(cache), "-C", str(config), "-x", "print-unread"],
        newsboat_env(target_dir),
    )
    dst = sqlite3.connect(cache)
    with dst:
        dst.executemany(
            "INSERT OR REPLACE INTO rss_feed (rssurl, url, title) VALUES (?, ?, ?)",
            [(url, site or url, title or url) for _, url, site, title in feeds],
        )
        url_of = {fid: url for fid, url, _, _ in feeds}
        rows = src.execute(
            "SELECT feed_id, guid, key, title, author, link, sort_date,"
            " CASE WHEN content != '' THEN content ELSE summary END, read FROM articles"
        )
        dst.executemany(
            "INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content, unread)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (guid or key, title, author, link, url_of[fid], date, body, 0 if read else 1)
                for fid, guid, key, title, author, link, date, body, read in rows
            ),
        )
    dst.close()
    src.close()
    titles = [(title or url).strip() for _, url, _, title in feeds]
    return urls, cache, [t[:18] for t in titles[:5] if t]


def newsboat_env(base: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HOME=str(base),
        XDG_CONFIG_HOME=str(base / "xdg-config"),
        XDG_DATA_HOME=str(base / "xdg-data"),
        XDG_CACHE_HOME=str(base / "xdg-cache"),
    )
    return env


def ensure_newsboat() -> bool:
    if shutil.which("newsboat"):
        return True
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "newsboat"], env=env, check=False)
    return shutil.which("newsboat") is not None


def termnews_command() -> str:
    local = Path(sys.executable).with_name("termnews")
    found = str(local) if local.exists() else shutil.which("termnews")
    if not found:
        sys.exit("termnews is not installed in this environment")
    return found


# -- measurements ---------------------------------------------------------------
def measure_termnews(
    tmux: Tmux, home: Path, ready: list[list[str]], settle: float, timeout: float
) -> tuple[float, float, float]:
    """Seconds to first paint, peak RSS at first paint and after ``settle`` seconds."""
    name = f"tn{time.monotonic_ns()}"
    env = {"TERMNEWS_HOME": str(home), "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    start = time.perf_counter()
    pid = tmux.start(name, termnews_command(), env)
    try:
        tmux.wait_for(name, ready, timeout)
        paint = time.perf_counter() - start
        at_paint = peak_rss_mb(pid)
        time.sleep(settle)
        settled = peak_rss_mb(pid)
        tmux.run("send-keys", "-t", name, "q")
        time.sleep(0.3)
    finally:
        tmux.kill(name)
    return paint, at_paint, settled


def measure_newsboat_tui(
    tmux: Tmux, base: Path, urls: Path, cache: Path, titles: list[str], timeout: float
) -> float:
    name = f"nb{time.monotonic_ns()}"
    env = {k: v for k, v in newsboat_env(base).items() if k.startswith(("HOME", "XDG"))}
    env["TERM"] = "xterm-256color"
    cmd = f"newsboat -u {urls} -c {cache} -C {base / 'config'}"
    start = time.perf_counter()
    tmux.start(name, cmd, env)
    try:
        tmux.wait_for(name, [titles], timeout)
        elapsed = time.perf_counter() - start
        tmux.run("send-keys", "-t", name, "q")
        time.sleep(0.3)
    finally:
        tmux.kill(name)
    return elapsed


def run_size(n: int, args: argparse.Namespace, work: Path, tmux: Tmux | None) -> Result:
    result = Result(articles=n)
    home = work / f"termnews-{n}"
    t0 = time.perf_counter()
    build_termnews_cache(args.builder, n, home)
    print(f"[{n}] termnews cache built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    starts, result.feeds, result.articles = markers(database_of(home))
    snapshot = work / f"termnews-{n}.db.orig"  # each run starts from the same cache
    shutil.copy2(database_of(home), snapshot)
    ready = [[FEED_PANEL_MARK], starts]
    if tmux is not None:
        for rep in range(args.reps + 1):
            shutil.copy2(snapshot, database_of(home))
            for suffix in ("-wal", "-shm"):
                Path(str(database_of(home)) + suffix).unlink(missing_ok=True)
            paint, rss_paint, rss_settled = measure_termnews(
                tmux, home, ready, args.settle, args.timeout
            )
            print(f"[{n}] termnews rep {rep}: {paint:.3f} s, {rss_settled:.0f} MB", file=sys.stderr)
            if rep:  # rep 0 warms the page cache
                result.paint_s.append(paint)
                result.rss_paint_mb.append(rss_paint)
                result.rss_settled_mb.append(rss_settled)
    if args.newsboat:
        base = work / f"newsboat-{n}"
        urls, cache, titles = build_newsboat_cache(snapshot, base)
        cmd = [
            "newsboat",
            "-u",
            str(urls),
            "-c",
            str(cache),
            "-C",
            str(base / "config"),
            "-x",
            "print-unread",
        ]
        for rep in range(args.reps + 1):
            wall, rss, out = timed_child(cmd, newsboat_env(base))
            if rep == 0:
                result.notes.append(f"newsboat print-unread: {out.strip()}")
            else:
                result.nb_print_s.append(wall)
                result.nb_print_rss_mb.append(rss)
            if tmux is not None and titles:
                elapsed = measure_newsboat_tui(tmux, base, urls, cache, titles, args.timeout)
                if rep:
                    result.nb_tui_s.append(elapsed)
    return result


def med(values: list[float], fmt: str) -> str:
    return format(statistics.median(values), fmt) if values else "-"


def print_table(results: list[Result], args: argparse.Namespace) -> None:
    head = (
        "articles",
        "feeds",
        "termnews paint s",
        "(min-max)",
        "RSS@paint MB",
        "RSS settled MB",
        "nb print-unread s",
        "nb RSS MB",
        "nb TUI paint s",
    )
    rows = []
    for r in results:
        spread = f"{min(r.paint_s):.3f}-{max(r.paint_s):.3f}" if r.paint_s else "-"
        rows.append(
            (
                str(r.articles),
                str(r.feeds),
                med(r.paint_s, ".3f"),
                spread,
                med(r.rss_paint_mb, ".0f"),
                med(r.rss_settled_mb, ".0f"),
                med(r.nb_print_s, ".3f"),
                med(r.nb_print_rss_mb, ".0f"),
                med(r.nb_tui_s, ".3f"),
            )
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    print(
        f"termnews TUI start-up, {args.width}x{args.height} tmux window, median of "
        f"{args.reps} warm runs; nb = newsboat {newsboat_version()} on the same cache"
    )
    print("  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    for r in results:
        for note in r.notes:
            print(f"  [{r.articles}] {note}")


def newsboat_version() -> str:
    if not shutil.which("newsboat"):
        return "(missing)"
    out = subprocess.run(["newsboat", "--version"], capture_output=True, text=True).stdout
    words = out.split()
    return words[1] if len(words) > 1 else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--reps", type=int, default=3, help="timed runs after one warm-up")
    parser.add_argument("--width", type=int, default=160)
    parser.add_argument("--height", type=int, default=48)
    parser.add_argument(
        "--settle",
        type=float,
        default=2.0,
        help="seconds after first paint before the settled RSS reading",
    )
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument(
        "--builder",
        type=Path,
        default=BIG_CACHE,
        help="the cache builder, run as BUILDER --n N --home DIR (default: big_cache.py)",
    )
    parser.add_argument("--no-newsboat", dest="newsboat", action="store_false")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    if not shutil.which("tmux"):
        sys.exit("tmux is needed to watch the screen (apt-get install tmux)")
    if args.newsboat and not ensure_newsboat():
        print("newsboat could not be installed; measuring termnews only", file=sys.stderr)
        args.newsboat = False
    work = Path(tempfile.mkdtemp(prefix="termnews-tui-bench-"))
    tmux = Tmux(args.width, args.height)
    results = []
    try:
        for n in args.sizes:
            results.append(run_size(n, args, work, tmux))
    finally:
        tmux.close()
        if args.keep:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print_table(results, args)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
