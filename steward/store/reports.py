"""Read-only queries behind the weekly summary.

Functions take an open Store and ISO 8601 UTC bounds (``[start, end)``), so
they compare as text against the stored timestamps and use the indexes on
``requests.received_at`` and ``events(action, at)``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from steward.models import Request, RequestFilter
from steward.store.core import Store

# A request has been answered once a draft was marked sent or its status was set
# to "replied" by hand (replies written outside steward).
_IS_REPLY = "(e.action = 'sent' OR (e.action = 'status' AND e.new = 'replied'))"


@contextmanager
def snapshot(store: Store) -> Iterator[None]:
    """One read transaction, so every figure comes from the same state of a shared inbox."""
    if store.conn.in_transaction:
        yield
        return
    store.conn.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        store.conn.rollback()  # nothing was written; just end the snapshot


def _marks(values: Iterable) -> str:
    return ",".join("?" * len(tuple(values)))


def requests_by_ids(store: Store, ids: Iterable[int]) -> dict[int, Request]:
    """The requests with these numbers, keyed by number."""
    wanted = list(dict.fromkeys(ids))
    found: dict[int, Request] = {}
    for chunk in range(0, len(wanted), 500):
        part = tuple(wanted[chunk : chunk + 500])
        for request in store.list_requests(RequestFilter(ids=part), limit=len(part)):
            found[request.id] = request
    return found


def first_replies(store: Store, start: str, end: str) -> list[tuple[int, str, str]]:
    """(request id, received_at, first reply at) for requests first answered in [start, end)."""
    return store.conn.execute(
        f"""
        SELECT e.request_id, r.received_at, min(e.at)
        FROM events e JOIN requests r ON r.id = e.request_id
        WHERE e.action IN ('sent', 'status') AND e.at >= ? AND e.at < ? AND {_IS_REPLY}
          AND NOT EXISTS (
            SELECT 1 FROM events p
            WHERE p.request_id = e.request_id AND p.at < ?
              AND (p.action = 'sent' OR (p.action = 'status' AND p.new = 'replied')))
        GROUP BY e.request_id
        ORDER BY min(e.at), e.request_id
        """,
        (start, end, start),
    ).fetchall()


def replied_during(store: Store, start: str, end: str) -> list[tuple[int, str]]:
    """(request id, last reply at) for every request answered in [start, end)."""
    return store.conn.execute(
        f"""
        SELECT e.request_id, max(e.at) FROM events e
        WHERE e.action IN ('sent', 'status') AND e.at >= ? AND e.at < ? AND {_IS_REPLY}
        GROUP BY e.request_id ORDER BY max(e.at), e.request_id
        """,
        (start, end),
    ).fetchall()


def status_changes_during(store: Store, start: str, end: str, statuses: Iterable[str]) -> list[tuple[int, str, str]]:
    """(request id, new status, at) of the last change into one of `statuses` in [start, end)."""
    statuses = tuple(statuses)
    # SQLite fills bare columns from the row that holds max(id): the latest change.
    rows = store.conn.execute(
        f"""
        SELECT request_id, new, at, max(id) FROM events
        WHERE action = 'status' AND at >= ? AND at < ? AND new IN ({_marks(statuses)})
        GROUP BY request_id
        """,
        (start, end, *statuses),
    ).fetchall()
    return sorted(((r[0], r[1], r[2]) for r in rows), key=lambda r: (r[2], r[0]))


def unchecked_at_send(store: Store, start: str, end: str) -> tuple[int, Counter[str]]:
    """How many replies were sent in [start, end), and how often each checklist item was unchecked then.

    ``Store.mark_sent`` records the keys still unchecked at that moment in the
    'sent' event's detail, so later ticking does not rewrite history.
    """
    sent = 0
    misses: Counter[str] = Counter()
    for (detail,) in store.conn.execute(
        "SELECT detail FROM events WHERE action = 'sent' AND at >= ? AND at < ?", (start, end)
    ):
        sent += 1
        try:
            keys = json.loads(detail) if detail else []
        except ValueError:
            continue  # an older or hand-edited event: nothing to learn from it
        if isinstance(keys, list):
            misses.update(k for k in dict.fromkeys(keys) if isinstance(k, str) and k)
    return sent, misses


def count_with_status(store: Store, statuses: Iterable[str]) -> int:
    statuses = tuple(statuses)
    return store.conn.execute(
        f"SELECT count(*) FROM requests WHERE status IN ({_marks(statuses)})", statuses
    ).fetchone()[0]


def open_since_before(store: Store, statuses: Iterable[str], before: str, *, limit: int) -> tuple[int, list[int]]:
    """Requests in `statuses` received before `before`: how many, and the oldest `limit` ids."""
    statuses = tuple(statuses)
    marks = _marks(statuses)
    # All open ones less the recent ones: both read an index, where counting the old
    # ones directly would read most of the table. "+status" keeps SQLite on the
    # received_at index, which yields the oldest first and stops at the limit.
    recent = store.conn.execute(
        f"SELECT count(*) FROM requests WHERE received_at >= ? AND +status IN ({marks})", (before, *statuses)
    ).fetchone()[0]
    total = count_with_status(store, statuses) - recent
    ids = [
        r[0]
        for r in store.conn.execute(
            f"SELECT id FROM requests WHERE received_at < ? AND +status IN ({marks}) ORDER BY received_at, id LIMIT ?",
            (before, *statuses, limit),
        )
    ]
    return total, ids


def follow_ups_due(store: Store, excluded: Iterable[str], on_or_before: date, *, limit: int) -> tuple[int, list[int]]:
    """Requests not in `excluded` with a follow-up on or before the day: how many, and the earliest ids."""
    excluded = tuple(excluded)
    where = f"follow_up_on IS NOT NULL AND follow_up_on <= ? AND status NOT IN ({_marks(excluded)})"
    params = (on_or_before.isoformat(), *excluded)
    (total,) = store.conn.execute(f"SELECT count(*) FROM requests WHERE {where}", params).fetchone()
    ids = [
        r[0]
        for r in store.conn.execute(
            f"SELECT id FROM requests WHERE {where} ORDER BY follow_up_on, id LIMIT ?", (*params, limit)
        )
    ]
    return total, ids


def count_follow_ups_before(store: Store, excluded: Iterable[str], before: date) -> int:
    excluded = tuple(excluded)
    return store.conn.execute(
        f"SELECT count(*) FROM requests WHERE follow_up_on IS NOT NULL AND follow_up_on < ? "
        f"AND status NOT IN ({_marks(excluded)})",
        (before.isoformat(), *excluded),
    ).fetchone()[0]


def people_names(store: Store, ids: Iterable[int]) -> set[str]:
    """Sender names and addresses of these requests and their threads, and every assignee."""
    names: set[str] = set()
    wanted = list(dict.fromkeys(ids))
    for chunk in range(0, len(wanted), 500):
        part = wanted[chunk : chunk + 500]
        marks = _marks(part)
        for row in store.conn.execute(
            f"SELECT from_name, from_email FROM requests WHERE id IN ({marks}) "
            f"UNION SELECT from_name, from_email FROM messages WHERE request_id IN ({marks})",
            (*part, *part),
        ):
            names.update(v for v in row if v)
    names.update(store.known_assignees())
    return names


def all_people_names(store: Store) -> set[str]:
    """Every sender name and address in the inbox, and every assignee: what `publish` looks for."""
    names = {
        v for row in store.conn.execute(
            "SELECT from_name, from_email FROM requests UNION SELECT from_name, from_email FROM messages"
        ) for v in row if v
    }
    names.update(store.known_assignees())
    return names
