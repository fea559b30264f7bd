"""Opening the app: make the inbox, read its first page, and only then import Textual."""

from __future__ import annotations

from pathlib import Path

from steward.config.settings import Settings
from steward.tui.prefetch import FirstPage, read_first_page


def prepare(settings: Settings, database: Path) -> FirstPage | None:
    """Create or migrate the inbox (errors raise here, before the screen is taken) and read its first page."""
    from steward.store import Store

    Store.open_for(settings, database).close()
    return read_first_page(database, settings)


def run_app(settings: Settings, database: Path, first_page: FirstPage | None) -> int:
    """Run the full-screen app until the steward quits; its exit code."""
    from steward.tui.app import StewardApp

    app = StewardApp(settings=settings, database=database, first_page=first_page)
    app.run()
    return app.return_code or 0
