"""A NewsService in a child process, for work that would starve the UI of the GIL.

Refresh (HTTP, parsing, storing), full-text extraction and the related-articles
engine run a lot of Python. On a thread beside the UI they take the GIL from it
and keys wait for seconds; in a child process the UI thread only waits on a
pipe. Calls are method names and arguments sent over the pipe; results (plain
dataclasses) and exceptions come back pickled. ``refresh`` may stream progress.
No Textual here.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import httpx

from termnews.config import Config
from termnews.paths import Paths
from termnews.services import NewsService, ServiceError

Progress = Callable[[str, int, int], None]  # (outcome status, done, total)


@dataclass(frozen=True)
class ServiceSpec:
    """What a child needs to build the same NewsService: paths, config, transport."""

    paths: Paths
    config: Config
    transport: httpx.AsyncBaseTransport | None = None

    @classmethod
    def of(cls, service: NewsService) -> ServiceSpec:
        return cls(service.paths, service.config, service.transport)


def _quiet_output() -> None:
    """The child shares the terminal with the UI: nothing it prints may reach it."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - lives as long as the process
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115


def _serve(conn: Connection, spec: ServiceSpec) -> None:
    """The child's loop: run each requested method, send back its result or error."""
    _quiet_output()
    service = NewsService(spec.paths, spec.config, spec.transport)
    try:
        while True:
            try:
                request = conn.recv()
            except (EOFError, OSError):
                break
            if request is None:
                break
            method, args, kwargs, streams = request
            if streams:

                def progress(outcome: Any, done: int, total: int) -> None:
                    conn.send(("progress", (outcome.status, done, total)))

                kwargs = {**kwargs, "progress": progress}
            try:
                result = getattr(service, method)(*args, **kwargs)
            except BaseException as exc:  # sent to the caller, who reports it
                _send_error(conn, exc)
            else:
                conn.send(("ok", result))
    finally:
        service.close()


def _send_error(conn: Connection, exc: BaseException) -> None:
    try:
        conn.send(("error", exc))
    except Exception:  # an exception that does not pickle: send its words
        conn.send(("error", ServiceError(f"{type(exc).__name__}: {exc}")))


class ServiceProcess:
    """One child process holding a NewsService; calls run one at a time, in order."""

    def __init__(self, spec: ServiceSpec, name: str = "termnews-helper") -> None:
        self.spec = spec
        self.name = name
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None

    def start(self) -> None:
        """Start the child (at most once; calls start it too)."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, self.spec), name=self.name)
        process.start()
        child.close()
        self._conn, self._process = parent, process

    def call(self, method: str, *args: Any, progress: Progress | None = None, **kwargs: Any) -> Any:
        """``service.method(*args, **kwargs)`` in the child; blocks this thread until done."""
        with self._lock:
            self._start()
            assert self._conn is not None
            try:
                self._conn.send((method, args, kwargs, progress is not None))
                while True:
                    kind, value = self._conn.recv()
                    if kind == "progress":
                        if progress is not None:
                            progress(*value)
                        continue
                    if kind == "error":
                        raise value
                    return value
            except (EOFError, OSError, BrokenPipeError):
                self._stop()
                raise ServiceError("the background worker process stopped unexpectedly") from None

    def close(self) -> None:
        """Stop the child: politely, then firmly."""
        if not self._lock.acquire(timeout=0.2):
            self._stop()  # a call is running (a long refresh, say): end it
            return
        try:
            if self._conn is not None:
                with contextlib.suppress(OSError, BrokenPipeError):
                    self._conn.send(None)
            self._stop(grace=2.0)
        finally:
            self._lock.release()

    def _stop(self, grace: float = 0.0) -> None:
        process, self._process = self._process, None
        conn, self._conn = self._conn, None
        if process is not None:
            process.join(grace)
            if process.is_alive():
                process.terminate()
                process.join(2.0)
        if conn is not None:
            conn.close()
