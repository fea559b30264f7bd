"""`steward import` and `steward fetch` as a steward runs them."""

from __future__ import annotations

import json
import mailbox
import sqlite3

import httpx
import pytest
import respx
from click.testing import CliRunner

from steward.cli import main
from steward.config.settings import load_settings
from steward.intake.pipeline import import_paths
from steward.store import Store
from tests.test_intake_email import mail


def run(db, *args, config=None):
    prefix = ["--db", str(db)] + (["--config", str(config)] if config else [])
    return CliRunner().invoke(main, [*prefix, *args])


def count(db, table="requests") -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def test_importing_the_samples_twice_adds_them_once(db_path, samples_path):
    first = run(db_path, "import", str(samples_path))
    assert first.exit_code == 0, first.output
    assert "imported 60, duplicates 0, threaded replies 0, failed 0" in first.stdout
    assert first.stderr == ""  # no progress counter when stderr is not a terminal

    again = run(db_path, "import", "--json", str(samples_path))
    assert again.exit_code == 0
    assert json.loads(again.stdout) == {
        "imported": 0, "duplicates": 60, "threaded": 0, "failed": 0, "errors": [], "warnings": [],
    }
    assert "imported 0, duplicates 60" in again.stderr
    assert count(db_path) == 60


def test_broken_jsonl_line_is_named_and_the_good_lines_imported(db_path, samples_path, tmp_path):
    lines = samples_path.read_text(encoding="utf-8").splitlines()[:3]
    path = tmp_path / "requests.jsonl"
    path.write_text("\n".join([lines[0], '{"external_id": "x", "received_at": ', lines[1], lines[2]]) + "\n")
    result = run(db_path, "import", str(path))
    no_traceback(result)
    assert result.exit_code == 1
    assert f"{path}:2: invalid JSON" in result.stderr
    assert count(db_path) == 3


def test_reply_to_known_request_joins_its_conversation(db_path, tmp_path):
    path = tmp_path / "thread.mbox"
    box = mailbox.mbox(path)
    box.add(mail(subject="Workshop venue?", msgid="<q1@partner.org>"))
    box.add(mail(subject="Dataset licence", msgid="<q2@other.org>", sender="Bo <bo@other.org>",
                 date="Fri, 20 Nov 2026 18:00:00 +0800"))
    box.add(mail(subject="Re: Workshop venue?", msgid="<r1@g0v.example>", sender="Steward <s@g0v.example>",
                 date="Sat, 21 Nov 2026 09:00:00 +0800",
                 extra={"In-Reply-To": "<q1@partner.org>", "References": "<q1@partner.org>"}))
    box.close()

    result = run(db_path, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "imported 2, duplicates 0, threaded replies 1, failed 0" in result.stdout
    store = Store.open(db_path, actor="tester")
    try:
        workshop = next(r for r in store.list_requests() if r.subject == "Workshop venue?")
        conversation = store.messages(workshop.id)
        assert [m.subject for m in conversation] == ["Workshop venue?", "Re: Workshop venue?"]
        # The reply brings the request back to the top of the inbox.
        assert store.list_requests()[0].id == workshop.id
    finally:
        store.close()

    again = run(db_path, "import", str(path))
    assert again.exit_code == 0
    assert "imported 0, duplicates 3, threaded replies 0, failed 0" in again.stdout
    assert (count(db_path), count(db_path, "messages")) == (2, 1)


def test_big5_form_export_lands_with_utc_times(db_path, tmp_path):
    path = tmp_path / "回應.csv"
    path.write_bytes(
        "時間戳記,姓名,電子郵件地址,想說的話\n2026/11/20 下午 3:04:05,林雅婷,lin@example.tw,想邀請講者\n".encode("cp950")
    )
    result = run(db_path, "import", str(path))
    assert result.exit_code == 0, result.output
    (row,) = json.loads(run(db_path, "list", "--json").stdout)
    assert row["received_at"] == "2026-11-20T07:04:05Z"
    assert (row["from_name"], row["channel"]) == ("林雅婷", "form")


def test_csv_header_overrides_come_from_the_config(db_path, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[csv_headers]\n"想合作的內容" = "subject"\n', encoding="utf-8")
    path = tmp_path / "form.csv"
    path.write_text("Timestamp,想合作的內容\n2026-11-20 10:00,開放資料工作坊\n", encoding="utf-8")
    assert run(db_path, "import", str(path), config=config).exit_code == 0
    (row,) = json.loads(run(db_path, "list", "--json").stdout)
    assert row["subject"] == "開放資料工作坊"


def test_maildir_and_single_eml_import(db_path, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(mail(subject="from maildir", msgid="<md@x>"))
    eml = tmp_path / "one.eml"
    eml.write_bytes(mail(subject="from eml", msgid="<eml@x>"))
    result = run(db_path, "import", str(tmp_path / "Maildir"), str(eml))
    assert result.exit_code == 0, result.output
    subjects = {row["subject"] for row in json.loads(run(db_path, "list", "--json").stdout)}
    assert subjects == {"from maildir", "from eml"}


def test_file_of_broken_records_imports_the_good_ones_and_names_each_bad_one(db_path, tmp_path):
    path = tmp_path / "broken.mbox"
    messages = [
        b"From: a@b\nSubject: good one\nMessage-ID: <g1@x>\n\nfine\n",
        b"From: a@b\nSubject: bad base64\nMessage-ID: <g2@x>\nContent-Transfer-Encoding: base64\n\n%%%%\n",
        b'From: a@b\nSubject: truncated\nMessage-ID: <g3@x>\nContent-Type: multipart/mixed; boundary="Q"\n\n'
        b"--Q\n\nhalf",
        b"From: a@b\nSubject: nul\x00 and \x1b[2Jescape\nMessage-ID: <g4@x>\n\nbody\x00\x1b]0;title\x07 text\n",
        b"\x00\x00 garbage that is no message at all\n",
        b"From: \xff\xfe@bad\nSubject: raw bytes\nMessage-ID: <\xff@x>\nIn-Reply-To: <\xfe@y>\n\nbody \xff\n",
    ]
    path.write_bytes(b"".join(b"From MAILER-DAEMON Fri Nov 20 15:04:05 2026\n" + m + b"\n" for m in messages))
    jsonl = tmp_path / "broken.jsonl"
    jsonl.write_text('{"received_at": "2026-11-20T10:00:00+08:00", "subject": "ok"}\n[\n"text"\n', encoding="utf-8")

    result = run(db_path, "import", str(path), str(jsonl), str(tmp_path / "missing.mbox"))
    no_traceback(result)
    assert result.exit_code == 1
    assert "imported 6, duplicates 0, threaded replies 0, failed 4" in result.stdout
    for location in (f"{path}:5", f"{jsonl}:2", f"{jsonl}:3", f"{tmp_path / 'missing.mbox'}"):
        assert f"\n{location}: " in f"\n{result.stderr}"
    assert f"warning: {path}:3: malformed message" in result.stderr
    rows = json.loads(run(db_path, "list", "--json").stdout)
    assert "nul and escape" in {row["subject"] for row in rows}
    assert all("\x1b" not in row["subject"] and "\x00" not in row["subject"] for row in rows)


def test_unknown_format_option_is_a_usage_error(db_path, samples_path):
    result = run(db_path, "import", "--format", "xlsx", str(samples_path))
    assert result.exit_code == 2
    assert "xlsx" in result.stderr


def test_import_killed_half_way_then_rerun_has_every_record_once(db_path, tmp_path, monkeypatch):
    path = tmp_path / "big.jsonl"
    path.write_text(
        "".join(
            json.dumps({"external_id": f"r{n}", "received_at": "2026-11-20T10:00:00+08:00", "body": f"request {n}"})
            + "\n"
            for n in range(1200)
        ),
        encoding="utf-8",
    )
    settings = load_settings(None, database=db_path)
    import steward.intake.pipeline as importer

    real_read = importer.read_path

    def dies_after_700(*args, **kwargs):
        for n, record in enumerate(real_read(*args, **kwargs)):
            if n == 700:
                raise KeyboardInterrupt  # as good as kill -9 for what was not committed
            yield record

    store = Store.open(db_path, actor="tester")
    try:
        monkeypatch.setattr(importer, "read_path", dies_after_700)
        with pytest.raises(KeyboardInterrupt):
            import_paths(store, [path], settings, matcher=lambda record: None)
        monkeypatch.setattr(importer, "read_path", real_read)
        assert 0 < count(db_path) < 1200
        report = import_paths(store, [path], settings, matcher=lambda record: None)
    finally:
        store.close()
    assert report.failed == 0
    assert report.imported + report.duplicates == 1200
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT external_id) FROM requests").fetchone() == (1200, 1200)


FEED_CONFIG = """
[[feeds]]
name = "forms"
url = "https://forms.example.org/api/requests"
token_env = "FORMS_TOKEN"
cursor_param = "since"
items_path = "items"
cursor_path = "next_cursor"
[feeds.mapping]
external_id = "id"
received_at = "created"
body = "message"
"""


def feed_item(n: int) -> dict:
    return {"id": f"form-{n}", "created": "2026-11-20T10:00:00+08:00", "message": f"request {n}"}


@respx.mock(assert_all_called=False)
def test_fetch_twice_asks_with_the_stored_cursor_and_adds_only_new_items(respx_mock, db_path, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(FEED_CONFIG, encoding="utf-8")
    monkeypatch.setenv("FORMS_TOKEN", "t0ken")
    feed = {None: ([feed_item(1), feed_item(2)], "c2"), "c2": ([], "c2")}
    asked = []

    def answer(request: httpx.Request) -> httpx.Response:
        since = request.url.params.get("since")
        asked.append(since)
        assert request.headers["Authorization"] == "Bearer t0ken"
        items, cursor = feed[since]
        return httpx.Response(200, json={"items": items, "next_cursor": cursor})

    respx_mock.get("https://forms.example.org/api/requests").mock(side_effect=answer)
    first = run(db_path, "fetch", config=config)
    assert first.exit_code == 0, first.output
    assert "forms: imported 2" in first.stdout

    feed.update({"c2": ([feed_item(3)], "c3"), "c3": ([], "c3")})
    asked.clear()
    second = run(db_path, "fetch", "forms", config=config)
    assert second.exit_code == 0, second.output
    assert asked[0] == "c2"
    assert "forms: imported 1, duplicates 0" in second.stdout
    assert count(db_path) == 3


@respx.mock(assert_all_called=False)
def test_fetch_of_a_malformed_feed_names_it_and_keeps_the_cursor(respx_mock, db_path, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(FEED_CONFIG, encoding="utf-8")
    respx_mock.get("https://forms.example.org/api/requests").mock(return_value=httpx.Response(200, text="<html>"))
    result = run(db_path, "fetch", config=config)
    no_traceback(result)
    assert result.exit_code == 1
    assert "feed 'forms': the response is not JSON" in result.stderr
    store = Store.open(db_path, actor="tester")
    try:
        assert store.feed_cursor("forms") is None
    finally:
        store.close()


def test_fetch_of_an_unknown_feed_is_a_usage_error(db_path, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(FEED_CONFIG, encoding="utf-8")
    result = run(db_path, "fetch", "nope", config=config)
    assert result.exit_code == 2
    assert "no feed named 'nope'" in result.stderr


def test_big_mbox_parsed_in_worker_processes_imports_the_same_as_in_one(tmp_path, monkeypatch):
    import steward.intake.pipeline as importer

    path = tmp_path / "big.mbox"
    box = mailbox.mbox(path)
    for n in range(30):
        replying = {"In-Reply-To": f"<m{n - 1}@x>"} if n % 10 == 9 else {}
        box.add(mail(subject=f"開放資料 workshop {n}", msgid=f"<m{n}@x>", extra=replying,
                     body=f"想邀請 g0v 社群協助第 {n} 場開放資料工作坊。"))
    box.close()
    with path.open("ab") as handle:
        handle.write(b"From nobody Fri Nov 20 15:04:05 2026\n\x00 not a message\n\n")

    def inbox_after_import(name: str) -> list[tuple]:
        db = tmp_path / f"{name}.db"
        store = Store.open(db, actor="tester")
        try:
            report = import_paths(store, [path], load_settings(None, database=db))
            rows = [(r.subject, r.body, r.received_at, r.category, r.match, len(store.messages(r.id)))
                    for r in store.list_requests(limit=100)]
        finally:
            store.close()
        return [report.imported, report.threaded, report.failed, [str(e) for e in report.errors], sorted(rows)]

    serial = inbox_after_import("serial")
    monkeypatch.setattr(importer, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(importer, "_cpus", lambda: 2)
    spawned = []
    real_pool = importer._parse_in_workers
    monkeypatch.setattr(importer, "_parse_in_workers", lambda *a: spawned.append(1) or real_pool(*a))
    parallel = inbox_after_import("parallel")
    assert spawned, "the parallel path was not taken"
    assert parallel == serial
    assert serial[:3] == [27, 3, 1]


def test_bad_csv_header_setting_stops_before_anything_is_imported(db_path, samples_path, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[csv_headers]\n"Timestamp" = "when"\n', encoding="utf-8")
    result = run(db_path, "import", str(samples_path), config=config)
    assert result.exit_code == 2
    assert "csv_headers" in result.stderr and "'when'" in result.stderr
    assert not db_path.exists() or count(db_path) == 0


@pytest.mark.parametrize(
    "name, content",
    [
        ("form.csv", "Name,Email,Message\nWang,wang@example.org,Could we talk?\nLin,lin@example.org,Hello\n"),
        ("note.eml", "From: Wang <wang@example.org>\nSubject: No date, no id\n\nCould we talk?\n"),
    ],
)
def test_a_file_without_dates_or_ids_is_not_imported_again_after_touch(db_path, tmp_path, name, content):
    import os

    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    first = run(db_path, "import", str(path))
    assert first.exit_code == 0, first.output
    before = count(db_path)
    assert before >= 1
    os.utime(path, (1_900_000_000, 1_900_000_000))  # `touch`, years later
    again = run(db_path, "import", str(path))
    assert again.exit_code == 0, again.output
    assert f"imported 0, duplicates {before}" in again.stdout
    assert count(db_path) == before


def test_a_reader_that_breaks_half_way_costs_only_the_rest_of_its_file(db_path, tmp_path, monkeypatch):
    import steward.intake.pipeline

    real_read_path = steward.intake.pipeline.read_path

    def breaks_on_first_file(path, **kwargs):
        records = real_read_path(path, **kwargs)
        if "first" not in str(path):
            return records

        def half_way():
            yield next(iter(records))
            raise ValueError("a reader bug")

        return half_way()

    monkeypatch.setattr(steward.intake.pipeline, "read_path", breaks_on_first_file)
    lines = [json.dumps({"external_id": f"r{n}", "received_at": "2026-11-20T10:00:00+08:00", "subject": f"s{n}"})
             for n in range(4)]
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    second.write_text("\n".join(lines[2:]) + "\n", encoding="utf-8")
    result = run(db_path, "import", str(first), str(second))
    no_traceback(result)
    assert result.exit_code == 1
    assert f"{first}: reading stopped: ValueError: a reader bug" in result.stderr
    assert "imported 3, duplicates 0, threaded replies 0, failed 1" in result.stdout
