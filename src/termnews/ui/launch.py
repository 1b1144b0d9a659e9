"""Starting the UI: the first screen's data loads while Textual imports and starts.

This module imports no Textual at load time, so :func:`run` can start the
database work before paying for the UI's imports.
"""

from __future__ import annotations

from typing import Any

from termnews.ui.backend import Backend, ServiceFactory
from termnews.ui.loading import Preload, StartData, load_start


def run(make_service: ServiceFactory, demo: Any = None) -> None:
    """Run the terminal UI until the person quits."""
    backend = Backend(make_service)

    def first_screen() -> StartData:
        with backend.shared() as service:
            return load_start(service)

    preload = Preload(first_screen).start()
    from termnews.ui.app import TermnewsApp

    TermnewsApp(backend, preload=preload, demo=demo).run()
