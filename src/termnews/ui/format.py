"""Small pure helpers that turn values into short, terminal-safe text."""

from __future__ import annotations

import time
from datetime import datetime

from rich.cells import cell_len, set_cell_size

from termnews.text import one_line


def age(ts: int | None, now: float | None = None) -> str:
    """A compact age: ``now``, ``5m``, ``3h``, ``2d``, ``6w``, ``Mar 3`` or ``2024``."""
    if not ts:
        return ""
    now = time.time() if now is None else now
    seconds = max(now - ts, 0)
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if seconds < 14 * 86400:
        return f"{int(seconds // 86400)}d"
    if seconds < 120 * 86400:
        return f"{int(seconds // (7 * 86400))}w"
    when = datetime.fromtimestamp(ts)
    if seconds < 330 * 86400:
        return when.strftime("%b %-d")
    return when.strftime("%Y")


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis, or padded to exactly ``width``."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def clean(text: str, fallback: str = "") -> str:
    """Network text made one safe line (controls removed, whitespace folded)."""
    return one_line(text or "") or fallback


def count(n: int) -> str:
    """A count in at most five cells: ``999``, ``12.3k``, ``123k``."""
    if n < 10_000:
        return str(n)
    if n < 100_000:
        return f"{n / 1000:.1f}k"
    return f"{n // 1000}k"
