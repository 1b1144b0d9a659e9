"""Comment drafts and the outbox: every change is one SQLite transaction.

A draft survives a crash at any moment because each write commits before the
call returns, and the outbox moves between states only through conditional
UPDATEs, so two processes never send the same draft at once.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from termnews.storage.db import transaction
from termnews.storage.records import iso

STATES = ("draft", "queued", "sending", "posted", "held", "failed")
EDITABLE = ("draft", "queued", "failed")  # states whose text may still change
OUTBOX = ("queued", "sending")
TEXT_FIELDS = ("name", "email", "url", "text", "reply_to")
INTERRUPTED = "An earlier send was interrupted; the site is asked before sending again."


@dataclass(slots=True)
class Draft:
    """A comment being written, waiting to be sent, or sent."""

    id: int
    token: str
    article_id: int | None
    article_url: str
    article_title: str
    article_guid: str
    name: str
    email: str
    url: str
    text: str
    reply_to: str
    state: str
    error: str | None
    remote_id: str | None
    remote_url: str | None
    backend: str
    target: dict[str, Any] = field(default_factory=dict)
    needs_check: bool = False
    attempts: int = 0
    next_attempt: int | None = None
    sending_owner: str | None = None
    sending_at: int | None = None
    created_at: int = 0
    updated_at: int = 0
    sent_at: int | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Draft:
        data = dict(row)
        data["target"] = json.loads(data["target"] or "{}")
        data["needs_check"] = bool(data["needs_check"])
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "article_id": self.article_id, "state": self.state,
            "error": self.error, "remote_id": self.remote_id, "text": self.text,
            "name": self.name, "email": self.email, "url": self.url, "reply_to": self.reply_to,
            "article_url": self.article_url, "article_title": self.article_title,
            "remote_url": self.remote_url, "backend": self.backend, "attempts": self.attempts,
            "next_attempt": iso(self.next_attempt), "created": iso(self.created_at),
            "updated": iso(self.updated_at), "sent": iso(self.sent_at),
        }  # fmt: skip


class DraftBusy(Exception):
    """The draft is being sent (or checked) and cannot change now."""


def create_draft(conn: sqlite3.Connection, now: int, **values: Any) -> int:
    """A new draft in state 'draft'; ``values`` are article_* and TEXT_FIELDS columns."""
    allowed = {"article_id", "article_url", "article_title", "article_guid", *TEXT_FIELDS}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"unknown draft fields {sorted(unknown)}")
    cols = ["token", "created_at", "updated_at", *values]
    params = [secrets.token_hex(16), now, now, *values.values()]
    marks = ",".join("?" * len(cols))
    with transaction(conn):
        cur = conn.execute(f"INSERT INTO drafts ({','.join(cols)}) VALUES ({marks})", params)
    return int(cur.lastrowid or 0)


def get_draft(conn: sqlite3.Connection, draft_id: int) -> Draft | None:
    row = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
    return Draft.from_row(row) if row else None


def list_drafts(
    conn: sqlite3.Connection,
    states: Iterable[str] | None = None,
    article_id: int | None = None,
) -> list[Draft]:
    """Drafts newest first, optionally only in ``states`` or of one article."""
    clauses, params = [], []
    if states is not None:
        wanted = list(states)
        clauses.append(f"state IN ({','.join('?' * len(wanted))})")
        params += wanted
    if article_id is not None:
        clauses.append("article_id = ?")
        params.append(article_id)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(f"SELECT * FROM drafts {where} ORDER BY updated_at DESC, id DESC", params)
    return [Draft.from_row(r) for r in rows]


def update_text(conn: sqlite3.Connection, draft_id: int, now: int, **values: str) -> Draft:
    """Change the form's fields of an editable draft, atomically.

    A failed draft becomes a draft again; a queued one stays queued with the new
    text. Raises DraftBusy while it is being sent, or queued to be checked against
    the site (an earlier send may have arrived), KeyError if gone.
    """
    unknown = set(values) - set(TEXT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    sets = ", ".join(f"{k} = ?" for k in values)
    with transaction(conn):
        row = conn.execute("SELECT state, needs_check FROM drafts WHERE id = ?", (draft_id,))
        found = row.fetchone()
        if found is None:
            raise KeyError(draft_id)
        if found["state"] not in EDITABLE or (found["state"] == "queued" and found["needs_check"]):
            raise DraftBusy(found["state"])
        state = "draft" if found["state"] == "failed" else found["state"]
        conn.execute(
            f"UPDATE drafts SET {sets + ', ' if sets else ''}state = ?, updated_at = ?"
            " WHERE id = ?",
            (*values.values(), state, now, draft_id),
        )
    draft = get_draft(conn, draft_id)
    assert draft is not None
    return draft


def delete_draft(conn: sqlite3.Connection, draft_id: int) -> bool:
    """Remove a draft unless it is being sent; False if there was none."""
    with transaction(conn):
        row = conn.execute("SELECT state FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        if row is None:
            return False
        if row["state"] == "sending":
            raise DraftBusy("sending")
        conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
    return True


def queue(conn: sqlite3.Connection, draft_id: int, now: int) -> bool:
    """Put a draft (or a failed one) in the outbox, due now. False if not in such a state."""
    with transaction(conn):
        cur = conn.execute(
            """UPDATE drafts SET state = 'queued', error = NULL, attempts = 0,
                   next_attempt = ?, updated_at = ?
               WHERE id = ? AND state IN ('draft', 'failed')""",
            (now, now, draft_id),
        )
    return cur.rowcount == 1


def unqueue(conn: sqlite3.Connection, draft_id: int, now: int, error: str | None) -> None:
    """Take a queued draft back to 'draft' (no backend for it), with the reason."""
    with transaction(conn):
        conn.execute(
            """UPDATE drafts SET state = 'draft', error = ?, next_attempt = NULL, updated_at = ?
               WHERE id = ? AND state IN ('queued', 'sending')""",
            (error, now, draft_id),
        )


def claim(conn: sqlite3.Connection, draft_id: int, owner: str, now: int) -> Draft | None:
    """Move a queued draft to 'sending' for ``owner``; None if someone else has it."""
    with transaction(conn):
        cur = conn.execute(
            """UPDATE drafts SET state = 'sending', sending_owner = ?, sending_at = ?,
                   attempts = attempts + 1, updated_at = ?
               WHERE id = ? AND state = 'queued'""",
            (owner, now, now, draft_id),
        )
    return get_draft(conn, draft_id) if cur.rowcount == 1 else None


def set_target(conn: sqlite3.Connection, draft_id: int, backend: str, target: dict) -> None:
    """Remember where the draft goes (what discovery found)."""
    with transaction(conn):
        conn.execute(
            "UPDATE drafts SET backend = ?, target = ? WHERE id = ?",
            (backend, json.dumps(target), draft_id),
        )


def mark_needs_check(conn: sqlite3.Connection, draft_id: int) -> None:
    """Say that the next send must first ask whether an earlier one arrived."""
    with transaction(conn):
        conn.execute("UPDATE drafts SET needs_check = 1 WHERE id = ?", (draft_id,))


def finish(
    conn: sqlite3.Connection,
    draft_id: int,
    now: int,
    *,
    state: str,
    error: str | None = None,
    remote_id: str | None = None,
    remote_url: str | None = None,
    next_attempt: int | None = None,
    needs_check: bool = False,
) -> None:
    """Record the outcome of a send: posted, held, failed, or queued for a retry."""
    if state not in ("posted", "held", "failed", "queued"):
        raise ValueError(state)
    sent_at = now if state in ("posted", "held") else None
    with transaction(conn):
        conn.execute(
            """UPDATE drafts SET state = ?, error = ?,
                   remote_id = COALESCE(?, remote_id), remote_url = COALESCE(?, remote_url),
                   next_attempt = ?, needs_check = ?, sending_owner = NULL, sending_at = NULL,
                   sent_at = COALESCE(?, sent_at), updated_at = ?
               WHERE id = ?""",
            (state, error, remote_id, remote_url, next_attempt, int(needs_check), sent_at, now,
             draft_id),
        )  # fmt: skip


def defer(conn: sqlite3.Connection, draft_id: int, now: int, until: int, error: str) -> None:
    """Leave a queued draft for later (its site did not answer this time)."""
    with transaction(conn):
        conn.execute(
            """UPDATE drafts SET next_attempt = ?, error = ?, updated_at = ?
               WHERE id = ? AND state = 'queued'""",
            (until, error, now, draft_id),
        )


def due(conn: sqlite3.Connection, now: int | None) -> list[Draft]:
    """Queued drafts whose next attempt is due (all queued when ``now`` is None)."""
    if now is None:
        rows = conn.execute("SELECT * FROM drafts WHERE state = 'queued' ORDER BY id")
    else:
        rows = conn.execute(
            "SELECT * FROM drafts WHERE state = 'queued' AND COALESCE(next_attempt, 0) <= ?"
            " ORDER BY id",
            (now,),
        )
    return [Draft.from_row(r) for r in rows]


def requeue_interrupted(conn: sqlite3.Connection, draft_id: int, owner: str, now: int) -> bool:
    """A 'sending' draft whose sender died: back to the queue, to be checked first."""
    with transaction(conn):
        cur = conn.execute(
            """UPDATE drafts SET state = 'queued', needs_check = 1, next_attempt = ?,
                   sending_owner = NULL, sending_at = NULL, updated_at = ?,
                   error = ?
               WHERE id = ? AND state = 'sending' AND sending_owner IS ?""",
            (now, now, INTERRUPTED, draft_id, owner),
        )
    return cur.rowcount == 1
