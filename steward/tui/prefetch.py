"""Read the inbox's first page before Textual is imported.

The first rows are the screen a steward waits for. They need only SQLite: read
them up front (a few milliseconds), and the app draws them as soon as its
screen is mounted instead of starting a query then. No Textual import here.
"""

from __future__ import annotations

from dataclasses import dataclass
from steward.models import Request, RequestFilter

FIRST_TAB = RequestFilter(statuses=("new",))
PAGE_SIZE = 100


@dataclass
class FirstPage:
    flt: RequestFilter
    rows: list[Request]


def read_first_page(store) -> FirstPage | None:
    """The default tab's first page from an open Store, or None (the app then queries as usual)."""
    import sqlite3

    try:
        return FirstPage(FIRST_TAB, store.list_requests(FIRST_TAB, limit=PAGE_SIZE, brief=True))
    except sqlite3.Error:
        return None
