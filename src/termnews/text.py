"""Text from the network made safe for a terminal.

Terminals act on control characters: ESC starts CSI sequences (colours, cursor
moves), OSC sequences (OSC 8 hyperlinks, OSC 52 clipboard writes, window titles),
DCS/APC strings; BEL rings; 0x9b is a one-byte CSI on some terminals. Everything
shown from a feed or a page passes through ``strip_controls`` (or a helper built
on it) first. Rich and Textual markup is a second channel: ``escape_markup`` and
``escape_markdown`` make such text show literally.
"""

from __future__ import annotations

import re

# A whole escape sequence, so that no "[31m" or clipboard payload is left behind:
# CSI (ESC [ or 0x9b) params/intermediates/final; OSC/DCS/SOS/PM/APC strings up to
# BEL or ST (ESC \ or 0x9c), bounded so an unterminated one cannot swallow the text;
# other two-character ESC sequences.
_ESCAPE_SEQ = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,4096}(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]?"
)
# C0 controls except tab and newline, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")
# Unicode line/paragraph separators and bidirectional overrides/isolates, which can
# reorder or split what a terminal shows (the "Trojan Source" trick).
_LAYOUT = re.compile("[\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_LAYOUT_MAP = {0x2028: "\n", 0x2029: "\n"}
_ANY_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# Markdown: characters that start inline syntax anywhere in a line (escaped with a
# backslash; CommonMark lets any ASCII punctuation be escaped), and line starts
# that would open a block (heading, quote, list, rule, setext underline).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&#])")
_MD_LINE_START = re.compile(r"^([ \t]*(?:\d{1,9})?)([-+=>.)])", re.MULTILINE)


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters (keeps \\t and \\n).

    ``"\\x1b[31mred"`` becomes ``"red"``; a lone ESC, BEL or NUL just goes;
    line separators become newlines and bidi overrides are dropped.
    """
    if _ANY_UNSAFE.search(text) is None:  # the common case: one scan
        return text
    if _CONTROL.search(text) is not None:
        if "\x1b" in text or _C1_INTRO.search(text) is not None:
            text = _ESCAPE_SEQ.sub("", text)
        text = _CONTROL.sub("", text)
    if _LAYOUT.search(text) is not None:
        text = _LAYOUT.sub(lambda m: _LAYOUT_MAP.get(ord(m.group()), ""), text)
    return text


_C1_INTRO = re.compile(r"[\x90\x98\x9b\x9d\x9e\x9f]")


def one_line(text: str) -> str:
    """Control-free text with all whitespace runs folded to single spaces."""
    return _SPACE.sub(" ", strip_controls(text)).strip()


def visible_controls(text: str) -> str:
    """Control characters shown as Unicode control pictures (ESC as ␛), for debugging
    output where dropping them would hide what a feed really sent."""
    return _CONTROL.sub(_picture, text)


def _picture(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def escape_markup(text: str) -> str:
    """Text that Textual's markup parser (``Content.from_markup``) shows literally.

    ``"[bold red]x[/]"`` becomes ``"\\[bold red]x\\[/]"``. Every ``[`` is escaped,
    which round-trips any text (``textual.markup.escape`` does not: it loses
    backslashes before brackets). Use it when putting network text into a widget
    or label that parses markup.
    """
    return text.replace("[", "\\[")


def escape_markdown(text: str) -> str:
    """Text that a CommonMark/GFM renderer shows literally, character for character.

    Escapes inline syntax (emphasis, code, links, raw HTML, entities, tables,
    strikethrough, headings) and block starts at the beginning of a line. Whitespace
    is left alone: callers fold it as the context needs.
    """
    text = _MD_INLINE.sub(r"\\\1", text)
    if _MD_LINE_START.search(text) is not None:
        text = _MD_LINE_START.sub(r"\1\\\2", text)
    return text
