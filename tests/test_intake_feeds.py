"""JSON feeds over HTTP: paging with a cursor, retries, broken responses."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import httpx
import pytest

from steward.config.settings import FeedSettings
from steward.util.http import retry_after
from steward.intake.feeds import FeedError, dig, fetch_pages
from steward.models import IncomingRequest, RecordError

TAIPEI = ZoneInfo("Asia/Taipei")
FEED = FeedSettings(
    name="forms", url="https://forms.example.org/api/requests", token_env="FORMS_TOKEN",
    cursor_param="since", items_path="data.items", cursor_path="data.next",
    mapping={"external_id": "id", "received_at": "created", "from_email": "author.email", "body": "text"},
)


def item(n: int) -> dict:
    return {"id": f"f{n}", "created": f"2026-11-20T10:0{n}:00+08:00", "author": {"email": f"p{n}@x.org"},
            "text": f"request {n}"}


def client(handler) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_items_are_mapped_with_dotted_paths_and_token_is_sent():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": {"items": [item(1), "junk"], "next": None}})

    (page,) = fetch_pages(FEED, None, tz=TAIPEI, client=client(handler), environ={"FORMS_TOKEN": "s3cret"})
    good, bad = page.records
    assert isinstance(good, IncomingRequest)
    assert (good.external_id, good.from_email, good.body) == ("f1", "p1@x.org", "request 1")
    assert good.received_at == datetime(2026, 11, 20, 2, 1, tzinfo=timezone.utc)
    assert isinstance(bad, RecordError) and bad.location == "feed forms:item 2"
    assert seen[0].headers["Authorization"] == "Bearer s3cret"
    assert "since" not in seen[0].url.params


def test_pages_follow_the_cursor_until_nothing_is_new():
    pages = {None: ([item(1), item(2)], "c2"), "c2": ([item(3)], "c3"), "c3": ([], "c3")}
    asked = []

    def handler(request: httpx.Request) -> httpx.Response:
        since = request.url.params.get("since")
        asked.append(since)
        items, nxt = pages[since]
        return httpx.Response(200, json={"data": {"items": items, "next": nxt}})

    result = list(fetch_pages(FEED, None, tz=TAIPEI, client=client(handler), environ={}))
    assert asked == [None, "c2", "c3"]
    assert [len(p.records) for p in result] == [2, 1, 0]
    assert [p.cursor for p in result] == ["c2", "c3", "c3"]


def test_retry_after_is_honoured_on_429_and_5xx():
    answers = iter([
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(503),
        httpx.Response(200, json={"data": {"items": [item(1)], "next": None}}),
    ])
    waits: list[float] = []
    (page,) = fetch_pages(
        FEED, None, tz=TAIPEI, client=client(lambda r: next(answers)), sleep=waits.append, environ={}
    )
    assert waits == [7.0, 2.0]  # the server's wait, then the backoff
    assert len(page.records) == 1


def test_connection_errors_are_retried_then_reported_with_the_feed_name():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    waits: list[float] = []
    with pytest.raises(FeedError, match="'forms'.*cannot connect"):
        list(fetch_pages(FEED, None, tz=TAIPEI, client=client(handler), sleep=waits.append, environ={}))
    assert len(calls) == 5
    assert waits == [1.0, 2.0, 4.0, 8.0]


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(200, text="<html>oops</html>"), "not JSON"),
        (httpx.Response(200, json={"data": {"items": {"not": "a list"}}}), "no list of items at 'data.items'"),
        (httpx.Response(401), r"HTTP 401.*\$FORMS_TOKEN"),
    ],
)
def test_malformed_or_refused_responses_name_the_feed(response, message):
    with pytest.raises(FeedError, match=message) as caught:
        list(fetch_pages(FEED, "c1", tz=TAIPEI, client=client(lambda r: response), environ={}))
    assert caught.value.feed == "forms"


def test_retry_after_as_http_date():
    now = datetime(2026, 11, 20, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after("Fri, 20 Nov 2026 12:00:30 GMT", now=now) == 30.0
    assert retry_after("soon") is None


def test_dig_walks_objects_and_lists():
    assert dig({"a": [{"b": 1}]}, "a.0.b") == 1
    assert dig({"a": []}, "a.0.b") is None


def test_a_very_long_retry_after_is_reported_instead_of_slept_through():
    waits: list[float] = []
    answer = httpx.Response(503, headers={"Retry-After": "3600"})
    with pytest.raises(FeedError, match="asks to wait 3600s, try later"):
        list(fetch_pages(FEED, None, tz=TAIPEI, client=client(lambda r: answer), sleep=waits.append, environ={}))
    assert waits == []
