"""`steward org / agreement / commitment`, overdue giving back in the inbox and the weekly summary."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from click.testing import CliRunner

from steward.cli import main
from steward.config.settings import Settings
from steward.models import IncomingRequest
from steward.store import Store
from steward.summary.data import Period, build_summary
from steward.summary.markdown import render_markdown

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=timezone.utc)


class _NoDirectory:
    def get(self, key):
        return None


def _request(n: int, organization: str = "", email: str = "", name: str = "") -> IncomingRequest:
    return IncomingRequest(
        received_at=datetime(2026, 11, n, 3, 0, tzinfo=timezone.utc), subject=f"Request {n}", body="Hello",
        external_id=f"c{n}", organization=organization, from_email=email, from_name=name,
    )


@pytest.fixture
def inbox(db_path):
    s = Store.open(db_path, actor="tester")
    s.import_requests([
        _request(1, "地球公民基金會", "a@cet.example.org", "王小明"),
        _request(2, "台灣地球公民基金會", "b@cet.example.org", "李大華"),
        _request(3, "Code for Japan", "x@code4japan.example.jp"),
        _request(4, "", "someone@gmail.com"),
    ])
    s.close()
    return db_path


def run(db, *args):
    result = CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)
    return result


def run_json(db, *args):
    result = run(db, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_org_list_json_names_each_organization_once_with_its_request_count(inbox):
    data = run_json(inbox, "org", "list")
    assert {"id", "name", "aliases", "domains", "request_count"} <= set(data[0])
    by_name = {o["name"]: o for o in data}
    assert by_name["地球公民基金會"]["request_count"] == 2
    assert by_name["地球公民基金會"]["domains"] == ["cet.example.org"]
    assert [o["name"] for o in run_json(inbox, "org", "list", "--query", "japan")] == ["Code for Japan"]


def test_org_show_json_has_the_documented_shape(inbox):
    assert run(inbox, "agreement", "add", "1", "--kind", "talk", "--text", "speakers in May").stdout.strip() == "1"
    assert run(inbox, "commitment", "add", "2", "--kind", "present", "--due", "2027-03-01",
               "--project", "jothon").stdout.strip() == "1"
    data = run_json(inbox, "org", "show", "台灣地球公民基金會")
    assert {"id", "name", "aliases", "domains", "requests", "agreements", "commitments"} <= set(data)
    assert [r["id"] for r in data["requests"]] == [2, 1]
    assert set(data["requests"][0]) >= {"id", "subject", "status", "received_at"}
    assert data["agreements"][0]["text"] == "speakers in May"
    assert {k: data["commitments"][0][k] for k in ("id", "kind", "due_on", "state", "project")} == {
        "id": 1, "kind": "present", "due_on": "2027-03-01", "state": "promised", "project": "jothon",
    }
    assert {p["name"] for p in data["people"]} == {"王小明", "李大華"}


def test_org_rename_alias_and_merge_from_the_command_line(inbox):
    japan = run_json(inbox, "org", "show", "Code for Japan")["id"]
    assert run_json(inbox, "org", "alias", str(japan), "CfJ")["aliases"] == ["CfJ"]
    assert run_json(inbox, "org", "rename", "CfJ", "Code for Japan 一般社団法人")["name"] == "Code for Japan 一般社団法人"
    earth = run_json(inbox, "org", "show", "地球公民基金會")["id"]
    merged = run_json(inbox, "org", "merge", str(earth), str(japan))
    assert merged["request_count"] == 3
    assert run(inbox, "org", "show", str(japan)).exit_code == 1


def test_org_commands_fail_in_one_line(inbox):
    for args, code in ((["org", "show", "nobody at all"], 1), (["commitment", "done", "42"], 1),
                       (["org", "merge", "1", "1"], 2), (["commitment", "add", "1", "--kind", "present",
                                                          "--due", "someday"], 2)):
        result = run(inbox, *args)
        assert result.exit_code == code, (args, result.output)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("steward: ")


def test_a_promised_commitment_past_due_is_overdue_in_the_inbox_until_done(inbox):
    number = run(inbox, "commitment", "add", "3", "--kind", "open_source", "--due", "2000-01-01",
                 "--text", "MIT").stdout.strip()
    run(inbox, "commitment", "add", "1", "--kind", "report", "--due", "2999-01-01")
    assert [r["id"] for r in run_json(inbox, "list", "-q", "due:overdue")] == [3]
    assert run_json(inbox, "commitment", "done", number)["state"] == "done"
    assert run_json(inbox, "list", "-q", "due:overdue") == []


def test_a_lapsed_commitment_stays_overdue(inbox):
    number = run(inbox, "commitment", "add", "1", "--kind", "credit", "--due", "2999-01-01").stdout.strip()
    assert run_json(inbox, "list", "-q", "due:overdue") == []
    run(inbox, "commitment", "lapse", number)
    assert [r["id"] for r in run_json(inbox, "list", "-q", "due:overdue")] == [1]


def _summary(db_path, *, public: bool):
    settings = Settings(steward_name="tester", language="en", timezone="Asia/Taipei", database=db_path)
    store = Store.open(db_path, actor="tester")
    try:
        return build_summary(store, settings, period=Period.iso_week("2026-W48"), public=public, now=NOW,
                             directory=_NoDirectory())
    finally:
        store.close()


def test_the_summary_lists_overdue_giving_back_under_needs_attention_and_drops_it_when_done(inbox, monkeypatch):
    monkeypatch.setattr("steward.store.clock.utc_now", lambda: NOW)
    store = Store.open(inbox, actor="tester")
    store.add_agreement(1, "talk", "two speakers at the spring hackathon", project="jothon")
    late = store.add_commitment(1, "present", date(2026, 11, 1), project="jothon")
    done = store.add_commitment(2, "report", date(2026, 12, 20))
    store.set_commitment_state(done.id, "done")
    store.close()
    summary = _summary(inbox, public=False)
    data = summary.as_json()["partners"]
    assert [a["text"] for a in data["agreements_made"]] == ["two speakers at the spring hackathon"]
    assert [c["id"] for c in data["giving_back"]["overdue"]] == [late.id]
    assert [c["id"] for c in data["giving_back"]["done"]] == [done.id]
    markdown = render_markdown(summary, lang="en")
    attention = markdown.split("## Needs attention")[1].split("\n## ")[0]
    assert "Giving back overdue (1)" in attention and "地球公民基金會" in attention
    assert "## Agreements made" in markdown and "## Giving back: done / overdue" in markdown
    Store.open(inbox, actor="tester").set_commitment_state(late.id, "done")
    assert "Giving back overdue (0)" in render_markdown(_summary(inbox, public=False), lang="en")


def test_a_public_summary_never_names_a_private_person(inbox, monkeypatch):
    monkeypatch.setattr("steward.store.clock.utc_now", lambda: NOW)
    store = Store.open(inbox, actor="tester")
    store.import_requests([_request(5, "陳美玲", "mei@meiling-studio.example.tw")])
    person = store.request_organization_id(5)
    store.set_organization_kind(person, "person")
    store.add_agreement(5, "data_use", "uses the flood map for her thesis, 陳美玲 0912-345-678")
    store.add_agreement(1, "talk", "speakers")
    store.close()
    public = _summary(inbox, public=True)
    section = render_markdown(public, lang="en").split("## Agreements made")[1].split("\n## ")[0]
    assert "陳美玲" not in section and "0912" not in section
    assert "data use" in section and "地球公民基金會" in section  # an organization is named
    assert "陳美玲" not in json.dumps(public.as_json()["partners"], ensure_ascii=False)
    private = render_markdown(_summary(inbox, public=False), lang="en").split("## Agreements made")[1]
    assert "陳美玲" in private
