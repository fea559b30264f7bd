"""What start-up loads: `steward list` and the app's first screen pay only for what they show.

Speed itself is measured in scripts/bench_tui.py and scripts/bench_store.py; these
tests hold the choices that make it, and that the app still starts as configured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.color import Color

from tests.conftest import sample_records
from tests.tui_helpers import make_app, make_inbox, screen_text, settle

REPOSITORY = Path(__file__).resolve().parent.parent

LIST_AND_REPORT_MODULES = """
import json, sys
from steward.__main__ import main
sys.argv = ["steward", "--db", sys.argv[1], "list", "--json", "--limit", "5"]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules_of_a_list(db_path: Path) -> tuple[list[dict], set[str]]:
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    done = subprocess.run(
        [sys.executable, "-c", LIST_AND_REPORT_MODULES, str(db_path)],
        capture_output=True, text=True, env=env, check=True, cwd=REPOSITORY,
    )
    return json.loads(done.stdout), set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_steward_list_reads_rows_without_loading_the_import_pipeline_partners_or_textual(db_path):
    make_inbox(db_path)
    rows, modules = _modules_of_a_list(db_path)
    assert len(rows) == 5 and all(row["subject"] for row in rows)
    for heavy in ("steward.store.importing", "steward.store.partners", "steward.partners.linking", "textual", "rich"):
        assert heavy not in modules


def test_the_store_still_offers_partner_and_import_methods_loaded_on_first_use(db_path):
    import inspect

    from steward.store import Store
    from steward.store.partners import Partners

    store = Store.open(db_path, actor="tester")
    try:
        assert inspect.signature(Store.list_organizations) == inspect.signature(Partners.list_organizations)
        assert Store.list_organizations.__doc__ == Partners.list_organizations.__doc__
        store.import_requests(sample_records()[:3])
        assert store.list_organizations()  # the three senders' organizations were linked
    finally:
        store.close()


def test_an_empty_preview_is_drawn_without_loading_the_wrapping_module():
    from steward.tui.inbox.request_view import RequestBody

    sys.modules.pop("steward.tui.cjk_wrap", None)
    body = RequestBody()
    assert body.lines(40) == [""]
    assert "steward.tui.cjk_wrap" not in sys.modules
    body.update("g0v 零時政府，" * 6)
    lines = body.lines(20)
    assert len(lines) > 1 and not any(line.startswith("，") for line in lines)
    assert "steward.tui.cjk_wrap" in sys.modules


@pytest.mark.parametrize(
    ("configured", "theme", "background"),
    [("steward", "steward", "#1c1c1c"), ("steward-light", "steward-light", "#eeeeee"), ("mono", "ansi-dark", None)],
)
async def test_the_app_starts_in_the_configured_theme(db_path, configured, theme, background):
    make_inbox(db_path)
    app = make_app(db_path, theme=configured)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        assert app.theme == theme
        assert f"-theme-{theme}" in app.classes
        assert ("-light-mode" in app.classes) == (configured == "steward-light")
        if background is not None:
            assert app.screen.styles.background == Color.parse(background)


async def test_after_first_paint_runs_once_with_the_first_rows_on_screen(db_path):
    from steward.config.settings import load_settings
    from steward.tui.app import StewardApp
    from steward.tui.launch import prepare

    make_inbox(db_path)
    settings = load_settings(database=db_path)
    first_page = prepare(settings, db_path)
    newest_subject = first_page.rows[0].subject[:20]
    seen: list[str] = []

    def after_first_paint() -> None:
        seen.append(screen_text(app))

    app = StewardApp(
        settings=settings, database=db_path, first_page=first_page, after_first_paint=after_first_paint
    )
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "j")
        await settle(app, pilot)
    assert len(seen) == 1 and newest_subject in seen[0]


def test_a_plain_launch_holds_the_collector_off_until_the_first_screen_is_drawn(db_path, monkeypatch):
    import gc

    import steward.tui.launch
    from steward.__main__ import main

    make_inbox(db_path)
    states: dict[str, bool] = {}

    def run_app(settings, database, first_page, *, after_first_paint=None):
        states["while loading"] = gc.isenabled()
        assert first_page is not None and first_page.rows
        after_first_paint()
        states["after the first paint"] = gc.isenabled()
        return 0

    monkeypatch.setattr(steward.tui.launch, "run_app", run_app)
    try:
        main(["--db", str(db_path)])
    finally:
        gc.enable()
        gc.unfreeze()
    assert states == {"while loading": False, "after the first paint": True}
