"""Opening the SQLite cache: pragmas, schema migrations and clear errors."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from termnews.storage.schema import MIGRATIONS

BUSY_TIMEOUT_MS = 10_000


class StorageError(Exception):
    """The cache cannot be used; the message says where it is and what to do."""


def _corrupt_message(path: Path, detail: str) -> str:
    return (
        f"the cache database {path} is not a usable SQLite database ({detail}).\n"
        f"To start fresh, move it away (mv '{path}' '{path}.broken') and run termnews again;"
        " subscriptions can be re-imported from an OPML export."
    )


def describe_error(path: Path, exc: sqlite3.Error) -> StorageError:
    """Turn a sqlite3 error into a StorageError with advice."""
    detail = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and "locked" in detail:
        return StorageError(
            f"the cache database {path} is locked by another program ({detail}); "
            "wait for it to finish (another termnews refresh?) and try again."
        )
    if isinstance(exc, sqlite3.OperationalError) and "readonly" in detail.replace(" ", ""):
        return StorageError(f"the cache database {path} is read-only: check its permissions.")
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return StorageError(_corrupt_message(path, detail))
    if "disk I/O" in detail or "malformed" in detail or "not a database" in detail:
        return StorageError(_corrupt_message(path, detail))
    return StorageError(f"the cache database {path}: {detail}")


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the cache at ``path``.

    Another termnews process may be creating or migrating the same file; some of
    SQLite's set-up steps answer "locked" at once instead of waiting, so the
    set-up is retried for as long as the busy timeout allows.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return _open(path)
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() >= deadline:
                raise describe_error(path, exc) from None
            time.sleep(0.05)
        except sqlite3.Error as exc:
            raise describe_error(path, exc) from None


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def _open(path: Path) -> sqlite3.Connection:
    """One attempt at opening and migrating; the connection is closed on failure."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # pragma: no cover - e.g. network file systems
            conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema to the newest version, one migration per transaction."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise sqlite3.DatabaseError(
            f"schema version {version} is newer than this termnews knows ({len(MIGRATIONS)});"
            " upgrade termnews"
        )
    while version < len(MIGRATIONS):
        with transaction(conn):
            # Re-read inside the write lock: another process may have migrated meanwhile.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= len(MIGRATIONS):
                break
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            version += 1
            conn.execute(f"PRAGMA user_version = {version}")


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (no ';' inside our DDL strings)."""
    return [s.strip() for s in script.split(";") if s.strip()]


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the write lock at once (no upgrade deadlocks)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
