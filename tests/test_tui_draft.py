"""The draft screen: edit, save versions, $EDITOR, clipboard, checklist, mark sent, autosave."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import tempfile
from contextlib import nullcontext
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import sample_records
from textual.widgets import OptionList, TextArea

from steward.config import load_settings
from steward.drafting import checklist_for, load_guidance
from steward.models import CategoryGuess, Match, MatchResult
from steward.store import Store
from steward.tui.app import StewardApp
from steward.tui.clipboard import EditorError, WriteError, edit_text, editor_command, osc52, write_text_atomic
from steward.tui.dialogs import ChoiceDialog, ConfirmDialog, FuzzyPicker, PromptDialog
from steward.tui.draft_screen import DraftHeader, DraftScreen
from tests.tui_helpers import settle

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
    """A $VISUAL that appends a line to the file and logs the path it was given."""
    log = tmp_path / "editor.log"
    script = tmp_path / "fake_editor.py"
    script.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        f"open({str(log)!r}, 'w').write(path)\n"
        "with open(path, 'a', encoding='utf-8') as f:\n"
        "    f.write('\\nAppended by the editor 編輯器\\n')\n"
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
        expected = checklist_for("speaking", load_guidance(app.settings))
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
    code = "import sys, steward.tui.clipboard, steward.tui.draft_data; sys.exit('textual' in sys.modules)"
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
        item = screen.item(screen.checklist.highlighted_key)
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
        assert editor(app).text.startswith("Hello 林雅婷,")
        assert "English" in header_text(app)
        item = screen.data.items[0]
        assert item.text_en in str(screen.checklist.get_option_at_index(0).prompt)
        assert "Save" in {b.description for _, b, _, _ in screen.active_bindings.values()}
        await pilot.press("tab", "L")  # the interface language, from the checklist
        await pilot.pause()
        assert header_text(app).startswith("範本：") and "英文" in header_text(app)
        assert "儲存" in {b.description for _, b, _, _ in screen.active_bindings.values()}
        assert editor(app).text.startswith("Hello 林雅婷,")  # the reply keeps its language


# --- mark sent ----------------------------------------------------------------------------


def check_required(db_path: Path, ref: str = "s001") -> None:
    store = other_store(db_path)
    request = store.get(ref)
    items = checklist_for(request.category, load_guidance(load_settings(database=db_path)))
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
        screen.autosave_tick()  # what the interval timer does every few seconds
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
        editor(app).cursor_blink = False

    return app, run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])
@pytest.mark.parametrize(("language", "ref"), [("zh-TW", "s001"), ("en", "s003")], ids=["zh-TW", "en"])
def test_draft_screen_snapshot(inbox, snap_compare, language, ref, size):
    app, run_before = snapshot_app(inbox, language, ref)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
