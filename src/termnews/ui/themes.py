"""Theme files: TOML in ``themes/`` (built in) and ``<config dir>/themes`` (the user's).

A theme file holds the fields of :class:`textual.theme.Theme` at the top level
(``name``, ``dark``, ``primary``, ``background``, ...) and a ``[variables]``
table: Textual's own variables (``block-cursor-background``, ...) and the
app's, which every stylesheet may use:

``$news-unread``, ``$news-read``
    headline text of unread and read articles
``$news-meta``
    source, age and other quiet details in lists
``$news-border``
    the borders of panels without focus
``$news-starred``
    the star mark
``$news-link``
    links and link numbers in the reader
``$news-error``
    the error mark on feeds and error text

Loading never raises: a file that cannot be used is skipped and described in
one message naming the file and the problem, and the app falls back to
:data:`DEFAULT_THEME`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.design import ColorSystem
from textual.theme import Theme

from termnews.paths import Paths

DEFAULT_THEME = "termnews-dark"
"""The theme used when none was chosen, or the chosen one cannot be used."""

FALLBACK_THEME = "textual-dark"
"""Textual's own theme, for the unlikely case that no theme file can be read."""

STATE_KEY = "theme"
"""The NewsService state key that remembers the chosen theme."""

NEWS_VARIABLES = (
    "news-unread",
    "news-read",
    "news-meta",
    "news-starred",
    "news-link",
    "news-error",
    "news-border",
)
"""The app's own theme variables; every theme has them (see :func:`news_variable_defaults`)."""

MAX_THEME_BYTES = 64 * 1024
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,38}[A-Za-z0-9._-]|[A-Za-z0-9]")

_COLOR_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
_NUMBER_FIELDS = ("luminosity_spread", "text_alpha")
_KNOWN_KEYS = {"name", "description", "dark", "variables", *_COLOR_FIELDS, *_NUMBER_FIELDS}


class ThemeError(Exception):
    """A theme file that cannot be used; the message says why (without the file name)."""


# -- locating files -------------------------------------------------------------
def builtin_themes_dir() -> Traversable | None:
    """The shipped themes: ``termnews/themes`` in a wheel, ``themes/`` in a source checkout."""
    packaged = resources.files("termnews") / "themes"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "themes"
    return checkout if checkout.is_dir() else None


def theme_files(directory: Traversable | None) -> list[Traversable]:
    """The ``*.toml`` files of a directory, by name; none if it is missing."""
    if directory is None or not directory.is_dir():
        return []
    return sorted(
        (f for f in directory.iterdir() if f.name.endswith(".toml") and f.is_file()),
        key=lambda f: f.name,
    )


# -- validating ---------------------------------------------------------------
@cache
def textual_variable_names() -> frozenset[str]:
    """Names of the variables Textual's colour system defines."""
    return frozenset(ColorSystem(primary="#000000").generate())


def _check_color(value: str) -> None:
    """A CSS colour as Textual's stylesheets accept it: ``COLOUR`` or ``COLOUR NN%``."""
    colour = value.strip()
    head, _, tail = colour.rpartition(" ")
    if head and tail.endswith("%"):
        try:
            alpha = float(tail[:-1])
        except ValueError:
            raise ThemeError(f"bad opacity {tail!r} in {value!r}") from None
        if not 0 <= alpha <= 100:
            raise ThemeError(f"opacity {tail!r} in {value!r} is not between 0% and 100%")
        colour = head.strip()
    if colour in ("auto", "transparent", "initial"):
        return
    try:
        Color.parse(colour)
    except ColorParseError as exc:
        raise ThemeError(str(exc)) from None


def _check_text_style(value: str) -> None:
    """Text style flags such as ``bold underline`` or ``none``."""
    bad = [w for w in value.split() if w not in VALID_STYLE_FLAGS]
    if bad or not value.split():
        words = ", ".join(sorted(VALID_STYLE_FLAGS))
        raise ThemeError(f"{value!r} is not a text style (use words from: {words})")


def check_variable(name: str, value: Any) -> None:
    """Reject a variable Textual or termnews does not know, or a value its CSS cannot use."""
    if name not in NEWS_VARIABLES and name not in textual_variable_names():
        raise ThemeError(
            f"unknown variable {name!r} (termnews variables: {', '.join(NEWS_VARIABLES)})"
        )
    if not isinstance(value, str):
        raise ThemeError(f"variables.{name}: expected a string, got {type(value).__name__}")
    try:
        if name.endswith("style"):
            _check_text_style(value)
        else:
            _check_color(value)
    except ThemeError as exc:
        raise ThemeError(f"variables.{name}: {exc}") from None


def theme_from_data(data: dict[str, Any], default_name: str) -> Theme:
    """Build and validate a Theme from a parsed theme file's table."""
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise ThemeError(
            f"unknown key {unknown[0]!r} (colours go at the top, others in [variables])"
        )
    name = data.get("name", default_name)
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ThemeError(
            f"name: expected letters, digits, spaces, '.', '-' or '_' (at most 40), got {name!r}"
        )
    if "primary" not in data:
        raise ThemeError("primary: missing (every theme needs a primary colour)")
    kwargs: dict[str, Any] = {"name": name}
    for key in _COLOR_FIELDS:
        if key in data:
            value = data[key]
            if not isinstance(value, str):
                raise ThemeError(f"{key}: expected a colour string, got {value!r}")
            try:
                Color.parse(value)
            except ColorParseError as exc:
                raise ThemeError(f"{key}: {exc}") from None
            kwargs[key] = value
    for key in _NUMBER_FIELDS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ThemeError(f"{key}: expected a number, got {value!r}")
            if not 0 <= value <= 1:
                raise ThemeError(f"{key}: expected a number from 0 to 1, got {value!r}")
            kwargs[key] = float(value)
    if "dark" in data:
        if not isinstance(data["dark"], bool):
            raise ThemeError(f"dark: expected true or false, got {data['dark']!r}")
        kwargs["dark"] = data["dark"]
    if "description" in data and not isinstance(data["description"], str):
        raise ThemeError("description: expected a string")
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeError("variables: expected a table ([variables])")
    for key, value in variables.items():
        check_variable(key, value)
    kwargs["variables"] = dict(variables)
    theme = Theme(**kwargs)
    try:
        theme.to_color_system().generate()
    except Exception as exc:  # Textual's own checks; any failure means the file is unusable
        raise ThemeError(f"Textual rejects this theme: {exc}") from None
    return theme


def parse_theme(content: bytes, default_name: str) -> Theme:
    """A Theme from the bytes of a theme file; :class:`ThemeError` says what is wrong."""
    if len(content) > MAX_THEME_BYTES:
        raise ThemeError(f"larger than {MAX_THEME_BYTES // 1024} KiB; not a theme file")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ThemeError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"TOML syntax error: {exc}") from None
    return theme_from_data(data, default_name)


def load_theme_file(path: Traversable) -> Theme:
    """Read and validate one theme file."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ThemeError(f"cannot be read ({exc.strerror or exc})") from None
    return parse_theme(content, default_name=path.name.removesuffix(".toml"))


# -- loading all --------------------------------------------------------------
def _load_dir(
    files: Iterable[Traversable], themes: dict[str, Theme], errors: list[str], *, builtin: bool
) -> None:
    seen: dict[str, str] = {}
    for path in files:
        try:
            theme = load_theme_file(path)
        except ThemeError as exc:
            errors.append(f"theme file {path}: {exc}; it was skipped")
            continue
        if theme.name in seen:
            errors.append(
                f"theme file {path}: the name {theme.name!r} is already used by"
                f" {seen[theme.name]}; it was skipped"
            )
            continue
        seen[theme.name] = path.name
        themes[theme.name] = theme  # a user theme may replace a built-in one of the same name
    if builtin and not seen:
        errors.append("no built-in theme files were found; using Textual's default colours")


def load_themes(paths: Paths) -> tuple[list[Theme], list[str]]:
    """Built-in themes, then the user's (same name replaces), and one message per bad file."""
    themes: dict[str, Theme] = {}
    errors: list[str] = []
    _load_dir(theme_files(builtin_themes_dir()), themes, errors, builtin=True)
    user_dir = paths.themes_dir
    try:
        user_files = theme_files(user_dir)
    except OSError as exc:
        errors.append(f"theme folder {user_dir}: cannot be read ({exc.strerror or exc})")
        user_files = []
    _load_dir(user_files, themes, errors, builtin=False)
    return list(themes.values()), errors


# -- choosing -----------------------------------------------------------------
def news_variable_defaults(theme: Theme) -> dict[str, str]:
    """Values of the app's variables for a theme that does not set them (e.g. Textual's).

    All are solid colours: rows are drawn with partial styles, where Textual's
    ``auto`` colours (``$text-muted``) cannot see the background they sit on.
    """
    colors = theme.to_color_system().generate()
    background = Color.parse(colors["background"])
    foreground = Color.parse(colors["foreground"])
    return {
        "news-unread": foreground.hex,
        "news-read": background.blend(foreground, 0.62).hex,
        "news-meta": background.blend(foreground, 0.62).hex,
        "news-starred": colors["text-warning"],
        "news-link": colors["text-primary"],
        "news-error": colors["text-error"],
        "news-border": colors["panel-lighten-2" if theme.dark else "panel-darken-2"],
    }


def choose_theme(
    available: Sequence[str], wanted: str | None, default: str = DEFAULT_THEME
) -> tuple[str, str | None]:
    """The theme to use and, if ``wanted`` cannot be used, a message saying so."""
    fallback = default if default in available else FALLBACK_THEME
    if not wanted or wanted == fallback:
        return fallback, None
    if wanted in available:
        return wanted, None
    return fallback, f"theme {wanted!r} is not available; using {fallback!r}"


def next_theme(names: Sequence[str], current: str, step: int = 1) -> str:
    """The theme after (or before, ``step=-1``) ``current`` in ``names``, wrapping round."""
    if not names:
        return current
    if current not in names:
        return names[0]
    return names[(names.index(current) + step) % len(names)]


# -- wiring into an app ---------------------------------------------------------
@dataclass
class ThemeSetup:
    """What :func:`install_themes` did: the file themes in order, and messages to show."""

    names: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def install_themes(app: App[Any], paths: Paths, wanted: str | None = None) -> ThemeSetup:
    """Register every theme file with ``app`` and switch to ``wanted`` (else the default).

    Never raises for a bad file or an unknown name: each problem becomes a message
    for the app to show as a notification.
    """
    themes, messages = load_themes(paths)
    for theme in themes:
        app.register_theme(theme)
    name, problem = choose_theme(list(app.available_themes), wanted)
    if problem:
        messages.append(problem)
    app.theme = name
    return ThemeSetup([t.name for t in themes], messages)
