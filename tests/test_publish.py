"""Publishing to HackMD and Slack, against mock transports: never the network."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from steward.cli import main
from steward.config.settings import PublishSettings, Settings
from steward.models import StewardError, UsageError
from steward.summary.publish import ATTEMPTS, publish, sidecar_path
from steward.summary.markdown import DETAILS_MARK, PRIVATE_MARK, PUBLIC_MARK

TOKEN = "hmd-secret-token-123"
WEBHOOK = "https://hooks.slack.example/services/T000/B000/secretpath"
PUBLIC_MD = f"""{PUBLIC_MARK}

# Partner requests: week 2026-W47 (16–22 Nov 2026)

- Received: **13**

{DETAILS_MARK}

## Requests received

| Date | Subject |
| --- | --- |
| Mon 16 Nov | Study visit\\: g0v\\.tw |
"""
PRIVATE_MD = PUBLIC_MD.replace(PUBLIC_MARK, PRIVATE_MARK)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(steward_name="tester", language="en", timezone="Asia/Taipei", database=tmp_path / "s.db")


@pytest.fixture
def summary_file(tmp_path) -> Path:
    path = tmp_path / "w47.md"
    path.write_text(PUBLIC_MD, encoding="utf-8")
    return path


class Server:
    """A scripted HTTP server: answers in order, records what it was sent."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def body(self, index: int = -1) -> dict:
        return json.loads(self.requests[index].content)


def created(note_id: str = "n0te-1") -> httpx.Response:
    return httpx.Response(201, json={"id": note_id, "title": "x", "publishLink": f"https://hackmd.io/@g0v/{note_id}"})


def run_publish(path, server: Server, settings, sleeps=None, **kwargs):
    sleeps = [] if sleeps is None else sleeps
    env = kwargs.pop("environ", {"HACKMD_TOKEN": TOKEN, "STEWARD_SLACK_WEBHOOK": WEBHOOK})
    return publish(path, settings=settings, client=server.client(), sleep=sleeps.append, environ=env, **kwargs)


# --- HackMD --------------------------------------------------------------------------


def test_first_publish_creates_a_note_and_the_next_one_updates_it(summary_file, settings):
    server = Server(created("abc123"), httpx.Response(202))
    first = run_publish(summary_file, server, settings, to="hackmd")
    request = server.requests[0]
    assert (request.method, str(request.url)) == ("POST", "https://api.hackmd.io/v1/notes")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert server.body(0)["content"] == PUBLIC_MD
    assert server.body(0)["title"] == "Partner requests: week 2026-W47 (16–22 Nov 2026)"
    assert server.body(0)["readPermission"] == "guest"
    assert (first.action, first.note_id, first.link) == ("create", "abc123", "https://hackmd.io/@g0v/abc123")
    assert json.loads(sidecar_path(summary_file).read_text())["note_id"] == "abc123"

    summary_file.write_text(PUBLIC_MD.replace("**13**", "**14**"), encoding="utf-8")
    second = run_publish(summary_file, server, settings, to="hackmd")
    request = server.requests[1]
    assert (request.method, str(request.url)) == ("PATCH", "https://api.hackmd.io/v1/notes/abc123")
    assert "**14**" in server.body(1)["content"]
    assert (second.action, second.note_id, second.link) == ("update", "abc123", "https://hackmd.io/@g0v/abc123")


def test_team_notes_go_to_the_team_path(summary_file, settings):
    settings.publish = PublishSettings(hackmd_team="g0v-stewards")
    server = Server(created())
    run_publish(summary_file, server, settings, to="hackmd")
    assert str(server.requests[0].url) == "https://api.hackmd.io/v1/teams/g0v-stewards/notes"


def test_a_note_id_written_in_the_file_wins(summary_file, settings):
    summary_file.write_text("<!-- hackmd-note-id: Zx9_k -->\n" + PUBLIC_MD, encoding="utf-8")
    server = Server(httpx.Response(202))
    run_publish(summary_file, server, settings, to="hackmd")
    assert (server.requests[0].method, server.requests[0].url.path) == ("PATCH", "/v1/notes/Zx9_k")


def test_unavailable_service_is_retried_with_backoff(summary_file, settings):
    server = Server(httpx.Response(503), httpx.Response(429, headers={"Retry-After": "7"}), created())
    sleeps: list[float] = []
    result = run_publish(summary_file, server, settings, sleeps, to="hackmd")
    assert result.note_id == "n0te-1" and len(server.requests) == 3
    assert sleeps == [1.0, 7.0]


def test_retries_give_up_with_one_clear_line(summary_file, settings):
    server = Server(*[httpx.Response(503, text="<html>maintenance</html>")] * ATTEMPTS)
    with pytest.raises(StewardError) as error:
        run_publish(summary_file, server, settings, to="hackmd")
    assert str(error.value) == "HackMD answered 503: <html>maintenance</html>"
    assert len(server.requests) == ATTEMPTS


def test_connection_failures_are_retried_then_reported(summary_file, settings):
    server = Server(*[httpx.ConnectError("Connection refused")] * ATTEMPTS)
    with pytest.raises(StewardError, match="cannot connect to api.hackmd.io: Connection refused"):
        run_publish(summary_file, server, settings, to="hackmd")
    assert len(server.requests) == ATTEMPTS


def test_a_create_that_timed_out_is_not_sent_twice(summary_file, settings):
    server = Server(httpx.ReadTimeout("slow"), created())
    with pytest.raises(StewardError, match="did not answer in time"):
        run_publish(summary_file, server, settings, to="hackmd")
    assert len(server.requests) == 1


def test_rejected_token_is_a_clear_error_without_the_token(summary_file, settings):
    server = Server(httpx.Response(401, json={"message": "Unauthorized"}))
    with pytest.raises(StewardError) as error:
        run_publish(summary_file, server, settings, to="hackmd")
    assert str(error.value) == "HackMD refused the token in $HACKMD_TOKEN (401): Unauthorized"
    assert TOKEN not in str(error.value)


def test_missing_note_on_update_points_at_the_sidecar(summary_file, settings):
    sidecar_path(summary_file).write_text(json.dumps({"note_id": "gone"}))
    with pytest.raises(StewardError, match=r"note gone not found .*delete .*w47\.md\.hackmd\.json"):
        run_publish(summary_file, Server(httpx.Response(404)), settings, to="hackmd")


def test_malformed_answer_is_a_clear_error(summary_file, settings):
    with pytest.raises(StewardError, match="without the new note"):
        run_publish(summary_file, Server(httpx.Response(201, text="<html>")), settings, to="hackmd")
    with pytest.raises(StewardError, match="without a usable note id"):
        run_publish(summary_file, Server(httpx.Response(201, json={"id": "../x"})), settings, to="hackmd")
    assert not sidecar_path(summary_file).exists()


def test_missing_token_is_reported_before_any_request(summary_file, settings):
    server = Server()
    with pytest.raises(StewardError, match=r"set \$HACKMD_TOKEN"):
        run_publish(summary_file, server, settings, to="hackmd", environ={})
    assert server.requests == []


# --- what may be published --------------------------------------------------------------


def test_a_private_summary_is_refused_unless_allowed(tmp_path, settings):
    path = tmp_path / "private.md"
    path.write_text(PRIVATE_MD, encoding="utf-8")
    server = Server(created())
    with pytest.raises(UsageError, match="not a public one"):
        run_publish(path, server, settings, to="hackmd")
    assert server.requests == []
    run_publish(path, server, settings, to="hackmd", allow_private=True)
    assert server.body()["readPermission"] == "owner"


def test_a_public_summary_edited_to_hold_an_address_is_refused(tmp_path, settings):
    path = tmp_path / "edited.md"
    path.write_text(PUBLIC_MD + "\nAsk lin\\.yating\\@rdec\\.example\\.tw\n", encoding="utf-8")
    with pytest.raises(UsageError, match="line 15 looks like it holds an e-mail address"):
        run_publish(path, Server(), settings, to="slack")


def test_dry_run_shows_the_request_and_needs_no_token(summary_file, settings):
    server = Server()
    result = run_publish(summary_file, server, settings, to="hackmd", dry_run=True, environ={})
    assert server.requests == []
    assert (result.method, result.url) == ("POST", "https://api.hackmd.io/v1/notes")
    assert result.headers["Authorization"] == "Bearer <$HACKMD_TOKEN is not set>"
    assert result.body["content"] == PUBLIC_MD
    with_token = run_publish(summary_file, server, settings, to="hackmd", dry_run=True)
    assert TOKEN not in json.dumps(with_token.as_dict())


def test_dry_run_of_a_private_summary_warns_that_it_would_be_refused(tmp_path, settings):
    path = tmp_path / "private.md"
    path.write_text(PRIVATE_MD, encoding="utf-8")
    result = run_publish(path, Server(), settings, to="hackmd", dry_run=True)
    assert result.warnings == [
        "publishing would be refused: this summary is not a public one "
        "(export it with --public, or pass --allow-private)"
    ]


# --- Slack ------------------------------------------------------------------------------------


def test_slack_gets_the_digest_with_the_note_link(summary_file, settings):
    sidecar_path(summary_file).write_text(json.dumps({"note_id": "abc", "link": "https://hackmd.io/@g0v/abc"}))
    server = Server(httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, text="ok"))
    sleeps: list[float] = []
    run_publish(summary_file, server, settings, sleeps, to="slack")
    assert str(server.requests[-1].url) == WEBHOOK and sleeps == [2.0]
    text = server.body()["text"]
    assert text.startswith("*Partner requests: week 2026-W47 (16–22 Nov 2026)*")
    assert "• Received: *13*" in text and text.endswith("https://hackmd.io/@g0v/abc")
    assert "Study visit" not in text and "<!--" not in text  # the tables stay on HackMD


def test_slack_rejection_is_a_clear_error(summary_file, settings):
    with pytest.raises(StewardError, match=r"Slack refused the webhook in \$STEWARD_SLACK_WEBHOOK \(404\): no_service"):
        run_publish(summary_file, Server(httpx.Response(404, text="no_service")), settings, to="slack")


def test_slack_dry_run_hides_the_webhook_path(summary_file, settings):
    result = run_publish(summary_file, Server(), settings, to="slack", dry_run=True)
    assert result.url == "https://hooks.slack.example/***"
    assert "secretpath" not in json.dumps(result.as_dict())


# --- the command ---------------------------------------------------------------------------------


def test_publish_command_dry_run_prints_the_request_without_a_token(summary_file, monkeypatch):
    monkeypatch.delenv("HACKMD_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["publish", str(summary_file), "--to", "hackmd", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "POST https://api.hackmd.io/v1/notes"
    assert "Authorization: Bearer <$HACKMD_TOKEN is not set>" in lines
    assert json.loads(result.output.split("\n\n", 1)[1])["content"] == PUBLIC_MD


def test_publish_command_refuses_a_private_summary_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("HACKMD_TOKEN", TOKEN)
    path = tmp_path / "private.md"
    path.write_text(PRIVATE_MD, encoding="utf-8")
    result = CliRunner().invoke(main, ["publish", str(path), "--to", "hackmd"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("steward: not publishing: this summary is not a public one")
