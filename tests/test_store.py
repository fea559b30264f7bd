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


# --- which files steward writes to --------------------------------------------------


def _pragmas(path) -> tuple[int, int, str]:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("PRAGMA application_id").fetchone()[0],
            conn.execute("PRAGMA user_version").fetchone()[0],
            conn.execute("PRAGMA journal_mode").fetchone()[0],
        )
    finally:
        conn.close()


def test_a_new_inbox_is_marked_as_steward_and_fully_migrated(db_path):
    from steward.store import schema

    Store.open(db_path, actor="tester").close()
    app_id, version, _ = _pragmas(db_path)
    assert app_id == schema.APPLICATION_ID and version == schema.LATEST


def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path):
    import sqlite3

    from steward.models import SchemaError

    path = tmp_path / "other-app.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('mine')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaError, match="not a steward inbox"):
        Store.open(path, actor="tester")
    assert path.read_bytes() == before
    assert _pragmas(path)[2] == "delete"  # not even switched to WAL


def test_a_newer_schema_is_refused_before_anything_is_written(db_path):
    import sqlite3

    from steward.models import SchemaError

    store = Store.open(db_path, actor="tester")
    store.import_requests([_request(1)])
    store.conn.execute("PRAGMA user_version = 99")
    store.close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(SchemaError, match="newer steward .*schema 99"):
        Store.open(db_path, actor="tester")
    assert db_path.read_bytes() == before


@pytest.mark.parametrize("start", range(1, 3))
def test_an_older_steward_inbox_is_migrated_step_by_step_keeping_its_requests(db_path, start):
    """Each numbered migration: a file left at schema `start` (unmarked, as older stewards wrote them)."""
    import sqlite3

    from steward.store import schema

    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    for number, step in enumerate(schema.MIGRATIONS[:start], start=1):
        step(conn)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute(
        "INSERT INTO requests (content_hash, received_at, created_at, updated_at, last_activity_at, subject) "
        "VALUES ('h', '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', "
        "'2026-11-20T00:00:00Z', 'kept')"
    )
    conn.commit()
    conn.close()
    store = Store.open(db_path, actor="tester")
    assert [r.subject for r in store.list_requests()] == ["kept"]
    assert store.is_demo() is False  # the meta table of schema 2 is there
    store.close()
    app_id, version, _ = _pragmas(db_path)
    assert (app_id, version) == (schema.APPLICATION_ID, schema.LATEST)


# --- write failures -------------------------------------------------------------------


def test_a_read_only_inbox_refuses_a_change_with_a_message_and_keeps_what_was_stored(store):
    from steward.models import StoreWriteError

    store.import_requests([_request(1)])
    store.add_note(1, "first note")
    store.conn.execute("PRAGMA query_only = 1")  # what a read-only file does to every write
    with pytest.raises(StoreWriteError, match=r"could not write to the inbox .*read-only"):
        store.set_status(1, "triaged", note="second note")
    with pytest.raises(StoreWriteError):
        store.import_requests([_request(2)])
    store.conn.execute("PRAGMA query_only = 0")
    request = store.get(1)
    assert request.status == "new" and [e.detail for e in store.notes(1)] == ["first note"]
    assert store.count() == 1
    assert store.set_status(1, "triaged").status == "triaged"  # the connection still works


def test_a_full_disk_refuses_a_note_with_a_message_and_keeps_what_was_stored(store):
    from steward.models import StoreWriteError

    store.import_requests([_request(1)])
    (pages,) = store.conn.execute("PRAGMA page_count").fetchone()
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreWriteError, match="disk is full"):
        store.add_note(1, "x" * 200_000)
    assert store.notes(1) == [] and store.get(1).version == 1


# --- which request a reference means ------------------------------------------------


def test_a_number_always_means_the_requests_own_number_even_when_an_external_id_matches(store):
    store.import_requests([_request(n) for n in range(1, 5)] + [_request(9, external_id="3")])
    assert store.resolve("3") == 3 and store.resolve(3) == 3 and store.resolve("#3") == 3
    assert store.resolve("ext:3") == 5 and store.resolve("3", external=True) == 5
    assert store.resolve("t2") == 2  # a non-numeric external id needs no prefix
    store.conn.execute("DELETE FROM events WHERE request_id = 3")
    store.conn.execute("DELETE FROM requests WHERE id = 3")
    store.conn.commit()
    with pytest.raises(NotFound, match=r"no request #3 .*write ext:3"):
        store.resolve("3")


@pytest.mark.parametrize("ref", ["9" * 5000, str(2**63), str(2**64), "0" * 30, "٣", "ext:" + "9" * 5000, "#"])
def test_an_impossible_reference_is_not_found_rather_than_a_crash(store, ref):
    store.import_requests([_request(1)])
    with pytest.raises(NotFound) as caught:
        store.get(ref)
    assert len(str(caught.value)) < 200


# --- one meaning for "me" and "nobody" ------------------------------------------------


@pytest.mark.parametrize("typed", ["me", "Me", "我", " 我 "])
def test_assigning_to_me_in_either_language_stores_the_stewards_name(store, typed):
    store.import_requests([_request(1)])
    assert store.assign(1, typed).assignee == "tester"


@pytest.mark.parametrize("typed", ["nobody", "none", "無", ""])
def test_assigning_to_nobody_unassigns(store, typed):
    store.import_requests([_request(1)])
    store.assign(1, "mei")
    assert store.assign(1, typed).assignee is None


# --- the store's shape --------------------------------------------------------------


def test_the_store_is_composed_of_parts_not_mixins_and_keeps_its_public_api():
    import inspect

    from steward.store.changes import Changes
    from steward.store.importing import Importing

    assert Store.__mro__ == (Store, object)
    for name, part in (("set_status", Changes), ("save_draft", Changes), ("import_requests", Importing)):
        assert inspect.signature(getattr(Store, name)) == inspect.signature(getattr(part, name))


def test_the_demo_reset_refuses_to_delete_a_real_inbox(db_path):
    from steward.models import StewardError
    from steward.store import remove_demo_inbox

    store = Store.open(db_path, actor="tester")
    store.import_requests([_request(1)])
    store.close()
    with pytest.raises(StewardError, match="not a demo inbox"):
        remove_demo_inbox(db_path)
    assert Store.open(db_path, actor="tester").count() == 1
    demo = db_path.parent / "demo.db"
    store = Store.open(demo, actor="tester")
    store.mark_as_demo()
    store.close()
    assert remove_demo_inbox(demo) is True and not demo.exists()
