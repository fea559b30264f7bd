"""The `--json` contracts: key order pinned, and each shape is the core function's own."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from steward.cli import COMMAND_MODULES, main
from steward.store import Store, request_details
from tests.conftest import sample_records

SHOW_KEYS = [
    "id", "external_id", "received_at", "channel", "from_name", "from_email", "organization",
    "subject", "language", "status", "category", "match", "assignee", "tags", "follow_up_on",
    "body", "version", "category_manual", "match_manual", "updated_at", "updated_by",
    "suggested_category", "matches", "messages", "drafts", "checklist", "history",
]
MESSAGE_KEYS = ["received_at", "from_name", "from_email", "subject", "body", "attachments"]
DRAFT_KEYS = ["version", "template", "language", "body", "created_at", "author", "sent_at"]
HISTORY_KEYS = ["at", "actor", "action", "old", "new", "detail"]
MATCH_KEYS = ["request_id", "language", "category", "matches", "spam"]
MATCH_CATEGORY_KEYS = ["key", "score", "reasons", "reasons_by_language"]
MATCH_ENTRY_KEYS = ["key", "name", "kind", "score", "reasons"]
SPAM_KEYS = ["likely", "score", "reasons"]


@pytest.fixture
def inbox(db_path):
    from steward.config.settings import load_settings
    from steward.matching.matcher import build_matcher

    s = Store.open(db_path, actor="tester")
    s.import_requests(sample_records(), matcher=build_matcher(load_settings(None, database=db_path)))
    s.close()
    return db_path


def run(*args, db):
    result = CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_show_json_keeps_its_key_order_down_to_messages_drafts_and_history(inbox):
    run("note", "s016", "called them back", db=inbox)
    run("draft", "s016", db=inbox)
    shown = json.loads(run("show", "s016", "--json", db=inbox).output)
    assert list(shown) == SHOW_KEYS
    assert list(shown["suggested_category"]) == ["key", "score", "reasons"]
    assert shown["matches"] and all(list(m) == ["key", "score", "reasons"] for m in shown["matches"])
    assert [list(m) for m in shown["messages"]] == [MESSAGE_KEYS]
    assert [list(d) for d in shown["drafts"]] == [DRAFT_KEYS]
    assert {e["action"] for e in shown["history"]} >= {"note", "draft"}
    assert all(list(e) == HISTORY_KEYS for e in shown["history"])


def test_show_json_is_what_request_details_returns(inbox):
    output = run("show", "s016", "--json", db=inbox).output
    store = Store.open(inbox, actor="tester")
    details = request_details(store, store.get("s016"))
    store.close()
    assert output == json.dumps(details, ensure_ascii=False, indent=2, default=str) + "\n"


def test_list_json_is_each_request_as_json(inbox):
    from steward.models import RequestFilter

    output = run("list", "--json", "--limit", "7", db=inbox).output
    store = Store.open(inbox, actor="tester")
    rows = [r.as_json() for r in store.list_requests(RequestFilter(), limit=7)]
    store.close()
    assert json.loads(output) == rows


def test_match_json_keeps_its_key_order_and_is_the_match_result_as_json(inbox):
    from steward.config.settings import load_settings
    from steward.matching.matcher import build_matcher

    output = run("match", "s016", "--json", "--limit", "2", db=inbox).output
    data = json.loads(output)
    assert list(data) == MATCH_KEYS
    assert list(data["category"]) == MATCH_CATEGORY_KEYS
    assert data["matches"] and all(list(m) == MATCH_ENTRY_KEYS for m in data["matches"])
    assert list(data["spam"]) == SPAM_KEYS
    store = Store.open(inbox, actor="tester")
    request = store.get("s016")
    store.close()
    result = build_matcher(load_settings(None, database=inbox)).match_request(request)
    assert data == json.loads(json.dumps(result.as_json(request.id, 2)))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["assign", "s001"], "give a NAME or --clear"),
        (["assign", "s001", "Ada", "--clear"], "give a NAME or --clear"),
        (["follow-up", "s001"], "give a DATE or --clear"),
        (["route", "s001"], "give a directory KEY or --clear"),
        (["category", "s001", "data", "--clear"], "give a CATEGORY or --clear"),
        (["org", "link", "s001"], "give an ORG or --none"),
    ],
)
def test_a_value_and_its_clear_flag_together_or_neither_is_a_one_line_usage_error(inbox, args, message):
    result = CliRunner().invoke(main, ["--db", str(inbox), *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"steward: {message}") and len(result.stderr.splitlines()) == 1


def test_clear_undoes_the_value(inbox):
    run("assign", "s001", "Ada", db=inbox)
    assert "unassigned" in run("assign", "s001", "--clear", db=inbox).output
    run("follow-up", "s001", "2026-12-01", db=inbox)
    assert "follow-up cleared" in run("follow-up", "s001", "--clear", db=inbox).output
    shown = json.loads(run("show", "s001", "--json", db=inbox).output)
    assert (shown["assignee"], shown["follow_up_on"]) == (None, None)


def test_every_command_is_a_module_level_click_command():
    import click

    for name, module_name in COMMAND_MODULES.items():
        module = importlib.import_module(f"steward.cli.{module_name}")
        group = click.Group()
        module.register(group)
        command = group.commands[name]
        assert any(value is command for value in vars(module).values()), name
        for sub in [command, *getattr(command, "commands", {}).values()]:
            assert sub.help and sub.help == sub.callback.__doc__, f"{name} {sub.name}: its docstring is not its help"


def test_list_imports_neither_the_drafting_nor_the_matching_commands(inbox):
    code = (
        "import sys; from steward.cli import main\n"
        "try: main(['--db', sys.argv[1], 'list', '--json'])\n"
        "except SystemExit: pass\n"
        "loaded = [m for m in sys.modules if m.startswith(('steward.cli.drafting', 'steward.cli.matching',"
        " 'steward.drafting.drafts', 'steward.matching.matcher'))]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(inbox)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
