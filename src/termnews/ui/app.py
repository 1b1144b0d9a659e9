"""The termnews Textual app: screens, themes, the keymap, and the one error path.

Run it with :func:`run` (the CLI does): ``run(lambda: NewsService(paths))``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sqlite3
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from termnews.config import ConfigError
from termnews.services import ServiceError
from termnews.storage.db import StorageError
from termnews.ui import messages as msg
from termnews.ui import themes
from termnews.ui.backend import Backend, ServiceFactory
from termnews.ui.format import clean
from termnews.ui.loading import Preload
from termnews.ui.screens.main import MainScreen
from termnews.ui.widgets.feed_panel import FeedPanel
from termnews.ui.widgets.reader import ReaderPanel
from termnews.ui.widgets.related import RelatedList
from termnews.ui.widgets.virtual_list import VirtualList

KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "backslash": "\\",
    "space": "space",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "escape": "Esc",
    "enter": "Enter",
    "backspace": "Backspace",
    "shift+tab": "Shift+Tab",
    "tab": "Tab",
}


def _display_keys(keys: str) -> str:
    return " ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def _start_process_helpers() -> None:
    """Start multiprocessing's resource tracker while stderr is still the terminal's.

    A big refresh parses feeds in worker processes; starting them needs the real
    stderr's file descriptor, which Textual replaces while the app runs.
    """
    from multiprocessing import resource_tracker

    with contextlib.suppress(OSError, ValueError):  # no usable stderr: helpers cannot start
        resource_tracker.ensure_running()


class TermnewsApp(App[None]):
    """Feeds, headlines, the reader and related articles, all from the keyboard."""

    CSS_PATH = "termnews.tcss"
    SECONDS_PER_MINUTE = 60.0  # the unit of [ui] auto_refresh_minutes (tests shorten it)
    TITLE = "termnews"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("t", "cycle_theme", "Theme", show=False, id="app.theme"),
        Binding(
            "ctrl+p", "command_palette", "Commands", show=False, priority=True, id="app.palette"
        ),
    ]

    def __init__(
        self,
        backend: Backend | ServiceFactory,
        *,
        preload: Preload | None = None,
        demo: Any = None,
    ) -> None:
        _start_process_helpers()
        super().__init__()
        self.backend = backend if isinstance(backend, Backend) else Backend(backend)
        self.preload = preload  # the first screen's data, loading on a thread
        service = self.backend.service
        self.config = service.config
        self.paths = service.paths
        self.demo = demo  # the DemoHome shown, if any
        self._owns_demo = False  # True when this app created it (and so removes it)
        self.keymap: dict[str, str] = dict(self.config.keymap)
        self.main = MainScreen()
        self.theme_names: list[str] = []
        self._remembered_theme = ""

    # -- start and stop ------------------------------------------------------------------
    def on_mount(self) -> None:
        self._check_keymap()
        self.set_keymap(self.keymap)
        self._setup_themes()
        self.push_screen(self.main)
        minutes = self.config.ui.auto_refresh_minutes
        if minutes > 0:
            self.set_interval(minutes * self.SECONDS_PER_MINUTE, self.auto_refresh_tick)
        from termnews.ui.outbox import RETRY_EVERY, start_outbox

        start_outbox(self)  # comments written offline go out at start, and while running
        self.set_interval(RETRY_EVERY, partial(start_outbox, self))

    def on_unmount(self) -> None:
        self.backend.close()
        if self.demo is not None and self._owns_demo:
            self.demo.cleanup()

    def auto_refresh_tick(self) -> None:
        """The [ui] auto_refresh_minutes timer: refresh all feeds unless a refresh runs."""
        if not self.main.refreshing:
            self.main.start_refresh(None)

    def _check_keymap(self) -> None:
        from termnews.ui.screens.comment import binding_ids

        known = {b.id for _, _, b in self.all_bindings()} | binding_ids()
        unknown = sorted(set(self.keymap) - known)
        for binding_id in unknown:
            self.notify(
                f"[keymap] in the config: no binding has the id {binding_id!r}.",
                severity="warning",
                markup=False,
            )

    # -- themes ------------------------------------------------------------------------
    def _setup_themes(self) -> None:
        """Register the theme files, apply the remembered theme; later changes are remembered."""
        with self.backend.shared() as service:
            wanted = service.get_state(themes.STATE_KEY)
        setup = themes.install_themes(self, self.paths, wanted if isinstance(wanted, str) else None)
        self.theme_names = setup.names
        for message in setup.messages:
            self.notify(message, title="Theme", severity="warning", markup=False, timeout=10)
        self._remembered_theme = self.theme  # a fallback is not saved over the person's choice
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """Values of $news-* for themes that do not set them (Textual's own, say)."""
        return themes.news_variable_defaults(self.current_theme)

    def action_cycle_theme(self) -> None:
        """The next theme file's theme (t); the palette's "Change theme" lists them all."""
        if not self.theme_names:
            self.action_change_theme()
            return
        self.theme = themes.next_theme(self.theme_names, self.theme)
        self.notify(f"Theme: {self.theme}", timeout=2)

    def _theme_changed(self, theme: Theme) -> None:
        """Remember a theme chosen with t or the palette for the next start."""
        if theme.name != self._remembered_theme:
            self._remembered_theme = theme.name
            self.save_theme(theme.name)

    @work(thread=True, group="state", exit_on_error=False)
    def save_theme(self, name: str) -> None:
        with self.backend.shared() as service:
            service.set_state(themes.STATE_KEY, name)

    # -- bindings, help, palette -------------------------------------------------------------
    def all_bindings(self) -> list[tuple[str, type, Binding]]:
        """Every binding of the app: (where it works, the class owning it, the binding)."""
        groups: list[tuple[str, type]] = [
            ("Everywhere", TermnewsApp),
            ("Reading news", MainScreen),
            ("Lists: feeds and headlines", VirtualList),
            ("Feed panel", FeedPanel),
            ("Reader", ReaderPanel),
            ("Related sidebar", RelatedList),
        ]
        groups += self._other_screens()
        result = []
        for title, owner in groups:
            own = owner.__dict__.get("BINDINGS", [])
            result += [(title, owner, b) for b in Binding.make_bindings(own)]
        return result

    @staticmethod
    def _other_screens() -> list[tuple[str, type]]:
        """Screens whose keys are listed in help but not run from the palette."""
        from termnews.ui.screens.comment import CommentScreen
        from termnews.ui.screens.drafts import DraftsScreen

        return [("Comment form", CommentScreen), ("Drafts", DraftsScreen)]

    def key_for(self, binding_id: str, default: str = "") -> str:
        """The keys bound to ``binding_id`` now (the keymap wins), for people to read."""
        if not default:
            default = next((b.key for _, _, b in self.all_bindings() if b.id == binding_id), "")
        return _display_keys(self.keymap.get(binding_id, default))

    def action_help(self) -> None:
        from termnews.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is not self.main:
            return
        palette_owners = {TermnewsApp, MainScreen, VirtualList, FeedPanel, ReaderPanel, RelatedList}
        for _title, owner, binding in self.all_bindings():
            if owner not in palette_owners or binding.action == "command_palette":
                continue
            keys = self.key_for(binding.id or "", binding.key)
            yield SystemCommand(
                binding.description,
                f"{keys} · {binding.id}",
                partial(self._run_binding, owner, binding.action),
            )

    async def _run_binding(self, owner: type, action: str) -> None:
        if owner is TermnewsApp:
            await self.run_action(action)
        elif owner is MainScreen:
            await self.run_action(action, self.main)
        else:
            targets = [w for w in self.main.query("*") if isinstance(w, owner)]
            focused = self.main.focused
            target = focused if isinstance(focused, owner) else (targets[0] if targets else None)
            if target is not None:
                await self.run_action(action, target)

    # -- the one error path -----------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.report_failure(event)

    def report_failure(self, event: Worker.StateChanged) -> None:
        """A worker failed: say why in a notification and in the status bar.

        Worker state messages do not bubble, so screens pass theirs here.
        """
        if event.state != WorkerState.ERROR:
            return
        text = self.describe_error(event.worker.error)
        self.notify(text, severity="error", title="Something went wrong", markup=False, timeout=8)
        if self.main.is_mounted:
            self.main.status.set_error(text)

    def describe_error(self, error: BaseException | None) -> str:
        if isinstance(error, sqlite3.Error):
            error = self.backend.service.storage_error(error)
        if isinstance(error, ServiceError | StorageError | ConfigError):
            return clean(str(error))
        if isinstance(error, OSError):
            return clean(f"{error.strerror or error}")
        return clean(f"{type(error).__name__}: {error}")

    # -- layout helpers -----------------------------------------------------------------------
    def is_narrow(self) -> bool:
        return self.main.has_class("-narrow")

    # -- subscriptions (from the welcome screen and the main screen) --------------------------
    def show_welcome(self) -> None:
        from termnews.ui.screens.welcome import WelcomeScreen

        if not isinstance(self.screen, WelcomeScreen):
            self.push_screen(WelcomeScreen())

    def _feeds_changed(self, select_key: str | None, refresh: list[str] | None = None) -> None:
        """(From a worker.) Tell the main screen; leave the welcome screen."""
        self.main.post_message(msg.FeedsChanged(select_key, refresh))
        self.call_from_thread(self._leave_welcome)

    def _leave_welcome(self) -> None:
        from termnews.ui.screens.welcome import WelcomeScreen

        if isinstance(self.screen, WelcomeScreen):
            self.pop_screen()

    @work(thread=True, exclusive=True, group="subscribe", exit_on_error=False)
    def add_feed(self, url: str) -> None:
        """Find the feeds at ``url``, subscribe to the first, fetch it (in the jobs process)."""
        self.call_from_thread(self.notify, f"Looking for feeds at {clean(url)}…", markup=False)
        jobs = self.backend.jobs
        found = jobs.call("discover", url)
        first = found[0]
        feed = jobs.call("subscribe", first.url, first.title)
        jobs.call("refresh", [str(feed.id)])
        with self.backend.shared() as service:
            feed = service.feed(str(feed.id))
        more = f" (the page lists {len(found)} feeds)" if len(found) > 1 else ""
        text = f"Subscribed to {clean(feed.name)}: {feed.total} articles{more}."
        if feed.last_error:
            text += f" Refresh failed: {clean(feed.last_error)}"
        self.call_from_thread(self.notify, text, markup=False)
        self._feeds_changed(f"feed:{feed.id}")

    @work(thread=True, exclusive=True, group="subscribe", exit_on_error=False)
    def import_opml(self, path: str) -> None:
        with self.backend.shared() as service:
            added, known = service.import_opml(Path(path).expanduser())
        self.call_from_thread(
            self.notify,
            f"Imported {added} new feeds ({known} already there); refreshing…",
            markup=False,
        )
        self._feeds_changed("unread", refresh=[])

    @work(thread=True, exclusive=True, group="subscribe", exit_on_error=False)
    def open_demo(self) -> None:
        from termnews.demo import DemoHome

        self.call_from_thread(self.notify, "Preparing the demo…")
        demo = DemoHome.create()
        old = self.demo if self._owns_demo else None
        self.demo, self._owns_demo = demo, True
        self.backend.replace(demo.service)
        if old is not None:
            old.cleanup()
        self._feeds_changed("unread")

    # -- comments (the comment form and drafts screens, when installed) ------------------------
    def open_comment_form(self, article_id: int) -> None:
        if importlib.util.find_spec("termnews.ui.screens.comment") is None:
            self.notify("Commenting is not available in this version.", severity="warning")
            return
        from termnews.ui.screens.comment import CommentScreen  # type: ignore[import-not-found]

        self.push_screen(CommentScreen(article_id))

    def open_drafts(self) -> None:
        if importlib.util.find_spec("termnews.ui.screens.drafts") is None:
            self.notify("Comment drafts are not available in this version.", severity="warning")
            return
        from termnews.ui.screens.drafts import DraftsScreen  # type: ignore[import-not-found]

        self.push_screen(DraftsScreen())
