"""CommentService: drafts, the outbox and the sites' comment systems, for the CLI and UI.

Every change to a draft is one committed SQLite transaction on the service's
own connection (so a ``kill -9`` loses nothing already saved). Sending moves a
draft queued -> sending -> posted | held | failed | queued (to retry later);
the 'sending' mark names the process, so a send cut short by a crash is found
at the next start and checked against the site before anything is resent.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from termnews.comments.backends import (
    ArticleRef,
    BackendContext,
    CannotList,
    CommentBackend,
    make_backend,
)
from termnews.comments.http import host_of, make_client
from termnews.comments.outbox import SendFailure, SendResult, rejected, settle
from termnews.comments.passwords import SecretError, backend_password
from termnews.comments.threads import RemoteComment
from termnews.comments.validate import FieldError, check_comment
from termnews.config import CommentBackendConfig, CommentsConfig
from termnews.services import NotFound, ServiceError
from termnews.storage import drafts as repo
from termnews.storage.db import connect
from termnews.storage.drafts import Draft, DraftBusy

if TYPE_CHECKING:
    import sqlite3

    import httpx

    from termnews.services import NewsService

T = TypeVar("T")

STALE_SENDING = 15 * 60  # a 'sending' mark older than this is a dead send, whoever made it
UNCERTAIN = (
    "An earlier send to {host} was interrupted and the site cannot tell whether it arrived"
    " (it may be waiting for moderation). Look at the article's page; `termnews post {id}`"
    " sends it again."
)


class InvalidComment(ServiceError):
    """The comment form has mistakes; ``errors`` says which field and what."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(" ".join(e.message for e in errors))
        self.errors = errors


def _start_time(pid: int) -> str:
    """The kernel's start time of a process (tells a reused pid apart), or ''."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def process_owner() -> str:
    """This process as host:pid:start, written on drafts it is sending."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def owner_alive(owner: str | None, sending_at: int | None, now: int) -> bool:
    """Whether the process that marked a draft 'sending' may still be at it."""
    if not owner or sending_at is None or now - sending_at > STALE_SENDING:
        return False
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname():
        return True  # another machine: only the age can tell
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    except OSError:
        return False
    return not start or _start_time(pid) in ("", start)


@dataclass(frozen=True, slots=True)
class OutboxRun:
    """What one pass over the outbox did."""

    attempted: list[Draft]  # drafts tried, as they are now
    deferred: list[Draft]  # left for later because their site did not answer this time


class CommentService:
    """Drafts, the outbox, and the comments of an article."""

    def __init__(
        self,
        news: NewsService,
        *,
        clock: Callable[[], float] = time.time,
        quick_retries: Sequence[float] = (1.0,),
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.news = news
        self.clock = clock
        self.quick_retries = tuple(quick_retries)
        self.sleep = sleep
        self.transport = transport
        self.owner = process_owner()
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None

    # -- plumbing -------------------------------------------------------------
    @property
    def config(self) -> CommentsConfig:
        return self.news.config.comments

    @property
    def conn(self) -> sqlite3.Connection:
        """A connection of its own: its transactions never mix with another thread's."""
        if self._conn is None:
            self.news.paths.ensure()
            self._conn = connect(self.news.paths.database)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def now(self) -> int:
        return int(self.clock())

    def _db(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        with self._lock:
            return fn(self.conn, *args, **kw)

    # -- drafts ---------------------------------------------------------------
    def new_draft(
        self,
        article_id: int,
        *,
        name: str | None = None,
        email: str | None = None,
        url: str = "",
        text: str = "",
        reply_to: str = "",
    ) -> Draft:
        """A new draft on an article; name and email default from ``[comments]``."""
        article = self.news.article(article_id)
        draft_id = self._db(
            repo.create_draft, self.now(), article_id=article.id, article_url=article.link,
            article_title=article.title, article_guid=article.guid,
            name=self.config.name if name is None else name,
            email=self.config.email if email is None else email,
            url=url, text=text, reply_to=reply_to,
        )  # fmt: skip
        return self.draft(draft_id)

    def open_draft(self, article_id: int, reply_to: str = "") -> Draft:
        """The article's unsent draft (for the same reply), else a new one."""
        for d in self._db(repo.list_drafts, ("draft", "failed"), article_id):
            if d.reply_to == reply_to:
                return d
        return self.new_draft(article_id, reply_to=reply_to)

    def draft(self, draft_id: int) -> Draft:
        found = self._db(repo.get_draft, draft_id)
        if found is None:
            raise NotFound(f"no draft {draft_id} (`termnews drafts` lists them)")
        return found

    def drafts(self, states: Sequence[str] | None = None) -> list[Draft]:
        return self._db(repo.list_drafts, states)

    def save(self, draft_id: int, **fields: str) -> Draft:
        """Save the form's fields (name, email, url, text, reply_to) in one transaction."""
        try:
            return self._db(repo.update_text, draft_id, self.now(), **fields)
        except KeyError:
            raise NotFound(f"no draft {draft_id}") from None
        except DraftBusy as exc:
            raise ServiceError(self._busy(draft_id, str(exc))) from None

    def delete(self, draft_id: int) -> Draft:
        draft = self.draft(draft_id)
        try:
            self._db(repo.delete_draft, draft_id)
        except DraftBusy:
            raise ServiceError(self._busy(draft_id, "sending")) from None
        return draft

    def _busy(self, draft_id: int, state: str) -> str:
        if state == "sending":
            return f"draft {draft_id} is being sent right now; try again in a moment"
        if state in ("posted", "held"):
            return f"draft {draft_id} is already on the site ({state}) and can no longer change"
        return (
            f"draft {draft_id} may already have reached the site; `termnews outbox --send`"
            " asks the site first"
        )

    def check(self, draft: Draft) -> list[FieldError]:
        """The comment form's checks, with the site form's own words."""
        return check_comment(draft.name, draft.email, draft.url, draft.text)

    # -- where comments go ----------------------------------------------------
    def backend_config(self, article_url: str) -> CommentBackendConfig | None:
        """The first ``[[comments.backends]]`` whose match fits the article's host[:port]."""
        parts = urlsplit(article_url)
        name = (parts.hostname or "").lower()
        host = f"{name}:{parts.port}" if parts.port else name
        for cfg in self.config.backends:
            m = cfg.match.strip().lower()
            if m.startswith("*."):
                if name.endswith(m[1:]) or name == m[2:]:
                    return cfg
            elif m in (host, name):
                return cfg
        return None

    def no_backend_message(self, article_url: str) -> str:
        host = host_of(article_url) if article_url else "this article"
        where = self.news.config.source or self.news.paths.config_file
        return (
            f"No comment system is set up for {host}, so the draft stays here. To post it,"
            f' add a [[comments.backends]] table with match = "{host}" and kind = "wordpress"'
            f' (or "wordpress-form", "isso", "webhook") to {where}.'
        )

    # -- the outbox -----------------------------------------------------------
    def outbox(self) -> list[Draft]:
        return self._db(repo.list_drafts, repo.OUTBOX)

    def post(self, draft_id: int) -> Draft:
        """Check the draft, queue it and try to send it now; returns it as it ends up."""
        draft = self.draft(draft_id)
        if draft.state in ("posted", "held"):
            raise ServiceError(self._busy(draft_id, draft.state))
        if draft.state == "sending":
            raise ServiceError(self._busy(draft_id, "sending"))
        errors = self.check(draft)
        if errors:
            raise InvalidComment(errors)
        if draft.state != "queued":
            self._db(repo.queue, draft_id, self.now())
        with make_client(self.news.config, self.transport) as client:
            return self._send_one(draft_id, client)

    def recover_interrupted(self) -> list[Draft]:
        """Put drafts whose sender died mid-send back in the queue, to be checked first."""
        now = self.now()
        back = []
        for d in self._db(repo.list_drafts, ("sending",)):
            if not owner_alive(d.sending_owner, d.sending_at, now) and self._db(
                repo.requeue_interrupted, d.id, d.sending_owner, now
            ):
                back.append(self.draft(d.id))
        return back

    def send_outbox(self, *, force: bool = False) -> OutboxRun:
        """Send what is due (everything queued with ``force``), one site at a time: once a
        site fails to answer, its other drafts wait for the next run."""
        self.recover_interrupted()
        now = self.now()
        queued = self._db(repo.due, None if force else now)
        attempted: list[Draft] = []
        deferred: list[Draft] = []
        down: dict[str, Draft] = {}
        if not queued:
            return OutboxRun(attempted, deferred)
        with make_client(self.news.config, self.transport) as client:
            for d in queued:
                key = self._site_key(d)
                if key in down:
                    blocker = down[key]
                    until = blocker.next_attempt or now
                    self._db(repo.defer, d.id, now, until, blocker.error or "")
                    deferred.append(self.draft(d.id))
                    continue
                after = self._send_one(d.id, client)
                attempted.append(after)
                if after.state == "queued":
                    down[key] = after
        return OutboxRun(attempted, deferred)

    def _site_key(self, draft: Draft) -> str:
        cfg = self.backend_config(draft.article_url)
        return host_of(cfg.url) if cfg is not None and cfg.url else host_of(draft.article_url)

    def _send_one(self, draft_id: int, client: httpx.Client) -> Draft:
        """Claim one queued draft and send it (checking first when it may have arrived)."""
        draft = self._db(repo.claim, draft_id, self.owner, self.now())
        if draft is None:
            return self.draft(draft_id)  # not queued, or another process has it
        cfg = self.backend_config(draft.article_url)
        if cfg is None:
            self._db(repo.unqueue, draft_id, self.now(), self.no_backend_message(draft.article_url))
            return self.draft(draft_id)
        try:
            result = self._attempt(draft, cfg, client)
        except Exception as exc:  # a bug must not leave the draft 'sending' for good
            result = SendResult("retry", f"Unexpected error while sending: {exc}", maybe_sent=True)
        s = settle(result, draft.attempts, self.now())
        self._db(
            repo.finish, draft_id, self.now(), state=s.state, error=s.error,
            remote_id=s.remote_id, remote_url=s.remote_url, next_attempt=s.next_attempt,
            needs_check=s.needs_check or (draft.needs_check and s.state == "queued"),
        )  # fmt: skip
        return self.draft(draft_id)

    def _attempt(self, draft: Draft, cfg: CommentBackendConfig, client: httpx.Client) -> SendResult:
        try:
            password = backend_password(cfg)
        except SecretError as exc:
            return rejected(str(exc))
        page_cap = int(self.news.config.reader.max_page_mb * 1_000_000)
        backend = make_backend(BackendContext(cfg, client, password, page_cap))
        try:
            target = backend.prepare(draft)
            if target != draft.target or draft.backend != backend.kind:
                self._db(repo.set_target, draft.id, backend.kind, target)
            if draft.needs_check:
                found = backend.find(draft, target)
                if found is not None:
                    return found
                if not backend.dedupes:
                    host = host_of(cfg.url or draft.article_url)
                    return rejected(UNCERTAIN.format(host=host, id=draft.id))
        except SendFailure as exc:
            return exc.result
        result = _send(backend, draft, target)
        for delay in self.quick_retries:
            if result.outcome != "retry" or result.maybe_sent or result.retry_after:
                break
            self.sleep(delay)
            result = _send(backend, draft, target)
        return result

    # -- reading ----------------------------------------------------------------
    def comments(self, article_id: int) -> list[RemoteComment]:
        """The article's comments on its site, threaded (replies after their parent)."""
        article = self.news.article(article_id)
        cfg = self.backend_config(article.link)
        if cfg is None:
            raise ServiceError(self.no_backend_message(article.link))
        try:
            password = backend_password(cfg)
        except SecretError as exc:
            raise ServiceError(str(exc)) from None
        page_cap = int(self.news.config.reader.max_page_mb * 1_000_000)
        with make_client(self.news.config, self.transport) as client:
            backend = make_backend(BackendContext(cfg, client, password, page_cap))
            try:
                return backend.comments(ArticleRef(article.link, article.title, article.guid))
            except SendFailure as exc:
                raise ServiceError(exc.result.message) from None
            except CannotList as exc:
                raise ServiceError(f"{host_of(article.link)}: {exc}") from None


def _send(backend: CommentBackend, draft: Draft, target: dict[str, Any]) -> SendResult:
    try:
        return backend.send(draft, target)
    except SendFailure as exc:
        return exc.result
