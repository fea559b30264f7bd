"""The inbox as a steward uses it: keys in, what the screen shows and what the store holds."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest

from steward.models import IncomingRequest
from steward.store import Store
from steward.tui.dialogs.prompts import ChoiceDialog, FuzzyPicker, NoteDialog, PromptDialog
from steward.tui.inbox.screen import InboxScreen, RequestScreen
from tests.tui_helpers import settle_until, make_app, make_inbox, screen_text, settle


@pytest.fixture
def inbox_db(db_path):
    return make_inbox(db_path)


def _history(db_path, ref):
    store = Store.open(db_path, actor="check")
    try:
        return [(e.action, e.old, e.new) for e in store.history(store.resolve(ref))]
    finally:
        store.close()


async def test_first_rows_and_status_counts_show(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        assert "New 60" in text and "All 60" in text
        assert "揪松 問一下" in text  # the newest request is on the first row
        assert isinstance(app.screen, InboxScreen)


async def test_keys_move_through_the_inbox(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        inbox = app.screen.inbox
        await pilot.press("j", "j", "down")
        assert inbox.cursor == 3
        await pilot.press("k")
        assert inbox.cursor == 2
        await pilot.press("G")
        await settle(app, pilot)
        assert inbox.cursor == 59 and inbox.current.external_id == "s001"
        await pilot.press("g")
        assert inbox.cursor == 0
        await pilot.press("pagedown")
        assert inbox.cursor > 10


async def test_side_view_follows_the_cursor(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        await settle(app, pilot)
        current = app.screen.inbox.current
        assert app.screen.view.details.request.id == current.id
        assert current.subject in screen_text(app)


async def test_narrow_terminal_opens_the_request_on_its_own_screen(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, RequestScreen)
        assert "揪松的大家晚安" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, InboxScreen)


async def test_set_status_from_the_picker_updates_row_counts_and_history(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("7")  # the All tab, so the row stays in view
        await settle(app, pilot)
        target = app.screen.inbox.current
        await pilot.press("s")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("down", "enter")  # new -> triaged
        await settle(app, pilot)
        assert app.screen.inbox.current.status == "triaged"
        assert "Triaged 1" in screen_text(app)
        assert ("status", "new", "triaged") in _history(inbox_db, target.id)
        inbox = app.screen.inbox
        assert inbox.current.id == target.id
        row = inbox.render_line(inbox.cursor - round(inbox.scroll_y)).text
        assert "Triaged" in row  # visible in the row itself


async def test_assign_tag_follow_up_and_note(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        target = app.screen.inbox.current
        await pilot.press("A")
        await settle(app, pilot)
        await pilot.press("t")
        assert isinstance(app.screen, PromptDialog)
        await pilot.press(*"partner", "enter")
        await settle(app, pilot)
        await pilot.press("f")
        await pilot.press(*"+3d", "enter")
        await settle(app, pilot)
        await pilot.press("n")
        assert isinstance(app.screen, NoteDialog)
        await pilot.press(*"Called", "enter", *"them", "ctrl+s")
        await settle(app, pilot)
        store = Store.open(inbox_db, actor="check")
        request = store.get(target.id)
        assert request.assignee == "tester"
        assert request.tags == ["partner"]
        assert request.follow_up_on == app.today() + timedelta(days=3)
        assert store.notes(target.id)[0].detail == "Called\nthem"
        store.close()
        text = screen_text(app)
        assert "partner" in text and "tester" in text


async def test_category_and_route_pickers(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        target = app.screen.inbox.current
        await pilot.press("c")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("end", "up", "enter")  # the last real category: "other"
        await settle(app, pilot)
        await pilot.press("m")
        assert isinstance(app.screen, FuzzyPicker)
        await pilot.press(*"cofacts", "enter")
        await settle(app, pilot)
        store = Store.open(inbox_db, actor="check")
        request = store.get(target.id)
        store.close()
        assert request.category == "other" and request.category_manual
        assert request.match == "cofacts" and request.match_manual


async def test_spam_then_undo(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        target = app.screen.inbox.current
        await pilot.press("x")
        await settle(app, pilot)
        assert "Spam 1" in screen_text(app)
        await pilot.press("u")
        await settle(app, pilot)
        assert "Spam 0" in screen_text(app)
        assert _history(inbox_db, target.id)[-2:] == [("status", "new", "spam"), ("status", "spam", "new")]


async def test_marked_rows_are_acted_on_together(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("space", "space", "space")
        assert len(app.screen.inbox.marked) == 3
        await pilot.press("x")
        await settle(app, pilot)
        assert "Spam 3" in screen_text(app)
        await pilot.press("u")
        await settle(app, pilot)
        assert "Spam 0" in screen_text(app)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status:new", 60),
        ("cat:data", 15),
        ("萌典", "text"),
        ("cofacts", "text"),
        ("lang:en cat:data", None),
        ("tag:partner", 1),
        ("assignee:me", 1),
        ("due:overdue", 1),
    ],
)
async def test_filter_tokens(inbox_db, query, expected):
    store = Store.open(inbox_db, actor="tester")
    store.add_tags("s010", ["partner"])
    store.assign("s011", "tester")
    store.set_follow_up("s012", date(2020, 1, 1))
    rows = store.list_requests(limit=100)
    if expected is None:
        with_expected = sum(1 for r in rows if r.category == "data" and r.language == "en")
    elif expected == "text":  # what a plain substring search over the visible fields finds
        fields = lambda r: " ".join([r.subject, r.body, r.organization, r.from_name, r.from_email]).casefold()
        with_expected = sum(1 for r in rows if query.casefold() in fields(r))
        assert with_expected > 0
    else:
        with_expected = expected
    store.close()
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("7")  # All
        await pilot.press("slash", *query)
        await settle(app, pilot)
        assert app.screen.inbox.total == with_expected
        assert f"{with_expected} match" in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.inbox.total == 60


def _send_in_one_burst(app, keys: list[str]) -> None:
    """Queue every key at once, as a terminal does with one packet; nothing is acted on in between."""
    from textual import events

    characters = {"slash": "/", "enter": None}
    for key in keys:
        app._driver.send_message(events.Key(key, characters.get(key, key)))  # noqa: SLF001 - as the terminal does


async def test_keys_typed_right_after_slash_go_to_the_filter(inbox_db):
    # Over a slow SSH link `/cofacts` can arrive in one packet: every key is queued
    # before the `/` has been acted on. None may reach the list (`c` is "set category").
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        _send_in_one_burst(app, ["slash", *"cofacts"])
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen), "a key reached the list and opened a dialog"
        assert app.screen.query_one("#filter").value == "cofacts"
        assert app.screen.inbox.total < 60 and "match" in screen_text(app)
        await pilot.press("slash", "x")  # inside the filter, `/` is just a character
        assert app.screen.query_one("#filter").value == "cofacts/x"


async def test_keys_typed_right_behind_a_dialog_key_go_into_the_dialog(inbox_db):
    # `t` then `quick` in one burst: the tag dialog gets "quick"; `q` must not quit
    # and `u` must not undo on the way.
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        target = app.screen.inbox.current
        _send_in_one_burst(app, [*"tquick", "enter"])
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, InboxScreen)
        assert "quick" in app.screen.inbox.current.tags
    store = Store.open(inbox_db, actor="tester")
    assert store.get(target.id).tags == ["quick"]
    store.close()


async def test_a_text_filter_with_more_matches_than_fit_counts_and_scrolls_them_all(inbox_db):
    # A screenful is drawn first, then the page and the count: the end state must be whole.
    from steward.store.filtering import parse_filter

    store = Store.open(inbox_db, actor="tester")
    expected = store.list_requests(parse_filter("g0v", me="tester"), limit=1000)
    store.close()
    app = make_app(inbox_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("7", "slash", *"g0v", "enter")
        await settle(app, pilot)
        inbox = app.screen.inbox
        assert len(expected) > inbox.size.height  # more than the screen shows
        assert inbox.total == len(expected)
        assert f"{len(expected)} match" in screen_text(app)
        await pilot.press("G")
        await settle(app, pilot)
        assert inbox.cursor == len(expected) - 1
        assert inbox.current.id == expected[-1].id


async def test_a_bad_filter_value_says_so_and_keeps_the_list(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"status:bogus")
        await settle(app, pilot)
        assert "unknown status" in screen_text(app)
        assert app.screen.inbox.total == 60


HOSTILE = [
    "[@click=app.quit]quit[/]",
    "[/]",
    "\x1b[31mred\x1b[0m text",
    "\x1b]52;c;aGVsbG8=\x07clip",
    "\u202eevil reversed",
    "[bold]not bold[/bold] {steward_name}",
]


async def test_hostile_subjects_render_literally_and_do_nothing(db_path):
    records = [
        IncomingRequest(received_at=datetime(2026, 11, 20, 3, i, tzinfo=timezone.utc), subject=subject,
                        body=subject, external_id=f"h{i}")
        for i, subject in enumerate(HOSTILE)
    ]
    make_inbox(db_path, records)
    app = make_app(db_path)
    expected = {
        0: "[@click=app.quit]quit[/]", 1: "[/]", 2: "red text", 3: "clip",
        4: "evil reversed", 5: "[bold]not bold[/bold] {steward_name}",
    }
    async with app.run_test(size=(160, 35)) as pilot:
        await settle(app, pilot)
        for step in range(len(HOSTILE)):
            text = screen_text(app)
            number = int(app.screen.inbox.current.external_id[1:])
            assert expected[number] in text  # shown whole in the request view
            assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
            await pilot.press("enter", "left", "j")  # into the view and back: nothing fires
            await settle(app, pilot)
        assert app.is_running


async def test_another_stewards_change_shows_at_the_next_poll(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("7")
        await settle(app, pilot)
        target = app.screen.inbox.current
        other = Store.open(inbox_db, actor="mei")
        other.set_status(target.id, "waiting")
        other.close()
        await settle(app, pilot)
        assert app.screen.inbox.current.status == "new"  # tests poll only when they say so
        app.check_for_changes()  # what the timer does every POLL_SECONDS
        await settle(app, pilot)
        assert app.screen.inbox.current.status == "waiting"
        assert "Waiting 1" in screen_text(app)


async def test_stale_note_is_refused_and_the_typed_text_kept(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("7")
        await settle(app, pilot)
        target = app.screen.inbox.current
        await pilot.press("n")
        await pilot.press(*"my careful note")
        other = Store.open(inbox_db, actor="mei")
        other.set_status(target.id, "closed")
        other.close()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, NoteDialog)
        assert app.screen.query_one("TextArea").text == "my careful note"
        assert "mei" in screen_text(app)
        store = Store.open(inbox_db, actor="check")
        assert store.notes(target.id) == []
        store.close()


async def test_language_switches_at_once(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("L")
        # tab and footer in Chinese (the footer recomposes after its bindings change)
        assert await settle_until(app, pilot, lambda: "新進 60" in screen_text(app) and "說明" in screen_text(app))
        await pilot.press("L")
        assert await settle_until(app, pilot, lambda: "New 60" in screen_text(app) and "Help" in screen_text(app))


async def test_keys_can_be_remapped_in_config(inbox_db):
    app = make_app(inbox_db, keymap={"inbox.filter": "f2", "request.spam": "z"})
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("z")
        await settle(app, pilot)
        assert "Spam 1" in screen_text(app)
        await pilot.press("f2")
        assert app.focused.id == "filter"


async def test_help_lists_every_binding(inbox_db):
    from steward.tui.help import HelpScreen, binding_sections

    app = make_app(inbox_db)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = app.screen.query_one("#help-body Static").render().plain
        for _, bindings in binding_sections(app):
            for binding in bindings:
                assert binding.description in shown
                assert binding.id is None or binding.id in shown
        await pilot.press("escape")
        assert isinstance(app.screen, InboxScreen)


async def test_command_palette_offers_inbox_actions_by_name(inbox_db):
    from steward.tui.commands import StewardCommands

    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        provider = StewardCommands(app.screen)
        names = [name for name, _, _ in provider._actions()]
        assert {"Status", "Assign", "Tag", "Route", "Note", "Filter", "Quit"} <= set(names)


async def test_empty_inbox_says_what_to_do(db_path):
    make_inbox(db_path, [])
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "No requests here" in screen_text(app)
        await pilot.press("j", "enter", "s", "x")  # nothing to act on: no crash
        await settle(app, pilot)
        assert app.is_running


async def test_quit_leaves_cleanly(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
    assert app.return_code in (0, None)


def _hold_in_worker(monkeypatch, method: str):
    """Make Store.<method> wait, in its worker thread, until released; record what it returned or raised."""
    import threading

    inside, release, outcome, finished = threading.Event(), threading.Event(), [], threading.Event()
    real = getattr(Store, method)

    def held(self, *args, **kwargs):
        inside.set()
        release.wait(5)
        try:
            outcome.append(real(self, *args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - the outcome is what the tests check
            outcome.append(exc)
            raise
        finally:
            finished.set()
        return outcome[-1]

    monkeypatch.setattr(Store, method, held)
    return inside, release, outcome, finished


async def test_quitting_while_a_query_runs_does_not_pull_the_connection_from_under_it(inbox_db, monkeypatch):
    # Closing a connection while a worker thread is inside a query crashed the process
    # (a segfault in sqlite3); the query must finish, or be interrupted, on a live one.
    inside, release, outcome, finished = _hold_in_worker(monkeypatch, "known_assignees")
    app = make_app(inbox_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert inside.wait(5)
        await pilot.press("q")
    release.set()
    assert await asyncio.to_thread(finished.wait, 10), "the query never finished"
    assert not isinstance(outcome[0], sqlite3.ProgrammingError), outcome[0]


async def test_a_change_made_just_before_quitting_is_kept(inbox_db, monkeypatch):
    inside, release, _, finished = _hold_in_worker(monkeypatch, "set_status")
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        target = app.screen.inbox.current
        await pilot.press("x")  # spam, written in a worker thread
        assert inside.wait(5)
        await pilot.press("q")
    release.set()
    assert await asyncio.to_thread(finished.wait, 10), "the write never finished"
    store = Store.open(inbox_db, actor="tester")
    try:
        assert store.get(target.id).status == "spam"
    finally:
        store.close()


async def test_no_color_terminal_gets_a_readable_inbox(inbox_db, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    from steward.config.settings import load_settings
    from steward.tui.app import StewardApp

    settings = load_settings(database=inbox_db)
    assert settings.theme == "mono"
    app = StewardApp(settings=settings, database=inbox_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "New 60" in screen_text(app) and "揪松 問一下" in screen_text(app)
        await pilot.press("T")  # cycling themes never lands on a missing one
        await pilot.press("T", "T")
        assert app.is_running


async def test_typed_text_in_notifications_is_never_markup(inbox_db):
    from textual.widgets._toast import Toast

    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("f", *"[@click=app.quit]soon[/]", "enter")
        await settle(app, pilot)
        assert app.is_running
        toasts = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert any("[@click=app.quit]soon[/]" in text for text in toasts), toasts
