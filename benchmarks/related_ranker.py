"""A ranker for ../shared/eval/related/eval_related.py that runs termnews's own engine.

``load(docs)`` stores the documents as articles of a real termnews cache (one feed
per source, bodies as HTML paragraphs, ``published`` as the date), indexes them the
way refresh does, and ``rank(id, k)`` asks ``NewsService.related`` - the code behind
``termnews related`` and the reader's sidebar.

    python ../shared/eval/related/eval_related.py DATA --ranker benchmarks/related_ranker.py
    ... --ranker-arg related_ranker:home=/tmp/dir   (keep the cache there)
"""

from __future__ import annotations

import html
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from termnews.config import Config
from termnews.fetch.model import ParsedEntry
from termnews.paths import home_paths
from termnews.services import NewsService
from termnews.storage.articles import upsert_entries
from termnews.storage.db import transaction

NAME = "termnews related"
_state: dict[str, Any] = {}


def _timestamp(value: object) -> int | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp())


def _html(text: str) -> str:
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def store_docs(service: NewsService, docs: list[dict]) -> dict[str, int]:
    """Store the documents as articles; article id by document id."""
    conn = service.conn
    by_source: dict[str, list[ParsedEntry]] = {}
    for d in docs:
        entry = ParsedEntry(guid=str(d["id"]), title=d.get("title") or "",
                            content=_html(d.get("text") or ""),
                            published=_timestamp(d.get("published")))  # fmt: skip
        by_source.setdefault(str(d.get("source") or "unknown"), []).append(entry)
    now = int(time.time())
    for source, entries in by_source.items():
        feed = service.subscribe(f"https://eval.example/{len(source)}/{abs(hash(source))}",
                                 source)  # fmt: skip
        with transaction(conn):
            upsert_entries(conn, feed.id, entries, now)
    rows = conn.execute("SELECT guid, id FROM articles").fetchall()
    return {guid: aid for guid, aid in rows}


def load(docs: list[dict], home: str | None = None, k_scale: int = 1) -> None:
    close()
    root = Path(home) if home else Path(tempfile.mkdtemp(prefix="termnews-eval-"))
    if home and root.exists():
        shutil.rmtree(root)
    service = NewsService(home_paths(root), Config())
    ids = store_docs(service, docs)
    started = time.perf_counter()
    service.sync_index()
    _state.update(service=service, root=root, keep=bool(home), ids=ids,
                  guid_of={v: k for k, v in ids.items()},
                  index_s=time.perf_counter() - started)  # fmt: skip
    service.related(next(iter(ids.values())), 1)  # builds the in-memory engine


def rank(query_id: str, k: int) -> list[str]:
    items = _state["service"].related(_state["ids"][query_id], k)
    return [_state["guid_of"][i.article.id] for i in items]


def close() -> None:
    if "service" in _state:
        _state["service"].close()
        if not _state["keep"]:
            shutil.rmtree(_state["root"], ignore_errors=True)
    _state.clear()
