"""Headline lists for caches too big to load: ordered ids first, rows by window.

A :class:`View` names a filtered list of articles, newest first. :func:`view_ids`
returns the list's article ids in order (8 bytes each: 0.8 MB for 100,000) so a
list widget knows its length and can map any position to an article; the rows a
screen shows are then fetched by id with :func:`headlines`. The covering
indexes of schema migration 4 keep both fast on 100,000 articles.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from termnews.storage.db import transaction

_CHUNK = 500  # ids per IN (...) query, well under SQLite's parameter limit


@dataclass(frozen=True, slots=True)
class View:
    """Which articles a list shows: some feeds (None = all), only unread, only starred."""

    feed_ids: tuple[int, ...] | None = None
    unread: bool = False
    starred: bool = False

    def where(self) -> tuple[str, list[object]]:
        """The SQL condition over table ``articles`` (never empty) and its parameters."""
        clauses: list[str] = ["1"]
        params: list[object] = []
        if self.feed_ids is not None:
            if len(self.feed_ids) == 1:
                clauses.append("feed_id = ?")
            else:
                clauses.append(f"feed_id IN ({','.join('?' * len(self.feed_ids))})")
            params += self.feed_ids
        if self.unread:
            clauses.append("read = 0")
        if self.starred:
            clauses.append("starred = 1")
        return " AND ".join(clauses), params


@dataclass(frozen=True, slots=True)
class Headline:
    """What a headline row shows (no bodies)."""

    id: int
    feed_id: int
    title: str
    feed_title: str
    sort_date: int
    read: bool
    starred: bool
    link: str = ""


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def view_ids(conn: sqlite3.Connection, view: View) -> array:
    """The view's article ids, newest first (ties: higher id first)."""
    where, params = view.where()
    sql = f"SELECT id FROM articles WHERE {where} ORDER BY sort_date DESC, id DESC"
    return array("q", (r[0] for r in conn.execute(sql, params)))


def headlines(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Headline]:
    """The rows of ``ids``, in the order given; ids no longer cached are left out."""
    found: dict[int, Headline] = {}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
            "SELECT a.id, a.feed_id, a.title, f.title, a.sort_date, a.read, a.starred, a.link"
            f" FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.id IN ({marks})",
            list(chunk),
        ):
            found[r[0]] = Headline(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), r[7])
    return [found[i] for i in ids if i in found]


def unread_among(conn: sqlite3.Connection, ids: Sequence[int]) -> set[int]:
    """Which of ``ids`` are unread now."""
    unread: set[int] = set()
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        unread.update(
            r[0]
            for r in conn.execute(
                f"SELECT id FROM articles WHERE read = 0 AND id IN ({marks})", list(chunk)
            )
        )
    return unread


def mark_view_read(conn: sqlite3.Connection, view: View) -> list[int]:
    """Mark every unread article of the view read; returns their ids (to undo)."""
    where, params = view.where()
    with transaction(conn):
        ids = [
            r[0]
            for r in conn.execute(f"SELECT id FROM articles WHERE {where} AND read = 0", params)
        ]
        for chunk in _chunks(ids):
            conn.execute(
                f"UPDATE articles SET read = 1 WHERE id IN ({','.join('?' * len(chunk))})",
                list(chunk),
            )
    return ids


def set_read(conn: sqlite3.Connection, ids: Sequence[int], read: bool) -> int:
    """Set ``read`` on any number of articles; returns how many changed."""
    changed = 0
    with transaction(conn):
        for chunk in _chunks(ids):
            cur = conn.execute(
                "UPDATE articles SET read = ? WHERE read != ? AND id IN "
                f"({','.join('?' * len(chunk))})",
                [int(read), int(read), *chunk],
            )
            changed += cur.rowcount
    return changed
