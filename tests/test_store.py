"""The inbox file: versions, history, search, concurrency, permissions."""

from __future__ import annotations

import multiprocessing
import os
import stat
from datetime import date, datetime, timezone

import pytest

from steward.models import IncomingRequest, NotFound, RequestFilter, StaleVersion, UsageError
from steward.store import Store
from tests.conftest import sample_records


def _request(n: int, **fields) -> IncomingRequest:
    base = dict(received_at=datetime(2026, 11, 20, 3, n % 60, tzinfo=timezone.utc), subject=f"Request {n}",
                body="Hello", external_id=f"t{n}")
    return IncomingRequest(**{**base, **fields})


def test_new_inbox_is_private_to_its_owner(db_path):
    Store.open(db_path, actor="tester").close()
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(db_path.parent).st_mode) == 0o700


def test_shared_inbox_is_group_writable(tmp_path):
    path = tmp_path / "team" / "inbox.db"
    Store.open(path, actor="tester", shared=True).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o660


def test_importing_the_same_records_twice_adds_nothing(store):
    records = sample_records()
    first = store.import_requests(records)
    second = store.import_requests(sample_records())
    assert (first.imported, first.duplicates) == (60, 0)
    assert (second.imported, second.duplicates) == (0, 60)
    assert store.count() == 60


def test_records_without_ids_are_deduplicated_by_content(store):
    a = _request(1, external_id=None)
    b = _request(1, external_id=None)
    assert store.import_requests([a]).imported == 1
    assert store.import_requests([b]).duplicates == 1


def test_request_found_by_number_or_external_id(store):
    store.import_requests([_request(1), _request(2)])
    assert store.get("t2").id == 2
    assert store.get(1).external_id == "t1"
    with pytest.raises(NotFound):
        store.get("nope")


def test_every_action_lands_in_the_history(store):
    store.import_requests([_request(1)])
    store.set_status(1, "triaged")
    store.assign(1, "mei")
    store.add_tags(1, ["partner"])
    store.add_note(1, "Called them back.")
    store.set_follow_up(1, date(2026, 12, 1))
    store.set_status(1, "new")  # reopening is allowed too
    actions = [(e.action, e.old, e.new) for e in store.history(1)]
    assert actions == [
        ("import", None, "new"), ("status", "new", "triaged"), ("assign", None, "mei"),
        ("tag", None, "partner"), ("note", None, None), ("follow_up", None, "2026-12-01"),
        ("status", "triaged", "new"),
    ]
    assert store.get(1).version == 7


def test_write_based_on_an_old_version_is_refused_and_says_who(store):
    store.import_requests([_request(1)])
    seen = store.get(1)
    other = Store.open(store.path, actor="mei")
    other.set_status(1, "waiting")
    with pytest.raises(StaleVersion) as refused:
        store.add_note(1, "my note", expected_version=seen.version)
    assert "mei" in str(refused.value) and "waiting" in str(refused.value)
    assert store.notes(1) == []  # nothing was written
    other.close()


def test_unknown_status_is_a_usage_error(store):
    store.import_requests([_request(1)])
    with pytest.raises(UsageError):
        store.set_status(1, "done")


@pytest.mark.parametrize("query", ['"', "a OR b", "subject:x", "(", "NEAR(", "*", "'; DROP TABLE requests; --"])
def test_search_text_is_never_query_syntax(store, query):
    store.import_requests([_request(1)])
    store.count(RequestFilter(query=query))  # must not raise
    assert store.count() == 1


def test_short_chinese_terms_are_found(store):
    store.import_requests([_request(1, subject="萌典資料授權"), _request(2, subject="other")])
    assert [r.id for r in store.list_requests(RequestFilter(query="萌典"))] == [1]
    assert [r.id for r in store.list_requests(RequestFilter(query="資料授權"))] == [1]


def test_like_wildcards_in_short_queries_are_literal(store):
    store.import_requests([_request(1, subject="100% sure"), _request(2, subject="plain")])
    assert [r.id for r in store.list_requests(RequestFilter(query="%"))] == [1]


def test_control_characters_are_stripped_on_the_way_in(store):
    store.import_requests([_request(1, subject="a\x1b[31mred\x07\u202e", body="x\x00y\ttab\nline")])
    request = store.get(1)
    assert request.subject == "ared"
    assert request.body == "xy\ttab\nline"


def test_huge_body_is_kept_truncated_with_a_marker(store):
    report = store.import_requests([_request(1, body="字" * 600_000, source="f.jsonl:1")])
    body = store.get(1).body
    assert report.imported == 1 and report.warnings
    assert len(body.encode()) < 1024 * 1024 + 200 and "truncated" in body


def _tag_many(path, prefix, n):
    s = Store.open(path, actor=prefix)
    for i in range(n):
        s.add_tags(1, [f"{prefix}-{i}"])
    s.close()


def test_two_processes_tagging_at_once_lose_nothing(db_path):
    s = Store.open(db_path, actor="tester")
    s.import_requests([_request(1)])
    s.close()
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_tag_many, args=(db_path, p, 100)) for p in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    s = Store.open(db_path, actor="tester")
    assert len(s.get(1).tags) == 200
    assert sum(1 for e in s.history(1) if e.action == "tag") == 200
    s.close()


def test_status_counts_follow_every_change(store):
    store.import_requests([_request(1), _request(2), _request(3)])
    store.set_status(2, "spam")
    counts = store.status_counts()
    assert counts["new"] == 2 and counts["spam"] == 1


def test_manual_route_survives_new_suggestions(store):
    from steward.models import CategoryGuess, Match, MatchResult

    store.import_requests([_request(1)])
    suggestion = MatchResult("en", CategoryGuess("data", 80, ["x"]), [Match("cofacts", "", "", 90, ["y"])])
    store.save_match_result(1, suggestion)
    store.set_route(1, "moedict")
    store.set_category(1, "media")
    store.save_match_result(1, suggestion)
    request = store.get(1)
    assert (request.match, request.category) == ("moedict", "media")
    store.set_route(1, None)
    store.set_category(1, None)
    request = store.get(1)
    assert (request.match, request.category) == ("cofacts", "data")


def test_reply_threads_into_its_request(store):
    original = _request(1, message_id="<a@x>")
    reply = _request(2, message_id="<b@x>", in_reply_to=["<a@x>"], external_id=None,
                     received_at=datetime(2026, 11, 21, tzinfo=timezone.utc))
    report = store.import_requests([original, reply])
    assert (report.imported, report.threaded) == (1, 1)
    assert len(store.messages(1)) == 2
    again = store.import_requests([original, reply])
    assert again.imported == 0 and again.threaded == 0
