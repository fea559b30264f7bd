"""The CLI as a script or cron job uses it: output contracts and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from steward.cli import main
from steward.store import Store
from tests.conftest import sample_records

LIST_KEYS = [
    "id", "external_id", "received_at", "channel", "from_name", "from_email", "organization",
    "subject", "language", "status", "category", "match", "assignee", "tags", "follow_up_on",
]


@pytest.fixture
def inbox(db_path):
    s = Store.open(db_path, actor="tester")
    s.import_requests(sample_records())
    s.close()
    return db_path


def run(*args, db=None):
    prefix = ["--db", str(db)] if db else []
    return CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)


def test_list_json_has_exactly_the_documented_keys(inbox):
    result = run("list", "--json", "--limit", "100", db=inbox)
    rows = json.loads(result.output)
    assert len(rows) == 60
    assert all(list(row) == LIST_KEYS for row in rows)
    received = [row["received_at"] for row in rows]
    assert received == sorted(received, reverse=True)  # newest first


def test_list_table_fits_eighty_columns(inbox):
    from steward.util.text import cell_width

    result = run("list", db=inbox)
    assert result.exit_code == 0
    assert all(cell_width(line) <= 80 for line in result.output.splitlines())
    assert len(result.output.splitlines()) == 51  # header + default limit


def test_list_open_excludes_closed_and_spam(inbox):
    run("status", "s013", "spam", db=inbox)
    run("status", "s001", "closed", db=inbox)
    rows = json.loads(run("list", "--status", "open", "--json", "--limit", "100", db=inbox).output)
    assert {r["external_id"] for r in rows}.isdisjoint({"s013", "s001"}) and len(rows) == 58


def test_actions_show_in_list_and_history(inbox):
    assert run("status", "s002", "triaged", "--note", "looks fine", db=inbox).exit_code == 0
    assert run("assign", "s002", "me", db=inbox).exit_code == 0
    assert run("tag", "s002", "newcomer", "urgent", db=inbox).exit_code == 0
    assert run("tag", "s002", "urgent", "--remove", db=inbox).exit_code == 0
    assert run("follow-up", "s002", "+3d", db=inbox).exit_code == 0
    assert run("note", "s002", "Sent the onboarding link.", db=inbox).exit_code == 0
    row = json.loads(run("list", "--tag", "newcomer", "--json", db=inbox).output)[0]
    assert row["status"] == "triaged" and row["assignee"] == "tester" and row["tags"] == ["newcomer"]
    assert row["follow_up_on"] == (date.today() + timedelta(days=3)).isoformat() or row["follow_up_on"]
    details = json.loads(run("show", "s002", "--json", db=inbox).output)
    actions = [e["action"] for e in details["history"]]
    assert actions == ["import", "status", "note", "assign", "tag", "tag", "untag", "follow_up", "note"]


def test_unknown_request_is_one_line_and_exit_1(inbox):
    result = CliRunner().invoke(main, ["--db", str(inbox), "status", "nope", "closed"])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "nope" in result.output


def test_bad_date_is_a_usage_error(inbox):
    result = CliRunner().invoke(main, ["--db", str(inbox), "follow-up", "s001", "someday"])
    assert result.exit_code == 2 and "not a date" in result.output


def test_broken_config_names_file_and_line_and_exits_2(tmp_path, inbox):
    broken = tmp_path / "broken.toml"
    broken.write_text('[steward]\nname = "x"\nlanguage = \n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(broken), "--db", str(inbox), "list"])
    assert result.exit_code == 2
    assert str(broken) in result.output and "line 3" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[steward]\nnmae = "x"\n', "steward.nmae"),
        ("[inbox]\nshared = 1\n", "true or false"),
        ('[matching]\nmin_score = "high"\n', "whole number"),
        ('[steward]\nlanguage = "fr"\n', "zh-TW"),
        ("[[filters]]\nname = 'x'\n", "query"),
    ],
)
def test_config_mistakes_are_refused_with_what_was_expected(tmp_path, text, expected):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "config", "show"])
    assert result.exit_code == 2 and expected in result.output and str(path) in result.output


def test_config_show_says_where_values_came_from(tmp_path, monkeypatch):
    monkeypatch.delenv("STEWARD_NAME")  # the file's name, not the tests' own
    path = tmp_path / "c.toml"
    path.write_text('[steward]\nname = "Mei"\n', encoding="utf-8")
    result = run("--config", str(path), "config", "show", "--json")
    shown = json.loads(result.output)
    assert shown["settings"]["steward.name"] == "Mei"
    assert shown["origins"]["steward.name"].startswith("config")
    assert shown["origins"]["steward.timezone"] == "default"


def test_config_found_through_environment_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("STEWARD_NAME")  # the file's name, not the tests' own
    path = tmp_path / "c.toml"
    path.write_text('[steward]\nname = "Env"\n', encoding="utf-8")
    monkeypatch.setenv("STEWARD_CONFIG", str(path))
    assert json.loads(run("config", "show", "--json").output)["settings"]["steward.name"] == "Env"


def test_init_writes_a_loadable_config_and_refuses_to_overwrite(tmp_path, monkeypatch):
    monkeypatch.delenv("STEWARD_NAME")  # the file's name, not the tests' own
    path = tmp_path / "conf" / "config.toml"
    assert run("--config", str(path), "init", "--name", "Ada").exit_code == 0
    shown = json.loads(run("--config", str(path), "config", "show", "--json").output)
    assert shown["settings"]["steward.name"] == "Ada"
    again = CliRunner().invoke(main, ["--config", str(path), "init"])
    assert again.exit_code == 2 and "--force" in again.output
    assert run("--config", str(path), "init", "--force").exit_code == 0


def test_commands_that_do_not_open_the_app_never_import_textual(inbox):
    code = (
        "import sys; from steward.cli import main\n"
        "try: main(['--db', sys.argv[1], 'list', '--json'])\n"
        "except SystemExit: pass\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(inbox)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    importtime = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import steward.cli"], capture_output=True, text=True
    )
    assert " textual" not in importtime.stderr


def _launch(args: list[str], env_extra: dict | None = None) -> subprocess.CompletedProcess:
    """`steward ARGS` as the console script runs it, with the app itself replaced by a note of what it was given."""
    import os

    code = (
        "import sys, steward.tui.launch as launch\n"
        "def fake_run(settings, database, first_page, **options):\n"
        "    rows = len(first_page.rows) if first_page else None\n"
        "    print('APP', database, rows, 'click' in sys.modules)\n"
        "    return 0\n"
        "launch.run_app = fake_run\n"
        "from steward.__main__ import main\n"
        "main(sys.argv[1:])\n"
    )
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)


def test_opening_the_inbox_goes_straight_to_the_app_with_its_first_page(inbox):
    for args, env in [(["--db", str(inbox)], None), ([f"--db={inbox}"], None), ([], {"STEWARD_DB": str(inbox)})]:
        result = _launch(args, env)
        assert result.returncode == 0, result.stderr
        # The 60 new samples are read before the app starts; the CLI framework is skipped.
        assert result.stdout.split() == ["APP", str(inbox), "60", "False"]


def test_a_launch_that_cannot_start_is_reported_like_any_command(tmp_path, inbox):
    bad = tmp_path / "bad.toml"
    bad.write_text("[steward\nname = 1\n", encoding="utf-8")
    result = _launch(["--db", str(inbox)], {"STEWARD_CONFIG": str(bad)})
    assert result.returncode == 2 and "APP" not in result.stdout
    assert result.stderr.startswith("steward: ") and "bad.toml" in result.stderr and "line 1" in result.stderr
    directory = _launch(["--db", str(tmp_path)])
    assert directory.returncode == 2 and "is a directory" in directory.stderr
    other = _launch(["--db", str(inbox), "list", "--limit", "1"])
    assert other.returncode == 0 and "APP" not in other.stdout and other.stdout.strip()


def test_core_import_contract_holds():
    """The import-linter contract in pyproject.toml: only steward.tui imports Textual."""
    from pathlib import Path

    root = Path(__file__).parent.parent
    # Through this interpreter: `lint-imports` by bare name fails when the venv is not on PATH.
    command = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    result = subprocess.run([sys.executable, "-c", command, "--no-cache"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_command_is_found_by_name():
    """The lazy command table names every command its modules register."""
    import importlib

    import click

    from steward.cli import COMMAND_MODULES

    for module in set(COMMAND_MODULES.values()):
        group = click.Group()
        importlib.import_module(f"steward.cli.{module}").register(group)
        for name in group.commands:
            assert COMMAND_MODULES.get(name) == module, name
    assert CliRunner().invoke(main, ["--help"]).exit_code == 0


# --- hostile command lines: one line, an exit code, never a traceback -----------------


def _one_line_error(result, code: int | tuple[int, ...] = (1, 2)) -> str:
    codes = code if isinstance(code, tuple) else (code,)
    assert result.exit_code in codes, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("steward: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_hostile_command_lines_found_by_hand_get_one_line_and_an_exit_code(inbox):
    from tests.hostile_cli import HOSTILE_COMMANDS

    for args in HOSTILE_COMMANDS:
        result = CliRunner().invoke(main, ["--db", str(inbox), *args], catch_exceptions=False)
        line = _one_line_error(result)
        assert len(line) < 400, args  # a 5,000-digit value is not echoed whole


def test_generated_hostile_command_lines_never_crash(inbox):
    from hypothesis import HealthCheck, given, settings

    from tests.hostile_cli import hostile_arguments

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(hostile_arguments())
    def check(args):
        result = CliRunner().invoke(main, ["--db", str(inbox), *args], catch_exceptions=False)
        assert result.exit_code in (0, 1, 2), (args, result.output)
        if result.exit_code:
            _one_line_error(result)

    check()


def test_a_bad_status_is_one_line_not_a_usage_block(inbox):
    result = run_plain("status", "12", "bogus", db=inbox)
    line = _one_line_error(result, 2)
    assert "'bogus' is not one of" in line and "Usage:" not in result.output


def test_a_config_nested_a_hundred_thousand_deep_is_a_config_error(tmp_path, inbox):
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "--db", str(inbox), "list"])
    assert "deep.toml" in _one_line_error(result, 2)


def test_a_number_acts_on_that_request_even_when_another_has_it_as_external_id(inbox):
    from datetime import datetime, timezone

    from steward.models import IncomingRequest

    store = Store.open(inbox, actor="tester")
    (other,) = store.import_requests([
        IncomingRequest(received_at=datetime(2026, 11, 20, tzinfo=timezone.utc), subject="numbered", external_id="3")
    ]).new_ids
    store.close()
    assert run("status", "3", "spam", db=inbox).output.strip() == "#3 is spam"
    shown = json.loads(run("show", str(other), "--json", db=inbox).output)
    assert shown["status"] == "new"
    assert run("status", "ext:3", "closed", db=inbox).output.strip() == f"#{other} is closed"


def test_assigning_to_wo_stores_my_name_and_nobody_means_the_same_in_both_filters(inbox):
    assert run("assign", "2", "我", db=inbox).output.strip() == "#2 assigned to tester"
    mine = json.loads(run("list", "--assignee", "me", "--json", "--limit", "100", db=inbox).output)
    assert [r["id"] for r in mine] == [2]
    by_option = json.loads(run("list", "--assignee", "nobody", "--json", "--limit", "100", db=inbox).output)
    by_query = json.loads(run("list", "-q", "assignee:nobody", "--json", "--limit", "100", db=inbox).output)
    by_word = json.loads(run("list", "--assignee", "無", "--json", "--limit", "100", db=inbox).output)
    assert len(by_option) == len(by_query) == len(by_word) == 59


def test_open_means_the_same_in_the_list_and_the_weekly_summary(inbox):
    run("status", "1", "replied", db=inbox)
    run("status", "2", "closed", db=inbox)
    run("status", "3", "waiting", db=inbox)
    listed = json.loads(run("list", "--status", "open", "--json", "--limit", "100", db=inbox).output)
    summary = json.loads(run("export", "--week", "2026-W47", "--json", db=inbox).output)
    assert summary["open_overall"] == len(listed) == 58
    assert {1, 2}.isdisjoint(r["id"] for r in listed) and 3 in {r["id"] for r in listed}


# --- which files steward writes to --------------------------------------------------


def test_another_programs_database_is_refused_in_one_line(tmp_path):
    import sqlite3

    path = tmp_path / "other-app.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    line = _one_line_error(run_plain("list", db=path), 1)
    assert "not a steward inbox" in line and path.read_bytes() == before


def test_an_inbox_of_a_newer_steward_is_refused_in_one_line(inbox):
    import sqlite3

    conn = sqlite3.connect(inbox)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    line = _one_line_error(run_plain("status", "1", "closed", db=inbox), 1)
    assert "newer steward" in line


# --- the demo never touches the real inbox ------------------------------------------


@pytest.fixture
def no_app(monkeypatch):
    """`steward demo` without starting the TUI: records which file it would open."""
    opened = []
    monkeypatch.setattr("steward.cli.setup.run_tui", lambda cli, path: opened.append(path))
    return opened


def _real_inbox_contents(path) -> tuple[int, list[str]]:
    store = Store.open(path, actor="tester")
    try:
        return store.count(), [e.action for e in store.history(1)]
    finally:
        store.close()


def test_demo_reset_with_steward_db_set_leaves_the_real_inbox_alone(inbox, no_app, monkeypatch, tmp_path):
    from steward.demo.build import default_demo_path

    before = _real_inbox_contents(inbox)
    monkeypatch.setenv("STEWARD_DB", str(inbox))
    result = CliRunner().invoke(main, ["demo", "--reset"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert _real_inbox_contents(inbox) == before
    assert no_app == [default_demo_path()] and default_demo_path() != inbox
    demo = Store.open(default_demo_path(), actor="tester")
    assert demo.is_demo() and demo.count() >= 35
    demo.close()


def test_demo_reset_and_size_refuse_a_file_that_is_not_a_demo(inbox, no_app):
    before = _real_inbox_contents(inbox)
    reset = CliRunner().invoke(main, ["demo", "--reset", "--db", str(inbox)])
    assert "not a demo inbox" in _one_line_error(reset, 1)
    size = CliRunner().invoke(main, ["demo", "--size", "5", "--db", str(inbox)])
    assert "not a demo inbox" in _one_line_error(size, 1)
    assert _real_inbox_contents(inbox) == before and no_app == []


def test_demo_size_needs_its_own_db_not_steward_db(inbox, monkeypatch):
    monkeypatch.setenv("STEWARD_DB", str(inbox))
    before = _real_inbox_contents(inbox)
    result = CliRunner().invoke(main, ["demo", "--size", "5"])
    assert "--db" in _one_line_error(result, 2)
    assert _real_inbox_contents(inbox) == before


def test_demo_reset_rebuilds_a_demo_inbox(tmp_path, no_app):
    path = tmp_path / "demo.db"
    assert CliRunner().invoke(main, ["demo", "--db", str(path)]).exit_code == 0
    assert run("note", "1", "mine", db=path).exit_code == 0
    assert CliRunner().invoke(main, ["demo", "--reset", "--db", str(path)]).exit_code == 0
    shown = json.loads(run("show", "1", "--json", db=path).output)
    assert "mine" not in [e["detail"] for e in shown["history"]]


def test_the_readme_checklist_example_works_on_the_demo_inbox(tmp_path, no_app):
    import shlex
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    (line,) = [line for line in readme.splitlines() if line.startswith("steward checklist ")]
    args = shlex.split(line, comments=True)[1:]
    path = tmp_path / "demo.db"
    assert CliRunner().invoke(main, ["demo", "--db", str(path)]).exit_code == 0
    result = run(*args, db=path)
    assert result.exit_code == 0, result.output
    key = args[args.index("--check") + 1]
    assert [i["checked"] for i in json.loads(result.output)["items"] if i["key"] == key] == [True]


def test_init_leaves_the_language_to_the_locale(tmp_path, monkeypatch):
    from steward.config.settings import load_settings

    path = tmp_path / "config.toml"
    assert CliRunner().invoke(main, ["--config", str(path), "init", "--name", "mei"]).exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert 'name = "mei"' in text and not any(line.startswith("language") for line in text.splitlines())
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    assert load_settings(str(path)).language == "zh-TW"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert load_settings(str(path)).language == "en"


def test_init_writes_a_language_only_when_asked(tmp_path):
    path = tmp_path / "config.toml"
    assert CliRunner().invoke(main, ["--config", str(path), "init", "--language", "en"]).exit_code == 0
    assert 'language = "en"' in path.read_text(encoding="utf-8").splitlines()


def run_plain(*args, db=None):
    """Like run(), with stderr kept apart."""
    prefix = ["--db", str(db)] if db else []
    return CliRunner().invoke(main, [*prefix, *args])


# --- tokens: stripped, checked, never echoed ----------------------------------------

BAD_TOKENS = ["tök-SECRET", "tok-SECRET\nX-Evil: 1", "tok SECRET", "\u200btok-SECRET", "tok-SECRET\x1b"]

FEED_WITH_TOKEN = """
[[feeds]]
name = "forms"
url = "https://forms.example.org/api/requests"
token_env = "FORMS_TOKEN"
items_path = "items"
[feeds.mapping]
external_id = "id"
received_at = "created"
body = "message"
"""


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_a_feed_token_that_cannot_be_a_token_is_named_not_echoed(tmp_path, db_path, monkeypatch, token):
    import httpx

    def no_network(request):  # the token must be refused before anything is sent
        raise AssertionError(f"sent {request.url}")

    monkeypatch.setattr(httpx.Client, "send", lambda self, request, **kw: no_network(request))
    config = tmp_path / "config.toml"
    config.write_text(FEED_WITH_TOKEN, encoding="utf-8")
    monkeypatch.setenv("FORMS_TOKEN", token)
    result = CliRunner().invoke(main, ["--config", str(config), "--db", str(db_path), "fetch"])
    assert result.exit_code in (1, 2), result.output
    assert "SECRET" not in result.output and "$FORMS_TOKEN" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_a_hackmd_token_that_cannot_be_a_token_is_named_not_echoed(tmp_path, monkeypatch, token):
    path = tmp_path / "w47.md"
    path.write_text("# Weekly summary\n\n<!-- steward: public -->\n", encoding="utf-8")
    monkeypatch.setenv("HACKMD_TOKEN", token)
    result = CliRunner().invoke(main, ["publish", str(path), "--to", "hackmd", "--dry-run"])
    assert result.exit_code in (1, 2), result.output
    assert "SECRET" not in result.output and "$HACKMD_TOKEN" in result.output


def test_a_pasted_token_with_a_trailing_newline_is_used_without_it():
    from steward.util.credentials import clean_token

    assert clean_token("  tok-SECRET\n", source="$T") == "tok-SECRET"
    assert clean_token(" \n", source="$T") is None and clean_token(None, source="$T") is None


def test_a_plain_launch_with_a_config_nested_too_deep_is_one_line(tmp_path, inbox):
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    env = {**os.environ, "STEWARD_CONFIG": str(path)}
    result = subprocess.run([sys.executable, "-m", "steward", "--db", str(inbox)], capture_output=True, text=True,
                            env=env, stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and "deep.toml" in result.stderr


def test_show_names_status_category_and_channel_as_the_app_and_summary_do(inbox, monkeypatch):
    assert run("status", "s002", "triaged", db=inbox).exit_code == 0
    assert run("category", "s002", "speaking", db=inbox).exit_code == 0
    shown = run("show", "s002", db=inbox).output
    assert "Status:       Triaged (triaged)" in shown
    assert "Category:     Talks and events (speaking)" in shown
    monkeypatch.setenv("LC_ALL", "zh_TW.UTF-8")
    shown = run("show", "s002", db=inbox).output
    assert "Status:       已分類 (triaged)" in shown
    assert "Category:     演講／活動邀約 (speaking)" in shown
