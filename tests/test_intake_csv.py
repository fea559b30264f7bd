"""Form exports as CSV: encodings, delimiters, headers, spreadsheet timestamps."""

from __future__ import annotations

import codecs
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward.intake import read_path
from steward.intake.csv_form import map_headers
from steward.intake.dates import parse_timestamp
from steward.models import ConfigError, IncomingRequest, RecordError

TAIPEI = ZoneInfo("Asia/Taipei")

ZH_EXPORT = (
    "時間戳記,電子郵件地址,姓名,單位,主旨,想說的話,聯絡電話\n"
    "2026/11/20 下午 3:04:05,lin@example.tw,林雅婷,碁峰資訊,講者邀請,\"您好，\n想邀請講者。\",02-1234-5678\n"
    "2026/11/20 上午 12:30:00,wang@example.tw,王小明,,,只有內容,\n"
)


def records_of(path, **kwargs):
    return list(read_path(path, tz=TAIPEI, **kwargs))


def test_big5_google_forms_export_with_chinese_headers(tmp_path):
    path = tmp_path / "表單回應.csv"
    path.write_bytes(ZH_EXPORT.encode("cp950"))
    first, second = records_of(path)
    assert first.received_at == datetime(2026, 11, 20, 7, 4, 5, tzinfo=timezone.utc)
    assert (first.from_name, first.from_email, first.organization) == ("林雅婷", "lin@example.tw", "碁峰資訊")
    assert first.subject == "講者邀請"
    # The unmapped phone column is kept in the body, not dropped.
    assert first.body == "您好，\n想邀請講者。\n\n聯絡電話: 02-1234-5678"
    assert first.channel == "form" and first.external_id is None
    assert first.source == f"{path}:1"
    # 上午 12:30 is half past midnight.
    assert second.received_at == datetime(2026, 11, 19, 16, 30, tzinfo=timezone.utc)
    assert second.source == f"{path}:2"


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.encode("utf-16"),  # with a BOM, as Excel writes it
        lambda text: text.encode("utf-16-le"),
        lambda text: text.encode("utf-8"),
    ],
    ids=["utf-8-bom", "utf-16-bom", "utf-16-le-no-bom", "utf-8"],
)
def test_unicode_encodings(tmp_path, encode):
    path = tmp_path / "export.csv"
    path.write_bytes(encode(ZH_EXPORT))
    first, _ = records_of(path)
    assert first.from_name == "林雅婷"
    assert first.received_at == datetime(2026, 11, 20, 7, 4, 5, tzinfo=timezone.utc)


def test_semicolon_and_tab_delimiters_are_sniffed(tmp_path):
    semicolons = tmp_path / "semi.csv"
    semicolons.write_text("Timestamp;Name;Message\n11/20/2026 15:04:05;Ann;Hello, world\n", encoding="utf-8")
    (record,) = records_of(semicolons)
    assert (record.from_name, record.body) == ("Ann", "Hello, world")

    tabs = tmp_path / "tabs.tsv"
    tabs.write_text("Timestamp\tName\tMessage\n11/20/2026 3:04:05 PM\tAnn\tHi\n", encoding="utf-8")
    (record,) = records_of(tabs)
    assert record.received_at == datetime(2026, 11, 20, 7, 4, 5, tzinfo=timezone.utc)


def test_english_headers_and_long_question_headers():
    names = ["Timestamp", "Email Address", "Event name", "Your organization name?", "What is your name?",
             "Title", "Please describe your request *", "Phone"]
    assert map_headers(names) == {
        0: "received_at", 1: "from_email", 3: "organization", 4: "from_name", 5: "subject", 6: "body",
    }


def test_chinese_question_headers():
    names = ["時間戳記", "活動名稱", "您的姓名", "服務單位", "您的電子郵件", "想合作的內容說明"]
    assert map_headers(names) == {
        0: "received_at", 2: "from_name", 3: "organization", 4: "from_email", 5: "body",
    }


def test_config_overrides_map_and_ignore_columns(tmp_path):
    path = tmp_path / "form.csv"
    path.write_text("時間戳記,想合作的內容,內部備註\n2026/11/20 下午 3:04:05,辦工作坊,不要匯入\n", encoding="utf-8")
    (record,) = records_of(path, csv_headers={"想合作的內容": "body", "內部備註": "ignore"})
    assert record.body == "辦工作坊"


def test_override_to_an_unknown_field_is_a_config_error(tmp_path):
    path = tmp_path / "form.csv"
    path.write_text("Timestamp\n2026-11-20 10:00\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="csv_headers"):
        records_of(path, csv_headers={"Timestamp": "when"})


def test_bad_timestamp_names_the_data_row_and_others_still_import(tmp_path):
    path = tmp_path / "form.csv"
    path.write_text(
        "Timestamp,Name\n2026/11/20 下午 3:04:05,A\n,\nyesterday,B\n2026/11/20 下午 3:05:05,C\n", encoding="utf-8"
    )
    records = records_of(path)
    assert [r.from_name for r in records if isinstance(r, IncomingRequest)] == ["A", "C"]
    (error,) = [r for r in records if isinstance(r, RecordError)]
    assert error.location == f"{path}:2"  # blank rows are not counted
    assert "yesterday" in error.reason


def test_export_without_timestamp_column_uses_the_file_time(tmp_path):
    path = tmp_path / "form.csv"
    path.write_text("Name,Message\nAnn,Hi\n", encoding="utf-8")
    (record,) = records_of(path)
    assert any("timestamp" in w for w in record.warnings)


@pytest.mark.parametrize(
    ("text", "expected_utc"),
    [
        ("2026/11/20 下午 3:04:05", datetime(2026, 11, 20, 7, 4, 5)),
        ("2026/11/20 上午 12:30:00", datetime(2026, 11, 19, 16, 30)),
        ("2026/11/20 下午 12:30:00", datetime(2026, 11, 20, 4, 30)),
        ("11/20/2026 15:04:05", datetime(2026, 11, 20, 7, 4, 5)),
        ("2026-11-20T15:04:05", datetime(2026, 11, 20, 7, 4, 5)),
        ("2026-11-20T15:04:05Z", datetime(2026, 11, 20, 15, 4, 5)),
        ("2026年11月20日 下午3:04", datetime(2026, 11, 20, 7, 4)),
    ],
)
def test_spreadsheet_timestamps(text, expected_utc):
    assert parse_timestamp(text, TAIPEI) == expected_utc.replace(tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["", "soon", "2026/13/01 10:00", "2026/11/20 下午 15:00"])
def test_unreadable_timestamps(text):
    assert parse_timestamp(text, TAIPEI) is None


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    )
)
def test_chinese_am_pm_round_trip(moment):
    hour12 = moment.hour % 12 or 12
    marker = "上午" if moment.hour < 12 else "下午"
    text = f"{moment:%Y/%m/%d} {marker} {hour12}:{moment:%M:%S}"
    expected = moment.replace(tzinfo=TAIPEI).astimezone(timezone.utc)
    assert parse_timestamp(text, TAIPEI) == expected
    assert parse_timestamp(text, TAIPEI) - parse_timestamp(text, timezone.utc) == timedelta(hours=-8)
