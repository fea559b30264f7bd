"""Read the inbox's first page while Textual is still being imported.

Importing Textual takes most of a cold start; the first page of the default tab
and the status counts need only SQLite, so a thread reads them meanwhile and the
app shows them the moment its screen is up. No Textual import here.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from steward.models import Request, RequestFilter

FIRST_TAB = RequestFilter(statuses=("new",))
PAGE_SIZE = 100


@dataclass
class FirstPage:
    flt: RequestFilter
    rows: list[Request]
    total: int
    counts: dict[str, int]


def start(database: Path, settings) -> Future:
    """Begin reading in a daemon thread; the Future holds a FirstPage (or the error)."""
    future: Future = Future()

    def read() -> None:
        from steward.store import Store

        try:
            store = Store.open(database, actor=settings.steward_name, shared=settings.shared, tz=settings.tz)
            try:
                counts = store.status_counts()
                rows = store.list_requests(FIRST_TAB, limit=PAGE_SIZE, brief=True)
                future.set_result(FirstPage(FIRST_TAB, rows, counts.get("new", 0), counts))
            finally:
                store.close()
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for it
            future.set_exception(exc)

    threading.Thread(target=read, name="steward-prefetch", daemon=True).start()
    return future
