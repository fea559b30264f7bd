"""The draft screen: edit, save versions, $EDITOR, clipboard, checklist, mark sent, autosave."""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
from contextlib import nullcontext
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import sample_records
from textual.widgets import OptionList, TextArea

from steward.config.settings import load_settings
from steward.drafting.drafts import checklist_for, checklist_for_request, load_guidance
from steward.models import CategoryGuess, Match, MatchResult
from steward.store import Store
from steward.tui.app import StewardApp
from steward.tui.clipboard import (
    EditorError,
    WriteError,
    edit_text,
    editor_command,
    osc52,
    write_text_atomic,
)
from steward.tui.dialogs.prompts import ChoiceDialog, ConfirmDialog, FuzzyPicker, PromptDialog
from steward.tui.draft.conflict import ConflictDialog
from steward.tui.draft.screen import DraftHeader, DraftScreen
from tests.tui_helpers import screen_text, settle

# (external id, language, category, route): enough for templates to have a match.
ROUTED = [("s001", "zh", "speaking", "g0v-talk"), ("s003", "en", "international", "g0v-intl")]
TERMINAL = (120, 35)


@pytest.fixture
def inbox(db_path) -> Path:
    store = Store.open(db_path, actor="tester")
    store.import_requests(sample_records())
    for external_id, language, category, route in ROUTED:
        request_id = store.resolve(external_id)
        store.save_match_result(
            request_id, MatchResult(language=language, category=CategoryGuess(category, 90), matches=[Match(route, "", "", 90)])
        )
        store.set_category(request_id, category)
        store.set_route(request_id, route)
    store.close()
    return db_path


def make_app(db_path: Path, language: str = "en") -> StewardApp:
    settings = replace(load_settings(database=db_path), language=language)
    return StewardApp(settings=settings, database=db_path)


def other_store(db_path: Path, actor: str = "tester") -> Store:
    return Store.open(db_path, actor=actor)


def request_of(db_path: Path, ref: str = "s001"):
    with_store = other_store(db_path)
    try:
        return with_store.get(ref)
    finally:
        with_store.close()


async def open_draft(app, pilot, db_path: Path, ref: str = "s001") -> DraftScreen:
    await pilot.pause()
    app.open_draft(request_of(db_path, ref))
    await settle(app, pilot)
    (screen,) = [s for s in app.screen_stack if isinstance(s, DraftScreen)]
    return screen


def editor(app) -> TextArea:
    return app.screen.query_one("#draft-text", TextArea)


def header_text(app) -> str:
    return str(app.screen.query_one(DraftHeader).render())


def notifications(app) -> list[str]:
    return [n.message for n in app._notifications]


async def type_at_end(app, pilot, text: str) -> None:
    """Add text at the end as typing would (key by key is slow; one test types real keys)."""
    area = editor(app)
    area.focus()
    area.move_cursor(area.document.end)
    area.insert(text)
    await pilot.pause()


def fake_editor(tmp_path: Path, *, exit_code: int = 0) -> tuple[str, Path]:
    """A $VISUAL that appends a line to the file and logs the path it was given.

    What the file held when the editor opened it is kept in editor.seen.
    """
    log = tmp_path / "editor.log"
    seen = tmp_path / "editor.seen"
    script = tmp_path / "fake_editor.py"
    script.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        f"open({str(log)!r}, 'w').write(path)\n"
        f"open({str(seen)!r}, 'wb').write(open(path, 'rb').read())\n"
        "with open(path, 'a', encoding='utf-8') as f:\n"
        "    f.write('Appended by the editor 編輯器\\n')\n"
        f"sys.exit({exit_code})\n",
        encoding="utf-8",
    )
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}", log


# --- opening and saving --------------------------------------------------------


async def test_draft_opens_with_the_template_in_the_requests_language_and_its_checklist(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        assert editor(app).text.startswith("林雅婷您好")
        assert "g0v-talks@googlegroups.com" in editor(app).text
        assert "Speaking invitation" in header_text(app) and "unsaved" in header_text(app)
        expected = checklist_for_request(screen.request, load_guidance(app.settings))
        options = screen.query_one("#checklist", OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == [i.key for i in expected]
        first = str(options.get_option_at_index(0).prompt)
        assert first.startswith("[ ] ") and expected[0].source in first and expected[0].text_zh in first
        assert editor(app).has_focus


async def test_ctrl_s_saves_a_new_version_each_time(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "First edit")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await type_at_end(app, pilot, " and more")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "version 2" in header_text(app) and "unsaved" not in header_text(app)
    store = other_store(inbox)
    request = store.get("s001")
    drafts = store.drafts(request.id)
    assert [d.version for d in drafts] == [1, 2]
    assert drafts[0].body.endswith("First edit") and drafts[1].body.endswith("First edit and more")
    assert drafts[1].template == "speaking" and drafts[1].language == "zh-TW"
    assert request.status == "drafting"
    store.close()


async def test_reopening_shows_the_latest_saved_version(inbox):
    store = other_store(inbox)
    request = store.get("s001")
    store.save_draft(request.id, "An older reply", template="speaking", language="zh-TW")
    store.save_draft(request.id, "The latest reply", template="decline", language="en")
    store.close()
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        assert editor(app).text == "The latest reply"
        assert "version 2" in header_text(app) and "English" in header_text(app)


async def test_stale_save_is_refused_and_keeps_the_typed_text(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "Typed before the clash")
        someone = other_store(inbox, actor="ada")
        someone.set_status("s001", "waiting")
        someone.close()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert editor(app).text.endswith("Typed before the clash")
        assert any("ada changed status" in message for message in notifications(app))
        store = other_store(inbox)
        request = store.get("s001")
        assert store.drafts(request.id) == []
        # Nothing typed is lost even if the steward gives up now.
        assert store.autosaved_draft(request.id)[0].endswith("Typed before the clash")
        store.close()
        # The request was reloaded: saving again works.
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    store = other_store(inbox)
    request = store.get("s001")
    assert [d.body.endswith("Typed before the clash") for d in store.drafts(request.id)] == [True]
    store.close()


# --- the external editor ---------------------------------------------------------


async def test_editor_round_trip_reads_the_edited_text_back(inbox, tmp_path, monkeypatch):
    command, log = fake_editor(tmp_path)
    monkeypatch.setenv("VISUAL", command)
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        before = editor(app).text
        # The headless test driver cannot suspend; a real terminal's driver can.
        monkeypatch.setattr(app, "suspend", nullcontext)
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        # The editor saw a text file (one final newline) and appended a line to it;
        # the newline it was given is taken off again, and no more.
        assert (tmp_path / "editor.seen").read_text(encoding="utf-8") == before + "\n"
        assert editor(app).text == before + "\nAppended by the editor 編輯器"
        assert not Path(log.read_text()).exists()


async def test_editor_without_suspend_support_says_so_and_changes_nothing(inbox, tmp_path, monkeypatch):
    command, log = fake_editor(tmp_path)
    monkeypatch.setenv("VISUAL", command)
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        before = editor(app).text
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        assert editor(app).text == before
        assert "This terminal can't hand over to an external editor" in notifications(app)
        assert not log.exists()


def test_edit_text_removes_the_temp_file_when_the_editor_fails(tmp_path):
    command, log = fake_editor(tmp_path, exit_code=3)
    with pytest.raises(EditorError, match="exited with status 3; the draft is unchanged"):
        edit_text("draft", shlex.split(command))
    assert not Path(log.read_text()).exists()


def test_edit_text_reports_an_editor_that_cannot_start(tmp_path, monkeypatch):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    with pytest.raises(EditorError, match="Could not start the editor"):
        edit_text("draft", [str(tmp_path / "no-such-editor")])
    assert list(temp.iterdir()) == []


def test_clipboard_and_editor_helpers_work_without_textual():
    code = "import sys, steward.tui.clipboard, steward.tui.draft.data; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_editor_command_prefers_visual_then_editor():
    assert editor_command({"VISUAL": "code --wait", "EDITOR": "vi"}) == ["code", "--wait"]
    assert editor_command({"EDITOR": "nano -R"}) == ["nano", "-R"]
    with pytest.raises(EditorError, match=r"\$EDITOR is not a command"):
        editor_command({"EDITOR": "vim 'unclosed"})


# --- clipboard, file, checklist ------------------------------------------------------


async def test_copy_writes_the_draft_to_the_terminal_as_osc52(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        written: list[str] = []
        real_write = app._driver.write
        app._driver.write = lambda data: (written.append(data), real_write(data))[1]
        editor(app).move_cursor(editor(app).document.end)
        await pilot.press("y", "e")  # letters typed in the editor are text, not commands
        assert not any("\x1b]52;" in chunk for chunk in written)
        await pilot.press("ctrl+r")
        text = editor(app).text
        assert text.endswith("ye")
        assert osc52(text) in "".join(written)
        assert osc52(text) == "\x1b]52;c;" + __import__("base64").b64encode(text.encode()).decode() + "\a"
        written.clear()
        await pilot.press("tab", "y")  # on the checklist, y copies too
        assert osc52(text) in "".join(written)


async def test_space_on_the_checklist_persists_the_item(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        await pilot.press("tab")
        options = screen.query_one("#checklist", OptionList)
        assert options.has_focus
        first = options.get_option_at_index(0).id
        await pilot.press("space")
        await settle(app, pilot)
        assert str(options.get_option_at_index(0).prompt).startswith("[x] ")
        await pilot.press("down", "space", "space")  # quick toggles end where the steward left them
        await settle(app, pilot)
        second = options.get_option_at_index(1).id
    store = other_store(inbox)
    state = store.checklist_state(store.resolve("s001"))
    assert state[first] is True and state[second] is False
    assert len(state) == options.option_count  # every item is recorded, unchecked ones too
    store.close()


async def test_i_on_the_checklist_inserts_the_items_paragraph_at_the_cursor(inbox):
    app = make_app(inbox, language="en")
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        editor(app).move_cursor((0, 0))
        await pilot.press("tab", "i")
        item = screen.checklist.highlighted_item
        assert editor(app).text.startswith(item.snippet_zh)  # the draft is Chinese
        assert editor(app).has_focus


async def test_ctrl_g_inserts_a_chosen_items_paragraph_while_typing(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        editor(app).move_cursor(editor(app).document.end)
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, FuzzyPicker)
        item = screen.data.items[-1]
        app.screen.dismiss(item.key)
        await pilot.pause()
        assert editor(app).text.endswith(item.snippet_zh)


async def test_ctrl_g_lists_this_requests_guidance_first_then_every_other_paragraph(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        await pilot.press("ctrl+g")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        shown = [options.get_option_at_index(i).id for i in range(options.option_count)]
        relevant = [item.key for item in screen.data.items]
        assert shown[: len(relevant)] == relevant
        assert set(shown) == {item.key for item in screen.data.guidance} and len(shown) > len(relevant)
        assert str(options.get_option_at_index(0).prompt).startswith("This request · ")
        other = shown[len(relevant)]
        assert not str(options.get_option_at_index(len(relevant)).prompt).startswith("This request")
        app.screen.dismiss(other)  # a paragraph from outside this request's checklist can still be inserted
        await pilot.pause()
        paragraph = next(item for item in screen.data.guidance if item.key == other).snippet_zh.strip("\n")
        assert paragraph in editor(app).text


async def test_w_writes_the_draft_to_a_file(inbox, tmp_path):
    target = tmp_path / "out" / "reply.txt"
    target.parent.mkdir()
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await pilot.press("tab", "w")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PromptDialog)
        dialog.query_one("Input").value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert target.read_text(encoding="utf-8") == editor(app).text + "\n"
        assert any(str(target) in message for message in notifications(app))


def test_write_text_atomic_refuses_a_missing_folder(tmp_path):
    with pytest.raises(WriteError, match="does not exist"):
        write_text_atomic(tmp_path / "missing" / "reply.txt", "text")
    with pytest.raises(WriteError, match="is a folder"):
        write_text_atomic(tmp_path, "text")


# --- template and language -------------------------------------------------------------


async def test_switching_template_asks_before_replacing_edits(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "my edit")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        app.screen.dismiss("decline")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # keep my edit
        await pilot.pause()
        assert editor(app).text.endswith("my edit")
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.screen.dismiss("decline")
        await pilot.pause()
        await pilot.press("enter")  # OK
        await pilot.pause()
        assert "my edit" not in editor(app).text
        assert "Decline" in header_text(app)


async def test_switching_language_renders_the_reply_in_english(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert editor(app).text.startswith("Dear 林雅婷,")
        assert "English" in header_text(app)
        item = screen.data.items[0]
        assert item.text_en in str(screen.checklist.options.get_option_at_index(0).prompt)
        assert "Save" in {b.description for _, b, _, _ in screen.active_bindings.values()}
        await pilot.press("tab", "L")  # the interface language, from the checklist
        await pilot.pause()
        assert header_text(app).startswith("範本：") and "英文" in header_text(app)
        assert "儲存" in {b.description for _, b, _, _ in screen.active_bindings.values()}
        assert editor(app).text.startswith("Dear 林雅婷,")  # the reply keeps its language


# --- mark sent ----------------------------------------------------------------------------


def check_required(db_path: Path, ref: str = "s001") -> None:
    store = other_store(db_path)
    request = store.get(ref)
    items = checklist_for_request(request, load_guidance(load_settings(database=db_path)))
    store.set_checklist(request.id, [i.key for i in items if i.required], True, known=[i.key for i in items])
    store.close()


async def test_mark_sent_saves_the_text_sets_replied_and_offers_a_follow_up(inbox):
    check_required(inbox)
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "Sent text")
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert isinstance(app.screen, PromptDialog)
        assert app.screen.query_one("Input").value == "+7d"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "sent" in header_text(app)
        today = app.today()
    store = other_store(inbox)
    request = store.get("s001")
    assert request.status == "replied"
    assert request.follow_up_on == today + timedelta(days=7)
    (draft,) = store.drafts(request.id)
    assert draft.body.endswith("Sent text") and draft.sent_at is not None
    sent = [e for e in store.history(request.id) if e.action == "sent"]
    assert [e.new for e in sent] == ["1"]
    store.close()


async def test_mark_sent_refuses_a_reply_with_a_question_still_marked_and_keeps_the_draft_open(inbox):
    check_required(inbox)
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "\n[answer: reply to this question here]\n[回答：請在這裡回答這個問題]")
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert app.screen is screen and not editor(app).read_only
        assert any("2 questions are still marked" in message for message in notifications(app))
        assert request_of(inbox).status != "replied"
        editor(app).text = editor(app).text.replace("[answer: reply to this question here]", "Yes.").replace(
            "[回答：請在這裡回答這個問題]", "可以。")
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert isinstance(app.screen, PromptDialog)  # sent; the follow-up question comes next


async def test_mark_sent_with_required_items_unchecked_asks_first(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "required checklist items are unchecked" in app.screen.hint
        await pilot.press("escape")
        await settle(app, pilot)
        assert request_of(inbox).status != "replied"
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("enter")  # OK: send anyway
        await settle(app, pilot)
        assert isinstance(app.screen, PromptDialog)
        app.screen.query_one("Input").value = ""
        await pilot.press("enter")  # empty: no follow-up
        await settle(app, pilot)
    request = request_of(inbox)
    assert request.status == "replied" and request.follow_up_on is None


# --- autosave --------------------------------------------------------------------------------


async def test_unsaved_text_is_offered_back_after_the_app_dies(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "words nobody saved")
        screen.autosave.tick()  # what the interval timer does every few seconds
        await settle(app, pilot)
        # Checked while the app still runs: a killed process gets no chance to save.
        store = other_store(inbox)
        body, _ = store.autosaved_draft(store.resolve("s001"))
        store.close()
        assert body.endswith("words nobody saved")

    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # OK: restore
        await pilot.pause()
        assert editor(app).text.endswith("words nobody saved")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    store = other_store(inbox)
    assert store.autosaved_draft(store.resolve("s001")) is None  # a saved version clears it
    store.close()


async def test_leaving_the_screen_autosaves_and_cancel_discards(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "left behind")
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, DraftScreen)
        store = other_store(inbox)
        assert store.autosaved_draft(store.resolve("s001"))[0].endswith("left behind")
        store.close()
        await open_draft(app, pilot, inbox)
        await pilot.press("down", "enter")  # Cancel: discard it
        await settle(app, pilot)
        assert not editor(app).text.endswith("left behind")
    store = other_store(inbox)
    assert store.autosaved_draft(store.resolve("s001")) is None
    store.close()


async def test_quitting_the_app_autosaves_unsaved_text(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "typed before quitting")
    store = other_store(inbox)
    assert store.autosaved_draft(store.resolve("s001"))[0].endswith("typed before quitting")
    store.close()


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
async def test_hang_up_autosaves_the_text_and_exits(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "typed when the line dropped")
        # Without the screen's handler this signal would end the test run itself.
        assert signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, signal.SIG_IGN, None)
        os.kill(os.getpid(), signal.SIGHUP)
        await pilot.pause()
        await pilot.pause()
        store = other_store(inbox)
        assert store.autosaved_draft(store.resolve("s001"))[0].endswith("typed when the line dropped")
        store.close()
    assert app.return_code == 0
    assert signal.getsignal(signal.SIGHUP) in (signal.SIG_DFL, None)  # handed back on the way out


# --- safety and looks ------------------------------------------------------------------------


async def test_request_text_in_the_title_is_shown_literally(inbox):
    store = other_store(inbox)
    request = store.get("s001")
    store.conn.execute("UPDATE requests SET subject = ? WHERE id = ?", ("[b]bold[/b] [/oops] {steward_name}", request.id))
    store.conn.commit()
    store.close()
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        title = str(screen.query_one("#title-bar").render())
        assert "[b]bold[/b] [/oops] {steward_name}" in title


def snapshot_app(db_path: Path, language: str, ref: str):
    app = make_app(db_path, language=language)

    async def run_before(pilot) -> None:
        await open_draft(app, pilot, db_path, ref)
        area = editor(app)
        area.focus()
        await settle(app, pilot)
        assert area.has_focus
        area.cursor_blink = False  # with the focus: the cursor stays drawn, whatever the blink phase
        # Textual's line cache does not tell "cursor hidden by the blink" from "not
        # blinking": a line cached in the hidden phase would be shown without it.
        area.notify_style_update()
        # The footer follows the focus (the editor takes "?", so help shows as f1):
        # let it catch up before the picture is taken.
        app.refresh_bindings()
        await settle(app, pilot)

    return app, run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])
@pytest.mark.parametrize(("language", "ref"), [("zh-TW", "s001"), ("en", "s003")], ids=["zh-TW", "en"])
def test_draft_screen_snapshot(inbox, snap_compare, language, ref, size):
    app, run_before = snapshot_app(inbox, language, ref)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


# --- the screen's parts, races and rough edges -----------------------------------------------


def _send_in_one_burst(app, keys: list[str]) -> None:
    """Queue every key at once, as a terminal does with one packet; nothing is acted on in between."""
    from textual import events

    characters = {"enter": "\r", "escape": "\x1b", "ctrl+t": "\x14"}
    for key in keys:
        app._driver.send_message(events.Key(key, characters.get(key, key)))  # noqa: SLF001 - as the terminal does


def _blocking(monkeypatch, name: str) -> tuple[threading.Event, threading.Event]:
    """Make Store.<name> wait in its thread until released: (started, release)."""
    started, release = threading.Event(), threading.Event()
    real = getattr(Store, name)

    def blocked(self, *args, **kwargs):
        started.set()
        release.wait(30)  # a safety net: the test releases it
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Store, name, blocked)
    return started, release


async def test_a_checklist_read_that_finishes_after_the_screen_closed_is_dropped(inbox, monkeypatch):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        started, release = _blocking(monkeypatch, "checklist_state")
        screen.refresh_from_store()  # what the data-version poll does when the file changes
        await asyncio.to_thread(started.wait, 30)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DraftScreen)
        release.set()
        await settle(app, pilot)
        assert app.is_running  # no NoActiveAppError from the thread, no WorkerFailed


async def test_no_worker_thread_asks_the_screen_for_its_app(inbox, monkeypatch, tmp_path):
    # Once the screen is gone, `self.app` from a thread raises NoActiveAppError (seen as
    # a flaky WorkerFailed in the stale-save test): threads get what they need up front.
    check_required(inbox)
    loop_thread = threading.get_ident()
    app_of = DraftScreen.app.fget

    def app_on_the_loop_only(self):
        assert threading.get_ident() == loop_thread, "a worker thread read DraftScreen.app"
        return app_of(self)

    monkeypatch.setattr(DraftScreen, "app", property(app_on_the_loop_only))
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)  # load
        await type_at_end(app, pilot, "typed")
        screen.autosave.tick()  # autosave
        await pilot.press("tab", "space", "space")  # checklist toggles (back to checked)
        await settle(app, pilot)
        screen.refresh_from_store()  # the checklist read after another steward's change
        await pilot.press("ctrl+s")  # save
        await settle(app, pilot)
        screen._write_path_chosen(str(tmp_path / "reply.txt"))  # write to a file
        await pilot.press("ctrl+t")  # mark sent, then a follow-up
        await settle(app, pilot)
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.is_running
    assert (tmp_path / "reply.txt").read_text(encoding="utf-8").endswith("typed\n")
    request = request_of(inbox)
    assert request.status == "replied" and request.follow_up_on is not None


async def test_a_save_that_finishes_after_the_screen_closed_is_kept_and_nothing_breaks(inbox, monkeypatch):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "saved on the way out")
        started, release = _blocking(monkeypatch, "save_draft")
        await pilot.press("ctrl+s")
        await asyncio.to_thread(started.wait, 30)
        await pilot.press("escape")
        await pilot.pause()
        release.set()
        await settle(app, pilot)
        assert app.is_running and not isinstance(app.screen, DraftScreen)
    store = other_store(inbox)
    (draft,) = store.drafts(store.resolve("s001"))
    assert draft.body.endswith("saved on the way out")
    store.close()


async def test_keys_typed_while_a_reply_is_marked_sent_do_not_change_it(inbox, monkeypatch):
    check_required(inbox)
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "Sent text")
        started, release = _blocking(monkeypatch, "mark_sent")
        await pilot.press("ctrl+t")
        await asyncio.to_thread(started.wait, 30)
        await pilot.press("x", "enter")  # typed before the follow-up question appears
        release.set()
        await settle(app, pilot)
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("escape")  # no follow-up
        await settle(app, pilot)
        assert app.screen is screen and editor(app).has_focus
        assert editor(app).text.endswith("Sent text") and "unsaved" not in header_text(app)
        await pilot.press("escape")  # the first Esc leaves the sent draft
        await pilot.pause()
        assert not isinstance(app.screen, DraftScreen)
    store = other_store(inbox)
    (draft,) = store.drafts(store.resolve("s001"))
    assert draft.body.endswith("Sent text") and draft.sent_at is not None
    assert store.autosaved_draft(store.resolve("s001")) is None
    store.close()


async def test_keys_typed_right_behind_ctrl_t_answer_its_question(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        before = editor(app).text
        _send_in_one_burst(app, ["ctrl+t", "escape"])  # required items unchecked: Esc says "not yet"
        await settle(app, pilot)
        assert isinstance(app.screen, DraftScreen) and editor(app).text == before
    assert request_of(inbox).status != "replied"


async def test_a_doubled_enter_on_the_send_question_keeps_the_follow_up_question(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        # Enter twice in one burst: both reach the "send anyway?" dialog before it goes.
        _send_in_one_burst(app, ["ctrl+t", "enter", "enter"])
        await settle(app, pilot)
        assert isinstance(app.screen, PromptDialog), "the second Enter popped the follow-up question"
        assert screen in app.screen_stack
        await pilot.press("enter")  # +7d
        await settle(app, pilot)
        assert app.screen is screen and not editor(app).read_only and editor(app).has_focus
    request = request_of(inbox)
    assert request.status == "replied" and request.follow_up_on is not None


@pytest.mark.parametrize("where", ["after the greeting", "at the end"])
async def test_a_guidance_paragraph_gets_a_blank_line_before_and_after(inbox, where):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        area = editor(app)
        before = area.text
        greeting = before.split("\n", 1)[0]
        area.move_cursor((0, len(greeting)) if where == "after the greeting" else area.document.end)
        await pilot.press("ctrl+g")
        await pilot.pause()
        item = screen.data.items[-1]
        app.screen.dismiss(item.key)
        await pilot.pause()
        snippet = item.snippet_zh.strip("\n")
        if where == "after the greeting":
            assert area.text == greeting + "\n\n" + snippet + before[len(greeting):]
        else:
            assert area.text == before.rstrip("\n") + "\n\n" + snippet
        assert "\n\n\n" not in area.text


async def test_q_with_unsaved_text_asks_and_keep_editing_stays(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "not saved yet")
        await pilot.press("tab", "q")  # q on the checklist is the app's quit key
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ChoiceDialog)
        assert "unsaved changes" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DraftScreen) and editor(app).text.endswith("not saved yet")
        await pilot.press("shift+tab", "ctrl+q")  # from the editor too
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ChoiceDialog)


async def test_q_with_unsaved_text_can_save_then_quit(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "saved when quitting")
        await pilot.press("ctrl+q")
        await pilot.pause()
        app.screen.dismiss("save")
        await settle(app, pilot)
        assert not app.is_running
    store = other_store(inbox)
    request = store.get("s001")
    (draft,) = store.drafts(request.id)
    assert draft.body.endswith("saved when quitting") and store.autosaved_draft(request.id) is None
    store.close()


async def test_q_with_unsaved_text_can_discard_then_quit(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "thrown away")
        screen.autosave.tick()  # an autosave row exists already: discarding removes it too
        await settle(app, pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        app.screen.dismiss("discard")
        await settle(app, pilot)
        assert not app.is_running
    store = other_store(inbox)
    request = store.get("s001")
    assert store.drafts(request.id) == [] and store.autosaved_draft(request.id) is None
    store.close()


async def test_q_without_changes_quits_at_once(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


def shown_in(app, widget) -> str:
    """The text drawn in a widget's place on screen, its rows joined by spaces."""
    region = widget.region
    from steward.tui.textual_compat import composed_lines

    strips = composed_lines(app.screen)
    rows = [strips[y].crop(region.x, region.right).text for y in range(region.y, region.bottom)]
    return " ".join(" ".join(rows).split())


@pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])
async def test_dialog_texts_wrap_instead_of_being_cut(inbox, size):
    store = other_store(inbox)
    store.autosave_draft(store.resolve("s001"), "words from before")
    store.close()
    app = make_app(inbox)
    async with app.run_test(size=size) as pilot:
        await open_draft(app, pilot, inbox)
        assert isinstance(app.screen, ConfirmDialog)  # restore the autosave?
        hint = app.screen.query_one(".dialog-hint")
        assert shown_in(app, hint).endswith("OK restores it, Cancel discards it, Esc decides later.")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+t")  # the notes about unchecked required items
        await pilot.pause()
        hint = app.screen.query_one(".dialog-hint")
        assert shown_in(app, hint) == " ".join(app.screen.hint.split())


async def _clash(app, pilot, inbox, mine: str) -> None:
    """We type `mine`; ada saves her own version meanwhile; we save."""
    await open_draft(app, pilot, inbox)
    editor(app).load_text(mine)
    await pilot.pause()
    someone = other_store(inbox, actor="ada")
    someone.save_draft(someone.resolve("s001"), "Ada's reply\nsecond line", template="speaking", language="zh-TW")
    someone.close()
    await pilot.press("ctrl+s")
    await settle(app, pilot)


async def test_a_save_refused_for_anothers_newer_version_shows_both_as_a_diff(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await _clash(app, pilot, inbox, "My reply\nsecond line")
        assert isinstance(app.screen, ConflictDialog)
        shown = screen_text(app)
        assert "ada saved version 1" in shown
        assert "-Ada's reply" in shown and "+My reply" in shown and " second line" in shown
        await pilot.press("escape")  # keep editing: merge by hand
        await pilot.pause()
        assert isinstance(app.screen, DraftScreen) and editor(app).text == "My reply\nsecond line"
        await pilot.press("ctrl+s")  # having seen theirs, a save is the newest version
        await settle(app, pilot)
    store = other_store(inbox)
    assert [d.body for d in store.drafts(store.resolve("s001"))] == ["Ada's reply\nsecond line", "My reply\nsecond line"]
    store.close()


async def test_keep_mine_saves_over_theirs_and_take_theirs_loads_it(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await _clash(app, pilot, inbox, "Mine")
        app.screen.dismiss("theirs")
        await settle(app, pilot)
        assert editor(app).text == "Ada's reply\nsecond line" and "version 1" in header_text(app)
        assert "unsaved" not in header_text(app)
        await pilot.press("ctrl+z")  # my text is one undo away
        assert editor(app).text == "Mine"
    store = other_store(inbox)
    assert [d.author for d in store.drafts(store.resolve("s001"))] == ["ada"]
    store.clear_autosave(store.resolve("s001"))  # "Mine", undone back, was autosaved on the way out
    store.close()

    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        editor(app).load_text("Mine after all")
        someone = other_store(inbox, actor="ada")
        someone.save_draft(someone.resolve("s001"), "Ada again", template="speaking", language="zh-TW")
        someone.close()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConflictDialog)
        app.screen.dismiss("mine")
        await settle(app, pilot)
        assert "version 3" in header_text(app)
    store = other_store(inbox)
    assert [d.body for d in store.drafts(store.resolve("s001"))][-1] == "Mine after all"
    store.close()


async def test_the_autosave_interval_is_the_screens_to_choose(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await pilot.pause()
        screen = DraftScreen(request_of(inbox), autosave_seconds=0.01)
        await app.push_screen(screen)
        await settle(app, pilot)
        await type_at_end(app, pilot, "kept by the timer")
        for _ in range(500):  # the timer's own write, not one the test asks for
            if screen.autosave.writes:
                break
            await pilot.pause()
        assert screen.autosave.writes
        store = other_store(inbox)
        assert store.autosaved_draft(store.resolve("s001"))[0].endswith("kept by the timer")
        store.close()


async def test_the_checklist_widget_reports_toggles_and_insert_requests_as_messages(inbox):
    from textual.app import App

    from steward.tui.draft.checklist import ChecklistPanel

    items = checklist_for("speaking", load_guidance(load_settings(database=inbox)))
    heard: list = []

    class Host(App):
        def compose(self):
            yield ChecklistPanel()

        def on_mount(self) -> None:
            self.query_one(ChecklistPanel).show(items, {items[1].key: True}, "en")
            self.query_one("#checklist").focus()

        def on_checklist_panel_item_toggled(self, message) -> None:
            heard.append(("toggled", message.item.key, message.checked))

        def on_checklist_panel_insert_requested(self, message) -> None:
            heard.append(("insert", message.item.key))

    app = Host()
    async with app.run_test() as pilot:
        await pilot.press("space", "down", "space", "i")
        await pilot.pause()
        panel = app.query_one(ChecklistPanel)
        assert panel.state == {items[0].key: True, items[1].key: False}
    assert heard == [("toggled", items[0].key, True), ("toggled", items[1].key, False), ("insert", items[1].key)]


async def test_the_first_draft_without_a_name_asks_for_it_saves_it_and_signs_with_it(inbox, monkeypatch):
    import tomllib

    from steward.config.settings import user_config_dir

    monkeypatch.delenv("STEWARD_NAME")
    config = user_config_dir() / "config.toml"  # the test's own home (conftest)
    assert not config.exists()
    app = make_app(inbox)
    assert app.settings.signature is None
    async with app.run_test(size=TERMINAL) as pilot:
        screen = await open_draft(app, pilot, inbox)
        assert isinstance(app.screen, PromptDialog)
        assert screen.editor.text == ""  # no draft signed with the login name meanwhile
        app.screen.query_one("Input").value = "林雅婷"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DraftScreen)
        assert "林雅婷" in editor(app).text and "tester" not in editor(app).text
    assert tomllib.loads(config.read_text(encoding="utf-8"))["steward"]["name"] == "林雅婷"
