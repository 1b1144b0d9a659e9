"""The related engine's arrays on disk, so a new process starts in milliseconds.

After a full build the engine writes its arrays as ``.npy`` files (memory-mapped
when read back: the pages stay shared and evictable) with ``meta.json`` saying
which index state they hold. A process that finds a snapshot loads it and takes in
only what was indexed or dropped since. A snapshot of another database (its first
and last vocabulary terms differ) or from the future (a higher ``seq``) is ignored.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from termnews.storage import related as related_repo

if TYPE_CHECKING:
    from termnews.related.engine import RelatedEngine

FORMAT = 1
ARRAYS = ("article_ids", "dates", "df", "indptr", "post_rows", "post_w")


def _vocab_mark(conn: sqlite3.Connection, top: int) -> list[str]:
    names = related_repo.term_names(conn, [1, top])
    return [names.get(1, ""), names.get(top, "")]


def save(engine: RelatedEngine, conn: sqlite3.Connection, where: Path) -> None:
    """Write the engine (just built: nothing pending) to ``where``, replacing it whole."""
    where.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".related-", dir=where.parent))
    try:
        for name in ARRAYS:
            np.save(tmp / f"{name}.npy", getattr(engine, name), allow_pickle=False)
        top = len(engine.df) - 1
        meta = {
            "format": FORMAT, "seq": engine.seq, "n_docs": engine.n_docs, "top_term": top,
            "vocab": _vocab_mark(conn, top), "dead": engine.dead,
            "link_keys": engine.link_keys, "title_keys": engine.title_keys,
        }  # fmt: skip
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        old = where.with_name(where.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if where.exists():
            os.replace(where, old)
        os.replace(tmp, where)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load(engine: RelatedEngine, conn: sqlite3.Connection, where: Path) -> bool:
    """Fill ``engine`` from the snapshot at ``where`` if it fits this database."""
    try:
        meta: dict[str, Any] = json.loads((where / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta["seq"] > related_repo.max_seq(conn):
            return False
        if meta["vocab"] != _vocab_mark(conn, meta["top_term"]):
            return False
        arrays = {n: np.load(where / f"{n}.npy", mmap_mode="r", allow_pickle=False)
                  for n in ARRAYS}  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return False
    engine.article_ids = np.asarray(arrays["article_ids"])
    engine.dates = np.asarray(arrays["dates"])
    engine.df = np.array(arrays["df"])  # grows in place as terms come: a private copy
    engine.indptr, engine.post_rows, engine.post_w = (
        arrays["indptr"],
        arrays["post_rows"],
        arrays["post_w"],
    )
    engine.n_rows = len(engine.article_ids)
    engine.seq, engine.n_docs = int(meta["seq"]), int(meta["n_docs"])
    engine.dead = [int(r) for r in meta["dead"]]
    engine.link_keys, engine.title_keys = list(meta["link_keys"]), list(meta["title_keys"])
    dead = set(engine.dead)
    engine.row_of = {int(a): r for r, a in enumerate(engine.article_ids.tolist()) if r not in dead}
    return len(engine.link_keys) == engine.n_rows == len(engine.title_keys)
