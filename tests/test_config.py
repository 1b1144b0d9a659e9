"""Config file: defaults, TERMNEWS_HOME, --config, and clear errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from termnews.config import ConfigError, load_config, parse_config
from termnews.paths import resolve_paths


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")
    assert config.refresh.per_host == 8
    assert config.source is None


def test_values_are_read_and_ints_pass_as_floats() -> None:
    config = parse_config("[refresh]\nper_host = 3\nread_timeout = 4\n")
    assert config.refresh.per_host == 3
    assert config.refresh.read_timeout == 4.0
    assert isinstance(config.refresh.read_timeout, float)


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("[refresh\n", ["not valid TOML", "line 1"]),
        ("colour = 'red'\n", ["colour", "unknown key", "refresh"]),
        ("[refresh]\nper_hots = 2\n", ["refresh.per_hots", "unknown key", "per_host"]),
        ("[refresh]\nper_host = 'many'\n", ["refresh.per_host", "expected an integer"]),
        ("[refresh]\nper_host = true\n", ["refresh.per_host", "expected an integer"]),
        ("[refresh]\nread_timeout = 'slow'\n", ["refresh.read_timeout", "expected a number"]),
        ("refresh = 3\n", ["refresh", "expected a table"]),
        ("[refresh]\nmax_connections = 0\n", ["refresh.max_connections", ">= 1"]),
        ("[refresh]\nfeed_deadline = -1\n", ["refresh.feed_deadline", "> 0"]),
    ],
)
def test_bad_config_names_file_key_and_expectation(text: str, needles: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, "/some/config.toml")
    message = str(err.value)
    assert message.startswith("/some/config.toml: ")
    for needle in needles:
        assert needle in message


def test_termnews_home_puts_everything_under_it(isolated_home: Path) -> None:
    paths = resolve_paths()
    assert paths.config_file == isolated_home.absolute() / "config.toml"
    for p in (paths.data_dir, paths.cache_dir, paths.database):
        assert p.is_relative_to(isolated_home.absolute())


def test_config_option_overrides_only_the_file(isolated_home: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    paths = resolve_paths(other)
    assert paths.config_file == other
    assert paths.database.is_relative_to(isolated_home.absolute())


def test_cli_bad_config_exits_2_with_one_message(cli, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    (isolated_home / "config.toml").write_text("[refresh]\nper_host = 'x'\n")
    result = cli("feeds")
    assert result.code == 2
    assert "config.toml" in result.err and "refresh.per_host" in result.err
    assert "expected an integer" in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_cli_config_option(cli, tmp_path: Path) -> None:
    bad = tmp_path / "mine.toml"
    bad.write_text("[refresh]\nunknown = 1\n")
    result = cli("--config", str(bad), "feeds")
    assert result.code == 2
    assert str(bad) in result.err and "refresh.unknown" in result.err
    good = tmp_path / "good.toml"
    good.write_text("[refresh]\nper_host = 2\n")
    assert cli("--config", str(good), "feeds").code == 0


def test_config_not_utf8(cli, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    (isolated_home / "config.toml").write_bytes(b"\xff\xfe[refresh]")
    result = cli("feeds")
    assert result.code == 2 and "not UTF-8" in result.err
