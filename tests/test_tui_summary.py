"""The weekly summary screen (W): week picking, preview, public mode, save and copy."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from steward.config.settings import load_settings
from steward.intake.pipeline import import_paths
from steward.models import IncomingRequest
from steward.store import Store
from steward.tui.app import StewardApp
from steward.tui.dialogs.prompts import PromptDialog
from steward.tui.summary.screen import SummaryScreen
from tests.tui_helpers import settle

DATA = Path(__file__).parent / "data"
# Wednesday 25 November 2026, 11:00 in Taipei: the last complete week is 2026-W47.
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)
ADDRESS = "mei.chen@civic-lab.example.org"


@pytest.fixture
def settings(db_path):
    settings = load_settings(database=db_path)
    store = Store.open(db_path, actor="tester")
    try:
        import_paths(store, [DATA / "samples.jsonl"], settings)
        # A request whose subject carries its sender's address, as people write them.
        store.import_requests([
            IncomingRequest(
                received_at=datetime(2026, 11, 18, 2, 0, tzinfo=timezone.utc),
                channel="email", from_name="Mei Chen", from_email=ADDRESS, organization="Civic Lab",
                subject=f"Please write to {ADDRESS} about the workshop", body="Hello", external_id="t-mail",
            )
        ])
    finally:
        store.close()
    return settings


def make_app(settings, language: str = "en") -> StewardApp:
    return StewardApp(settings=replace(settings, language=language), database=settings.database)


async def open_summary(app, pilot, **options) -> SummaryScreen:
    screen = SummaryScreen(options.pop("week", "2026-W47"), now=NOW, **options)
    await app.push_screen(screen)
    await settle(app, pilot)
    return screen


def shown(markdown: str) -> str:
    """The text as the preview shows it: Markdown backslash escapes are invisible."""
    return re.sub(r"\\(.)", r"\1", markdown)


async def test_W_opens_the_summary_of_the_last_complete_week_and_escape_or_W_closes_it(settings):
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("W")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert app.screen.period.week is not None
        assert app.screen.markdown and app.screen.markdown.startswith("<!-- steward:private")
        await pilot.press("escape")
        assert not isinstance(app.screen, SummaryScreen)
        await pilot.press("W")
        await settle(app, pilot)
        await pilot.press("W")  # a second W goes back instead of stacking another summary
        assert not any(isinstance(s, SummaryScreen) for s in app.screen_stack)


async def test_preview_counts_the_requests_of_the_chosen_week(settings):
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_summary(app, pilot)
        text = shown(screen.markdown)
        assert "week 2026-W47 (16–22 Nov 2026)" in text
        # 13 of the samples arrived from 16 to 22 November, Taipei time, and one more here.
        assert "Received: **14**" in text
        assert "still open **14**" in text
        assert "Sarah Lindqvist" not in text  # senders are never listed, even in private


async def test_the_preview_is_the_markdown_steward_export_writes(settings, db_path):
    from steward.summary.data import Period, build_summary
    from steward.summary.markdown import render_markdown

    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_summary(app, pilot)
        store = Store.open(db_path, actor="tester")
        try:
            expected = render_markdown(
                build_summary(store, settings, period=Period.iso_week("2026-W47"), now=NOW), lang="en"
            )
        finally:
            store.close()
        assert screen.markdown == expected
        assert screen.query_one("#summary-preview").source == expected


async def test_public_mode_takes_an_address_in_the_inbox_out_of_the_preview(settings):
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_summary(app, pilot)
        assert ADDRESS in shown(screen.markdown)
        await pilot.press("p")
        await settle(app, pilot)
        assert screen.public
        assert screen.markdown.startswith("<!-- steward:public -->")
        assert ADDRESS not in shown(screen.markdown)
        assert "Civic Lab" in screen.markdown  # organizations stay
        await pilot.press("p")
        await settle(app, pilot)
        assert ADDRESS in shown(screen.markdown)


async def test_square_brackets_and_t_move_between_weeks(settings):
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_summary(app, pilot)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert screen.period.week == "2026-W48"
        assert "week 2026-W48" in screen.markdown
        # W48 is the week in progress on NOW: there is no later week to show.
        await pilot.press("right")
        await settle(app, pilot)
        assert screen.period.week == "2026-W48"
        await pilot.press("left_square_bracket", "left")
        await settle(app, pilot)
        assert screen.period.week == "2026-W46"
        assert "week 2026-W46" in screen.markdown
        await pilot.press("t")
        await settle(app, pilot)
        assert screen.period.week == "2026-W47"
        await pilot.press("t")
        await settle(app, pilot)
        assert screen.period.week == "2026-W48"


async def test_l_switches_the_language_of_the_summary_not_of_the_app(settings):
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_summary(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        assert "合作邀約週報：2026-W47" in screen.markdown
        assert "收到：**14** 件" in screen.markdown
        assert "Weekly summary" in str(screen.query_one("#title-bar").render())
        # L switches the app, and leaves the summary in the language chosen for it.
        await pilot.press("L")
        await settle(app, pilot)
        assert "週報" in str(screen.query_one("#title-bar").render())
        assert "週報語言：繁體中文" in str(screen.query_one("#summary-status").render())
        assert "合作邀約週報：2026-W47" in screen.markdown


async def test_s_saves_the_preview_to_the_suggested_file(settings, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_summary(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("enter")
        await settle(app, pilot)
        saved = tmp_path / "steward-2026-W47.md"
        assert saved.read_text(encoding="utf-8") == screen.markdown
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


async def test_saving_into_a_missing_folder_shows_why_and_asks_again(settings, tmp_path):
    app = make_app(settings)
    target = tmp_path / "no-such-folder" / "week.md"
    async with app.run_test(size=(120, 35)) as pilot:
        await open_summary(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        prompt = app.screen
        prompt.query_one("Input").value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert not target.exists()
        again = app.screen
        assert isinstance(again, PromptDialog) and again is not prompt
        assert again.query_one("Input").value == str(target)
        assert "No such file or directory" in again.hint


async def test_saving_over_an_existing_file_asks_first(settings, tmp_path):
    app = make_app(settings)
    target = tmp_path / "week.md"
    target.write_text("keep me", encoding="utf-8")
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_summary(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("Input").value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert target.read_text(encoding="utf-8") == "keep me"
        await pilot.press("enter")  # the first choice: OK
        await settle(app, pilot)
        assert target.read_text(encoding="utf-8") == screen.markdown


async def test_y_copies_the_markdown_with_osc_52(settings):
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_summary(app, pilot)
        written: list[str] = []
        app._driver.write = written.append  # what the terminal would receive
        await pilot.press("y")
        assert app.clipboard == screen.markdown
        assert any(w.startswith("\x1b]52;c;") for w in written)


async def test_links_in_the_preview_open_nothing(settings, monkeypatch):
    from textual.widgets import Markdown

    app = make_app(settings)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_summary(app, pilot)
        preview = screen.query_one("#summary-preview", Markdown)
        preview.post_message(Markdown.LinkClicked(preview, "https://phish.example.org/"))
        await pilot.pause()
        assert opened == []


@pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])
@pytest.mark.parametrize("language", ["en", "zh-TW"])
def test_summary_screen_snapshot(snap_compare, settings, language, size):
    app = make_app(settings, language)

    async def open_it(pilot) -> None:
        await open_summary(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_it)


def _hold_builds(monkeypatch):
    """Make every summary build wait, once it has read the inbox, until released; count them."""
    import threading

    import steward.summary.data

    inside, release, calls = threading.Event(), threading.Event(), []
    real = steward.summary.data.build_summary

    def held(*args, **kwargs):
        summary = real(*args, **kwargs)  # read the inbox, then hold the result back
        calls.append(1)
        inside.set()
        release.wait(10)
        return summary

    monkeypatch.setattr(steward.summary.data, "build_summary", held)
    return inside, release, calls


def _add_request_in_w47(db_path) -> None:
    other = Store.open(db_path, actor="mei")
    other.import_requests([
        IncomingRequest(
            received_at=datetime(2026, 11, 19, 2, 0, tzinfo=timezone.utc), channel="email", from_name="Lin",
            from_email="lin@example.org", organization="Open Lab", subject="A late one", body="Hi", external_id="t-late",
        )
    ])
    other.close()


async def test_a_change_while_the_summary_is_built_shows_that_build_then_the_new_figures(settings, db_path, monkeypatch):
    # Another steward's change arrived (the poll) while the summary was being built: the
    # build under way used to be thrown away and restarted, so on a busy inbox the
    # preview never appeared. Now it is shown, and one more build brings the change in.
    import asyncio

    from steward.tui.summary.screen import SummaryPreview

    inside, release, calls = _hold_builds(monkeypatch)
    shown_sources: list[str] = []
    real_update = SummaryPreview.update

    def recording_update(self, markdown):
        shown_sources.append(markdown)
        return real_update(self, markdown)

    monkeypatch.setattr(SummaryPreview, "update", recording_update)
    app = make_app(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        app.push_screen(SummaryScreen("2026-W47", now=NOW))
        assert await asyncio.to_thread(inside.wait, 10)
        _add_request_in_w47(db_path)
        await app.check_for_changes().wait()
        release.set()
        await settle(app, pilot)
        screen = app.screen
        summaries = [source for source in shown_sources if "Received:" in source]
        assert [("Received: **14**" in s, "Received: **15**" in s) for s in summaries] == [(True, False), (False, True)]
        assert screen.markdown == summaries[-1] and screen.error is None
        assert len(calls) == 2


async def test_a_reload_while_the_summary_screen_opens_builds_it_once(settings, monkeypatch):
    # A poll tick landing between push and mount used to start a build with no summary
    # language yet chosen (UsageError: unknown language None) and cancel the first one.
    inside, release, calls = _hold_builds(monkeypatch)
    release.set()
    app = make_app(settings, language="zh-TW")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        screen = SummaryScreen("2026-W47", now=NOW)
        app.push_screen(screen)
        app.refresh_inbox()  # before the screen has mounted
        await settle(app, pilot)
        assert app.screen is screen and screen.error is None
        assert "合作邀約週報：2026-W47" in screen.markdown
        assert len(calls) == 1


async def test_the_poll_interval_is_the_apps_to_choose(settings, db_path):
    assert StewardApp(settings=settings, database=db_path, poll_seconds=2.5).poll_seconds == 2.5
    # Off (None, as in every test): nothing reloads by itself; a poll happens when asked for.
    app = make_app(settings)
    assert app.poll_seconds is None
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_summary(app, pilot)
        _add_request_in_w47(db_path)
        await settle(app, pilot)
        assert "Received: **14**" in screen.markdown
        await app.check_for_changes().wait()
        await settle(app, pilot)
        assert "Received: **15**" in screen.markdown
