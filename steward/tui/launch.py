"""Opening the app: make the inbox, read its first page, and only then import Textual."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from steward.config.settings import Settings
from steward.tui.prefetch import FirstPage, read_first_page


def prepare(settings: Settings, database: Path) -> FirstPage | None:
    """Create or migrate the inbox (errors raise here, before the screen is taken) and read its first page."""
    from steward.store import Store

    store = Store.open_for(settings, database)
    try:
        return read_first_page(store)
    finally:
        store.close()


def run_app(
    settings: Settings, database: Path, first_page: FirstPage | None, *, after_first_paint: Callable[[], None] | None = None
) -> int:
    """Run the full-screen app until the steward quits; its exit code.

    `after_first_paint` is called once the first screen has been drawn."""
    from steward.tui.app import StewardApp

    app = StewardApp(settings=settings, database=database, first_page=first_page, after_first_paint=after_first_paint)
    app.run()
    return app.return_code or 0
