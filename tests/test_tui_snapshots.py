"""What the screen shows, pinned: inbox, request view, help, empty, long CJK subjects.

Regenerate after an intended change with `pytest --snapshot-update tests/test_tui_snapshots.py`
and review the SVGs in tests/__snapshots__/.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from steward.models import IncomingRequest
from tests.tui_helpers import FROZEN_NOW, make_app, make_inbox, settle

SIZES = [(80, 24), (120, 35)]
LANGUAGES = ["en", "zh-TW"]


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """History times and follow-up markers depend on 'now': pin it."""
    import steward.store.clock as clock
    from steward.store import Store

    monkeypatch.setattr(clock, "utc_now", lambda: FROZEN_NOW)
    monkeypatch.setattr(Store, "today", lambda self: FROZEN_NOW.date())


def _app(db_path, language, records=None):
    make_inbox(db_path, records)
    return make_app(db_path, language=language)


async def _settled(pilot):
    await settle(pilot.app, pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_inbox(snap_compare, db_path, size, language):
    assert snap_compare(_app(db_path, language), terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_request_view(snap_compare, db_path, size, language):
    async def open_request(pilot):
        await settle(pilot.app, pilot)
        await pilot.press("j", "enter")
        await settle(pilot.app, pilot)

    assert snap_compare(_app(db_path, language), terminal_size=size, run_before=open_request)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_help(snap_compare, db_path, size, language):
    async def open_help(pilot):
        await settle(pilot.app, pilot)
        await pilot.press("question_mark")
        await settle(pilot.app, pilot)

    assert snap_compare(_app(db_path, language), terminal_size=size, run_before=open_help)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_empty_inbox(snap_compare, db_path, size, language):
    assert snap_compare(_app(db_path, language, records=[]), terminal_size=size, run_before=_settled)


LONG_SUBJECTS = [
    "敬邀貴社群推薦講者參與本府「開放政府與公民參與推動計畫」第三場專題講座暨跨機關數位治理經驗交流座談會",
    "關於「零時小學校數位原生教案」改編授權、校內公開觀課展示及後續跨校推廣使用方式之詢問",
    "申請成為 OSCVPass 社群合作夥伴：我們是每月舉辦開源文件翻譯共筆的志工讀書會，想了解合作方式",
    "萌典台語詞條與音檔能否用於社區大學長輩台語課的 LINE 查詞機器人（非營利）",
]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_long_cjk_subjects_are_cut_by_cell_width(snap_compare, db_path, size, language):
    records = [
        IncomingRequest(
            received_at=datetime(2026, 11, 20 + i, 1, 0, tzinfo=timezone.utc), subject=subject,
            body=subject * 3, organization="臺北市政府資訊局數位治理推動辦公室", from_name="林雅婷",
            external_id=f"cjk{i}", channel="email",
        )
        for i, subject in enumerate(LONG_SUBJECTS)
    ]
    assert snap_compare(_app(db_path, language, records), terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_mono_theme_for_no_color(snap_compare, db_path, size):
    make_inbox(db_path)
    app = make_app(db_path, language="en", theme="mono")
    assert snap_compare(app, terminal_size=size, run_before=_settled)
