"""Editing a comment in the user's own editor ($VISUAL, $EDITOR, else vi)."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path


class EditorError(Exception):
    """The editor could not be run; the message says which and why."""


def editor_command() -> list[str]:
    """The editor to run, split like a shell would."""
    raw = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(raw) or ["vi"]


def edit_text(text: str, suffix: str = ".md") -> str:
    """Open ``text`` in the editor and return what was saved (unchanged if it fails)."""
    fd, name = tempfile.mkstemp(prefix="termnews-comment-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        cmd = [*editor_command(), str(path)]
        try:
            code = subprocess.call(cmd)
        except OSError as exc:
            raise EditorError(f"cannot run the editor {cmd[0]!r}: {exc.strerror}") from None
        if code != 0:
            raise EditorError(f"the editor {cmd[0]!r} exited with status {code}; text unchanged")
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
