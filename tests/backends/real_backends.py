"""The real comment backends of the integration tests (see comment-backends.sh)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().with_name("comment-backends.sh")
MISSING_PACKAGES = 3  # the script's exit code when WordPress/PHP/MariaDB are not installed


class Backends:
    """The running servers and what the WordPress setup made."""

    def __init__(self, directory: Path, info: dict[str, Any], seconds: float) -> None:
        self.dir = directory
        self.isso_url: str = info["isso_url"]
        self.isso_moderated_url: str = info["isso_moderated_url"]
        self.wp_url: str = info["wp_url"]
        self.wp: dict[str, Any] = info["wp"]
        self.start_seconds = seconds

    @property
    def wp_host(self) -> str:
        return self.wp_url.removeprefix("http://")

    def run(self, command: str) -> None:
        """wp-stop / wp-start: take WordPress's web server away and back."""
        subprocess.run(["bash", str(SCRIPT), command, str(self.dir)], check=True, timeout=60)
