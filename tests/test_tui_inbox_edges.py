"""The inbox's rough edges: focus, filter errors, undo, dialogs, write failures, CJK wrapping."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from steward.models import StewardError
from steward.store import Store
from steward.tui.dialogs import NoteDialog
from steward.tui.screens import InboxScreen
from tests.tui_helpers import make_app, make_inbox, screen_text, settle


@pytest.fixture
def inbox_db(db_path):
    return make_inbox(db_path)


def _stored(db_path, request_id):
    store = Store.open(db_path, actor="check")
    try:
        return store.get(request_id), store.notes(request_id)
    finally:
        store.close()


def _toasts(app) -> str:
    return "\n".join(n.message for n in app._notifications)  # noqa: SLF001 - every toast, even stacked off screen


def _read_only(app):
    """Every connection the app opens from now on refuses writes, as a read-only file does."""
    open_store = app.open_store

    def opened():
        store = open_store()
        store.conn.execute("PRAGMA query_only = ON")
        return store

    app.open_store = opened


# --- undo ------------------------------------------------------------------------


async def test_undo_steps_back_through_several_of_my_own_changes(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        target = app.screen.inbox.current
        await pilot.press("t", *"first", "enter")
        await settle(app, pilot)
        await pilot.press("A")  # assign to me
        await settle(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        request, _ = _stored(inbox_db, target.id)
        assert (request.status, request.assignee, request.tags) == ("spam", "tester", ["first"])
        for _ in range(3):
            await pilot.press("u")
            await settle(app, pilot)
            assert "changed meanwhile" not in _toasts(app)
        request, _ = _stored(inbox_db, target.id)
        assert (request.status, request.assignee, request.tags) == ("new", None, [])
        await pilot.press("u")
        await settle(app, pilot)
        assert "Nothing to undo" in _toasts(app)


async def test_undo_still_refuses_what_another_steward_changed(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        target = app.screen.inbox.current
        await pilot.press("x")
        await settle(app, pilot)
        other = Store.open(inbox_db, actor="mei")
        other.set_status(target.id, "closed")
        other.close()
        await pilot.press("u")
        await settle(app, pilot)
        assert "changed meanwhile" in _toasts(app)
        request, _ = _stored(inbox_db, target.id)
        assert request.status == "closed"


# --- write failures ----------------------------------------------------------------


async def test_spam_on_a_read_only_inbox_says_so_and_the_app_keeps_running(inbox_db):
    app = make_app(inbox_db)
    _read_only(app)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        target = app.screen.inbox.current
        await pilot.press("x")
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, InboxScreen)
        assert "Could not write to the inbox: attempt to write a readonly database" in _toasts(app)
        assert app.undo_stack == []  # nothing was done, so nothing to undo
        await pilot.press("j")  # still answering keys
        assert app.screen.inbox.cursor == 1
    request, _ = _stored(inbox_db, target.id)
    assert request.status == "new"


@pytest.mark.parametrize(
    "failure",
    [sqlite3.OperationalError("disk I/O error"), StewardError("disk I/O error")],
    ids=["sqlite-error", "steward-error"],
)
async def test_a_note_that_cannot_be_saved_is_offered_back_with_the_reason(inbox_db, monkeypatch, failure):
    def failing(self, *args, **kwargs):
        raise failure

    monkeypatch.setattr(Store, "add_note", failing)
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        target = app.screen.inbox.current
        await pilot.press("n", *"a long careful note", "ctrl+s")
        await settle(app, pilot)
        assert app.is_running
        assert isinstance(app.screen, NoteDialog)
        assert app.screen.query_one("TextArea").text == "a long careful note"
        assert "disk I/O error" in screen_text(app)
        assert "text is kept" in screen_text(app)
    _, notes = _stored(inbox_db, target.id)
    assert notes == []


def _disk_error(*args, **kwargs):
    raise sqlite3.OperationalError("disk I/O error")


async def test_undo_that_cannot_be_written_stays_available(inbox_db, monkeypatch):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        target = app.screen.inbox.current
        await pilot.press("x")
        await settle(app, pilot)
        monkeypatch.setattr(Store, "set_status", _disk_error)
        await pilot.press("u")
        await settle(app, pilot)
        assert app.is_running and "Could not write to the inbox: disk I/O error" in _toasts(app)
        assert len(app.undo_stack) == 1
        monkeypatch.undo()
        await pilot.press("u")  # the disk is back: the same undo now goes through
        await settle(app, pilot)
        assert app.undo_stack == []
    request, _ = _stored(inbox_db, target.id)
    assert request.status == "new"


# --- filters --------------------------------------------------------------------------


async def test_spam_and_closed_requests_are_not_overdue(inbox_db):
    store = Store.open(inbox_db, actor="tester")
    for ref in ("s010", "s011", "s012"):
        store.set_follow_up(ref, date(2020, 1, 1))
    store.set_status("s011", "spam")
    store.set_status("s012", "closed")
    open_one = store.resolve("s010")
    store.close()
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("7", "slash", *"due:overdue")
        await settle(app, pilot)
        assert app.screen.inbox.total == 1 and app.screen.inbox.current.id == open_one
        assert "1 match" in screen_text(app)
