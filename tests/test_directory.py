"""The directory: shipped entries, the user's overrides, `directory add` and `directory sync`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from steward.cli import main
from steward.config.settings import load_settings
from steward.directory.entries import PUBLIC_FIELDS, add_entry, load_directory, synced_path, user_path
from steward.directory.sync import sync_directory
from steward.models import ConfigError, UsageError

SHARED_KEYS = [
    "jothon", "g0v-intl", "g0vernance", "g0v-talk", "g0v-summit", "sch001", "vtaiwan", "cofacts",
    "disfactory", "dataopener", "political-donations", "moedict", "budget", "newbie", "ocf", "oscvpass",
    "g0v-grant", "osm-tw", "d4sg", "coscup",
]

G0V_JSON = {
    "name": "Air Box",
    "name_zh": "空氣盒子",
    "description": "Community air quality sensors",
    "description_zh": "社群空氣品質感測",
    "homepage": "https://airbox.example.org/",
    "keywords": ["pm2.5", "air quality"],
    "licenses": [{"type": "MIT"}],
    "status": "beta",
}
COFACTS_JSON = {"name": "Cofacts", "name_zh": "真的假的", "homepage": "https://cofacts.tw", "keywords": ["rumor db"]}
SOURCE = "https://projects.example.org/g0v.json"


@pytest.fixture
def settings(tmp_path):
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir()
    path.write_text(f'[directory]\nsources = ["{SOURCE}"]\n', encoding="utf-8")
    return load_settings(path)


def write_user(settings, text: str) -> Path:
    path = user_path(settings)
    path.write_text(text, encoding="utf-8")
    return path


# -- the shipped directory -------------------------------------------------------


def test_shipped_directory_has_every_community_entry_with_contacts_and_descriptions(settings):
    directory = load_directory(settings)
    assert [e.key for e in directory.entries] == SHARED_KEYS
    for entry in directory.entries:
        assert entry.name and entry.name_en and entry.contacts, entry.key
        assert entry.description and entry.description_en, entry.key
    assert "g0v-jothon@googlegroups.com" in directory.get("jothon").contacts
    assert directory.get("oscvpass").kind == "programme"


def test_as_dicts_has_exactly_the_public_fields(settings):
    rows = load_directory(settings).as_dicts()
    assert all(list(row) == list(PUBLIC_FIELDS) for row in rows)


# -- the user's file ---------------------------------------------------------------------


def test_user_file_overrides_fields_adds_entries_and_retires_others(settings):
    write_user(
        settings,
        """
[[entry]]
key = "cofacts"
contacts = ["Slack #cofacts-help"]

[[entry]]
key = "coscup"
retired = true

[[entry]]
key = "lass"
kind = "partner_community"
name = "LASS 環境感測網"
aliases = ["lass"]
""",
    )
    directory = load_directory(settings)
    assert directory.get("cofacts").contacts == ["Slack #cofacts-help"]
    assert directory.get("cofacts").name == "Cofacts 真的假的"  # untouched fields stay
    assert directory.get("cofacts").source == "user"
    assert directory.get("coscup") is None and "coscup" not in [e.key for e in directory.entries]
    assert directory.get("lass").kind == "partner_community"


def test_unknown_key_in_user_file_is_a_config_error_naming_file_and_key(settings):
    path = write_user(settings, '[[entry]]\nkey = "cofacts"\nemail = "x@example.org"\n')
    with pytest.raises(ConfigError) as caught:
        load_directory(settings)
    assert str(path) in str(caught.value) and "'email'" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ('[[entry]]\nkey = "cofacts"\naliases = "cofacts"\n', "'aliases' must be a list of strings"),
        ('[[entry]]\nkey = "cofacts"\nretired = "yes"\n', "'retired' must be a boolean"),
        ('[[entry]]\nkey = "cofacts"\nkind = "club"\n', "'kind' must be one of"),
        ('[[entry]]\nkey = "new-one"\nname = "新專案"\n', "needs both 'kind' and 'name'"),
        ('[[entry]]\nkey = "Bad Key"\n', "'key' must be"),
        ("[[entry]\n", "not valid TOML"),
        ('projects = []\n', "unknown key 'projects'"),
    ],
)
def test_malformed_user_file_says_what_is_wrong(settings, body, complaint):
    write_user(settings, body)
    with pytest.raises(ConfigError, match="directory.toml") as caught:
        load_directory(settings)
    assert complaint in str(caught.value)


def test_add_entry_writes_a_valid_file_that_loads(settings):
    add_entry(settings, "lass", kind="partner_community", name="LASS", aliases=["lass", "lass"], keywords=["感測"])
    add_entry(settings, "airbox", kind="project", name="空氣盒子", name_en="AirBox")
    add_entry(settings, "lass", kind="partner_community", name="LASS 環境感測網")  # replaces its own line
    data = tomllib.loads(user_path(settings).read_text(encoding="utf-8"))
    assert [e["key"] for e in data["entry"]] == ["airbox", "lass"]
    assert load_directory(settings).get("lass").name == "LASS 環境感測網"
    assert [p.name for p in user_path(settings).parent.iterdir() if p.name.endswith(".tmp")] == []


def test_add_entry_refuses_a_bad_key_or_kind(settings):
    with pytest.raises(UsageError):
        add_entry(settings, "Not A Key", kind="project", name="x")
    with pytest.raises(UsageError):
        add_entry(settings, "ok-key", kind="club", name="x")
    assert not user_path(settings).exists()


# -- sync from g0v.json -------------------------------------------------------------------


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(*responses):
    """A client whose server answers with `responses` in turn (the last one repeats)."""
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        item = responses[min(len(calls), len(responses)) - 1]
        if isinstance(item, Exception):
            raise item
        return item

    return httpx.Client(transport=httpx.MockTransport(handler)), calls


def test_sync_survives_two_503s_and_adds_the_new_project(settings):
    client, calls = client_for(httpx.Response(503), httpx.Response(503), httpx.Response(200, json=[G0V_JSON]))
    sleeps = Sleeps()
    report = sync_directory(settings, client=client, sleep=sleeps)
    assert report.ok and report.synced == [SOURCE] and report.added == ["air-box"]
    assert len(calls) == 3 and sleeps == [0.5, 1.0]  # exponential backoff, no real waiting
    entry = load_directory(settings).get("air-box")
    assert (entry.name, entry.name_en, entry.url) == ("空氣盒子", "Air Box", "https://airbox.example.org/")
    assert "pm2.5" in entry.keywords and "MIT" in entry.description_en


def test_sync_adds_to_a_known_project_but_local_edits_win(settings):
    write_user(settings, '[[entry]]\nkey = "cofacts"\nurl = "https://my.cofacts.example"\n')
    client, _ = client_for(httpx.Response(200, json=COFACTS_JSON))
    report = sync_directory(settings, client=client, sleep=Sleeps())
    assert report.updated == ["cofacts"] and report.added == []
    entry = load_directory(settings).get("cofacts")
    assert entry.url == "https://my.cofacts.example"
    assert "rumor db" in entry.keywords and "事實查核" in entry.keywords  # added, nothing lost


def test_sync_against_a_server_that_never_answers_keeps_the_last_good_directory(settings):
    good, _ = client_for(httpx.Response(200, json=G0V_JSON))
    sync_directory(settings, client=good, sleep=Sleeps())
    before = synced_path(settings).read_bytes()
    dead, calls = client_for(httpx.ConnectError("connection refused"))
    report = sync_directory(settings, client=dead, sleep=Sleeps())
    assert not report.ok and SOURCE in report.failed
    assert "cannot connect" in report.failed[SOURCE] and "4 attempts" in report.failed[SOURCE]
    assert len(calls) == 4
    assert synced_path(settings).read_bytes() == before
    assert load_directory(settings).get("air-box") is not None


def test_sync_timeout_is_reported_as_such(settings):
    client, _ = client_for(httpx.ReadTimeout("slow"))
    report = sync_directory(settings, client=client, sleep=Sleeps(), retries=1)
    assert report.failed == {SOURCE: "timed out after 2 attempts"}
    assert not synced_path(settings).exists()


def test_sync_honours_retry_after_but_caps_the_wait(settings):
    client, _ = client_for(
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(503, headers={"Retry-After": "86400"}),
        httpx.Response(200, json=G0V_JSON),
    )
    sleeps = Sleeps()
    assert sync_directory(settings, client=client, sleep=sleeps, max_wait=30).ok
    assert sleeps == [7.0, 30.0]


def test_sync_does_not_retry_a_missing_page(settings):
    client, calls = client_for(httpx.Response(404))
    sleeps = Sleeps()
    report = sync_directory(settings, client=client, sleep=sleeps)
    assert report.failed[SOURCE].startswith("HTTP 404") and len(calls) == 1 and sleeps == []


def test_sync_rejects_a_body_that_is_not_g0v_json(settings):
    client, _ = client_for(httpx.Response(200, text="<html>maintenance</html>"))
    report = sync_directory(settings, client=client, sleep=Sleeps())
    assert "not g0v.json" in report.failed[SOURCE]


def test_sync_reads_local_files_and_reports_progress(settings, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps([G0V_JSON, {"description": "no name"}]), encoding="utf-8")
    second.write_text(json.dumps({"name_zh": "零時小學校", "homepage": "https://sch001.g0v.tw"}), encoding="utf-8")
    seen = []
    report = sync_directory(
        settings, [str(first), str(second)], progress=lambda done, total, src: seen.append((done, total))
    )
    assert seen == [(1, 2), (2, 2)]
    assert report.added == ["air-box"] and report.updated == ["sch001"]
    assert any("no name" in w for w in report.warnings)


def test_one_failing_source_keeps_its_old_entries_while_others_update(settings, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(G0V_JSON), encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"name": "Rain Map", "homepage": "https://rain.example.org"}), encoding="utf-8")
    sync_directory(settings, [str(good), str(other)])
    other.unlink()
    good.write_text(json.dumps({**G0V_JSON, "keywords": ["sensors"]}), encoding="utf-8")
    report = sync_directory(settings, [str(good), str(other)])
    assert list(report.failed) == [str(other)]
    directory = load_directory(settings)
    assert directory.get("rain-map") is not None
    assert directory.get("air-box").keywords == ["sensors"]


# -- the command line ----------------------------------------------------------------------


def run(settings, *args):
    config = settings.config_dir / "config.toml"
    return CliRunner().invoke(main, ["--config", str(config), *args])


def test_directory_list_json_has_the_contract_keys(settings):
    rows = json.loads(run(settings, "directory", "list", "--json").output)
    assert [r["key"] for r in rows] == SHARED_KEYS
    assert all(list(r) == ["key", "kind", "name", "name_en", "aliases", "keywords", "url", "contacts"] for r in rows)


def test_directory_show_and_unknown_key(settings):
    shown = run(settings, "directory", "show", "g0v-talk")
    assert shown.exit_code == 0 and "g0v-talks@googlegroups.com" in shown.output
    missing = run(settings, "directory", "show", "nope")
    assert missing.exit_code == 2 and "nope" in missing.output


def test_directory_add_command_writes_a_file_the_list_shows(settings):
    result = run(
        settings, "directory", "add", "lass", "--kind", "partner_community", "--name", "LASS 環境感測網",
        "--name-en", "LASS", "--alias", "lass", "--keyword", "空氣品質", "--contact", "Slack #lass",
    )
    assert result.exit_code == 0, result.output
    tomllib.loads(user_path(settings).read_text(encoding="utf-8"))
    rows = json.loads(run(settings, "directory", "list", "--json").output)
    assert rows[-1] == {
        "key": "lass", "kind": "partner_community", "name": "LASS 環境感測網", "name_en": "LASS",
        "aliases": ["lass"], "keywords": ["空氣品質"], "url": "", "contacts": ["Slack #lass"],
    }


def test_directory_sync_command_names_the_failed_source_and_exits_1(settings, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(G0V_JSON), encoding="utf-8")
    missing = tmp_path / "gone.json"
    result = run(settings, "directory", "sync", str(good), str(missing))
    assert result.exit_code == 1
    assert str(missing) in result.output and str(good) not in result.output.split("could not sync")[1]
    assert load_directory(settings).get("air-box") is not None


class FlakyServer:
    """A g0v.json server on 127.0.0.1 that answers 503 `failures` times, then the data."""

    def __init__(self, failures: int):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        state = {"left": failures}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                if state["left"] > 0:
                    state["left"] -= 1
                    self.send_response(503)
                    self.send_header("Retry-After", "0")  # so the test does not wait
                    self.end_headers()
                    return
                body = json.dumps(G0V_JSON).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/g0v.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_directory_sync_command_gets_through_two_503s(settings):
    with FlakyServer(failures=2) as server:
        result = run(settings, "directory", "sync", server.url)
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output
    assert load_directory(settings).get("air-box") is not None


def test_directory_sync_command_against_a_silent_server_exits_1_and_changes_nothing(settings):
    import socket

    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/g0v.json"
        result = run(settings, "directory", "sync", url, "--timeout", "0.2", "--retries", "0")
    assert result.exit_code == 1
    assert url in result.output and "timed out" in result.output
    assert not synced_path(settings).exists()
    assert [e.key for e in load_directory(settings).entries] == SHARED_KEYS


def test_add_entry_for_a_shipped_key_changes_only_what_it_sets(settings):
    add_entry(settings, "cofacts", kind="project", name="Cofacts 真的假的", contacts=["Slack #cofacts-zh"])
    entry = load_directory(settings).get("cofacts")
    assert entry.contacts == ["Slack #cofacts-zh"]
    assert entry.url == "https://cofacts.tw" and "事實查核" in entry.keywords


def test_reuse_facts_are_read_and_a_repository_must_be_an_https_address(settings):
    from steward.directory.entries import load_directory

    cofacts = load_directory(settings).get("cofacts")
    assert (cofacts.code_license, cofacts.content_license) == ("MIT", "CC BY-SA 4.0")
    assert cofacts.has_reuse_facts and cofacts.as_dict().keys() == set(PUBLIC_FIELDS)
    path = user_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[[entry]]\nkey = "cofacts"\nrepository = "javascript:alert(1)"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="'repository' must be an https:// address"):
        load_directory(settings)
