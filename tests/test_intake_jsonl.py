"""The interchange format: JSONL and JSON files."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from steward.intake import read_path
from steward.models import IncomingRequest, RecordError, UsageError

TAIPEI = ZoneInfo("Asia/Taipei")


def good(**fields) -> dict:
    return {"external_id": "x1", "received_at": "2026-11-20T15:04:05+08:00", "channel": "email",
            "from_name": "林雅婷", "from_email": "lin@example.tw", "organization": "研考會",
            "subject": "講者邀請", "body": "您好", **fields}


def write_lines(path, *lines) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_samples_read_with_labels_ignored(samples_path):
    records = list(read_path(samples_path, tz=TAIPEI))
    assert len(records) == 60
    assert all(isinstance(r, IncomingRequest) for r in records)
    first = records[0]
    assert first.external_id == "s001"
    assert first.received_at == datetime(2026, 10, 26, 1, 14, tzinfo=timezone.utc)
    assert first.source == f"{samples_path}:1"


def test_broken_lines_are_named_by_line_and_good_lines_still_read(tmp_path):
    path = write_lines(
        tmp_path / "in.jsonl",
        json.dumps(good(external_id="a")),
        "{not json",
        "",
        "[1, 2]",
        json.dumps(good(external_id="b", subject=42)),
        json.dumps(good(external_id="c", received_at="next tuesday")),
        json.dumps({k: v for k, v in good(external_id="d").items() if k != "received_at"}),
        json.dumps(good(external_id="e")),
    )
    records = list(read_path(path, tz=TAIPEI))
    assert [r.external_id for r in records if isinstance(r, IncomingRequest)] == ["a", "e"]
    errors = {e.location: e.reason for e in records if isinstance(e, RecordError)}
    assert set(errors) == {f"{path}:2", f"{path}:4", f"{path}:5", f"{path}:6", f"{path}:7"}
    assert "invalid JSON" in errors[f"{path}:2"]
    assert "object" in errors[f"{path}:4"]
    assert "subject must be a string" in errors[f"{path}:5"]
    assert "next tuesday" in errors[f"{path}:6"]
    assert "received_at is missing" in errors[f"{path}:7"]


def test_time_without_offset_is_read_in_the_configured_zone(tmp_path):
    path = write_lines(tmp_path / "in.jsonl", json.dumps(good(received_at="2026-11-20T15:04:05")))
    (record,) = read_path(path, tz=TAIPEI)
    assert record.received_at == datetime(2026, 11, 20, 7, 4, 5, tzinfo=timezone.utc)


def test_unknown_channel_becomes_other_with_a_warning(tmp_path):
    path = write_lines(tmp_path / "in.jsonl", json.dumps(good(channel="Line")))
    (record,) = read_path(path, tz=TAIPEI)
    assert record.channel == "other"
    assert any("Line" in w for w in record.warnings)


def test_control_characters_and_escape_sequences_are_stripped(tmp_path):
    path = write_lines(
        tmp_path / "in.jsonl",
        json.dumps(good(subject="hi\x1b[31m red\x07", body="line one\r\nline\x00 two\u202e\tend")),
    )
    (record,) = read_path(path, tz=TAIPEI)
    assert record.subject == "hi red"
    assert record.body == "line one\nline two\tend"


def test_huge_body_is_kept_truncated_with_a_warning(tmp_path):
    path = write_lines(tmp_path / "in.jsonl", json.dumps(good(body="字" * 600_000)))
    (record,) = read_path(path, tz=TAIPEI)
    assert len(record.body.encode()) < 1024 * 1024 + 200
    assert "truncated" in record.body
    assert any("truncated" in w for w in record.warnings)


def test_json_array_and_single_object(tmp_path):
    array = tmp_path / "many.json"
    array.write_text(json.dumps([good(external_id="a"), "oops", good(external_id="b")]), encoding="utf-8")
    records = list(read_path(array, tz=TAIPEI))
    assert [getattr(r, "external_id", None) for r in records] == ["a", None, "b"]
    assert records[1].location == f"{array}:item 2"

    single = tmp_path / "one.json"
    single.write_text(json.dumps(good(external_id="z")), encoding="utf-8")
    assert [r.external_id for r in read_path(single, tz=TAIPEI)] == ["z"]


def test_broken_json_document_is_one_error_with_its_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[\n{"received_at": "2026-01-01T00:00:00Z"},\n{oops}\n]', encoding="utf-8")
    (error,) = read_path(path, tz=TAIPEI)
    assert isinstance(error, RecordError)
    assert error.location == f"{path}:3"


def test_jsonl_saved_as_json_is_read_line_by_line(tmp_path):
    path = write_lines(tmp_path / "export.json", json.dumps(good(external_id="a")), "{oops", json.dumps(good(external_id="b")))
    records = list(read_path(path, tz=TAIPEI))
    assert [getattr(r, "external_id", None) for r in records] == ["a", None, "b"]
    assert records[1].location == f"{path}:2"


def test_format_is_told_by_content_when_the_name_says_nothing(tmp_path):
    path = write_lines(tmp_path / "export", json.dumps(good()))
    assert [r.external_id for r in read_path(path, tz=TAIPEI)] == ["x1"]


@pytest.mark.parametrize("content", [b"just some words\n", b"\x00\x01\x02"])
def test_undetectable_format_asks_for_format_option(tmp_path, content):
    path = tmp_path / "mystery"
    path.write_bytes(content)
    with pytest.raises(UsageError, match="--format"):
        read_path(path, tz=TAIPEI)


def test_missing_file_is_a_usage_error_naming_it(tmp_path):
    with pytest.raises(UsageError, match="nope.jsonl"):
        read_path(tmp_path / "nope.jsonl", tz=TAIPEI)
