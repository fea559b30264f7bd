"""JSON feeds: requests pulled over HTTP from other tools (`steward fetch`).

A feed answers a GET with a JSON document holding a list of items and a
cursor; the next GET sends the cursor back so only newer items come. Each item
is mapped onto the interchange fields (see `steward.intake.jsonl`) by the
feed's `mapping` (our field -> their field, dotted paths allowed).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from steward.util.credentials import BadToken, clean_token
from steward.util.http import RetryPolicy, WaitTooLong, failure, status_problem, with_retries
from steward.intake import guarded
from steward.intake.jsonl import HugeNumber, loads, record_from_mapping
from steward.models import IncomingRequest, RecordError, StewardError

if TYPE_CHECKING:
    import httpx

    from steward.config.settings import FeedSettings

FIELDS = (
    "external_id", "received_at", "channel", "from_name", "from_email", "organization",
    "subject", "body", "message_id", "in_reply_to",
)
# A Retry-After beyond five minutes is reported rather than slept through.
RETRY_POLICY = RetryPolicy(attempts=5, max_retry_after=300.0, refuse_long_waits=True)
MAX_PAGES = 1000  # a feed that never stops handing out new cursors is a broken feed


class FeedError(StewardError):
    """A feed could not be read; nothing from the failed page was imported."""

    def __init__(self, feed: str, reason: str):
        super().__init__(f"feed {feed!r}: {reason}")
        self.feed = feed
        self.reason = reason


@dataclass
class FeedPage:
    records: list[IncomingRequest | RecordError]
    cursor: str | None  # the cursor to send next time; None: keep the old one


def fetch_pages(
    feed: FeedSettings,
    cursor: str | None,
    *,
    tz: tzinfo,
    client: httpx.Client,
    sleep: Callable[[float], None] = time.sleep,
    environ: Mapping[str, str] = os.environ,
) -> Iterator[FeedPage]:
    """Pages of new items, oldest cursor first, until the feed has nothing new.

    The next page is only requested when the caller asks for it, so a caller
    that stores each page's cursor after importing its items never skips any.
    """
    headers = {"Accept": "application/json"}
    try:
        token = clean_token(environ.get(feed.token_env), source=f"${feed.token_env}") if feed.token_env else None
    except BadToken as exc:
        raise FeedError(feed.name, str(exc)) from None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    seen = 0
    for _ in range(MAX_PAGES):
        params = {feed.cursor_param: cursor} if cursor and feed.cursor_param else {}
        document = _get_json(feed, client, params, headers, sleep)
        items = dig(document, feed.items_path) if feed.items_path else document
        if not isinstance(items, list):
            raise FeedError(feed.name, f"the response has no list of items at {feed.items_path or 'the top'!r}")
        next_cursor = dig(document, feed.cursor_path) if feed.cursor_path else None
        if next_cursor is not None and not isinstance(next_cursor, (str, int)) or isinstance(next_cursor, bool):
            raise FeedError(feed.name, f"the cursor at {feed.cursor_path!r} is not a string or a number")
        if isinstance(next_cursor, HugeNumber) or isinstance(next_cursor, str) and len(next_cursor) > 4000:
            raise FeedError(feed.name, f"the cursor at {feed.cursor_path!r} is too long to be a cursor")
        next_cursor = None if next_cursor in (None, "") else str(next_cursor)
        records = []
        for item in items:
            seen += 1
            location = f"feed {feed.name}:item {seen}"
            # One bad item is reported; the others of the page are imported and the cursor kept.
            records.append(guarded(location, map_item, item, feed, location=location, tz=tz))
        yield FeedPage(records, next_cursor)
        if not items or next_cursor is None or next_cursor == cursor:
            return
        cursor = next_cursor
    raise FeedError(feed.name, f"still handing out new cursors after {MAX_PAGES} pages; stopped")


def map_item(item: object, feed: FeedSettings, *, location: str, tz: tzinfo) -> IncomingRequest | RecordError:
    """One feed item as a request, through the feed's field mapping."""
    if not isinstance(item, Mapping):
        return RecordError(location, "expected a JSON object")
    mapped = {field: dig(item, feed.mapping.get(field, field)) for field in FIELDS}
    return record_from_mapping(mapped, location=location, tz=tz)


def dig(document: Any, path: str) -> Any:
    """The value at a dotted path ("data.items", "author.0.email"), or None."""
    value = document
    for step in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def _get_json(feed: FeedSettings, client: httpx.Client, params: dict, headers: dict, sleep) -> Any:
    import httpx

    try:
        response = with_retries(lambda: client.get(feed.url, params=params, headers=headers),
                                policy=RETRY_POLICY, sleep=sleep)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FeedError(feed.name, failure(exc, feed.url)) from None
    except WaitTooLong as exc:
        raise FeedError(feed.name, f"{exc}, try later") from None
    if response.status_code >= 400:
        hint = ""
        if response.status_code in (401, 403) and feed.token_env:
            hint = f" (check the token in ${feed.token_env})"
        raise FeedError(feed.name, f"{status_problem(response)}{hint}")
    try:
        return loads(response.content)
    except RecursionError:
        raise FeedError(feed.name, "the response is nested too deeply to read") from None
    except ValueError:  # JSONDecodeError, or bytes that are not UTF-8/16/32
        raise FeedError(feed.name, "the response is not JSON") from None
