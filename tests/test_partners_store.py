"""Partner memory in the inbox: organizations linked on import, stewards' changes to them, giving back."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from steward.models import IncomingRequest, NotFound, UsageError
from steward.partners.linking import is_telling_domain, mail_domain
from steward.partners.records import StaleRecord
from steward.store import Store
from steward.store import schema
from tests.conftest import sample_records

LABELLED = Path(__file__).parent / "data" / "labelled_requests.jsonl"


def _request(n: int, organization: str = "", email: str = "", name: str = "", **fields) -> IncomingRequest:
    base = dict(
        received_at=datetime(2026, 11, 1 + n % 28, 3, n % 60, tzinfo=timezone.utc), subject=f"Request {n}",
        body="Hello", external_id=f"p{n}", organization=organization, from_email=email, from_name=name,
    )
    return IncomingRequest(**{**base, **fields})


def _org_of(store: Store, ref) -> int | None:
    return store.request_organization_id(ref)


def test_every_labelled_request_with_an_organization_or_its_own_domain_is_linked(store):
    records = sample_records(LABELLED)
    assert store.import_requests(records).imported == 180
    unlinked = [
        (r.organization, r.from_email)
        for r in store.list_requests(limit=1000)
        if _org_of(store, r.id) is None
    ]
    assert unlinked, "the samples include senders with nothing to know them by"
    assert all(not org and not is_telling_domain(mail_domain(email)) for org, email in unlinked)
    linked = store.count() - len(unlinked)
    assert linked >= 140


def test_one_organization_written_two_ways_is_one_record_and_similar_ones_stay_apart(store):
    store.import_requests([
        _request(1, "台灣地球公民基金會"),
        _request(2, "地球公民基金會"),
        _request(3, "Code for Japan", "hello@code4japan.example.jp"),
        _request(4, "", "someone@code4japan.example.jp"),
        _request(5, "某市政府資訊局"),
        _request(6, "某市政府研考會"),
        _request(7, "", "a.person@gmail.com"),
    ])
    assert _org_of(store, 1) == _org_of(store, 2) is not None
    assert _org_of(store, 3) == _org_of(store, 4) is not None
    assert _org_of(store, 5) != _org_of(store, 6)
    assert _org_of(store, 7) is None
    assert len(store.list_organizations()) == 4


def test_senders_on_a_shared_government_domain_are_not_joined_by_it(store):
    store.import_requests([_request(1, "", "a@ndc.gov.tw"), _request(2, "", "b@moda.gov.tw")])
    assert _org_of(store, 1) is None and _org_of(store, 2) is None


def test_a_steward_alias_links_the_next_import(store):
    store.import_requests([_request(1, "數位發展部")])
    store.add_organization_alias("數位發展部", "moda")
    store.import_requests([_request(2, "MODA")])
    assert _org_of(store, 2) == _org_of(store, 1)


def test_an_older_inbox_links_its_requests_when_migrated(db_path):
    store = Store.open(db_path, actor="ann")
    store.import_requests([_request(1, "開放文化基金會"), _request(2, "社團法人台灣開放文化基金會")])
    store.close()
    # Take the file back to schema 2, as an older steward left it.
    conn = sqlite3.connect(db_path)
    for table in ("organization_events", "commitments", "agreements"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DROP INDEX idx_requests_organization_id")
    conn.execute("ALTER TABLE requests DROP COLUMN organization_id")
    conn.execute("DROP TABLE organizations")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    store = Store.open(db_path, actor="ann")
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    assert _org_of(store, 1) == _org_of(store, 2) is not None


def test_merge_moves_requests_and_names_and_can_be_undone(store):
    store.import_requests([_request(1, "Open Knowledge Taipei"), _request(2, "OKF 台北分會")])
    keep, other = _org_of(store, 1), _org_of(store, 2)
    assert keep != other
    merged = store.merge_organizations(keep, other)
    assert merged.request_count == 2
    assert "OKF 台北分會" in merged.aliases
    assert _org_of(store, 2) == keep
    with pytest.raises(NotFound):
        store.get_organization(other)
    event = [e for e in store.organization_history(keep) if e.action == "merge"][-1]
    store.undo_organization_change(event.id)
    assert _org_of(store, 2) == other
    assert store.get_organization(other).name == "OKF 台北分會"
    assert "OKF 台北分會" not in store.get_organization(keep).aliases
    actions = [e.action for e in store.organization_history(keep)]
    assert actions[-2:] == ["merge", "undo"]


def test_a_wrong_link_is_split_off_and_moved(store):
    store.import_requests([_request(1, "Alpha Civic Lab"), _request(2, "Alpha Civic Lab"), _request(3, "Beta Works")])
    alpha, beta = _org_of(store, 1), _org_of(store, 3)
    store.move_request(2, None)
    assert _org_of(store, 2) is None
    store.move_request(2, "Beta Works")
    assert _org_of(store, 2) == beta
    assert store.get_organization(alpha).request_count == 1
    assert [e.action for e in store.history(2)][-2:] == ["organization", "organization"]


def test_rename_keeps_the_old_name_as_an_alias_and_undo_puts_it_back(store):
    store.import_requests([_request(1, "g0v jothon")])
    org = _org_of(store, 1)
    renamed = store.rename_organization(org, "g0v 揪松團")
    assert renamed.name == "g0v 揪松團" and "g0v jothon" in renamed.aliases
    assert store.resolve_organization("g0v jothon") == org
    event = store.organization_history(org)[-1]
    store.undo_organization_change(event.id)
    assert store.get_organization(org).name == "g0v jothon"
    with pytest.raises(UsageError):
        store.undo_organization_change(event.id)


def test_two_stewards_editing_one_organization_lose_no_update(db_path):
    ann = Store.open(db_path, actor="ann")
    ann.import_requests([_request(1, "Civic Lab Tainan")])
    bob = Store.open(db_path, actor="bob")
    seen_by_ann = ann.get_organization("Civic Lab Tainan")
    seen_by_bob = bob.get_organization("Civic Lab Tainan")
    bob.rename_organization(seen_by_bob.id, "台南公民實驗室", expected_version=seen_by_bob.version)
    with pytest.raises(StaleRecord) as stale:
        ann.rename_organization(seen_by_ann.id, "Tainan Civic Lab", expected_version=seen_by_ann.version)
    assert "bob" in str(stale.value)
    # Without a version, each change reads the current record under the lock: both land.
    ann.add_organization_alias(seen_by_ann.id, "CLT")
    bob.add_organization_alias(seen_by_bob.id, "Civic Lab TN")
    final = ann.get_organization(seen_by_ann.id)
    assert final.name == "台南公民實驗室"
    assert {"CLT", "Civic Lab TN", "Civic Lab Tainan"} <= set(final.aliases)
    bob.close()
    ann.close()


def test_an_undo_after_a_later_change_is_refused(store):
    store.import_requests([_request(1, "Civic Lab Tainan")])
    org = _org_of(store, 1)
    store.rename_organization(org, "A")
    first = store.organization_history(org)[-1]
    store.add_organization_alias(org, "B")
    with pytest.raises(StaleRecord):
        store.undo_organization_change(first.id)


def test_commitments_go_from_promised_to_done_with_a_version_check(store):
    store.import_requests([_request(1, "Civic Lab Tainan")])
    agreement = store.add_agreement(1, "talk", "two speakers at the spring hackathon", project="jothon")
    assert agreement.organization_id == _org_of(store, 1)
    commitment = store.add_commitment(1, "present", date(2026, 3, 1), project="jothon")
    assert commitment.state == "promised"
    done = store.set_commitment_state(commitment.id, "done", expected_version=commitment.version)
    assert done.state == "done"
    with pytest.raises(StaleRecord):
        store.set_commitment_state(commitment.id, "lapsed", expected_version=commitment.version)
    with pytest.raises(UsageError):
        store.add_agreement(1, "bribe", "x")
    actions = [e.action for e in store.history(1)]
    assert actions.count("commitment") == 2 and "agreement" in actions


def test_names_that_are_hostile_stay_plain_data(store):
    hostile = "[bold]x[/bold]'; DROP TABLE organizations; --\x1b[31m"
    store.import_requests([_request(1, hostile)])
    org = store.get_organization(_org_of(store, 1))
    assert "\x1b" not in org.name and "DROP TABLE" in org.name
    assert json.loads(json.dumps(org.aliases)) == []


def test_two_imports_at_once_make_one_record_for_a_new_organization(db_path):
    ann = Store.open(db_path, actor="ann")
    bob = Store.open(db_path, actor="bob")
    ann_linker = ann.partners.linker()  # both load the (empty) index before either writes
    bob_linker = bob.partners.linker()
    with ann.transaction():
        first = ann_linker.link("Civic Lab Tainan", "")
    with bob.transaction():
        second = bob_linker.link("Civic Lab Tainan", "")
    assert first == second
    assert len(ann.list_organizations()) == 1
    bob.close()
    ann.close()


def test_the_demo_inbox_links_every_request_with_an_organization_or_its_own_domain(tmp_path):
    from steward.demo.build import demo_requests

    store = Store.open(tmp_path / "demo.db", actor="demo")
    store.import_requests(demo_requests(timezone.utc))
    requests = store.list_requests(limit=1000)
    assert requests
    for r in requests:
        expected = bool(r.organization) or is_telling_domain(mail_domain(r.from_email))
        assert (_org_of(store, r.id) is not None) == expected, (r.organization, r.from_email)
    store.close()
