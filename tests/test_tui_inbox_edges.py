"""The inbox's rough edges: focus, filter errors, undo, dialogs, write failures, CJK wrapping."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from steward.models import StewardError
from steward.store import Store
from steward.tui.dialogs.prompts import NoteDialog
from steward.tui.inbox.screen import InboxScreen
from tests.tui_helpers import make_app, make_inbox, screen_text, settle, settle_until


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
        assert "could not write to the inbox" in _toasts(app).lower() and "read-only" in _toasts(app)
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


async def test_a_pasted_bad_filter_keeps_its_error_through_counts_and_refreshes(inbox_db):
    from textual import events

    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        app.screen.query_one("#filter").post_message(events.Paste("status:bogus"))
        await settle(app, pilot)
        app.refresh_inbox()  # what the data-version poll does when the file changes
        await settle(app, pilot)
        label = str(app.screen.query_one("#filter-count").render())
        assert "unknown status" in label and "match" not in label
        assert "⚠ unknown status" in screen_text(app)
        app.screen.query_one("#filter").value = "status:spam"  # fixed: the count is back
        await settle(app, pilot)
        assert app.screen.inbox.total == 0 and "0 match" in screen_text(app)


async def test_a_bad_filter_typed_in_one_burst_shows_its_error(inbox_db):
    from textual import events

    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        for key in ["slash", *"tag:x status:bogus"]:
            app._driver.send_message(events.Key(key, "/" if key == "slash" else key))  # noqa: SLF001 - one packet
        await settle(app, pilot)
        assert "⚠ unknown status" in screen_text(app)
        assert "match" not in str(app.screen.query_one("#filter-count").render())


# --- focus and the preview -------------------------------------------------------------


@pytest.mark.parametrize("key", ["escape", "left", "h"])
async def test_keys_leave_the_preview_for_the_list(inbox_db, key):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        assert app.focused is app.screen.view
        await pilot.press(key)
        assert app.focused is app.screen.inbox
        await pilot.press("j")  # the list moves again
        assert app.screen.inbox.cursor == 1


async def test_the_preview_starts_at_the_top_of_each_request(db_path):
    from datetime import datetime, timezone

    from steward.models import IncomingRequest
    from tests.conftest import sample_records

    long_one = IncomingRequest(
        received_at=datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc), subject="A long letter",
        body="\n".join(f"paragraph {n}" for n in range(200)), external_id="long",
    )
    make_inbox(db_path, [*sample_records(), long_one])
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        view = app.screen.view
        assert app.screen.inbox.current.external_id == "long"
        await pilot.press("enter")
        await settle(app, pilot)  # the long body is laid out before paging through it
        await pilot.press("pagedown", "pagedown")
        await settle(app, pilot)
        assert view.scroll_y > 0
        await pilot.press("escape", "j")
        # The next request is loaded by a worker and laid out after a refresh.
        shown = await settle_until(
            app, pilot, lambda: view.details.request.id == app.screen.inbox.current.id and view.scroll_y == 0
        )
        assert view.details.request.id == app.screen.inbox.current.id
        assert shown and view.scroll_y == 0


# --- Chinese in the preview -------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from rich.cells import cell_len  # noqa: E402

from steward.tui.cjk_wrap import NO_LINE_END, NO_LINE_START, wrap  # noqa: E402

_HAN = st.sampled_from("我們是零時政府社群的志工想請問萌典資料授權方式可以商用嗎開放")
_TOKENS = st.one_of(
    _HAN,
    st.tuples(_HAN, st.sampled_from("，。：、！？」』）")).map("".join),  # closing marks follow a character
    st.tuples(st.sampled_from("「『（"), _HAN).map("".join),  # opening marks precede one
    st.sampled_from(["g0v", "App", "3,000", "OSCVPass", "hello", "a"]),
    st.just(" "),
)


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(_TOKENS, min_size=1, max_size=80), width=st.integers(min_value=4, max_value=60))
def test_wrapped_chinese_fits_keeps_every_character_and_obeys_line_start_rules(tokens, width):
    text = "".join(tokens)
    lines = wrap(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # only spaces at breaks go
    for before, line in zip(lines, lines[1:]):
        if before and line:
            assert line[0] not in NO_LINE_START, (before, line)
            assert before[-1] not in NO_LINE_END, (before, line)


def test_chinese_after_a_latin_word_fills_the_line_instead_of_moving_down():
    text = "我們是 g0v 零時政府社群的志工，想請問「萌典」的資料授權方式：可以商用嗎？"
    lines = wrap(text, 30)
    assert lines[0].startswith("我們是 g0v 零時")  # Rich would stop at "g0v" and start a new line
    assert all(cell_len(line) > 20 for line in lines[:-1])  # no half-empty lines


async def test_the_preview_wraps_chinese_by_cell_and_shows_markup_literally(db_path):
    from datetime import datetime, timezone

    from steward.models import IncomingRequest

    body = ("我們是 g0v 零時政府社群的志工，想請問「萌典」的資料授權方式：可以商用嗎？" * 6) + "\n[bold]不是粗體[/bold] [@click=app.quit]x[/]"
    make_inbox(db_path, [IncomingRequest(received_at=datetime(2026, 11, 20, tzinfo=timezone.utc), subject="萌典授權",
                                         body=body, external_id="zh")])
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        widget = app.screen.query_one("#view-body")
        width = widget.content_region.width
        shown = [line.rstrip() for line in widget.render().plain.split("\n")]
        assert len(shown) > 6 and all(cell_len(line) <= width for line in shown)
        assert not any(line[:1] in NO_LINE_START for line in shown)
        assert "[bold]不是粗體[/bold] [@click=app.quit]x[/]" in shown
        assert "[bold]不是粗體[/bold]" in screen_text(app)
        await pilot.press("enter", "j")
        assert app.is_running


async def test_a_huge_body_is_shown_in_part_and_says_how_much_is_left(db_path):
    from datetime import datetime, timezone

    from steward.models import IncomingRequest
    from steward.tui.inbox.request_view import BODY_LIMIT

    body = "萌典資料授權，" * 100_000
    make_inbox(db_path, [IncomingRequest(received_at=datetime(2026, 11, 20, tzinfo=timezone.utc), subject="big",
                                         body=body, external_id="big")])
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        widget = app.screen.query_one("#view-body")
        assert len(widget.text) < BODY_LIMIT + 200
        stored = app.screen.view.details.request.body  # the store may keep less than was sent
        assert len(stored) > BODY_LIMIT
        assert f"{len(stored) - BODY_LIMIT} more characters" in widget.text


# --- dialogs, footer, toasts -------------------------------------------------------------


def _text_inside(app, selector: str) -> str:
    """What the screen shows inside one widget's content area, line by line."""
    region = app.screen.query_one(selector).content_region
    from steward.tui.textual_compat import composed_lines

    strips = composed_lines(app.screen)
    return "\n".join(strip.crop(region.x, region.right).text for strip in strips[region.y:region.bottom])


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", ["en", "zh-TW"])
async def test_dialog_prompts_wrap_instead_of_being_cut(inbox_db, language):
    from steward.tui.dialogs.prompts import ConfirmDialog
    from steward.tui.i18n import t

    app = make_app(inbox_db, language=language)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        assert _words(t("dialog.follow_up")) in _words(_text_inside(app, ".dialog"))
        await pilot.press("escape")
        message = "The draft you were writing was saved automatically at 10:42 and differs from the last saved version by 312 characters"
        app.push_screen(ConfirmDialog("Restore the autosaved draft?", message))
        await settle(app, pilot)
        assert _words(message) in _words(_text_inside(app, ".dialog"))


@pytest.mark.parametrize("language, last", [("en", "? Help"), ("zh-TW", "? 說明")])
async def test_the_80_column_footer_ends_with_whole_keys(inbox_db, language, last):
    app = make_app(inbox_db, language=language)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        footer = screen_text(app).splitlines()[-1]
        assert footer.rstrip().endswith(last), footer
        await pilot.press("enter")  # the request on its own screen
        await settle(app, pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "▏" not in footer and footer.rstrip()[-1:] not in ("", "▏"), footer


async def test_the_language_toast_shows_every_chinese_character_over_both_panes(inbox_db):
    import inspect

    from steward.tui import textual_compat, wide_chars

    # The patch replaced the private method it was written for (an upgrade must fail here).
    assert textual_compat.compositor_render_chops() is wide_chars._render_chops_whole
    assert list(inspect.signature(wide_chars._ORIGINAL).parameters) == ["self", "crop", "is_rendered_line"]
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("L")
        await settle(app, pilot)
        toast = app.screen.query_one("Toast")
        assert toast.region.x < app.screen.view.region.x < toast.region.right  # it crosses the edge
        assert "介面語言：繁體中文" in _text_inside(app, "Toast")


async def test_adding_and_removing_tags_in_one_go_is_one_change_and_one_undo(inbox_db):
    app = make_app(inbox_db)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        target = app.screen.inbox.current
        await pilot.press("t", *"old", "enter")
        await settle(app, pilot)
        await pilot.press("t", *"new -old", "enter")
        await settle(app, pilot)
        assert "changed meanwhile" not in _toasts(app)
        request, _ = _stored(inbox_db, target.id)
        assert request.tags == ["new"]
        await pilot.press("u")
        await settle(app, pilot)
        request, _ = _stored(inbox_db, target.id)
        assert request.tags == ["old"]
        await pilot.press("u")
        await settle(app, pilot)
        request, _ = _stored(inbox_db, target.id)
        assert request.tags == [] and "changed meanwhile" not in _toasts(app)


async def test_the_request_view_lists_questions_deadlines_and_sender_type_as_plain_text(db_path):
    from datetime import datetime, timezone

    from steward.models import IncomingRequest

    body = "請問 [bold]Cofacts[/bold] 的程式碼可以 fork 嗎？\n請在 11/30 前回覆。"
    make_inbox(db_path, [IncomingRequest(received_at=datetime(2026, 11, 20, tzinfo=timezone.utc), subject="授權",
                                         body=body, external_id="q", organization="臺北市政府資訊局")])
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        meta = app.screen.query_one("#view-meta").render().plain
        assert "1. 請問 [bold]Cofacts[/bold] 的程式碼可以 fork 嗎？" in meta
        assert "2026-11-30 (11/30)" in meta and "Deadlines" in meta
        assert "Sender: government" in meta
