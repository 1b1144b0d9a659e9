"""A backend's password (or token) from the environment or a private file.

The value is only ever put in an Authorization header: it is never stored,
printed or put in a message. Messages name where it should come from.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from termnews.config import CommentBackendConfig


class SecretError(Exception):
    """The password cannot be had; the message says where it was looked for."""


def backend_password(cfg: CommentBackendConfig) -> str | None:
    """The password for ``cfg``, or None when it is used without one."""
    if cfg.password_env:
        value = os.environ.get(cfg.password_env, "")
        if not value.strip():
            raise SecretError(
                f"The password for {cfg.match} is read from the environment variable"
                f" {cfg.password_env}, which is not set."
            )
        return value.strip()
    if cfg.password_file:
        return _read_private_file(Path(cfg.password_file).expanduser(), cfg.match)
    return None


def _read_private_file(path: Path, site: str) -> str:
    try:
        info = path.stat()
    except OSError as exc:
        raise SecretError(
            f"The password file for {site}, {path}, cannot be read ({exc.strerror})."
        ) from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(
            f"The password file {path} can be read by other users; make it private"
            f" with: chmod 600 '{path}'"
        )
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise SecretError(f"The password file {path} cannot be read ({why}).") from None
    if not value:
        raise SecretError(f"The password file {path} is empty.")
    return value
