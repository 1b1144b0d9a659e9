"""House rules that keep the code livable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "termnews"


def test_core_does_not_import_textual() -> None:
    code = (
        "import sys, termnews.services, termnews.cli, termnews.refresh, termnews.demo;"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_textual_only_under_ui() -> None:
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if "ui" not in p.relative_to(SRC).parts
        and any(
            line.lstrip().startswith(("import textual", "from textual"))
            for line in p.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []


def test_cli_startup_stays_light() -> None:
    """`termnews feeds` must not pay for feedparser or the UI."""
    code = (
        "import sys, termnews.cli;"
        "heavy = [m for m in ('feedparser', 'textual') if m in sys.modules];"
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
