"""Where termnews keeps its files: platformdirs, or everything under TERMNEWS_HOME."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "termnews"
HOME_ENV = "TERMNEWS_HOME"


@dataclass(frozen=True, slots=True)
class Paths:
    """The directories and files termnews reads and writes."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    config_file: Path

    @property
    def database(self) -> Path:
        """The SQLite cache of feeds, articles and drafts."""
        return self.data_dir / "termnews.db"

    @property
    def themes_dir(self) -> Path:
        """User theme files."""
        return self.config_dir / "themes"

    def ensure(self) -> None:
        """Create the data and cache directories if they are missing."""
        for d in (self.data_dir, self.cache_dir):
            d.mkdir(parents=True, exist_ok=True)


def home_paths(home: Path) -> Paths:
    """All files under one directory (TERMNEWS_HOME, the demo, tests)."""
    home = home.expanduser().absolute()
    return Paths(home, home / "data", home / "cache", home / "config.toml")


def resolve_paths(config_file: str | os.PathLike[str] | None = None) -> Paths:
    """Paths from TERMNEWS_HOME if set, else the platform's user directories.

    ``config_file`` (the ``--config`` option) overrides the config file only.
    """
    home = os.environ.get(HOME_ENV)
    if home:
        paths = home_paths(Path(home))
    else:
        import platformdirs

        config_dir = Path(platformdirs.user_config_dir(APP_NAME))
        paths = Paths(
            config_dir,
            Path(platformdirs.user_data_dir(APP_NAME)),
            Path(platformdirs.user_cache_dir(APP_NAME)),
            config_dir / "config.toml",
        )
    if config_file is not None:
        paths = Paths(
            paths.config_dir, paths.data_dir, paths.cache_dir, Path(config_file).expanduser()
        )
    return paths
