"""Tokens and URL credentials never appear in what steward prints."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

from steward.cli import main
from steward.config.settings import FeedSettings, Settings
from steward.util.credentials import error_text, redact_url, redact_urls
from steward.intake.feeds import FeedError, fetch_pages
from steward.models import UsageError
from steward.summary.publish import publish
from steward.summary.markdown import PUBLIC_MARK

FEED = FeedSettings(name="forms", url="https://forms.example.org/api", token_env="FORMS_TOKEN")
TAIPEI = ZoneInfo("Asia/Taipei")
SECRET = "tok-SECRET"


class Recorder:
    def __init__(self, answer=None):
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.answer, Exception):
            raise self.answer
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


# --- tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize("pasted", [f"{SECRET}\n", f"  {SECRET}\r\n", f"\t{SECRET} "])
def test_a_feed_token_with_whitespace_around_it_is_stripped_and_sent(pasted):
    server = Recorder()
    list(fetch_pages(FEED, None, tz=TAIPEI, client=server.client(), environ={"FORMS_TOKEN": pasted}))
    assert server.requests[0].headers["Authorization"] == f"Bearer {SECRET}"


@pytest.mark.parametrize("broken", [f"tok\n{SECRET}", f"tok {SECRET}", f"tok\x00{SECRET}", f"tök{SECRET}"])
def test_a_feed_token_that_cannot_be_sent_is_refused_without_echoing_it(broken):
    server = Recorder()
    with pytest.raises(FeedError) as caught:
        list(fetch_pages(FEED, None, tz=TAIPEI, client=server.client(), environ={"FORMS_TOKEN": broken}))
    assert "$FORMS_TOKEN" in str(caught.value) and "SECRET" not in str(caught.value)
    assert server.requests == []  # refused before anything was sent


def test_an_http_error_naming_a_header_value_does_not_show_it():
    refused = httpx.LocalProtocolError(f"Illegal header value b'Bearer {SECRET}\\n'")
    server = Recorder(answer=refused)
    with pytest.raises(FeedError) as caught:
        list(fetch_pages(FEED, None, tz=TAIPEI, client=server.client(), environ={"FORMS_TOKEN": SECRET},
                         sleep=lambda s: None))
    assert "SECRET" not in str(caught.value) and "Illegal header value" in str(caught.value)
    assert "SECRET" not in error_text(refused)


def test_a_hackmd_token_with_a_trailing_newline_is_sent_stripped_and_never_shown(tmp_path):
    note = tmp_path / "w47.md"
    note.write_text(f"{PUBLIC_MARK}\n\n# Partner requests\n", encoding="utf-8")
    settings = Settings(steward_name="t", language="en", timezone="Asia/Taipei", database=tmp_path / "s.db")
    sent = []

    def hackmd(request):
        sent.append(request)
        return httpx.Response(201, json={"id": "n1", "publishLink": "https://hackmd.io/n1"})

    client = httpx.Client(transport=httpx.MockTransport(hackmd))
    result = publish(note, to="hackmd", settings=settings, client=client, environ={"HACKMD_TOKEN": f"{SECRET}\n"})
    assert sent[0].headers["Authorization"] == f"Bearer {SECRET}"
    assert SECRET not in json.dumps(result.as_dict())
    with pytest.raises(UsageError) as caught:
        publish(note, to="hackmd", settings=settings, client=client, environ={"HACKMD_TOKEN": f"a\n{SECRET}"})
    assert "$HACKMD_TOKEN" in str(caught.value) and "SECRET" not in str(caught.value)
    assert len(sent) == 1


# --- URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, shown",
    [
        ("https://user:pass@feeds.example.org/items?key=abc&since=2", "https://***@feeds.example.org/items?key=***&since=2"),
        ("https://feeds.example.org/x?api_key=1&token=2&access_token=3&sig=4", "https://feeds.example.org/x?api_key=***&token=***&access_token=***&sig=***"),
        ("http://[::1]:8080/a#access_token=zz", "http://[::1]:8080/a#access_token=***"),
        ("https://g0v.tw/projects.json", "https://g0v.tw/projects.json"),
        ("./local/file.json", "./local/file.json"),
    ],
)
def test_urls_are_shown_without_credentials(url, shown):
    assert redact_url(url) == shown


@given(
    user=st.text(alphabet="abcdefghXYZ0123._-", min_size=1, max_size=8),
    password=st.text(alphabet="abcdefghXYZ0123._-!$", min_size=4, max_size=12).map(lambda s: "PW" + s),
    value=st.text(alphabet="abcdefghXYZ0123", min_size=4, max_size=12).map(lambda s: "QV" + s),
    name=st.sampled_from(["key", "token", "apikey", "api_key", "access_token", "secret", "password", "sig"]),
)
def test_no_generated_credential_survives_redaction(user, password, value, name):
    url = f"https://{user}:{password}@host.example.org/path?{name}={value}&page=2"
    shown = redact_urls(f"could not fetch {url}: refused")
    assert password not in shown and value not in shown and "page=2" in shown


def test_config_show_redacts_feed_and_source_urls(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        '[directory]\nsources = ["https://alice:DIRPASS@dir.example.org/g0v.json"]\n\n'
        '[[feeds]]\nname = "forms"\nurl = "https://bob:FEEDPASS@forms.example.org/api?key=FEEDKEY&since=1"\n',
        encoding="utf-8",
    )
    for args in ([], ["--json"]):
        result = CliRunner().invoke(main, ["--config", str(config), "config", "show", *args])
        assert result.exit_code == 0, result.output
        assert "forms.example.org/api" in result.output
        for secret in ("DIRPASS", "FEEDPASS", "FEEDKEY", "alice", "bob"):
            assert secret not in result.output


def test_slack_dry_run_hides_a_password_in_the_webhook_url(tmp_path, monkeypatch):
    note = tmp_path / "w47.md"
    note.write_text(f"{PUBLIC_MARK}\n\n# Partner requests\n", encoding="utf-8")
    monkeypatch.setenv("STEWARD_SLACK_WEBHOOK", "https://user:HOOKPASS@hooks.slack.example/services/T/B/HOOKPATH")
    for args in ([], ["--json"]):
        result = CliRunner().invoke(main, ["publish", str(note), "--to", "slack", "--dry-run", *args])
        assert result.exit_code == 0, result.output
        assert "hooks.slack.example" in result.output
        assert "HOOKPASS" not in result.output and "HOOKPATH" not in result.output


def test_a_service_echoing_the_token_back_does_not_print_it(tmp_path):
    note = tmp_path / "w47.md"
    note.write_text(f"{PUBLIC_MARK}\n\n# Partner requests\n", encoding="utf-8")
    settings = Settings(steward_name="t", language="en", timezone="Asia/Taipei", database=tmp_path / "s.db")
    echo = httpx.MockTransport(lambda r: httpx.Response(401, json={"message": f"bad token {SECRET}"}))
    with pytest.raises(Exception) as caught:
        publish(note, to="hackmd", settings=settings, client=httpx.Client(transport=echo),
                environ={"HACKMD_TOKEN": SECRET})
    assert "401" in str(caught.value) and SECRET not in str(caught.value)
