"""`steward export` on the shared samples: the acceptance checks of the weekly summary."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from steward.cli import main
from steward.cli.summary import choose_period
from steward.config.settings import Settings
from steward.models import IncomingRequest
from steward.store import Store
from tests.conftest import sample_records

DATA = Path(__file__).parent / "data"
SAMPLES = DATA / "summary_samples.jsonl"
TAIPEI = ZoneInfo("Asia/Taipei")


@pytest.fixture
def inbox(db_path):
    s = Store.open(db_path, actor="tester")
    s.import_requests(sample_records(SAMPLES))
    s.close()
    return db_path


def run(db, *args):
    result = CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)
    return result


def listed_in_w47(db) -> list[dict]:
    rows = json.loads(run(db, "list", "--json", "--limit", "1000").output)
    return [
        r for r in rows
        if date(2026, 11, 16) <= datetime.fromisoformat(r["received_at"].replace("Z", "+00:00")).astimezone(TAIPEI).date() <= date(2026, 11, 22)
    ]


def figure(markdown: str, label: str) -> int:
    return int(re.search(rf"{label}\*\*(\d+)\*\*", markdown).group(1))


def table_rows(markdown: str, first_header: str) -> list[list[str]]:
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    tables, rows, cells = [], None, None
    for token in tokens:
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            cells = []
        elif token.type == "inline" and cells is not None:
            cells.append(token.content)
        elif token.type == "tr_close":
            rows.append(cells)
            cells = None
        elif token.type == "table_close":
            tables.append(rows)
    return next(t for t in tables if t[0][0] == first_header)[1:]


def test_week_export_agrees_with_the_inbox_listing(inbox):
    run(inbox, "status", "s039", "replied")
    run(inbox, "status", "s041", "closed")
    run(inbox, "status", "s050", "spam")
    expected = listed_in_w47(inbox)
    statuses = [r["status"] for r in expected]
    markdown = run(inbox, "export", "--week", "2026-W47", "--lang", "en").output
    assert figure(markdown, "Received: ") == len(expected) == 13
    assert figure(markdown, "replied ") == statuses.count("replied") == 1
    assert figure(markdown, "closed ") == statuses.count("closed") + statuses.count("spam") == 2
    assert figure(markdown, "still open ") == 10
    # Spam is counted but not listed.
    assert len(table_rows(markdown, "Date")) == 12
    assert "Not listed: 1 marked as spam." in markdown
    channels = {row[0]: int(row[1]) for row in table_rows(markdown, "Channel")}
    assert channels == {"Email": 8, "Form": 2, "Facebook": 1, "Slack": 1, "Other": 1}

    data = json.loads(run(inbox, "export", "--week", "2026-W47", "--json").output)
    assert (data["received"], data["replied"], data["closed"], data["open"]) == (13, 1, 2, 10)
    assert {r["id"] for r in data["requests"]} == {r["id"] for r in expected if r["status"] != "spam"}
    assert data["spam"] == 1
    assert sum(data["by_category"].values()) == sum(data["by_match"].values()) == 13
    assert data["by_channel"] == {"email": 8, "form": 2, "facebook": 1, "slack": 1, "other": 1}


@pytest.mark.parametrize("lang, title", [("en", "# Partner requests: week 2026-W47"), ("zh-TW", "# 合作邀約週報：2026-W47")])
def test_both_languages_export(inbox, lang, title):
    result = run(inbox, "export", "--week", "2026-W47", "--lang", lang)
    assert result.exit_code == 0
    assert title in result.output
    assert len(table_rows(result.output, "Date" if lang == "en" else "日期")) == 13


def test_public_export_has_no_address_or_phone_number_from_the_inbox(inbox):
    # Contact details also in the fields the summary shows, not only in bodies.
    store = Store.open(inbox, actor="tester")
    store.import_requests([
        IncomingRequest(
            received_at=datetime(2026, 11, 18, 2, 0, tzinfo=timezone.utc), from_name="黃志明",
            from_email="hcm@chuangyan.example.tw", organization="創研資訊（黃志明 0912-345-678）",
            subject="回電 (02)2345-6789 或 +886 2 2345 6789 分機 215，或寫信 hcm@chuangyan.example.tw", external_id="pii",
        )
    ])
    store.assign("pii", "Ada Lovelace")
    store.close()
    samples = SAMPLES.read_text(encoding="utf-8")
    phones = set(re.findall(r"(?:\+886[\d ]{8,14}\d|\(0\d\)\d{3,4}-\d{4}|09\d\d-\d{3}-\d{3})", samples))
    assert len(phones) >= 10
    for args in (["--week", "2026-W47"], ["--since", "2026-10-01", "--until", "2026-12-31"]):
        for lang in ("en", "zh-TW"):
            output = run(inbox, "export", *args, "--public", "--lang", lang).output
            flat = output.replace("\\", "")  # as rendered: escapes gone
            assert "@" not in flat
            for phone in phones | {"0912-345-678", "(02)2345-6789", "+886 2 2345 6789"}:
                assert phone not in flat
                assert re.sub(r"\D", "", phone) not in re.sub(r"[\s\-()]", "", flat)
            assert "黃志明" not in output and "Ada Lovelace" not in output and "林雅婷" not in output
            assert "創研資訊" in output  # organizations stay
        data = run(inbox, "export", *args, "--public", "--json").output
        assert "@" not in data and "Ada Lovelace" not in data


def test_hostile_subject_cannot_break_the_exported_document(inbox):
    store = Store.open(inbox, actor="tester")
    store.import_requests([
        IncomingRequest(
            received_at=datetime(2026, 11, 18, 2, 0, tzinfo=timezone.utc),
            subject="a | b\n# x <script>[y](javascript:z)", organization="<img src=x onerror=alert(1)>",
            external_id="hostile",
        )
    ])
    store.close()
    markdown = run(inbox, "export", "--week", "2026-W47", "--lang", "en").output
    parser = MarkdownIt("commonmark", {"linkify": True}).enable(["table", "linkify"])
    tokens = parser.parse(markdown)
    everything = [t for tok in tokens for t in [tok, *(tok.children or [])]]
    assert not [t for t in everything if t.type in ("link_open", "image", "html_inline")]
    assert all(t.content.startswith("<!-- steward:") for t in everything if t.type == "html_block")
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert "x" not in headings and not any("script" in h for h in headings)
    rows = table_rows(markdown, "Date")
    assert len(rows) == 14 and all(len(r) == 7 for r in rows)


def test_out_writes_the_file_atomically(inbox, tmp_path):
    out = tmp_path / "reports" / "w47.md"
    out.parent.mkdir()
    out.write_text("old", encoding="utf-8")
    result = run(inbox, "export", "--week", "2026-W47", "--public", "--out", str(out))
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8") == run(inbox, "export", "--week", "2026-W47", "--public").output
    assert [p.name for p in out.parent.iterdir()] == ["w47.md"]  # no temp file left behind


def test_out_into_a_missing_folder_is_one_line_error(inbox, tmp_path):
    result = CliRunner().invoke(main, ["--db", str(inbox), "export", "--out", str(tmp_path / "nope" / "w.md")])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("steward: ")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--week", "2026-W47", "--since", "2026-11-01"], "either --week or --since/--until"),
        (["--week", "2026-W99"], "2026 has no week 99"),
        (["--until", "2026-11-01"], "--until needs --since"),
        (["--since", "2026-11-30", "--until", "2026-11-01"], "ends (2026-11-01) before it starts"),
    ],
)
def test_bad_periods_are_usage_errors(inbox, args, message):
    result = CliRunner().invoke(main, ["--db", str(inbox), "export", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_default_period_is_the_last_complete_week_in_taipei():
    settings = Settings(steward_name="t", language="en", timezone="Asia/Taipei", database=Path("x"))
    monday_0130_taipei = datetime(2026, 11, 22, 17, 30, tzinfo=timezone.utc)
    assert choose_period(None, None, None, settings, now=monday_0130_taipei).week == "2026-W47"
    assert choose_period(None, "2026-11-20", None, settings, now=monday_0130_taipei).end == date(2026, 11, 23)


def test_private_export_file_is_readable_by_its_owner_only(inbox, tmp_path):
    private, public = tmp_path / "private.md", tmp_path / "public.md"
    run(inbox, "export", "--week", "2026-W47", "--out", str(private))
    run(inbox, "export", "--week", "2026-W47", "--public", "--out", str(public))
    assert private.stat().st_mode & 0o777 == 0o600
    assert public.stat().st_mode & 0o777 == 0o644


def test_exported_public_summary_passes_the_publish_check(inbox, tmp_path, monkeypatch):
    monkeypatch.delenv("HACKMD_TOKEN", raising=False)
    out = tmp_path / "w47.md"
    run(inbox, "export", "--since", "2026-10-01", "--until", "2026-12-31", "--public", "--out", str(out))
    result = run(inbox, "publish", str(out), "--to", "hackmd", "--dry-run", "--json")
    data = json.loads(result.output)
    assert data["warnings"] == []
    assert data["request"]["body"]["content"] == out.read_text(encoding="utf-8")
    assert data["request"]["body"]["readPermission"] == "guest"


def test_private_export_over_a_world_readable_file_is_private_afterwards(inbox, tmp_path):
    out = tmp_path / "w47.md"
    run(inbox, "export", "--week", "2026-W47", "--public", "--out", str(out))
    assert out.stat().st_mode & 0o777 == 0o644
    run(inbox, "export", "--week", "2026-W47", "--out", str(out))
    assert out.stat().st_mode & 0o777 == 0o600
    assert "steward:private" in out.read_text(encoding="utf-8")


def test_spam_is_counted_but_never_listed_public_or_private(inbox):
    store = Store.open(inbox, actor="tester")
    store.import_requests([IncomingRequest(
        received_at=datetime(2026, 11, 18, 2, 0, tzinfo=timezone.utc), organization="RankBooster SEO Agency",
        subject="Guaranteed first page on Google", external_id="spam-1",
    )])
    store.set_status("spam-1", "spam")
    store.close()
    for args in ([], ["--public"]):
        markdown = run(inbox, "export", "--week", "2026-W47", "--lang", "en", *args).output
        assert "RankBooster" not in markdown and "Guaranteed" not in markdown
        assert "Not listed: 1 marked as spam." in markdown
        assert figure(markdown, "Received: ") == 14
        data = json.loads(run(inbox, "export", "--week", "2026-W47", "--json", *args).output)
        assert data["spam"] == 1 and "RankBooster SEO Agency" not in json.dumps(data)
