"""Key/value state kept between runs (last feed and article, theme, ...)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from termnews.storage.db import transaction


def get_state(conn: sqlite3.Connection, key: str, default: Any = None) -> Any:
    """The JSON value stored under ``key``, or ``default``."""
    row = conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    if row is None:
        return default
    try:
        return json.loads(row[0])
    except ValueError:
        return default


def set_state(conn: sqlite3.Connection, key: str, value: Any) -> None:
    """Store a JSON-serialisable ``value`` under ``key``."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO state (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )
