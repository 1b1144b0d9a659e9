#!/usr/bin/env python3
"""Benchmark ``termnews refresh`` against ``newsboat -x reload`` on synthetic feeds.

Generates N seeded feeds with feedgen.py, serves them on 127.0.0.1 with feedserve.py
(scenario "plain", and "latency" with 50 ms per request), and times cold runs (fresh
empty cache) and warm runs (every feed answered 304) of both readers, measuring wall
time, CPU time (user+sys) and peak RSS of the child process. Prints one table of
medians and can write the raw figures as JSON.

newsboat (installed from Debian if missing) runs with its own config, urls and cache
files in a temp dir; its ``reload-threads`` is swept once on the cold plain scenario
and the fastest value is used throughout (--sweep-per-scenario: the fastest cold
value of each scenario for that scenario). newsboat only stores HTTP validators on its
second reload, so its warm run is the third reload on the same cache.

termnews runs with TERMNEWS_HOME set to a fresh temp dir: ``termnews import
feeds.opml`` (untimed), ``termnews refresh`` (cold), ``termnews refresh`` (warm).

Example:
  python benchmarks/refresh_vs_newsboat.py --n 200 --reps 3 --json out.json
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FEEDGEN = HERE / "feedgen.py"
FEEDSERVE = HERE / "feedserve.py"
SCENARIOS = {"plain": 0.0, "latency": 50.0}
DEFAULT_SWEEP = (1, 4, 8, 16, 32, 64)
# The last GET /__reset is itself counted after the reset: one 200 with the body b"ok\n".
RESET_BODY_BYTES = 3


@dataclass
class Run:
    """One timed (or untimed) invocation of a reader."""

    tool: str
    scenario: str
    phase: str
    rep: int
    wall_s: float
    cpu_s: float
    peak_mb: float
    returncode: int
    timed_out: bool
    http: dict[str, int] = field(default_factory=dict)
    body_bytes: int = 0


# --------------------------------------------------------------------------- processes


def run_measured(
    cmd: list[str], env: dict[str, str], log: Path, timeout: float
) -> tuple[float, float, float, int, bool]:
    """Run cmd; return (wall s, user+sys CPU s, peak RSS MB, return code, timed out).

    The child is reaped with os.wait4 so its own rusage is exact; it runs in its own
    session and the whole group is killed after ``timeout`` seconds.
    """
    with open(log, "ab") as out:
        out.write(("$ " + shlex.join(cmd) + "\n").encode())
        out.flush()
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): take the child down too
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    with contextlib.suppress(ProcessLookupError):  # stray grandchildren
        os.killpg(proc.pid, signal.SIGKILL)
    cpu = ru.ru_utime + ru.ru_stime
    return wall, cpu, ru.ru_maxrss / 1024.0, proc.returncode, timed_out.is_set()


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a log file."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class FeedServer:
    """feedserve.py as a subprocess, with access to its /__stats counters."""

    def __init__(self, root: Path, port: int, latency_ms: float, log: Path) -> None:
        self.port = port
        self.log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, str(FEEDSERVE), "--dir", str(root), "--port", str(port),
             "--latency-ms", str(latency_ms)],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 15
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"feedserve.py exited with {self.proc.returncode}; see {log}")
            try:
                self.stats()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("feedserve.py did not come up") from None
                time.sleep(0.05)

    def _get(self, path: str) -> bytes:
        url = f"http://127.0.0.1:{self.port}{path}"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=10) as r:
            return r.read()

    def reset(self) -> None:
        """Zero the request counters.

        The server counts a request after sending its response, so the count of the
        previous /__stats call can land after a reset: reset, let it settle, reset again.
        """
        self._get("/__reset")
        time.sleep(0.1)
        self._get("/__reset")

    def stats(self) -> tuple[dict[str, int], int]:
        """(status code -> count, body bytes) since the last reset, minus the reset itself."""
        snap = json.loads(self._get("/__stats"))
        counts = {k: int(v) for k, v in snap["status"].items()}
        nbytes = int(snap["body_bytes"])
        if counts.get("200", 0) > 0 and nbytes >= RESET_BODY_BYTES:
            counts["200"] -= 1
            nbytes -= RESET_BODY_BYTES
            if counts["200"] == 0:
                del counts["200"]
        return counts, nbytes

    def stop(self) -> None:
        """Terminate the server (kill if it lingers)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# --------------------------------------------------------------------------- readers


def base_env(home: Path) -> dict[str, str]:
    """Environment with HOME and the XDG dirs inside ``home`` and no proxies."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(
        HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"), XDG_CACHE_HOME=str(home / ".cache"),
        XDG_STATE_HOME=str(home / ".local/state"), NO_PROXY="*", no_proxy="*",
        LANG=os.environ.get("LANG", "C.UTF-8"), TERM="dumb",
    )
    home.mkdir(parents=True, exist_ok=True)
    return env


def ensure_newsboat() -> str:
    """Path of newsboat, installing the Debian package first if it is missing."""
    found = shutil.which("newsboat")
    if found:
        return found
    print("newsboat not found: running `apt-get install -y newsboat`", flush=True)
    apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    rc = subprocess.call(["apt-get", "install", "-y", "newsboat"], env=apt_env)
    if rc != 0:
        print("apt-get install failed; running `apt-get update` and retrying", flush=True)
        subprocess.call(["apt-get", "update"], env=apt_env)
        subprocess.check_call(["apt-get", "install", "-y", "newsboat"], env=apt_env)
    found = shutil.which("newsboat")
    if not found:
        raise SystemExit("newsboat still not on PATH after apt-get install")
    return found


class Newsboat:
    """newsboat -x reload on a private config, urls file and cache."""

    def __init__(self, exe: str, urls: Path, timeout: float) -> None:
        self.exe, self.urls, self.timeout = exe, urls, timeout

    def version(self) -> str:
        """First line of ``newsboat -v``."""
        out = subprocess.run([self.exe, "-v"], capture_output=True, text=True, check=False)
        return (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else "?"

    def new_workspace(self, d: Path, threads: int) -> None:
        """Fresh empty cache and a config with the given reload-threads."""
        d.mkdir(parents=True)
        (d / "config").write_text(
            f"reload-threads {threads}\ndownload-timeout 120\nshow-read-feeds yes\n"
        )

    def reload(self, d: Path) -> tuple[float, float, float, int, bool]:
        """One timed ``newsboat -x reload`` in workspace d."""
        cmd = [self.exe, "-q", "-C", str(d / "config"), "-u", str(self.urls),
               "-c", str(d / "cache.db"), "-x", "reload"]
        return run_measured(cmd, base_env(d / "home"), d / "log.txt", self.timeout)


class Termnews:
    """termnews import + refresh with TERMNEWS_HOME in a temp dir."""

    def __init__(self, cmd: list[str], opml: Path, connections: int | None,
                 timeout: float) -> None:
        self.cmd, self.opml, self.connections, self.timeout = cmd, opml, connections, timeout

    def env(self, d: Path) -> dict[str, str]:
        """Environment for workspace d."""
        env = base_env(d / "home")
        env["TERMNEWS_HOME"] = str(d / "tn")
        return env

    def new_workspace(self, d: Path) -> None:
        """Fresh TERMNEWS_HOME with the OPML imported (not timed)."""
        (d / "tn").mkdir(parents=True)
        if self.connections is not None:
            n = self.connections
            (d / "tn" / "config.toml").write_text(
                f"[refresh]\nmax_connections = {n}\nper_host = {n}\n"
            )
        _, _, _, rc, to = run_measured(
            [*self.cmd, "import", str(self.opml)], self.env(d), d / "log.txt", self.timeout
        )
        if rc != 0 or to:
            raise RuntimeError(f"termnews import failed (rc={rc}):\n{tail(d / 'log.txt')}")

    def refresh(self, d: Path) -> tuple[float, float, float, int, bool]:
        """One timed ``termnews refresh`` in workspace d."""
        return run_measured([*self.cmd, "refresh"], self.env(d), d / "log.txt", self.timeout)


def termnews_command(override: str | None) -> list[str] | None:
    """The termnews command: --termnews, the console script, or python -m termnews."""
    if override:
        return shlex.split(override)
    script = Path(sys.executable).parent / "termnews"
    if script.exists():
        return [str(script)]
    if importlib.util.find_spec("termnews") is not None:
        return [sys.executable, "-m", "termnews"]
    return None


def termnews_revision() -> str:
    """``git describe --dirty`` of the termnews source this python imports, if any."""
    spec = importlib.util.find_spec("termnews")
    if spec is None or not spec.origin:
        return "?"
    out = subprocess.run(
        ["git", "-C", str(Path(spec.origin).parent), "describe", "--always", "--dirty"],
        capture_output=True, text=True, check=False,
    )
    return out.stdout.strip() or "not a git checkout"


# --------------------------------------------------------------------------- benchmark


class Bench:
    """Holds the shared state of one benchmark session."""

    def __init__(self, args: argparse.Namespace, root: Path) -> None:
        self.args, self.root = args, root
        self.feeds = root / "feeds"
        self.runs: list[Run] = []
        self.counter = 0

    def workdir(self, label: str) -> Path:
        """A new unique directory under the temp root."""
        self.counter += 1
        return self.root / "runs" / f"{self.counter:03d}-{label}"

    def record(self, srv: FeedServer, tool: str, scenario: str, phase: str, rep: int,
               res: tuple[float, float, float, int, bool], log: Path,
               expect_304: int | None = None) -> Run:
        """Store and print one run with the server's counters for it."""
        wall, cpu, mb, rc, to = res
        http, nbytes = srv.stats()
        run = Run(tool, scenario, phase, rep, wall, cpu, mb, rc, to, http, nbytes)
        self.runs.append(run)
        codes = " ".join(f"{k}x{v}" for k, v in sorted(http.items()))
        print(f"  {scenario:7} {tool:8} {phase:7} rep{rep}: wall {wall:7.3f}s  cpu {cpu:7.3f}s"
              f"  peak {mb:6.1f} MB  http[{codes}] {nbytes / 1e6:.1f} MB"
              + (f"  rc={rc}" if rc else "") + ("  TIMED OUT" if to else ""), flush=True)
        if rc or to:
            print("    log tail:\n    " + tail(log).replace("\n", "\n    "), flush=True)
        if expect_304 is not None and http.get("304", 0) != expect_304:
            print(f"    WARNING: expected {expect_304} x 304, got {http}", flush=True)
        return run

    def sweep(self, nb: Newsboat, srv: FeedServer, scenario: str,
              threads: list[int]) -> dict[int, dict[str, Any]]:
        """One cold newsboat reload per reload-threads value: its figures."""
        out: dict[int, dict[str, Any]] = {}
        print(f"newsboat reload-threads sweep (cold, {scenario}, n={self.args.n}):", flush=True)
        for t in threads:
            d = self.workdir(f"nb-sweep-{scenario}{t}")
            nb.new_workspace(d, t)
            srv.reset()
            wall, cpu, mb, rc, to = nb.reload(d)
            http, _ = srv.stats()
            ok = rc == 0 and not to
            out[t] = {"wall_s": wall if ok else float("inf"), "cpu_s": cpu, "peak_mb": mb,
                      "http": http}
            print(f"  reload-threads {t:3}: wall {wall:7.3f}s  cpu {cpu:6.3f}s  peak {mb:6.1f} MB"
                  f"  http{http}" + (f"  rc={rc}" if rc else ""), flush=True)
            self.cleanup(d)
        return out

    def warmup(self, nb: Newsboat | None, tn: Termnews | None, srv: FeedServer) -> None:
        """One untimed cold run of each reader: page cache, .pyc files, lazy imports."""
        print("warm-up (untimed)...", flush=True)
        if nb is not None:
            d = self.workdir("nb-warmup")
            nb.new_workspace(d, 8)
            nb.reload(d)
            self.cleanup(d)
        if tn is not None:
            d = self.workdir("tn-warmup")
            tn.new_workspace(d)
            tn.refresh(d)
            self.cleanup(d)

    def cleanup(self, d: Path) -> None:
        """Remove a run directory unless --keep."""
        if not self.args.keep:
            shutil.rmtree(d, ignore_errors=True)

    def newsboat_rep(self, nb: Newsboat, srv: FeedServer, scenario: str, rep: int,
                     threads: int) -> None:
        """Cold reload, untimed second reload, warm (third) reload on one cache."""
        d = self.workdir(f"nb-{scenario}{rep}")
        nb.new_workspace(d, threads)
        log = d / "log.txt"
        srv.reset()
        self.record(srv, "newsboat", scenario, "cold", rep, nb.reload(d), log)
        srv.reset()
        self.record(srv, "newsboat", scenario, "second", rep, nb.reload(d), log)
        srv.reset()
        self.record(srv, "newsboat", scenario, "warm", rep, nb.reload(d), log,
                    expect_304=self.args.n)
        self.cleanup(d)

    def termnews_rep(self, tn: Termnews, srv: FeedServer, scenario: str, rep: int) -> None:
        """Import, then a cold and a warm refresh on one TERMNEWS_HOME."""
        d = self.workdir(f"tn-{scenario}{rep}")
        tn.new_workspace(d)
        log = d / "log.txt"
        srv.reset()
        self.record(srv, "termnews", scenario, "cold", rep, tn.refresh(d), log)
        srv.reset()
        self.record(srv, "termnews", scenario, "warm", rep, tn.refresh(d), log,
                    expect_304=self.args.n)
        self.cleanup(d)


def summarize(runs: list[Run]) -> list[dict[str, Any]]:
    """Median figures per (scenario, phase, tool) over the successful runs."""
    rows: list[dict[str, Any]] = []
    keys: list[tuple[str, str, str]] = []
    for r in runs:
        k = (r.scenario, r.phase, r.tool)
        if r.phase in ("cold", "warm") and k not in keys:
            keys.append(k)
    keys.sort(key=lambda k: (list(SCENARIOS).index(k[0]), k[1], k[2]))
    for sc, ph, tool in keys:
        ok = [r for r in runs if (r.scenario, r.phase, r.tool) == (sc, ph, tool)
              and r.returncode == 0 and not r.timed_out]
        if not ok:
            continue
        rows.append({
            "scenario": sc, "phase": ph, "tool": tool, "runs": len(ok),
            "wall_s": statistics.median(r.wall_s for r in ok),
            "cpu_s": statistics.median(r.cpu_s for r in ok),
            "peak_mb": statistics.median(r.peak_mb for r in ok),
            "body_mb": statistics.median(r.body_bytes for r in ok) / 1e6,
            "http": ok[-1].http,
        })
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    """The summary table with the termnews/newsboat wall ratio."""
    walls = {(r["scenario"], r["phase"], r["tool"]): r["wall_s"] for r in rows}
    hdr = (f"{'scenario':8} {'phase':5} {'tool':8} {'runs':>4} {'wall s':>8} {'cpu s':>8}"
           f" {'peak MB':>8} {'served MB':>9} {'tn/nb wall':>10}  http")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        ratio = ""
        nb = walls.get((r["scenario"], r["phase"], "newsboat"))
        if r["tool"] == "termnews" and nb:
            ratio = f"{r['wall_s'] / nb:.2f}x"
        codes = " ".join(f"{k}x{v}" for k, v in sorted(r["http"].items()))
        print(f"{r['scenario']:8} {r['phase']:5} {r['tool']:8} {r['runs']:4d} {r['wall_s']:8.3f}"
              f" {r['cpu_s']:8.3f} {r['peak_mb']:8.1f} {r['body_mb']:9.1f} {ratio:>10}  {codes}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200, help="number of feeds (default 200)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions per cell (default 3)")
    ap.add_argument("--scenarios", default="plain,latency",
                    help="comma list of: " + ",".join(SCENARIOS))
    ap.add_argument("--tools", default="newsboat,termnews", help="comma list of readers to run")
    ap.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    ap.add_argument("--seed", default="1", help="feedgen.py seed")
    ap.add_argument("--keep", action="store_true", help="keep the temp dirs")
    ap.add_argument("--json", type=Path, help="write raw figures to this file")
    ap.add_argument("--termnews", help="termnews command (default: console script or -m)")
    ap.add_argument("--termnews-connections", type=int,
                    help="write [refresh] max_connections = per_host = N to config.toml")
    ap.add_argument("--newsboat-threads", type=int, help="skip the sweep, use this value")
    ap.add_argument("--sweep", default=",".join(map(str, DEFAULT_SWEEP)),
                    help="reload-threads values to try")
    ap.add_argument("--sweep-per-scenario", action="store_true",
                    help="sweep reload-threads in every scenario (default: cold plain only)")
    ap.add_argument("--timeout", type=float, default=300.0, help="kill a run after this many s")
    args = ap.parse_args(argv)
    args.scenario_list = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    args.tool_list = [t.strip() for t in args.tools.split(",") if t.strip()]
    bad = [s for s in args.scenario_list if s not in SCENARIOS]
    if bad or not args.scenario_list:
        ap.error(f"unknown scenario(s) {bad}; choose from {list(SCENARIOS)}")
    if not set(args.tool_list) <= {"newsboat", "termnews"} or not args.tool_list:
        ap.error("--tools takes newsboat and/or termnews")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    port = args.port or free_port()

    nb: Newsboat | None = None
    tn_cmd: list[str] | None = None
    if "termnews" in args.tool_list:
        tn_cmd = termnews_command(args.termnews)
        if tn_cmd is None:
            raise SystemExit("termnews not found: pip install -e . or pass --termnews CMD")
        print("termnews command:", shlex.join(tn_cmd), " source:", termnews_revision())

    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        print(f"WARNING: load average {load_before[0]:.2f} before the start: other work on "
              "this machine will skew the wall times", flush=True)
    root = Path(tempfile.mkdtemp(prefix="tn-bench-"))
    bench = Bench(args, root)
    srv: FeedServer | None = None
    sweeps: dict[str, dict[int, dict[str, Any]]] = {}
    threads: dict[str, int] = {}
    try:
        if "newsboat" in args.tool_list:
            nb = Newsboat(ensure_newsboat(), bench.feeds / "urls", args.timeout)
            print("newsboat:", nb.version())
        subprocess.check_call(
            [sys.executable, str(FEEDGEN), "--n", str(args.n), "--port", str(port),
             "--out", str(bench.feeds), "--seed", args.seed],
            stderr=subprocess.DEVNULL,
        )
        manifest = json.loads((bench.feeds / "manifest.json").read_text())
        totals = manifest["totals"]
        print(f"feeds: {totals['feeds']}  items: {totals['items']}  "
              f"bytes: {totals['bytes']} ({totals['bytes'] / 1e6:.1f} MB)  port {port}  "
              f"temp {root}", flush=True)
        tn = (Termnews(tn_cmd, bench.feeds / "feeds.opml", args.termnews_connections,
                       args.timeout) if tn_cmd else None)

        for scenario in args.scenario_list:
            latency = SCENARIOS[scenario]
            if nb is not None:
                values = [int(x) for x in args.sweep.split(",")]
                where = scenario if args.sweep_per_scenario else "plain"
                if args.newsboat_threads:
                    threads[scenario] = args.newsboat_threads
                elif where not in sweeps:
                    srv = FeedServer(bench.feeds, port, SCENARIOS[where],
                                     root / f"server-sweep-{where}.log")
                    sweeps[where] = bench.sweep(nb, srv, where, values)
                    srv.stop()
                    srv = None
                if not args.newsboat_threads:
                    sweep = sweeps[where]
                    threads[scenario] = min(sweep, key=lambda t: sweep[t]["wall_s"])
                    print(f"  -> newsboat reload-threads {threads[scenario]} for {scenario}",
                          flush=True)
            srv = FeedServer(bench.feeds, port, latency, root / f"server-{scenario}.log")
            if scenario == args.scenario_list[0]:
                bench.warmup(nb, tn, srv)
            print(f"scenario {scenario} (latency {latency:g} ms):", flush=True)
            for rep in range(1, args.reps + 1):
                if nb is not None:
                    bench.newsboat_rep(nb, srv, scenario, rep, threads[scenario])
                if tn is not None:
                    bench.termnews_rep(tn, srv, scenario, rep)
            srv.stop()
            srv = None

        rows = summarize(bench.runs)
        print()
        print(f"n={args.n} feeds, {totals['items']} items, {totals['bytes'] / 1e6:.1f} MB per"
              f" full fetch; reps={args.reps}; medians; newsboat reload-threads {threads};"
              f" termnews connections="
              f"{args.termnews_connections if args.termnews_connections else 'default'}")
        print_table(rows)
        served = sum(r.body_bytes for r in bench.runs)
        print(f"total body bytes served over all runs: {served} ({served / 1e6:.1f} MB)")
        load_after = os.getloadavg()
        print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}"
              f" on {os.cpu_count()} CPUs (the benchmark itself adds about 1-2)")
        if args.json:
            args.json.write_text(json.dumps({
                "params": {k: v for k, v in vars(args).items() if k != "json"} | {"port": port},
                "totals": totals, "newsboat_threads": threads,
                "newsboat_sweeps": {sc: {str(t): v for t, v in sw.items()}
                                    for sc, sw in sweeps.items()},
                "termnews_command": tn_cmd, "termnews_revision": termnews_revision(),
                "total_body_bytes": served, "cpus": os.cpu_count(),
                "loadavg_before": load_before, "loadavg_after": load_after,
                "summary": rows, "runs": [asdict(r) for r in bench.runs],
            }, indent=1, default=str))
            print("wrote", args.json)
        return 0
    finally:
        if srv is not None:
            srv.stop()
        if args.keep:
            print("kept", root)
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
