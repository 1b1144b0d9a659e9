"""The UI's access to :class:`NewsService` from worker threads.

Quick reads and marks share one service (one SQLite connection) behind a lock,
so two workers never interleave statements on it. Long jobs (refresh, full
text, subscribing) get a service of their own, with its own connection, so
they never hold the lock: WAL mode lets them write while the UI reads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from termnews.services import NewsService

ServiceFactory = Callable[[], NewsService]


class Backend:
    """Hands out NewsService instances: the shared one, or a private one per long job."""

    def __init__(self, make_service: ServiceFactory) -> None:
        self._make = make_service
        self._lock = threading.RLock()
        self._service: NewsService | None = None
        self._side_lock = threading.RLock()
        self._side: NewsService | None = None

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
    def side(self) -> Iterator[NewsService]:
        """A second long-lived service for slow reads (related ranking, search), which keep
        their indexes warm in it, so they never hold up the quick reads."""
        with self._side_lock:
            if self._side is None:
                self._side = self._make()
            yield self._side

    @contextmanager
    def own(self) -> Iterator[NewsService]:
        """A private service for a long job, closed afterwards."""
        service = self._make()
        try:
            yield service
        finally:
            service.close()

    def replace(self, make_service: ServiceFactory) -> None:
        """Switch to another cache (the demo opened from the welcome screen)."""
        self.close()
        self._make = make_service

    def close(self) -> None:
        with self._lock:
            if self._service is not None:
                self._service.close()
                self._service = None
        with self._side_lock:
            if self._side is not None:
                self._side.close()
                self._side = None
