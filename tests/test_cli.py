"""The CLI as a script or cron job uses it: output contracts and exit codes."""

from __future__ import annotations

import json
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
    from steward.text import cell_width

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


def test_config_show_says_where_values_came_from(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[steward]\nname = "Mei"\n', encoding="utf-8")
    result = run("--config", str(path), "config", "show", "--json")
    shown = json.loads(result.output)
    assert shown["settings"]["steward.name"] == "Mei"
    assert shown["origins"]["steward.name"].startswith("config")
    assert shown["origins"]["steward.timezone"] == "default"


def test_config_found_through_environment_variable(tmp_path, monkeypatch):
    path = tmp_path / "c.toml"
    path.write_text('[steward]\nname = "Env"\n', encoding="utf-8")
    monkeypatch.setenv("STEWARD_CONFIG", str(path))
    assert json.loads(run("config", "show", "--json").output)["settings"]["steward.name"] == "Env"


def test_init_writes_a_loadable_config_and_refuses_to_overwrite(tmp_path):
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
        "def fake_run(settings, database, first_page):\n"
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
    # Through this interpreter, not `lint-imports` on PATH: pytest may be started as
    # venv/bin/pytest without the venv's bin directory on PATH.
    command = "from importlinter.cli import lint_imports_command; lint_imports_command()"
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
