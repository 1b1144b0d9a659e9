"""Pilot tests: the comment form (c) and the Drafts screen (d)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pilot_helpers import run, settle, wait_for

from comment_server import CommentServer, Reply
from termnews.config import parse_config
from termnews.demo import DemoHome, DemoTransport
from termnews.paths import home_paths
from termnews.services import NewsService
from termnews.storage import drafts as repo
from termnews.ui.app import TermnewsApp
from termnews.ui.screens.comment import CommentScreen
from termnews.ui.screens.drafts import ConfirmScreen, DraftsScreen

SIZE = (120, 40)
FIRST_HOST = "thecircuit.example"  # the demo's newest article comes from here


@pytest.fixture
def hook() -> Iterator[CommentServer]:
    s = CommentServer()
    s.on("POST", "/hook", Reply(201, {"id": 77, "url": "https://thecircuit.example/#c77"}))
    yield s
    s.close()


def app_with(demo: DemoHome, config_text: str) -> TermnewsApp:
    config = parse_config(config_text)

    def make() -> NewsService:
        return NewsService(home_paths(demo.root), config, transport=DemoTransport())

    return TermnewsApp(make)


def configured(hook: CommentServer) -> str:
    return (
        '[comments]\nname = "Ada"\nemail = "ada@example.org"\n[[comments.backends]]\n'
        f'match = "{FIRST_HOST}"\nkind = "webhook"\nurl = "{hook.url("/hook")}"\n'
    )


async def open_form(pilot) -> CommentScreen:
    await settle(pilot)
    await pilot.press("enter")  # open the first article
    await settle(pilot)
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommentScreen))
    screen = pilot.app.screen
    await wait_for(pilot, lambda: not screen.loading)
    return screen


def field_error(screen: CommentScreen, field: str) -> str:
    label = screen.query_one(f"#error-{field}")
    return str(label.render()) if label.has_class("-shown") else ""


def test_c_opens_the_form_with_name_and_email_from_the_config(
    demo: DemoHome, hook: CommentServer
) -> None:
    async def scenario() -> None:
        app = app_with(demo, configured(hook))
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_form(pilot)
            values = screen.values()
            assert (values["name"], values["email"], values["text"]) == (
                "Ada", "ada@example.org", "",
            )  # fmt: skip
            assert "Tessellate review" in str(screen.query_one("#comment-title").render())
            assert screen.focused is screen.query_one("#comment-text")

    run(scenario)


def test_form_checks_keep_the_form_open_with_the_text(demo: DemoHome, db: NewsService) -> None:
    async def scenario() -> None:
        app = app_with(demo, "")
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_form(pilot)
            assert screen.focused is screen.query_one("#comment-name")  # no default name
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert field_error(screen, "text") == "Please enter your comment!"
            assert field_error(screen, "name") == "Please enter your name here"
            screen.query_one("#comment-text").focus()
            await pilot.press(*"Kept text")
            screen.query_one("#comment-email").value = "ada@nowhere"
            screen.query_one("#comment-name").value = "Ada"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is screen
            assert field_error(screen, "text") == ""
            assert field_error(screen, "name") == ""
            assert field_error(screen, "email") == "You have entered an incorrect email address!"
            assert screen.values()["text"] == "Kept text"
            assert screen.focused is screen.query_one("#comment-email")

    run(scenario)


def test_the_draft_is_saved_as_you_type_and_reopened(demo: DemoHome, db: NewsService) -> None:
    async def scenario() -> None:
        app = app_with(demo, "")
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_form(pilot)
            screen.query_one("#comment-text").focus()
            await pilot.press(*"Typed on a train")
            draft_id = screen.draft_id
            assert draft_id is not None

            def saved() -> bool:
                return db.comments.draft(draft_id).text == "Typed on a train"

            await wait_for(pilot, saved, timeout=2.5)  # within 2 s of the last keystroke
            await pilot.press(*" and more")
            await pilot.press("escape")  # closing saves at once
            await pilot.pause()
            assert not isinstance(app.screen, CommentScreen)
            assert db.comments.draft(draft_id).text == "Typed on a train and more"
            await pilot.press("c")
            await wait_for(pilot, lambda: isinstance(app.screen, CommentScreen))
            again = app.screen
            await wait_for(pilot, lambda: not again.loading)
            assert again.draft_id == draft_id
            assert again.values()["text"] == "Typed on a train and more"

    run(scenario)


def test_posting_sends_and_closes_the_form(
    demo: DemoHome, db: NewsService, hook: CommentServer
) -> None:
    async def scenario() -> None:
        app = app_with(demo, configured(hook))
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_form(pilot)
            await pilot.press(*"Great review")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: not isinstance(app.screen, CommentScreen))
            [draft] = db.comments.drafts()
            assert (draft.state, draft.remote_id, draft.text) == ("posted", "77", "Great review")
            [req] = hook.got("POST", "/hook")
            assert req.json()["draft"]["name"] == "Ada"
            assert screen.draft_id == draft.id

    run(scenario)


def test_no_backend_says_how_to_configure_and_keeps_the_form(
    demo: DemoHome, db: NewsService
) -> None:
    async def scenario() -> None:
        app = app_with(demo, '[comments]\nname = "Ada"\nemail = "ada@example.org"\n')
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_form(pilot)
            await pilot.press(*"Nowhere to go")
            await pilot.press("ctrl+s")
            status = screen.query_one("#comment-status")
            await wait_for(pilot, lambda: "No comment system" in str(status.render()))
            assert app.screen is screen and status.has_class("-error")
            assert f'match = "{FIRST_HOST}"' in str(status.render())
            assert db.comments.drafts()[0].state == "draft"

    run(scenario)


def _seed_drafts(demo: DemoHome, texts: list[str]) -> list[int]:
    service = NewsService(home_paths(demo.root))
    article = service.articles(limit=1)[0].id
    ids = [service.comments.new_draft(article, text=t, name="Ada",
                                      email="ada@example.org").id for t in texts]  # fmt: skip
    service.close()
    return ids


def test_drafts_screen_lists_opens_and_deletes_with_confirmation(
    demo: DemoHome, db: NewsService
) -> None:
    ids = _seed_drafts(demo, ["First draft", "Second draft"])

    async def scenario() -> None:
        app = app_with(demo, "")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
            screen = app.screen
            await wait_for(pilot, lambda: len(screen.drafts) == 2)
            assert [d.id for d in screen.drafts] == sorted(ids, reverse=True)
            assert "Second draft" in str(screen.query_one("#drafts-detail").render())
            await pilot.press("x")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("n")  # changed my mind
            await pilot.pause()
            assert len(db.comments.drafts()) == 2
            await pilot.press("x")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_for(pilot, lambda: len(screen.drafts) == 1)
            assert [d.text for d in db.comments.drafts()] == ["First draft"]
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, CommentScreen))
            form = app.screen
            await wait_for(pilot, lambda: not form.loading)
            assert form.values()["text"] == "First draft"
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.main)

    run(scenario)


def test_the_outbox_goes_out_when_the_app_starts(
    demo: DemoHome, db: NewsService, hook: CommentServer
) -> None:
    [draft_id] = _seed_drafts(demo, ["Written offline yesterday"])
    repo.queue(db.comments.conn, draft_id, 0)

    async def scenario() -> None:
        app = app_with(demo, configured(hook))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: db.comments.draft(draft_id).state == "posted")
            await settle(pilot)
            assert len(hook.got("POST", "/hook")) == 1

    run(scenario)


def test_comment_keys_can_be_remapped_without_warnings(demo: DemoHome) -> None:
    notes: list[str] = []

    async def scenario() -> None:
        app = app_with(demo, '[keymap]\n"comment.post" = "ctrl+enter"\n"drafts.delete" = "D"\n')
        original: Callable[..., None] = app.notify

        def record(message: str, *args: object, **kw: object) -> None:
            notes.append(message)
            original(message, *args, **kw)

        app.notify = record  # type: ignore[method-assign]
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
        assert not [n for n in notes if "no binding has the id" in n]

    run(scenario)


_ = Path
