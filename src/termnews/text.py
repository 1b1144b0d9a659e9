"""Text from the network made safe for a terminal."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (ESC starts CSI/OSC sequences;
# 0x9b is a one-byte CSI on some terminals).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")


def strip_controls(text: str) -> str:
    """Remove control characters that a terminal would act on (keeps \\t and \\n)."""
    return _CONTROL.sub("", text)


def one_line(text: str) -> str:
    """Control-free text with all whitespace runs folded to single spaces."""
    return _SPACE.sub(" ", strip_controls(text)).strip()
