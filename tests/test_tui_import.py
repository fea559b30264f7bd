"""The import dialog (i): path completion, importing into the inbox, errors shown plainly."""

from __future__ import annotations

import json
import os

import pytest

from steward.config.settings import load_settings
from steward.store import Store
from steward.tui.app import StewardApp
from steward.tui.dialogs.import_files import ImportDialog, complete_path
from steward.tui.inbox.request_list import InboxList
from tests.tui_helpers import settle


def record(n: int, **fields) -> str:
    data = {
        "external_id": f"imp-{n}", "received_at": f"2026-11-2{n}T10:00:00+08:00", "channel": "email",
        "from_name": f"Sender {n}", "from_email": f"sender{n}@example.org", "organization": "Open Lab",
        "subject": f"Workshop idea {n}", "body": "Could we run a workshop together?",
    }
    return json.dumps({**data, **fields}, ensure_ascii=False)


@pytest.fixture
def app(db_path):
    Store.open(db_path, actor="tester").close()
    return StewardApp(settings=load_settings(database=db_path), database=db_path)


def inbox_total(app) -> int:
    return app.screen_stack[0].query_one(InboxList).total


async def run_import(app, pilot, path) -> ImportDialog:
    await pilot.press("i")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, ImportDialog)
    dialog.query_one("#import-path").value = str(path)
    await pilot.press("enter")
    await settle(app, pilot)  # the import, then the inbox reloading after it
    return dialog


def status(dialog) -> str:
    return str(dialog.query_one("#import-status").render())


def errors(dialog) -> str:
    return str(dialog.query_one("#import-error-lines").render())


async def test_importing_a_jsonl_file_adds_its_requests_to_the_inbox(app, tmp_path):
    path = tmp_path / "requests.jsonl"
    path.write_text("\n".join(record(n) for n in (1, 2, 3)) + "\n", encoding="utf-8")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        assert inbox_total(app) == 0
        dialog = await run_import(app, pilot, path)
        assert "imported 3, duplicates 0, threaded replies 0, failed 0" in status(dialog)
        assert inbox_total(app) == 3
        # The same file again: everything is already here.
        await pilot.press("enter")
        await settle(app, pilot)
        assert "imported 0, duplicates 3" in status(dialog)
        await pilot.press("escape")
        await settle(app, pilot)
        assert inbox_total(app) == 3


async def test_a_missing_path_is_explained_and_nothing_is_imported(app, tmp_path, db_path):
    missing = tmp_path / "not-here.csv"
    async with app.run_test(size=(120, 35)) as pilot:
        dialog = await run_import(app, pilot, missing)
        assert f"Nothing imported: {missing}: no such file or directory" in status(dialog)
        assert isinstance(app.screen, ImportDialog)  # still open, to fix the path
        assert inbox_total(app) == 0
    store = Store.open(db_path, actor="tester")
    assert store.count(None) == 0
    store.close()


async def test_a_folder_that_is_not_a_maildir_is_refused(app, tmp_path):
    async with app.run_test(size=(120, 35)) as pilot:
        dialog = await run_import(app, pilot, tmp_path)
        assert "not a Maildir" in status(dialog)
        assert inbox_total(app) == 0


async def test_a_broken_line_is_named_by_file_and_line_and_the_rest_imported(app, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(f"{record(1)}\n{{\"subject\": [/bold]oops\n{record(2)}\n", encoding="utf-8")
    async with app.run_test(size=(120, 35)) as pilot:
        dialog = await run_import(app, pilot, path)
        assert "imported 2, duplicates 0, threaded replies 0, failed 1" in status(dialog)
        assert f"{path}:2: invalid JSON" in errors(dialog)
        assert inbox_total(app) == 2


async def test_error_text_from_the_file_is_shown_literally_not_as_markup(app, tmp_path):
    path = tmp_path / "markup.jsonl"
    path.write_text(record(1, received_at="[red]not a date[/red]") + "\n", encoding="utf-8")
    async with app.run_test(size=(120, 35)) as pilot:
        dialog = await run_import(app, pilot, path)
        shown = errors(dialog)
        assert f"{path}:1" in shown
        assert "[red]not a date[/red]" in shown


async def test_a_chosen_format_overrides_the_extension(app, tmp_path):
    path = tmp_path / "export.txt"
    path.write_text(record(1) + "\n", encoding="utf-8")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#import-format").value = "jsonl"
        dialog.query_one("#import-path").value = str(path)
        dialog.query_one("#import-path").focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert "imported 1," in status(dialog)


async def test_tab_completes_the_typed_path_from_the_filesystem(app, tmp_path):
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "november.csv").write_text("", encoding="utf-8")
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        path_input = app.screen.query_one("#import-path")
        path_input.value = str(tmp_path / "fo")
        await settle(app, pilot)
        await pilot.press("tab")
        assert path_input.value == str(tmp_path / "forms") + os.sep
        await settle(app, pilot)
        await pilot.press("tab")
        assert path_input.value == str(tmp_path / "forms" / "november.csv")


def test_completion_expands_home_but_keeps_what_was_typed(isolated_environment):
    (isolated_environment / "mail").mkdir()
    (isolated_environment / ".hidden").mkdir()
    assert complete_path("~/ma") == "~/mail/"
    assert complete_path("~/") == "~/mail/"  # hidden entries only once a dot is typed
    assert complete_path("~/.h") == "~/.hidden/"
    assert complete_path("~/nothing-like-this") is None
    assert complete_path("") is None


async def test_a_time_out_of_range_is_named_in_the_dialog_and_the_app_stays_up(app, tmp_path):
    path = tmp_path / "requests.jsonl"
    path.write_text(
        "\n".join([record(1), record(2, received_at="0001-01-01T00:00:00+14:00"), record(3)]) + "\n", encoding="utf-8"
    )
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        dialog = await run_import(app, pilot, path)
        assert app.is_running and app.screen is dialog
        assert "imported 2, duplicates 0, threaded replies 0, failed 1" in status(dialog)
        assert f"{path}:2: received_at '0001-01-01T00:00:00+14:00' is out of range" in errors(dialog)
        assert inbox_total(app) == 2


async def test_an_unexpected_error_in_the_import_is_reported_and_the_app_stays_up(app, tmp_path, monkeypatch):
    import steward.intake.pipeline

    def explode(*args, **kwargs):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(steward.intake.pipeline, "import_paths", explode)
    path = tmp_path / "requests.jsonl"
    path.write_text(record(1) + "\n", encoding="utf-8")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        dialog = await run_import(app, pilot, path)
        assert app.is_running and app.screen is dialog
        assert "The import stopped: OverflowError: date value out of range" in status(dialog)
