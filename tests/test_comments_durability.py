"""Drafts survive kill -9 at any moment, and a send killed midway is never doubled."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from comment_server import CommentServer, Reply, Request, seed_article
from termnews.paths import home_paths
from termnews.services import NewsService

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from termnews.paths import home_paths
    from termnews.services import NewsService

    comments = NewsService(home_paths(Path(sys.argv[1]))).comments
    draft, article = int(sys.argv[2]), int(sys.argv[3])
    i = 0
    while True:
        i += 1
        comments.save(draft, text=f"version {i} " + "typing " * 300)
        if i % 3 == 0:
            comments.new_draft(article, text=f"new {i}")
        print(i, flush=True)
    """
)


def _fresh(home: Path) -> NewsService:
    return NewsService(home_paths(home))


def test_drafts_survive_kill_9_at_any_moment(isolated_home: Path) -> None:
    news = _fresh(isolated_home)
    article = seed_article(news, "https://site.example/a/")
    draft = news.comments.new_draft(article, text="version 0")
    news.close()
    rng = random.Random(6)
    for round_ in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(isolated_home), str(draft.id), str(article)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert proc.stdout is not None
        stop_after = rng.randint(5, 120)
        acked = 0
        while acked < stop_after:
            line = proc.stdout.readline()
            assert line, f"writer died early in round {round_}"
            acked = int(line)
        time.sleep(rng.random() * 0.01)  # land anywhere inside the next write
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        with sqlite3.connect(news.paths.database) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            text = db.execute("SELECT text FROM drafts WHERE id = ?", (draft.id,)).fetchone()[0]
            news_rows = [r[0] for r in db.execute("SELECT text FROM drafts WHERE id != ?",
                                                  (draft.id,))]  # fmt: skip
        version = int(text.split()[1])
        assert version >= acked  # everything acknowledged is there, whole
        assert text == f"version {version} " + "typing " * 300
        assert all(t.startswith("new ") for t in news_rows)
    reopened = _fresh(isolated_home)
    assert reopened.comments.draft(draft.id).state == "draft"
    reopened.close()


def test_a_send_killed_midway_is_checked_and_not_doubled(isolated_home: Path, cli) -> None:
    srv = CommentServer()
    arrived = threading.Event()

    def hook(req: Request) -> Reply:
        if not arrived.is_set():
            arrived.set()
            return Reply(200, {"id": 1}, delay=30)  # the sender is killed before this
        return Reply(200, {"id": 1})

    srv.on("POST", "/hook", hook)
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(
        '[comments]\nname = "Ada"\nemail = "ada@example.org"\n[[comments.backends]]\n'
        f'match = "{srv.host}"\nkind = "webhook"\nurl = "{srv.url("/hook")}"\n'
    )
    news = _fresh(isolated_home)
    article = seed_article(news, srv.url("/story/"))
    draft = news.comments.new_draft(article, text="sent once")
    news.close()
    env = {**os.environ, "TERMNEWS_HOME": str(isolated_home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "termnews", "post", str(draft.id)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert arrived.wait(20), "the post never reached the server"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        news = _fresh(isolated_home)
        assert news.comments.draft(draft.id).state == "sending"
        news.close()
        listed = cli("drafts", "--json")
        assert '"state": "sending"' in listed.out
        result = cli("outbox", "--send")
        assert result.code == 0, result.err
        assert f"Draft {draft.id} posted" in result.out
        keys = [r.headers["Idempotency-Key"] for r in srv.got("POST", "/hook")]
        assert keys == [draft.token, draft.token]  # asked again with the same key
        assert cli("outbox", "--send").out.strip() == "The outbox is empty."
        assert len(srv.got("POST", "/hook")) == 2
    finally:
        srv.close()
