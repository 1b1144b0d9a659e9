"""Theme files: the shipped ones load and are legible; broken user files never crash."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.pilot import Pilot
from textual.widgets import Static

from termnews.paths import Paths, home_paths
from termnews.services import NewsService
from termnews.ui.app import TermnewsApp
from termnews.ui.themes import (
    DEFAULT_THEME,
    NEWS_VARIABLES,
    STATE_KEY,
    builtin_themes_dir,
    choose_theme,
    install_themes,
    load_themes,
    news_variable_defaults,
    next_theme,
)

REPO = Path(__file__).resolve().parents[1]
SHIPPED = {
    "termnews-dark",
    "termnews-light",
    "termnews-high-contrast",
    "termnews-newsprint",
}


@pytest.fixture
def paths(isolated_home: Path) -> Paths:
    return home_paths(isolated_home)


def write_user_theme(paths: Paths, filename: str, text: str | bytes) -> Path:
    paths.themes_dir.mkdir(parents=True, exist_ok=True)
    target = paths.themes_dir / filename
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")
    return target


def luminance(color: Color) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(Color.parse(a)), luminance(Color.parse(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_shipped_themes_load_without_errors(paths: Paths) -> None:
    themes, errors = load_themes(paths)
    assert errors == []
    assert {t.name for t in themes} == SHIPPED
    assert DEFAULT_THEME in SHIPPED
    assert {t.dark for t in themes} == {True, False}
    for theme in themes:
        assert set(NEWS_VARIABLES) <= set(theme.variables), theme.name


def test_builtin_themes_found_in_the_source_checkout() -> None:
    found = builtin_themes_dir()
    assert found is not None
    assert Path(str(found)).resolve() == REPO / "themes"


TEXT_VARIABLES = [v for v in NEWS_VARIABLES if v != "news-border"]


@pytest.mark.parametrize("variable", [*TEXT_VARIABLES, "foreground"])
def test_shipped_themes_are_legible(paths: Paths, variable: str) -> None:
    """WCAG AA (4.5:1) on background, surface and panel; 7:1 for the high-contrast theme."""
    themes, _ = load_themes(paths)
    for theme in themes:
        minimum = 7.0 if "high-contrast" in theme.name else 4.5
        text = theme.foreground if variable == "foreground" else theme.variables[variable]
        assert text is not None
        for field in ("background", "surface", "panel"):
            ground = getattr(theme, field)
            assert ground is not None
            ratio = contrast(text, ground)
            assert ratio >= minimum, f"{theme.name}: {variable} on {field} is {ratio:.2f}:1"


def test_shipped_panel_borders_are_visible(paths: Paths) -> None:
    """Unfocused panel borders stand out from what they sit on (7:1 in high contrast)."""
    themes, _ = load_themes(paths)
    for theme in themes:
        minimum = 7.0 if "high-contrast" in theme.name else 2.0
        for field in ("background", "surface"):
            ground = getattr(theme, field)
            assert ground is not None
            ratio = contrast(theme.variables["news-border"], ground)
            assert ratio >= minimum, f"{theme.name}: border on {field} is {ratio:.2f}:1"


def test_shipped_cursor_rows_are_legible(paths: Paths) -> None:
    themes, _ = load_themes(paths)
    for theme in themes:
        v = theme.variables
        ratio = contrast(v["block-cursor-foreground"], v["block-cursor-background"])
        assert ratio >= 4.5, f"{theme.name}: cursor row {ratio:.2f}:1"


def test_unread_and_read_headlines_differ(paths: Paths) -> None:
    themes, _ = load_themes(paths)
    for theme in themes:
        unread, read = theme.variables["news-unread"], theme.variables["news-read"]
        assert contrast(unread, read) >= 1.5, theme.name


def test_user_theme_is_added_and_named_after_its_file(paths: Paths) -> None:
    write_user_theme(
        paths,
        "solar.toml",
        'primary = "#268bd2"\n[variables]\nnews-link = "cyan"\nnews-meta = "rgb(1, 2, 3) 80%"\n',
    )
    themes, errors = load_themes(paths)
    assert errors == []
    solar = {t.name: t for t in themes}["solar"]
    assert solar.primary == "#268bd2"
    assert solar.variables == {"news-link": "cyan", "news-meta": "rgb(1, 2, 3) 80%"}


def test_user_theme_replaces_builtin_of_the_same_name(paths: Paths) -> None:
    write_user_theme(paths, "mine.toml", 'name = "termnews-dark"\nprimary = "#ff0000"\n')
    themes, errors = load_themes(paths)
    assert errors == []
    by_name = {t.name: t for t in themes}
    assert len(by_name) == len(themes) == len(SHIPPED)
    assert by_name["termnews-dark"].primary == "#ff0000"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('name = "broken"\nprimary = "#123456"\n[variables\n', "TOML syntax error"),
        ('name = "broken"\nprimary = "notacolour"\n', "primary"),
        ('name = "broken"\n', "primary: missing"),
        ('name = "broken"\nprimary = "red"\nbackgroud = "#000"\n', "unknown key 'backgroud'"),
        ('name = "broken"\nprimary = "red"\n[variables]\nnews-unread = "blu"\n', "news-unread"),
        ('name = "broken"\nprimary = "red"\n[variables]\nnews-unread = "red; }"\n', "news-unread"),
        ('name = "broken"\nprimary = "red"\n[variables]\nnews-unreed = "red"\n', "news-unreed"),
        ('name = "broken"\nprimary = "red"\n[variables]\nnews-link = 3\n', "expected a string"),
        (
            'name = "broken"\nprimary = "red"\n[variables]\nlink-style = "underlined"\n',
            "not a text style",
        ),
        ('name = "broken"\nprimary = "red"\ntext_alpha = 3\n', "text_alpha"),
        ('name = "broken"\nprimary = "red"\ndark = "yes"\n', "dark"),
        ('name = ""\nprimary = "red"\n', "name"),
        ('name = "a,b"\nprimary = "red"\n', "name"),
        ('name = "[b]x"\nprimary = "red"\n', "name"),
        (
            'name = "broken"\nprimary = "red"\n[variables]\nnews-link = "rgb(1, 2, 3) 150%"\n',
            "opacity",
        ),
    ],
)
def test_broken_user_theme_is_skipped_with_a_message(paths: Paths, text: str, problem: str) -> None:
    bad = write_user_theme(paths, "broken.toml", text)
    themes, errors = load_themes(paths)
    assert {t.name for t in themes} == SHIPPED
    assert len(errors) == 1
    assert str(bad) in errors[0]
    assert problem in errors[0]
    # Remembered as the user's choice, the broken theme falls back to the default.
    name, message = choose_theme([t.name for t in themes], "broken")
    assert name == DEFAULT_THEME
    assert message is not None and "broken" in message


def test_non_utf8_and_huge_theme_files_are_skipped(paths: Paths) -> None:
    write_user_theme(paths, "latin1.toml", 'primary = "#123456"\n# caf\xe9\n'.encode("latin-1"))
    write_user_theme(paths, "huge.toml", 'primary = "#123456"\n' + "#" * 100_000 + "\n")
    themes, errors = load_themes(paths)
    assert {t.name for t in themes} == SHIPPED
    assert sorted(e.split(":")[0] for e in errors) == [
        f"theme file {paths.themes_dir / 'huge.toml'}",
        f"theme file {paths.themes_dir / 'latin1.toml'}",
    ]


def test_duplicate_user_theme_names(paths: Paths) -> None:
    write_user_theme(paths, "a.toml", 'name = "twin"\nprimary = "red"\n')
    write_user_theme(paths, "b.toml", 'name = "twin"\nprimary = "blue"\n')
    themes, errors = load_themes(paths)
    assert {t.name: t.primary for t in themes}["twin"] == "red"
    assert len(errors) == 1 and "b.toml" in errors[0] and "a.toml" in errors[0]


def test_other_files_in_the_theme_folder_are_ignored(paths: Paths) -> None:
    write_user_theme(paths, "notes.txt", "not a theme")
    (paths.themes_dir / "sub.toml").mkdir()
    _, errors = load_themes(paths)
    assert errors == []


def test_choose_and_cycle() -> None:
    names = ["a", "termnews-dark", "c"]
    assert choose_theme(names, None) == ("termnews-dark", None)
    assert choose_theme(names, "c") == ("c", None)
    assert choose_theme(["x"], "gone") == (
        "textual-dark",
        "theme 'gone' is not available; using 'textual-dark'",
    )
    assert next_theme(names, "c") == "a"
    assert next_theme(names, "a", step=-1) == "c"
    assert next_theme(names, "nord") == "a"


class ThemedApp(App[None]):
    """A minimal app whose stylesheet uses every news variable."""

    CSS = """
    #unread { color: $news-unread; text-style: bold; }
    #read { color: $news-read; }
    #starred { color: $news-starred; }
    #link { color: $news-link; }
    #error { color: $news-error; }
    """

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return news_variable_defaults(self.current_theme)

    def compose(self) -> ComposeResult:
        for name in ("unread", "read", "starred", "link", "error"):
            yield Static(name, id=name)


def test_every_theme_applies_to_a_stylesheet_using_the_news_variables(paths: Paths) -> None:
    themes, _ = load_themes(paths)
    nord = App().get_theme("nord")  # a Textual theme: the news variables take their defaults
    assert nord is not None

    async def run() -> dict[str, Color]:
        app = ThemedApp()
        for theme in themes:
            app.register_theme(theme)
        seen = {}
        async with app.run_test(size=(40, 8)) as pilot:
            for theme in [*themes, nord]:
                app.theme = theme.name
                await pilot.pause()
                seen[theme.name] = app.query_one("#starred").styles.color
        return seen

    seen = asyncio.run(run())
    for theme in [*themes, nord]:
        expected = (
            theme.variables.get("news-starred") or news_variable_defaults(theme)["news-starred"]
        )
        assert seen[theme.name] == Color.parse(expected), theme.name


def test_install_themes_falls_back_from_a_broken_chosen_theme(paths: Paths) -> None:
    bad = write_user_theme(paths, "mine.toml", 'name = "mine"\nprimary = "#12345"\n')
    app = ThemedApp()
    setup = install_themes(app, paths, wanted="mine")
    assert app.theme == DEFAULT_THEME
    assert setup.names == [f"termnews-{n}" for n in ("dark", "high-contrast", "light", "newsprint")]
    assert len(setup.messages) == 2
    assert str(bad) in setup.messages[0] and "primary" in setup.messages[0]
    assert "'mine' is not available" in setup.messages[1]


def test_install_themes_selects_the_remembered_theme(paths: Paths) -> None:
    app = ThemedApp()
    setup = install_themes(app, paths, wanted="termnews-newsprint")
    assert (app.theme, setup.messages) == ("termnews-newsprint", [])
    assert next_theme(setup.names, app.theme) == setup.names[0]


# -- in the app -------------------------------------------------------------------
def run_app(paths: Paths, scenario: Callable[[TermnewsApp, Pilot], Awaitable[None]]) -> None:
    """Run the real app on ``paths`` (one feed, never fetched) through a scenario."""
    service = NewsService(paths)
    service.subscribe("http://127.0.0.1:9/feed.xml", "Quiet Feed")
    service.close()

    async def main() -> None:
        app = TermnewsApp(lambda: NewsService(paths))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await scenario(app, pilot)
            await pilot.pause()  # the theme-changed signal is published on the next tick
            await app.workers.wait_for_complete()

    asyncio.run(main())


def saved_theme(paths: Paths) -> object:
    service = NewsService(paths)
    try:
        return service.get_state(STATE_KEY)
    finally:
        service.close()


def test_t_cycles_themes_at_once_and_the_choice_is_remembered(paths: Paths) -> None:
    seen: list[str] = []

    async def switch(app: TermnewsApp, pilot: Pilot) -> None:
        assert app.theme == DEFAULT_THEME
        background = app.screen.styles.background
        await pilot.press("t")
        seen.append(app.theme)
        assert app.theme == next_theme(app.theme_names, DEFAULT_THEME)
        await pilot.pause()
        assert app.screen.styles.background != background  # repainted with the new colours

    run_app(paths, switch)
    assert saved_theme(paths) == seen[0]

    async def restart(app: TermnewsApp, pilot: Pilot) -> None:
        seen.append(app.theme)
        app.theme = "termnews-newsprint"  # what the palette's "Change theme" does

    run_app(paths, restart)
    assert seen[1] == seen[0]
    assert saved_theme(paths) == "termnews-newsprint"


def test_a_broken_remembered_theme_falls_back_with_a_notification(paths: Paths) -> None:
    bad = write_user_theme(paths, "mine.toml", 'name = "mine"\nprimary = "#12345"\n')
    service = NewsService(paths)
    service.set_state(STATE_KEY, "mine")
    service.close()
    notes: list[str] = []

    async def check(app: TermnewsApp, pilot: Pilot) -> None:
        assert app.theme == DEFAULT_THEME
        notes.extend(n.message for n in app._notifications)

    run_app(paths, check)
    assert any(str(bad) in n and "primary" in n for n in notes), notes
    assert any("'mine' is not available" in n for n in notes), notes
    assert saved_theme(paths) == "mine"  # kept: fixing the file brings the theme back
