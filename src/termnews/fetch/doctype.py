"""Find and remove a document's DOCTYPE, the only place XML can declare entities.

Both parse paths drop it before parsing, so no entity can expand (billion laughs,
quadratic blowup) or be fetched (file:// and http:// SYSTEM entities, external
DTDs). The scan understands quoted strings and comments, so a declaration like
<!ENTITY x "]>"> cannot end the DOCTYPE early and smuggle the rest through.
"""

from __future__ import annotations

import re

# Atomic group: no backtracking into comments/PIs, so a miss costs only the prolog.
_PROLOG_DOCTYPE = re.compile(
    rb"(?:\xef\xbb\xbf)?(?>\s+|<\?[^>]*>|<!--.*?-->)*(<!DOCTYPE)", re.DOTALL
)
_TOKEN = re.compile(rb"\"[^\"]*\"|'[^']*'|<!--.*?-->|[\[\]>]", re.DOTALL)


def find_doctype(data: bytes) -> tuple[int, int, bool] | None:
    """(start, end, has_internal_subset) of the DOCTYPE before the root, or None.

    end is len(data) when the declaration never closes.
    """
    m = _PROLOG_DOCTYPE.match(data)
    if m is None:
        return None
    start = m.start(1)
    depth = 0
    subset = False
    for tok in _TOKEN.finditer(data, m.end(1)):
        t = tok.group()
        if t == b"[":
            depth += 1
            subset = True
        elif t == b"]":
            depth = max(depth - 1, 0)
        elif t == b">" and depth == 0:
            return start, tok.end(), subset
    return start, len(data), subset


def strip_doctype(data: bytes) -> bytes:
    """data without its DOCTYPE declaration(s), internal subset included."""
    while (span := find_doctype(data)) is not None:
        start, end, _ = span
        data = data[:start] + data[end:]
    return data
