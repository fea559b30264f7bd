"""Building a StewardApp on a throwaway inbox, and reading what its screen shows."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from steward.config.settings import load_settings
from steward.models import CategoryGuess, IncomingRequest, MatchResult
from steward.store import Store
from tests.conftest import sample_records

FROZEN_NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)


def make_inbox(db_path: Path, records: list[IncomingRequest] | None = None, *, categorize: bool = True) -> Path:
    """An inbox holding `records` (the shared samples by default), each given a category."""
    store = Store.open(db_path, actor="tester")
    records = sample_records() if records is None else records
    store.import_requests(records)
    if categorize:
        for index, request in enumerate(store.list_requests(limit=10_000)):
            language = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in request.subject + request.body) else "en"
            category = ("data", "speaking", "funding", "media")[index % 4]
            store.save_match_result(request.id, MatchResult(language, CategoryGuess(category, 70, ["test"]), []))
    store.close()
    return db_path


def make_app(db_path: Path, **settings_overrides):
    from steward.tui.app import StewardApp

    settings = load_settings(database=db_path)
    for key, value in settings_overrides.items():
        setattr(settings, key, value)
    return StewardApp(settings=settings, database=db_path)


async def settle(app, pilot, pause: float = 0.05) -> None:
    """Let workers finish and the screen repaint."""
    from textual.worker import WorkerCancelled, WorkerFailed

    for _ in range(3):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            pass  # superseded by a newer worker of the same group: that one is awaited next
        except WorkerFailed as failed:
            raise failed.error
        await pilot.pause(pause)


def screen_text(app) -> str:
    """The visible screen as plain text, one line per terminal row."""
    strips = app.screen._compositor.render_strips()  # noqa: SLF001 - the composed screen
    return "\n".join(strip.text.rstrip() for strip in strips)
