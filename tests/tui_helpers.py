"""Building a StewardApp on a throwaway inbox, and reading what its screen shows."""

from __future__ import annotations

import asyncio
import unicodedata
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
    """The app on `db_path` (it polls only when a test calls `app.check_for_changes()`: conftest)."""
    from steward.tui.app import StewardApp

    settings = load_settings(database=db_path)
    for key, value in settings_overrides.items():
        setattr(settings, key, value)
    return StewardApp(settings=settings, database=db_path)


# A one-shot timer due within this many seconds is part of what a key started (the
# view's load once the cursor rests); a later one (a toast's expiry) is not waited for.
SOON = 0.5


async def settle(app, pilot, *, rounds: int = 200) -> None:
    """Wait until the app has nothing left to do, then let the screen repaint.

    Nothing left: every message queued to the app and to every screen in the stack
    handled, no worker running and no timer about to fire. A worker cancelled because
    a newer one of its group replaced it counts as done; one that failed raises its
    error here. Waits on events only: as long as it takes on a busy machine, and no
    longer on an idle one.
    """
    from textual.worker import WorkerCancelled, WorkerFailed

    async def finished(worker) -> None:
        try:
            await worker.wait()
        except WorkerCancelled:
            pass  # superseded by a newer worker of the same group: that one is awaited too
        except WorkerFailed as failed:
            raise failed.error

    for _ in range(rounds):
        before = list(_nodes(app))
        await _drain_messages(app, before)
        # A screen pushed meanwhile (a dialog a key opened) was not drained, nor were
        # messages that arrived while draining: another round handles them.
        if list(_nodes(app)) != before or _any_queued(app):
            continue
        workers = [worker for worker in app.workers if not worker.is_finished]
        timers = _timers_due_soon(app)
        if not workers and not timers:
            break
        if timers:
            await asyncio.wait(timers)  # a timer stopped meanwhile counts as fired
        await asyncio.gather(*(finished(worker) for worker in workers))
    else:
        raise AssertionError(f"the app was still busy after {rounds} rounds: {list(app.workers)}")
    await pilot.pause()  # Textual's own wait: the screen is repainted after it


def _nodes(app):
    yield app
    for screen in app.screen_stack:
        yield from screen.walk_children(with_self=True)


async def _drain_messages(app, nodes=None) -> None:
    """Return once every node (of the app, or `nodes`) has handled the messages queued to it before this call."""
    pending = 0
    done = asyncio.Event()

    def one_done() -> None:
        nonlocal pending
        pending -= 1
        if pending == 0:
            done.set()

    for node in list(_nodes(app)) if nodes is None else nodes:
        if node.call_later(one_done):
            pending += 1
    if pending:
        await done.wait()


def _any_queued(app) -> bool:
    return any(not node._message_queue.empty() for node in _nodes(app))  # noqa: SLF001 - no public way to ask


def _timers_due_soon(app) -> list:
    """The tasks of one-shot timers (set_timer) still to fire within SOON seconds.

    Textual has no public way to ask this: `_timers`, `_repeat`, `_interval` and `_task`
    are its own. If an upgrade renames them this fails loudly (AttributeError) rather
    than letting tests race the timers.
    """
    tasks = []
    for node in _nodes(app):
        for timer in list(node._timers):  # noqa: SLF001 - see above
            task = timer._task  # noqa: SLF001
            due = timer._repeat == 0 and timer._interval <= SOON and timer._active.is_set()  # noqa: SLF001 - paused ones wait
            if due and task is not None and not task.done():
                tasks.append(task)
    return tasks


def screen_text(app) -> str:
    """The visible screen as plain text, one line per terminal row."""
    from steward.tui.textual_compat import composed_lines

    strips = composed_lines(app.screen)
    return "\n".join(strip.text.rstrip() for strip in strips)


async def press(pilot, *keys: str) -> None:
    """`pilot.press`, waiting on events rather than on the clock.

    Textual's own press waits after each key until the process *looks* idle (CPU time
    against wall time, for at least 20 ms and at most 1 s): slow on an idle machine,
    and on a busy one it may return while the key is still being handled. This sends
    each key as the terminal would and returns once every message it set off has been
    handled. Workers a key starts are not waited for (a key must not block on a query,
    nor may a test that holds a worker hang): `settle` waits for those.
    """
    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key  # noqa: PLC2701

    app = pilot.app
    for key in keys:
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        original = REPLACED_KEYS.get(key, key)
        try:
            char = unicodedata.lookup(_get_unicode_name_from_key(original))
        except KeyError:
            char = key if len(key) == 1 else None
        app.post_message(events.Key(key, char))
        # The key's own path first (app, screen, the focused widget and its parents):
        # draining every widget for every key is what would make this slow.
        await _quiet(app, lambda: _key_path(app))
    await _quiet(app, lambda: list(_nodes(app)))


def _key_path(app) -> list:
    focused = app.focused
    path = [app, app.screen]
    while focused is not None and focused is not app.screen:
        path.append(focused)
        focused = focused.parent
    return path


async def _quiet(app, nodes, rounds: int = 100) -> None:
    """Handle messages until none of `nodes()` has one queued; animations run to their end."""
    for _ in range(rounds):
        await _drain_messages(app, nodes())
        await app.animator.wait_until_complete()
        if all(node._message_queue.empty() for node in nodes()):  # noqa: SLF001 - no public way to ask
            return
    raise AssertionError("messages kept coming")


async def settle_until(app, pilot, predicate, *, rounds: int = 20) -> bool:
    """Settle until `predicate()` holds: for what Textual does after a refresh (a footer
    recomposing after its bindings change), which one settle can finish just before.
    Waits on the app's own events, never on the clock; at most `rounds` settles."""
    for _ in range(rounds):
        await settle(app, pilot)
        if predicate():
            return True
    return predicate()
