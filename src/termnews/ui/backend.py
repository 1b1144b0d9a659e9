"""The UI's access to :class:`NewsService`.

Quick reads and marks share one service (one SQLite connection) behind a lock,
used from worker threads, so two workers never interleave statements on it.
Heavy work runs in child processes (``termnews.ui.process``) so it cannot take
the GIL from the UI: ``jobs`` for refresh and subscribing, ``pages`` for full
articles, ``index`` for the related-articles engine and search (which stays
warm there); each starts when first needed. WAL mode lets them all read and
write the cache at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from termnews.services import NewsService
from termnews.ui.process import ServiceProcess, ServiceSpec

ServiceFactory = Callable[[], NewsService]


class Backend:
    """Hands out the shared service and the helper processes."""

    def __init__(self, make_service: ServiceFactory) -> None:
        self._make = make_service
        self._lock = threading.RLock()
        self._service: NewsService | None = None
        self._helpers: dict[str, ServiceProcess] = {}
        self._helpers_lock = threading.Lock()

    @property
    def service(self) -> NewsService:
        """The shared service (created on first use); use it inside :meth:`shared`."""
        if self._service is None:
            self._service = self._make()
        return self._service

    @contextmanager
    def shared(self) -> Iterator[NewsService]:
        """The shared service, held for one quick job."""
        with self._lock:
            yield self.service

    @contextmanager
    def own(self) -> Iterator[NewsService]:
        """A private service (its own connection) for a job that holds it a while."""
        service = self._make()
        try:
            yield service
        finally:
            service.close()

    def _helper(self, name: str) -> ServiceProcess:
        with self._helpers_lock:
            helper = self._helpers.get(name)
            if helper is None:
                with self._lock:
                    spec = ServiceSpec.of(self.service)
                helper = self._helpers[name] = ServiceProcess(spec, f"termnews-{name}")
            return helper

    @property
    def jobs(self) -> ServiceProcess:
        """The child process for refreshing and subscribing."""
        return self._helper("jobs")

    @property
    def pages(self) -> ServiceProcess:
        """The child process that fetches and extracts full articles (never behind a refresh)."""
        return self._helper("pages")

    @property
    def index(self) -> ServiceProcess:
        """The child process for related articles and search."""
        return self._helper("index")

    def replace(self, make_service: ServiceFactory) -> None:
        """Switch to another cache (the demo opened from the welcome screen)."""
        self.close()
        self._make = make_service

    def close(self) -> None:
        with self._helpers_lock:
            helpers, self._helpers = list(self._helpers.values()), {}
        for helper in helpers:
            helper.close()
        with self._lock:
            if self._service is not None:
                self._service.close()
                self._service = None
