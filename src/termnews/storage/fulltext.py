"""The cached full text of articles: the extracted linked page, or why it failed."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from termnews.storage.records import iso


@dataclass(slots=True)
class FullText:
    """One article's linked page, extracted (status ``ok``) or not (``error``)."""

    article_id: int
    status: str  # "ok" | "error"
    fetched_at: int
    url: str = ""  # the page's final URL: relative links resolve against it
    html: str = ""  # the extracted article as simple HTML
    meta: dict[str, Any] = field(default_factory=dict)  # title, author, date, sitename, notes
    related: list[dict[str, str]] = field(default_factory=list)  # [{"title", "url"}]
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> FullText:
        return cls(
            article_id=row["article_id"], status=row["status"], fetched_at=row["fetched_at"],
            url=row["url"], html=row["content"], meta=json.loads(row["meta"]),
            related=json.loads(row["related"]), error=row["error"],
        )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status, "url": self.url, "fetched_at": iso(self.fetched_at),
            "error": self.error, "related": self.related, **self.meta,
        }  # fmt: skip


@dataclass(slots=True)
class Candidate:
    """What deciding and fetching an article's full text needs to know."""

    article_id: int
    link: str
    content: str
    summary: str
    feed_url: str
    status: str | None  # of the cached full text, None if never tried


def get_full_text(conn: sqlite3.Connection, article_id: int) -> FullText | None:
    row = conn.execute("SELECT * FROM full_texts WHERE article_id = ?", (article_id,)).fetchone()
    return FullText.from_row(row) if row else None


def save_full_text(conn: sqlite3.Connection, full: FullText) -> None:
    """Store (or replace) an article's full text; a vanished article is ignored."""
    conn.execute(
        """INSERT INTO full_texts (article_id, status, url, content, meta, related, error,
               fetched_at)
           SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?)
           ON CONFLICT (article_id) DO UPDATE SET status = excluded.status, url = excluded.url,
               content = excluded.content, meta = excluded.meta, related = excluded.related,
               error = excluded.error, fetched_at = excluded.fetched_at""",
        (
            full.article_id, full.status, full.url, full.html,
            json.dumps(full.meta, ensure_ascii=False),
            json.dumps(full.related, ensure_ascii=False), full.error, full.fetched_at,
            full.article_id,
        ),
    )  # fmt: skip


def candidates(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Candidate]:
    """The articles among ``ids`` with what deciding on their full text needs."""
    found: list[Candidate] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"""SELECT a.id, a.link, a.content, a.summary, f.url AS feed_url, t.status
                FROM articles a JOIN feeds f ON f.id = a.feed_id
                LEFT JOIN full_texts t ON t.article_id = a.id
                WHERE a.id IN ({marks}) ORDER BY a.id""",
            chunk,
        )
        found += [Candidate(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
    return found
