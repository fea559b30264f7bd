"""Routing with a real directory: `directory import`, names that are everyday words, config check."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from steward.cli import main
from steward.config.settings import load_settings
from steward.directory.entries import Directory, DirectoryEntry, load_directory, stable_key, user_path
from steward.directory.importing import import_directory
from steward.matching.matcher import Matcher
from steward.matching.rules import load_category_rules
from steward.util.text import cell_width
from tests.conftest import DATA

PROJECTS = DATA / "awesome-g0v-projects.csv"
LABELLED = DATA / "labelled_requests.jsonl"


@pytest.fixture
def settings(tmp_path):
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir()
    path.write_text("", encoding="utf-8")
    return load_settings(path)


@pytest.fixture(scope="module")
def big_settings(tmp_path_factory):
    """A config whose directory has the 874 awesome-g0v projects imported."""
    path = tmp_path_factory.mktemp("big") / "config.toml"
    path.write_text("", encoding="utf-8")
    settings = load_settings(path)
    import_directory(settings, PROJECTS)
    return settings


def run(*args, settings=None):
    prefix = ["--config", str(settings.config_file)] if settings else []
    return CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)


def user_keys(settings) -> list[str]:
    with open(user_path(settings), "rb") as fh:
        return [e["key"] for e in tomllib.load(fh)["entry"]]


# -- import ---------------------------------------------------------------------------------


def test_importing_the_awesome_g0v_list_adds_every_project_it_does_not_already_have(settings):
    result = run("directory", "import", str(PROJECTS), settings=settings)
    assert result.exit_code == 0, result.stderr
    keys = user_keys(settings)
    # 874 rows: 8 name a project the shipped directory has (Cofacts, vTaiwan, 萌典, …) and are left alone.
    assert len(keys) == len(set(keys)) == 866
    assert "added 866" in result.output and "8 already known" in result.output
    assert "is already in the directory as moedict" in result.stderr
    directory = load_directory(settings)
    assert len(directory) == 866 + 20
    # The shipped entries keep their curated names and keywords.
    assert directory.get("cofacts").name_en == "Cofacts" and directory.get("cofacts").source == "default"
    assert not any(k.endswith(("-2", "-3")) for k in keys)


def test_importing_twice_or_in_another_order_gives_the_same_keys(settings, tmp_path):
    import_directory(settings, PROJECTS)
    first = user_keys(settings)
    report = import_directory(settings, PROJECTS)
    assert user_keys(settings) == first and len(report.updated) == len(first) and not report.added
    import csv

    with open(PROJECTS, encoding="utf-8", newline="") as fh:
        header, *records = list(csv.reader(fh))
    shuffled = tmp_path / "reversed.csv"
    with open(shuffled, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *reversed(records)])
    other = load_settings(_fresh_config(tmp_path / "other"))
    import_directory(other, shuffled)
    assert sorted(user_keys(other)) == sorted(first)


def _fresh_config(folder: Path) -> Path:
    folder.mkdir()
    (folder / "config.toml").write_text("", encoding="utf-8")
    return folder / "config.toml"


def test_chinese_names_get_readable_stable_keys_and_never_a_shipped_one():
    assert stable_key("聯絡人", ["https://github.com/g0v/addressbook"]) == stable_key("聯絡人", ["https://github.com/g0v/addressbook"])
    assert stable_key("聯絡人", ["https://github.com/g0v/addressbook"]).startswith("addressbook-")
    assert stable_key("Cofacts 真的假的") != "cofacts"
    assert stable_key("Taiwan Online") == "taiwan-online"
    assert stable_key("菜價") != stable_key("萌典")


def test_bad_rows_are_named_by_line_and_good_rows_are_kept(settings, tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text(
        "name,description,tags,homepage\n"
        "Air Box,sensors,環境,https://airbox.example.org\n"
        ",no name here,,\n"
        '"Multi\nline",two lines,,\n'
        "Too,many,cells,https://x.example.org,extra\n"
        "空氣盒子,,環境,airbox.example.org/zh\n",
        encoding="utf-8",
    )
    result = run("directory", "import", str(path), settings=settings)
    assert result.exit_code == 0
    assert f"{path}:3: no name" in result.stderr
    assert f"{path}:6: 5 cells but 4 columns" in result.stderr
    directory = load_directory(settings)
    names = {e.name for e in directory.entries if e.source == "user"}
    assert names == {"Air Box", "Multi line", "空氣盒子"}
    # An address written without its scheme is still an address.
    assert next(e for e in directory.entries if e.name == "空氣盒子").url == "https://airbox.example.org/zh"


def test_a_file_without_a_name_column_is_refused_and_nothing_is_written(settings, tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text("title,url\nAir Box,https://a.example.org\n", encoding="utf-8")
    result = run("directory", "import", str(path), settings=settings)
    assert result.exit_code != 0
    assert "no 'name' column" in result.stderr
    assert not user_path(settings).exists()


def test_g0v_json_and_toml_files_import_with_line_numbers(settings, tmp_path):
    g0v = tmp_path / "projects.json"
    g0v.write_text(
        json.dumps([{"name": "Air Box", "homepage": "https://airbox.example.org"}, {"description": "no name"}], indent=1),
        encoding="utf-8",
    )
    toml = tmp_path / "more.toml"
    toml.write_text(
        '[[entry]]\nname = "Rain Gauge"\nkind = "project"\n\n[[entry]]\nname = "Bad"\nkind = "spaceship"\n',
        encoding="utf-8",
    )
    json_report = import_directory(settings, g0v)
    toml_report = import_directory(settings, toml)
    assert json_report.added == ["air-box"] and json_report.problems == [f"{g0v}:6: no name"]
    assert toml_report.added == ["rain-gauge"]
    assert toml_report.problems and toml_report.problems[0].startswith(f"{toml}:5: Bad: kind 'spaceship'")


# -- routing with the big directory ------------------------------------------------------------


def _top1(matcher, rows) -> float:
    hits = 0
    for row in rows:
        expected = row["expected"]
        got = [m.key for m in matcher.match(subject=row["subject"], body=row["body"], organization=row["organization"]).matches]
        wanted = {expected["match"], *expected["also"]} - {None}
        hits += (not got) if expected["match"] is None else bool(got) and got[0] in wanted
    return hits / len(rows)


def test_874_more_projects_cost_at_most_one_point_of_top1_on_the_labelled_samples(big_settings):
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]
    shipped = Matcher(load_directory(SimpleNamespace(config_dir=Path("/nonexistent"))), load_category_rules())
    big = Matcher(load_directory(big_settings), load_category_rules())
    assert len(big.entries) > 800
    assert _top1(big, rows) >= _top1(shipped, rows) - 0.01


@pytest.mark.parametrize(
    "text",
    [
        "聯絡人：王小明",
        "您好，我們想請教資料授權的問題。聯絡人：王小明 02-2345-6789",
        "Sorry if my last email got lost.",
        "Sorry if my last email got lost. We are a small NGO and would like to chat about your community.",
        "We run a Taiwan online safety course and saw someone mention it on PTT.",
    ],
)
def test_everyday_words_that_are_project_names_do_not_route_a_request(big_settings, text):
    matcher = Matcher(load_directory(big_settings), load_category_rules())
    got = [m.key for m in matcher.match(body=text).matches[:3]]
    names = {e.key: e.name for e in load_directory(big_settings).entries}
    assert not {names[k] for k in got} & {"聯絡人", "lost", "PTT", "Taiwan Online"}, got


def test_a_common_name_counts_when_the_subject_or_the_address_backs_it_up():
    entry = DirectoryEntry("addressbook", "project", "聯絡人", url="https://github.com/g0v/addressbook", keywords=["通訊錄"])
    matcher = Matcher(Directory([entry]), load_category_rules())
    assert not matcher.match(body="聯絡人：王小明").matches
    assert [m.key for m in matcher.match(subject="關於聯絡人專案", body="想問授權").matches] == ["addressbook"]
    assert [m.key for m in matcher.match(body="聯絡人 github.com/g0v/addressbook 還有在維護嗎").matches] == ["addressbook"]
    assert [m.key for m in matcher.match(body="聯絡人這個通訊錄專案還有在維護嗎").matches] == ["addressbook"]


def test_a_long_specific_name_still_routes_from_the_body_alone():
    entry = DirectoryEntry("disfactory", "project", "農地違章工廠檢舉系統", name_en="Disfactory")
    matcher = Matcher(Directory([entry]), load_category_rules())
    assert [m.key for m in matcher.match(body="We love Disfactory and want to help").matches] == ["disfactory"]


# -- what the steward sees ---------------------------------------------------------------------


def test_directory_list_never_cuts_a_key_even_at_80_columns(big_settings):
    result = run("directory", "list", settings=big_settings)
    lines = result.output.splitlines()[1:]
    keys = {e.key for e in load_directory(big_settings).entries}
    assert {line.split(" ", 1)[0] for line in lines} == keys
    assert max(cell_width(line) for line in lines) <= 80


def test_config_check_warns_about_weak_and_shared_names_but_passes(settings):
    import_directory(settings, PROJECTS)
    extra = user_path(settings)
    extra.write_text(
        extra.read_text(encoding="utf-8")
        + '\n[[entry]]\nkey = "twin"\nkind = "project"\nname = "Disfactory"\n',
        encoding="utf-8",
    )
    result = run("config", "check", settings=settings)
    assert result.exit_code == 0
    assert "name 'lost' is short" in result.stderr
    assert "name '聯絡人' is common in ordinary requests" in result.stderr
    assert "name 'Disfactory' belongs to 2 entries (disfactory, twin)" in result.stderr


def test_sync_gives_new_projects_stable_keys_and_does_not_merge_on_part_of_a_name(settings, tmp_path):
    from steward.directory.sync import sync_directory

    source = tmp_path / "g0v.json"
    source.write_text(
        json.dumps([
            {"name": "Cofacts Bot", "name_zh": "謠言機器人", "homepage": "https://bot.example.org"},
            {"name_zh": "聯絡人", "homepage": "https://github.com/g0v/addressbook"},
        ]),
        encoding="utf-8",
    )
    sync_directory(settings, [str(source)])
    first = sorted(e.key for e in load_directory(settings).entries if e.source != "default")
    assert "cofacts-bot" in first and any(k.startswith("addressbook-") for k in first)
    assert load_directory(settings).get("cofacts").aliases == load_directory(
        SimpleNamespace(config_dir=Path("/nonexistent"))
    ).get("cofacts").aliases
    sync_directory(settings, [str(source)])
    assert sorted(e.key for e in load_directory(settings).entries if e.source != "default") == first


def test_an_edit_after_an_import_is_seen_at_once_although_the_parsed_file_is_kept(settings):
    import_directory(settings, PROJECTS)
    assert len(load_directory(settings)) == 886
    from steward.directory.entries import add_entry

    add_entry(settings, "rain-gauge", kind="project", name="Rain Gauge")
    assert load_directory(settings).get("rain-gauge").name == "Rain Gauge"
    text = user_path(settings).read_text(encoding="utf-8")
    user_path(settings).write_text(text.replace('name = "Rain Gauge"', 'name = "Rain Gauges"'), encoding="utf-8")
    assert load_directory(settings).get("rain-gauge").name == "Rain Gauges"


@hyp_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(min_size=0, max_size=30), min_size=1, max_size=6))
def test_any_names_import_with_valid_unique_keys_or_a_reason(settings, tmp_path, names):
    import csv

    path = tmp_path / "hostile.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["name", "homepage"], *([n, "javascript:alert(1)"] for n in names)])
    user_path(settings).unlink(missing_ok=True)
    report = import_directory(settings, path)
    directory = load_directory(settings)
    imported = [e for e in directory.entries if e.source == "user"]
    assert len(imported) == report.count
    assert all(not e.url for e in imported)
    assert all("\x1b" not in e.name and "\n" not in e.name for e in imported)


def test_config_check_on_the_shipped_directory_has_no_warnings(settings):
    result = run("config", "check", settings=settings)
    assert result.exit_code == 0 and "warning" not in result.stderr


def test_words_common_in_the_inbox_stop_a_project_named_after_them_routing_alone(settings, tmp_path):
    inbox = tmp_path / "inbox.jsonl"
    inbox.write_text(
        "".join(
            json.dumps({"external_id": f"h{n}", "received_at": "2026-11-0%dT10:00:00+08:00" % (n % 9 + 1),
                        "channel": "email", "subject": f"Question {n}",
                        "body": f"Hello, we are based near the harbour and have question number {n}."}) + "\n"
            for n in range(20)
        ),
        encoding="utf-8",
    )
    db = tmp_path / "steward.db"
    prefix = ["--config", str(settings.config_file), "--db", str(db)]
    CliRunner().invoke(main, [*prefix, "import", str(inbox)], catch_exceptions=False)
    run("directory", "add", "harbour", "--kind", "project", "--name", "Harbour", settings=settings)
    text = ["match", "--text", "We met at the harbour last week and have a question.", "--json"]
    before = json.loads(CliRunner().invoke(main, [*prefix, *text]).output)
    assert [m["key"] for m in before["matches"]] == ["harbour"]
    result = CliRunner().invoke(main, [*prefix, "directory", "commonness"], catch_exceptions=False)
    assert "in 20 requests" in result.output
    after = json.loads(CliRunner().invoke(main, [*prefix, *text]).output)
    assert after["matches"] == []
    # Named in the subject, it still counts.
    from steward.matching.matcher import build_matcher

    assert [m.key for m in build_matcher(settings).match(subject="Harbour", body="a question").matches] == ["harbour"]


# -- the learned route model ---------------------------------------------------------------


@pytest.fixture(scope="module")
def app_matcher():
    """The matcher `steward match` builds: shipped directory, category model and route model."""
    import dataclasses
    import tempfile

    from steward.matching.matcher import build_matcher

    with tempfile.TemporaryDirectory() as empty:
        settings = dataclasses.replace(load_settings(None), config_dir=Path(empty))
        yield build_matcher(settings)


@pytest.mark.parametrize(
    "subject, body",
    [
        ("", "我們公司要辦尾牙活動，想問你們有推薦的外燴嗎？"),
        ("", "Our company is planning a year-end party event. Can you recommend a caterer?"),
        ("請問網站", "您好，朋友推薦一個查詢空氣品質的網站，請問要怎麼聯絡作者？"),
    ],
)
def test_a_request_that_names_no_project_gets_no_route_despite_an_incidental_keyword(app_matcher, subject, body):
    assert app_matcher.match(subject=subject, body=body).matches == []


@pytest.mark.parametrize(
    "subject, body, project",
    [
        ("萌典 logo 使用", "您好，我們想在出版的教材封面放上萌典的 logo，請問需要申請嗎？", "moedict"),
        ("Using the Cofacts logo", "Hi, may we print the Cofacts logo on our workshop poster?", "cofacts"),
    ],
)
def test_a_named_project_comes_before_the_group_that_handles_that_kind_of_request(app_matcher, subject, body, project):
    result = app_matcher.match(subject=subject, body=body)
    assert result.category.key == "naming"
    assert [m.key for m in result.matches][:2] == [project, "g0vernance"]
    assert "handles naming requests" in result.matches[1].reasons


def test_a_group_gets_the_request_when_only_the_kind_of_request_points_at_it_and_the_reasons_say_so_first(app_matcher):
    result = app_matcher.match(subject="Logo on our poster", body="Hi, may we print the g0v logo on our workshop poster?")
    assert result.matches[0].key == "g0vernance"
    assert result.matches[0].reasons[0] == "handles naming requests"
    # A runner-up ("workshop" is a talk word) is offered below it, under the line itself.
    assert all(m.score < app_matcher.min_score for m in result.matches[1:])


def _two_projects(route_model) -> Matcher:
    entries = [DirectoryEntry("cofacts", "project", "Cofacts", keywords=["fact-check"]),
               DirectoryEntry("budget", "project", "政府預算視覺化", keywords=["budget"])]
    return Matcher(Directory(entries), load_category_rules(), route_model=route_model)


def test_runners_up_are_offered_only_once_a_route_passes_the_line():
    from steward.matching.routing import RouteModel

    matcher = _two_projects(RouteModel({"bias": -2.0, "name": 6.0, "keywords": 2.5}))
    routed = matcher.match(body="Cofacts did a fact-check of the budget")
    assert [m.key for m in routed.matches] == ["cofacts", "budget"]
    assert routed.matches[0].score >= 60 > routed.matches[1].score >= 30
    unrouted = matcher.match(body="a note about the budget")
    assert unrouted.matches == []  # a weak candidate alone is no route at all


def test_route_scores_follow_the_route_models_weights_and_min_score_is_the_line():
    from steward.matching.routing import RouteModel

    matcher = _two_projects(RouteModel({"bias": -2.0, "name": 6.0, "keywords": 0.0}))
    result = matcher.match(body="Cofacts did a fact-check of the budget")
    assert [m.key for m in result.matches] == ["cofacts"]  # a keyword alone weighs nothing here
    assert result.matches[0].score > 60


def test_training_the_route_model_twice_gives_the_same_weights_and_names_count():
    from steward.matching.routing import fit

    examples = [({"bias": 1.0, "name": 1.0}, True), ({"bias": 1.0, "name": 0.9}, True),
                ({"bias": 1.0, "keywords": 0.4}, False), ({"bias": 1.0, "keywords": 1.5}, True),
                ({"bias": 1.0}, False), ({"bias": 1.0, "name": 0.2}, False), ({"bias": 1.0, "lean": 0.3}, False)]
    first, second = fit(examples), fit(examples)
    assert first.weights == second.weights
    assert first.weights["name"] > 0 and first.weights["bias"] < 0


def test_without_the_route_model_the_hand_set_points_still_route():
    matcher = Matcher(load_directory(SimpleNamespace(config_dir=Path("/nonexistent"))), load_category_rules(),
                      route_model=False)
    assert matcher.route_model is None
    assert [m.key for m in matcher.match(body="想請問 Cofacts 的 LINE bot 資料可以用在研究嗎？").matches][:1] == ["cofacts"]


def _shipped_matcher():
    from steward.matching.matcher import build_matcher

    return build_matcher(load_settings(None))


def test_a_common_name_that_ends_another_events_name_is_not_that_entry():
    matcher = _shipped_matcher()
    other_event = matcher.match(
        subject="Community partner logo for Taipei Impact Tech Summit 2027",
        body="Hi, Taipei Impact Tech Summit is a startup conference in April. We would like to print the g0v logo "
             "on our partner wall.",
        organization="Taipei Impact Tech Summit",
    )
    assert "g0v-summit" not in [m.key for m in other_event.matches]
    ours = matcher.match(subject="Workshop proposal for the next Summit",
                         body="We would like to run a workshop at the next Summit in Taipei.")
    assert ours.matches and ours.matches[0].key == "g0v-summit"


def test_a_long_exact_keyword_tells_more_than_a_short_common_one():
    matcher = _shipped_matcher()
    telling = dict(matcher.route_candidates(body="請問有沒有幫民眾申請政府資料的工具？"))["dataopener"]
    assert telling["telling_keywords"] == pytest.approx(telling["keywords"])
    everyday = dict(matcher.route_candidates(body="我們下個月有一個活動。"))
    assert everyday["jothon"]["keywords"] > 0
    assert everyday["jothon"].get("telling_keywords", 0.0) < 0.1 * everyday["jothon"]["keywords"]


def test_civic_tech_names_the_community_as_people_abroad_call_it():
    matcher = _shipped_matcher()
    body = "We are a volunteer group in Lima and will visit Taipei in March. Could we meet Taiwan's {} people?"
    named = dict(matcher.route_candidates(subject="Study visit from Peru", body=body.format("civic tech")))
    unnamed = dict(matcher.route_candidates(subject="Study visit from Peru", body=body.format("tech")))
    # Naming the community lets the request lean on the group that handles it in full.
    assert named["g0v-intl"]["lean"] > 1.5 * unnamed["g0v-intl"]["lean"]
