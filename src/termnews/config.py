"""Settings: the TOML config file, validated into typed dataclasses.

Every key has a default, so an absent file is a valid config. A syntax error,
an unknown key or a value of the wrong type raises :class:`ConfigError`, whose
message names the file, the key and what is expected.
"""

from __future__ import annotations

import re
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from termnews import __version__


class ConfigError(Exception):
    """The config file cannot be used; the message says where and why."""


@dataclass(slots=True)
class RefreshConfig:
    """``[refresh]``: how feeds are fetched."""

    max_connections: int = 32  # feeds fetched at once, all hosts together
    per_host: int = 8  # feeds fetched at once from one host
    connect_timeout: float = 10.0  # seconds
    read_timeout: float = 20.0  # seconds without a byte
    feed_deadline: float = 30.0  # seconds for one feed, whatever the server does
    max_feed_mb: float = 20.0  # body size cap, after decompression
    max_redirects: int = 5
    max_retry_after: float = 6 * 3600.0  # longest Retry-After honoured, seconds
    user_agent: str = f"termnews/{__version__} (terminal news reader)"

    def check(self, where: str) -> None:
        """Reject values that parse but make no sense."""
        for name in ("max_connections", "per_host"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{where}: refresh.{name}: expected an integer >= 1")
        for name in ("connect_timeout", "read_timeout", "feed_deadline", "max_feed_mb"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{where}: refresh.{name}: expected a number > 0")
        if self.max_redirects < 0:
            raise ConfigError(f"{where}: refresh.max_redirects: expected an integer >= 0")


FULL_TEXT_MODES = ("auto", "always", "never")


@dataclass(slots=True)
class FeedReaderConfig:
    """``[reader.feeds."FEED URL"]``: reader settings for one feed."""

    full_text: str = "auto"  # "auto" | "always" | "never"


@dataclass(slots=True)
class ReaderConfig:
    """``[reader]``: fetching and extracting the full article behind an item."""

    full_text: str = "auto"  # auto: fetch pages of summary-only items; always; never
    max_page_mb: float = 5.0  # page size cap, after decompression
    page_deadline: float = 20.0  # seconds for one page, whatever the server does
    feeds: dict[str, FeedReaderConfig] = field(default_factory=dict)  # by feed URL

    def full_text_for(self, feed_url: str) -> str:
        """The full-text mode of the feed at ``feed_url``."""
        override = self.feeds.get(feed_url)
        return override.full_text if override is not None else self.full_text

    def check(self, where: str) -> None:
        """Reject values that parse but make no sense."""
        modes = " | ".join(f'"{m}"' for m in FULL_TEXT_MODES)
        checks = [("reader.full_text", self.full_text)]
        checks += [(f'reader.feeds."{u}".full_text', f.full_text) for u, f in self.feeds.items()]
        for key, value in checks:
            if value not in FULL_TEXT_MODES:
                raise ConfigError(f"{where}: {key}: expected {modes}, got {value!r}")
        for name in ("max_page_mb", "page_deadline"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{where}: reader.{name}: expected a number > 0")


@dataclass(slots=True)
class UiConfig:
    """``[ui]``: how the terminal UI behaves."""

    mark_read_on_open: bool = True  # opening an article marks it read
    auto_refresh_minutes: int = 0  # refresh all feeds this often while the UI runs; 0 = never
    sidebar: bool = True  # show the related-articles sidebar at start

    def check(self, where: str) -> None:
        if self.auto_refresh_minutes < 0:
            raise ConfigError(f"{where}: ui.auto_refresh_minutes: expected an integer >= 0")


COMMENT_KINDS = ("wordpress", "wordpress-form", "isso", "webhook")
_HOST_MATCH = re.compile(r"^(\*\.)?([a-z0-9_.-]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$")


@dataclass(slots=True)
class CommentBackendConfig:
    """``[[comments.backends]]``: where comments on one site's articles go."""

    match: str  # host[:port] of the article's URL; "*.example.org" takes subdomains too
    kind: str  # wordpress | wordpress-form | isso | webhook
    url: str = ""  # site root (wordpress), server root (isso), endpoint (webhook)
    user: str = ""  # wordpress: Application Password user; omit for anonymous
    password_env: str = ""  # environment variable holding the password (or webhook token)
    password_file: str = ""  # or a file holding it, readable by its owner only

    def check(self, key: str, where: str) -> None:
        """Reject a table that cannot work, saying which key and why."""
        kinds = " | ".join(f'"{k}"' for k in COMMENT_KINDS)
        if self.kind not in COMMENT_KINDS:
            raise ConfigError(f"{where}: {key}.kind: expected {kinds}, got {self.kind!r}")
        if not _HOST_MATCH.match(self.match.strip().lower()):
            raise ConfigError(
                f"{where}: {key}.match: expected the host (or host:port) of the site's"
                f' articles, such as "news.example.org", got {self.match!r}'
            )
        if self.url and not self.url.startswith(("http://", "https://")):
            raise ConfigError(
                f"{where}: {key}.url: expected an http:// or https:// URL, got {self.url!r}"
            )
        if not self.url and self.kind in ("isso", "webhook"):
            what = "an Isso backend needs the Isso server's root URL"
            if self.kind == "webhook":
                what = "a webhook backend needs the endpoint URL"
            raise ConfigError(f"{where}: {key}.url: missing, {what}")
        if self.password_env and self.password_file:
            raise ConfigError(f"{where}: {key}: set password_env or password_file, not both")
        has_secret = bool(self.password_env or self.password_file)
        if self.kind == "isso" and (self.user or has_secret):
            raise ConfigError(f"{where}: {key}: isso takes no user or password")
        if self.kind == "wordpress-form" and (self.user or has_secret):
            raise ConfigError(
                f"{where}: {key}: wordpress-form posts as a guest and takes no user or"
                ' password; use kind = "wordpress" to post as a user'
            )
        if self.kind == "wordpress":
            if self.user and not has_secret:
                raise ConfigError(
                    f"{where}: {key}: user {self.user!r} needs a password: set password_env"
                    " (an environment variable) or password_file (a file only you can read)"
                )
            if has_secret and not self.user:
                raise ConfigError(
                    f"{where}: {key}: a password needs a user (the WordPress account whose"
                    " Application Password it is)"
                )


@dataclass(slots=True)
class CommentsConfig:
    """``[comments]``: who you are, and each site's comment system."""

    name: str = ""  # the comment form's default name
    email: str = ""  # the comment form's default email address
    backends: list[CommentBackendConfig] = field(default_factory=list)

    def check(self, where: str) -> None:
        from termnews.comments.validate import is_email

        if self.email and not is_email(self.email.strip()):
            raise ConfigError(f"{where}: comments.email: {self.email!r} is not an email address")
        for i, backend in enumerate(self.backends):
            backend.check(f"comments.backends[{i}]", where)


@dataclass(slots=True)
class Config:
    """The whole config file."""

    refresh: RefreshConfig = field(default_factory=RefreshConfig)
    reader: ReaderConfig = field(default_factory=ReaderConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> keys ("j,down")
    comments: CommentsConfig = field(default_factory=CommentsConfig)
    source: Path | None = None  # the file it came from, if any

    def check(self, where: str) -> None:
        """Range checks of every section."""
        self.refresh.check(where)
        self.reader.check(where)
        self.ui.check(where)
        self.comments.check(where)


_TYPE_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def _describe(tp: Any) -> str:
    """Words for a type, for error messages."""
    if tp in _TYPE_NAMES:
        return _TYPE_NAMES[tp]
    origin = typing.get_origin(tp)
    if origin is list:
        (item,) = typing.get_args(tp)
        return f"a list of {_describe(item).removeprefix('an ').removeprefix('a ')}s"
    if origin is dict:
        return "a table"
    if is_dataclass(tp):
        return "a table"
    return str(tp)


def _coerce(value: Any, tp: Any, key: str, where: str) -> Any:
    """Check ``value`` against ``tp`` and return it converted (int -> float)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _coerce(value, args[0], key, where)
    ok: bool
    if tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp in (str, bool):
        ok = isinstance(value, tp)
    elif origin is list:
        (item_tp,) = typing.get_args(tp)
        if not isinstance(value, list):
            ok = False
        else:
            return [_coerce(v, item_tp, f"{key}[{i}]", where) for i, v in enumerate(value)]
    elif origin is dict:
        _, val_tp = typing.get_args(tp)
        if not isinstance(value, dict):
            ok = False
        else:
            return {k: _coerce(v, val_tp, f"{key}.{k}", where) for k, v in value.items()}
    elif is_dataclass(tp):
        if not isinstance(value, dict):
            ok = False
        else:
            return _build(tp, value, key, where)
    else:  # pragma: no cover - a schema mistake, not a user one
        raise TypeError(f"unsupported config type {tp!r}")
    if not ok:
        raise ConfigError(
            f"{where}: {key}: expected {_describe(tp)}, got {type(value).__name__} {value!r}"
        )
    return value


def _build(cls: Any, table: dict[str, Any], prefix: str, where: str) -> Any:
    """Make dataclass ``cls`` from a TOML table, refusing unknown keys."""
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls) if f.name != "source"}
    kwargs: dict[str, Any] = {}
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if key not in known:
            choices = ", ".join(sorted(known)) or "none"
            raise ConfigError(f"{where}: {full}: unknown key (known keys here: {choices})")
        kwargs[key] = _coerce(value, hints[key], full, where)
    for name, f in known.items():
        if name not in kwargs and f.default is MISSING and f.default_factory is MISSING:
            full = f"{prefix}.{name}" if prefix else name
            raise ConfigError(f"{where}: {full}: missing, expected {_describe(hints[name])}")
    return cls(**kwargs)


def parse_config(text: str, where: str = "<config>") -> Config:
    """Parse and validate config text; ``where`` names it in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    config = _build(Config, data, "", where)
    config.check(where)
    return config


def load_config(path: Path) -> Config:
    """Read ``path``; a missing file gives the defaults."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the config file is not UTF-8 text") from None
    config = parse_config(text, str(path))
    config.source = path
    return config
