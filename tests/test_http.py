"""One HTTP client for feeds, directory sync and publishing: same settings, redirects, error words. Never the network."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

import steward.util.http as steward_http
from steward.config.settings import FeedSettings, load_settings
from steward.directory.sync import sync_directory
from steward.intake.pipeline import fetch_feeds
from steward.store import Store
from steward.summary.markdown import PUBLIC_MARK
from steward.summary.publish import publish
from steward.util.http import MAX_REDIRECTS, USER_AGENT, failure, new_client

FEED_URL = "https://forms.example.org/api/requests"
SOURCE = "https://projects.example.org/g0v.json"
WEBHOOK = "https://hooks.slack.example/services/T000/B000/secretpath"


class Recorder:
    """Stands in for new_client: builds the real client on a mock transport and keeps it and its requests."""

    def __init__(self, answer):
        self.answer = answer
        self.clients: list[httpx.Client] = []
        self.requests: list[httpx.Request] = []

    def __call__(self, **kwargs) -> httpx.Client:
        client = _real_new_client(**kwargs, transport=httpx.MockTransport(self.handle))
        self.clients.append(client)
        return client

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


_real_new_client = new_client


def settings_for(tmp_path):
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir()
    config.write_text(f'[directory]\nsources = ["{SOURCE}"]\n', encoding="utf-8")
    settings = load_settings(config)
    return replace(settings, database=tmp_path / "s.db", feeds=[FeedSettings(name="forms", url=FEED_URL)])


def client_settings(client: httpx.Client) -> dict:
    return {
        "timeout": client.timeout,
        "user_agent": client.headers["User-Agent"],
        "follow_redirects": client.follow_redirects,
        "max_redirects": client.max_redirects,
        "trust_env": client.trust_env,
        "class": type(client),
    }


def test_feeds_directory_sync_and_publishing_get_the_same_client(tmp_path, monkeypatch):
    recorder = Recorder(lambda request: httpx.Response(200, json=[]))
    monkeypatch.setattr(steward_http, "new_client", recorder)
    # A caller that built its own client would reach for the network: it fails here instead.
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", lambda self, request: pytest.fail(f"network: {request.url}"))
    settings = settings_for(tmp_path)

    store = Store.open(settings.database, actor="tester")
    try:
        fetch_feeds(store, settings, environ={})
    finally:
        store.close()
    sync_directory(settings, sleep=lambda s: None)
    note = tmp_path / "w47.md"
    note.write_text(f"{PUBLIC_MARK}\n\n# Week 47\n", encoding="utf-8")
    publish(note, to="slack", settings=settings, environ={"STEWARD_SLACK_WEBHOOK": WEBHOOK})

    assert [str(r.url).split("?")[0] for r in recorder.requests] == [FEED_URL, SOURCE, WEBHOOK]
    feeds, sync, publishing = (client_settings(c) for c in recorder.clients)
    assert feeds == sync == publishing
    assert feeds["user_agent"] == USER_AGENT and feeds["timeout"] == httpx.Timeout(20.0, connect=10.0)
    # What went over the wire agrees too: the User-Agent and the timeouts each request carried.
    assert {r.headers["User-Agent"] for r in recorder.requests} == {USER_AGENT}
    assert len({tuple(sorted(r.extensions["timeout"].items())) for r in recorder.requests}) == 1
    assert all(c.is_closed for c in recorder.clients)


def test_a_sync_timeout_given_on_the_command_line_reaches_the_client(tmp_path, monkeypatch):
    recorder = Recorder(lambda request: httpx.Response(200, json=[]))
    monkeypatch.setattr(steward_http, "new_client", recorder)
    sync_directory(settings_for(tmp_path), sleep=lambda s: None, timeout=3.0)
    assert recorder.clients[0].timeout == httpx.Timeout(3.0)  # connect: min(10, 3)


def redirecting(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/old":
        return httpx.Response(302, headers={"Location": "https://other.example.org/new"})
    return httpx.Response(200, json={"path": request.url.path, "auth": request.headers.get("Authorization")})


def test_get_follows_a_redirect_but_drops_the_token_on_another_host():
    with new_client(transport=httpx.MockTransport(redirecting)) as client:
        response = client.get("https://forms.example.org/old", headers={"Authorization": "Bearer s3cret"})
    assert response.status_code == 200
    assert response.json() == {"path": "/new", "auth": None}


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE"])
def test_a_write_is_never_redirected(method):
    seen = []

    def handler(request):
        seen.append(request.url.path)
        return redirecting(request)

    with new_client(transport=httpx.MockTransport(handler)) as client:
        response = client.request(method, "https://api.example.org/old", json={"text": "hi"})
    assert response.status_code == 302 and seen == ["/old"]


def test_redirect_loops_stop_after_the_limit():
    def loop(request):
        return httpx.Response(302, headers={"Location": str(request.url.copy_with(path=request.url.path + "x"))})

    with new_client(transport=httpx.MockTransport(loop)) as client, pytest.raises(httpx.TooManyRedirects) as caught:
        client.get("https://loop.example.org/a")
    assert failure(caught.value) == f"more than {MAX_REDIRECTS} redirects"


def test_tls_certificates_are_verified():
    import ssl

    with new_client() as client:
        context = client._transport._pool._ssl_context  # httpx has no public accessor for it
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (httpx.ConnectError("connection refused"), "cannot connect to h.example.org: connection refused"),
        (httpx.ConnectTimeout("slow"), "cannot connect to h.example.org: slow"),
        (httpx.ReadTimeout("slow"), "timed out"),
        (httpx.RemoteProtocolError("peer closed"), "connection to h.example.org failed: peer closed"),
        (httpx.InvalidURL("bad"), "request to h.example.org failed: bad"),
    ],
)
def test_failures_are_said_the_same_way_by_every_caller(exc, words):
    assert failure(exc, "https://user:pw@h.example.org/x?token=abc") == words


def test_failure_words_never_carry_a_credential():
    exc = httpx.ConnectError("cannot reach https://ada:hunter2@h.example.org/?token=abc; Illegal header value b'Bearer xyz'")
    said = failure(exc, "https://ada:hunter2@h.example.org/?token=abc")
    assert "hunter2" not in said and "abc" not in said and "xyz" not in said
    assert said.startswith("cannot connect to h.example.org: ")
