"""No value in one record stops an import: the good records all land, each bad one is named FILE:LINE."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steward.cli import main
from steward.config.settings import FeedSettings, load_settings
from steward.intake.pipeline import fetch_feeds, import_paths
from steward.intake import read_path
from steward.intake.email_message import parse_message
from steward.models import IncomingRequest, RecordError
from steward.store import Store
from tests import hostile

TAIPEI = ZoneInfo("Asia/Taipei")
WHEN = datetime(2026, 11, 20, 7, 0, tzinfo=timezone.utc)


def good(n: int, **fields) -> dict:
    return {
        "external_id": f"good-{n}", "received_at": "2026-11-20T10:00:00+08:00", "channel": "email",
        "from_email": f"p{n}@example.org", "subject": f"request {n}", "body": f"body {n}", **fields,
    }


def run(db, *args, config=None):
    prefix = ["--db", str(db)] + (["--config", str(config)] if config else [])
    return CliRunner().invoke(main, [*prefix, *args])


def stored_ids(db) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT external_id FROM requests")}


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


# --- the values of the report ------------------------------------------------------------


@pytest.mark.parametrize("bad", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_a_bad_time_at_line_700_of_1000_loses_none_of_the_other_999(db_path, tmp_path, bad):
    path = tmp_path / "requests.jsonl"
    lines = [json.dumps(good(n, received_at=bad if n == 700 else "2026-11-20T10:00:00+08:00")) for n in range(1, 1001)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(db_path, "import", str(path))
    no_traceback(result)
    assert result.exit_code == 1
    assert f"{path}:700: received_at '{bad}' is out of range" in result.stderr
    assert "imported 999, duplicates 0, threaded replies 0, failed 1" in result.stdout
    assert stored_ids(db_path) == {f"good-{n}" for n in range(1, 1001) if n != 700}


def test_an_external_id_of_5000_digits_is_named_and_the_rest_imported(db_path, tmp_path):
    path = tmp_path / "requests.jsonl"
    huge = '{"external_id": ' + "9" * 5000 + ', "received_at": "2026-11-20T10:00:00+08:00", "subject": "x"}'
    path.write_text("\n".join([json.dumps(good(1)), huge, json.dumps(good(3))]) + "\n", encoding="utf-8")
    result = run(db_path, "import", str(path))
    no_traceback(result)
    assert result.exit_code == 1
    assert f"{path}:2: external_id is a number of 5,000 digits" in result.stderr
    assert stored_ids(db_path) == {"good-1", "good-3"}


def test_a_json_array_with_a_huge_number_keeps_its_other_items(db_path, tmp_path):
    path = tmp_path / "requests.json"
    path.write_text(
        "[" + ",".join([json.dumps(good(1)), '{"received_at": "2026-11-20T10:00:00Z", "external_id": ' + "1" * 4301 + "}", json.dumps(good(3))]) + "]",
        encoding="utf-8",
    )
    result = run(db_path, "import", str(path))
    no_traceback(result)
    assert result.exit_code == 1
    assert f"{path}:item 2: external_id is a number of 4,301 digits" in result.stderr
    assert stored_ids(db_path) == {"good-1", "good-3"}


def test_a_form_date_of_year_one_is_named_and_the_other_rows_imported(db_path, tmp_path):
    path = tmp_path / "form.csv"
    rows = ["Timestamp,Email,Message"] + [
        f"{'0001/01/01 00:00:00' if n == 2 else '2026/11/20 10:00:00'},p{n}@x.org,message {n}" for n in (1, 2, 3)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run(db_path, "import", str(path))
    no_traceback(result)
    assert result.exit_code == 1
    assert f"{path}:2: the timestamp '0001/01/01 00:00:00' in column 'Timestamp' is out of range" in result.stderr
    assert "imported 2, duplicates 0, threaded replies 0, failed 1" in result.stdout


def test_a_mail_date_out_of_range_is_read_as_no_date():
    data = b"From: a@b.org\nSubject: old\nDate: Fri, 31 Dec 9999 23:59:59 -1200\n\nbody\n"
    record = parse_message(data, location="m.eml", received_fallback=WHEN)
    assert isinstance(record, IncomingRequest)
    assert record.received_at == WHEN
    assert any("unreadable Date header" in w for w in record.warnings)


def test_a_feed_page_with_a_bad_item_imports_the_others_and_stores_the_cursor(db_path):
    feed = FeedSettings(name="forms", url="https://forms.example.org/api", cursor_param="since",
                        items_path="items", cursor_path="next")
    items = [good(1), good(2, received_at="0001-01-01T00:00:00+14:00"), good(3)]
    body = '{"items": [' + ",".join(map(json.dumps, items)) + ', {"external_id": ' + "5" * 4500 + '}], "next": "c1"}'
    pages = {None: body, "c1": '{"items": [], "next": "c1"}'}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=pages[request.url.params.get("since")].encode())

    store = Store.open(db_path, actor="tester")
    try:
        (outcome,) = _fetch(store, db_path, feed, handler)
        assert outcome.error is None
        assert (outcome.report.imported, outcome.report.failed) == (2, 2)
        assert [e.location for e in outcome.report.errors] == ["feed forms:item 2", "feed forms:item 4"]
        assert store.feed_cursor("forms") == "c1"
    finally:
        store.close()
    assert stored_ids(db_path) == {"good-1", "good-3"}


def _fetch(store, db_path, feed, handler):
    from dataclasses import replace

    settings = replace(load_settings(database=db_path), feeds=[feed])
    return fetch_feeds(store, settings, client=httpx.Client(transport=httpx.MockTransport(handler)), environ={})


# --- generated hostile records -------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(hostile.hostile_record_lines(), min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_generated_hostile_lines_never_cost_a_good_record(bad_lines, rnd):
    goods = [json.dumps(good(n)) for n in range(1, 6)]
    lines = [(line, True) for line in goods] + [(line, False) for line in bad_lines]
    rnd.shuffle(lines)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hostile.jsonl"
        path.write_text("\n".join(line for line, _ in lines) + "\n", encoding="utf-8")
        store = Store.open(Path(folder) / "inbox.db", actor="tester")
        try:
            report = import_paths(store, [path], load_settings(database=Path(folder) / "inbox.db"),
                                  matcher=lambda r: None)
            ids = {row[0] for row in store.conn.execute("SELECT external_id FROM requests")}
        finally:
            store.close()
    # Every good record is in, whatever was around it.
    assert {f"good-{n}" for n in range(1, 6)} <= ids
    # Every line is accounted for: stored, a duplicate, or named as FILE:LINE.
    assert report.imported + report.duplicates + report.failed == len(lines)
    bad_numbers = {n for n, (_, is_good) in enumerate(lines, start=1) if not is_good}
    for error in report.errors:
        assert error.location.startswith(f"{path}:")
        assert int(error.location.rsplit(":", 1)[1]) in bad_numbers
        assert error.reason


@settings(max_examples=60, deadline=None)
@given(hostile.extreme_timestamps())
def test_extreme_times_are_refused_or_stored_never_raised(value):
    # read_path is lazy: collect it all, as the store would.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.jsonl"
        path.write_text(json.dumps(good(1, received_at=value)) + "\n", encoding="utf-8")
        (record,) = list(read_path(path, tz=TAIPEI))
    if isinstance(record, RecordError):
        assert record.reason.startswith("received_at ") and "out of range" in record.reason
    else:
        assert 1900 <= record.received_at.year < 3000


@settings(max_examples=30, deadline=None)
@given(hostile.spreadsheet_extreme_timestamps())
def test_extreme_form_dates_are_named_by_row(value):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "form.csv"
        path.write_text(f"Timestamp,Message\n2026/11/20 10:00:00,fine\n{value},hostile\n", encoding="utf-8")
        first, second = list(read_path(path, tz=TAIPEI))
    assert isinstance(first, IncomingRequest)
    assert isinstance(second, RecordError) and second.location.endswith(":2")
    assert "out of range" in second.reason


@settings(max_examples=30, deadline=None)
@given(hostile.epoch_numbers())
def test_unix_seconds_out_of_range_are_named(value):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.jsonl"
        path.write_text(hostile.to_json_line(good(1, received_at=value)) + "\n", encoding="utf-8")
        (record,) = list(read_path(path, tz=TAIPEI))
    assert isinstance(record, RecordError) and "out of range" in record.reason


@settings(max_examples=30, deadline=None)
@given(hostile.control_texts())
def test_control_text_in_any_field_is_stored_clean(text):
    line = hostile.to_json_line(good(1, subject=text, from_name=text, organization=text, external_id=text or "x"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.jsonl"
        path.write_text(line + "\n", encoding="utf-8")
        (record,) = list(read_path(path, tz=TAIPEI))
    assert isinstance(record, IncomingRequest)
    for value in (record.subject, record.from_name, record.organization, record.external_id or ""):
        value.encode("utf-8")  # no lone surrogate left to break the database
        assert not any(ch < " " or "\x7f" <= ch <= "\x9f" or ch == "\x1b" for ch in value)


@pytest.mark.parametrize("kind", ["array", "object"])
def test_a_line_nested_100000_deep_is_named_and_the_next_line_read(tmp_path, kind):
    path = tmp_path / "deep.jsonl"
    path.write_text(hostile.deeply_nested_json(100_000, kind=kind) + "\n" + json.dumps(good(2)) + "\n")
    first, second = list(read_path(path, tz=TAIPEI))
    assert isinstance(first, RecordError) and first.location == f"{path}:1"
    assert isinstance(second, IncomingRequest)


# --- fields of any size (their time is measured in scripts/bench_import.py --huge-fields) ---


def test_language_of_megabyte_fields_is_read_from_their_start():
    from steward.matching.matcher import detect_language

    assert detect_language("x" * 2_000_000) == "en"  # one 2 MB "word" without "@": was > 120 s
    assert detect_language("QUJD" * 25_000) == "en"  # a 100 KB base64 line: was 21.9 s
    assert detect_language("想和社群合作開放資料專案" * 200_000) == "zh"
    # Addresses and links are not words, however many.
    assert detect_language("請問 " + "wang@example.org https://g0v.tw www.example.org " * 50_000) == "zh"


def test_html_of_unclosed_tags_is_read_as_text():
    from steward.intake.email_message import html_to_text

    # html.parser alone: 74 s for this, 364 s for twice as much.
    assert html_to_text("<p" * 100_000).startswith("<p<p<p")
    assert html_to_text("<p>a &lt; b, 3<4</p><!-- hidden <p> --><p>next</p>") == "a < b, 3<4\n\nnext"
    assert html_to_text("<p>before</p><!-- never closed <p>x") == "before"


def test_a_megabyte_from_header_still_gives_its_address():
    data = b"From: Wang <wang@example.org>" + b"x" * 1_000_000 + b"\nSubject: s\n\nbody\n"
    record = parse_message(data, location="m.eml", received_fallback=WHEN)
    assert isinstance(record, IncomingRequest)
    assert any("From header of 1,000,023 characters" in w for w in record.warnings)
    assert (record.from_name, record.from_email) == ("Wang", "wang@example.org")


def test_a_form_export_full_of_quote_comma_pairs_is_read():
    # csv.Sniffer's regexes took 76 s on 64 KB of this; the delimiter is now found by csv.reader.
    from steward.intake.csv_form import sniff_delimiter

    assert sniff_delimiter('",' * 40_000) == ","
    assert sniff_delimiter("Timestamp;Message\n2026/11/20 10:00:00;" + '",' * 40_000) == ";"


def test_a_phone_number_followed_by_a_sea_of_spaces_is_found():
    from steward.util.privacy import _PHONE

    # Three unbounded \s* in the extension part took 8.8 s for 20,000 spaces.
    assert _PHONE.search("0912345678x" + " " * 200_000).group(0) == "0912345678"
    assert _PHONE.search("電話 0912-345-678 分機 123").group(0) == "0912-345-678 分機 123"


@pytest.mark.parametrize(
    "content, reason",
    [
        (hostile.deeply_nested_json(100_000, kind="object").encode(), "nested too deeply"),
        (b'{"items": [{"id": 1}], "next": ' + b"1" * 5000 + b"}", "cursor"),
        (b"\xff\xfe\x00garbage", "not JSON"),
    ],
)
def test_a_hostile_feed_response_is_one_error_naming_the_feed(content, reason):
    from steward.intake.feeds import FeedError, fetch_pages

    feed = FeedSettings(name="forms", url="https://forms.example.org/api", items_path="items", cursor_path="next")
    client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, content=content)))
    with pytest.raises(FeedError) as caught:
        list(fetch_pages(feed, None, tz=TAIPEI, client=client, environ={}))
    assert "forms" in str(caught.value) and reason in str(caught.value)
