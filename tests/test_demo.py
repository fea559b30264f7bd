"""The demo inbox steward ships and the synthetic inboxes used for benchmarks."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from itertools import islice
from zoneinfo import ZoneInfo

import pytest

from steward.demo.build import MAX_BODY, MIN_BODY, demo_requests, synthetic_requests
from steward.models import CATEGORIES, CHANNELS

CJK = re.compile(r"[\u4e00-\u9fff]")
# What clean_text removes: C0/C1 controls other than tab and newline, and bidi controls.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
TEXT_FIELDS = ("from_name", "from_email", "organization", "subject", "body")
FICTIONAL_DOMAIN = re.compile(r"(^|\.)example(\.[a-z]{2,4}){1,2}$")

# The kind of each demo request, as a steward would file it; the demo exists to
# show every kind at least twice.
DEMO_CATEGORIES = {
    "collaboration": ("demo-008", "demo-011", "demo-018", "demo-027", "demo-037"),
    "speaking": ("demo-001", "demo-013", "demo-021", "demo-033"),
    "funding": ("demo-007", "demo-014", "demo-024", "demo-035", "demo-039"),
    "naming": ("demo-009", "demo-019", "demo-031"),
    "partnership": ("demo-010", "demo-023", "demo-034"),
    "media": ("demo-005", "demo-016", "demo-028", "demo-036"),
    "data": ("demo-004", "demo-015", "demo-025", "demo-032"),
    "international": ("demo-003", "demo-017", "demo-030", "demo-040"),
    "volunteer": ("demo-002", "demo-012", "demo-022", "demo-026", "demo-038"),
    "other": ("demo-006", "demo-020", "demo-029"),
}

# Names people use for each directory entry (a subset of its aliases).
PROJECT_NAMES = {
    "jothon": ("揪松", "大松", "jothon"),
    "g0v-intl": ("國際交流小組", "國際組", "g0v-intl", "g0v international"),
    "g0vernance": ("governance group", "g0vernance", "社群治理"),
    "g0v-talk": ("g0v-talk", "推薦講者", "推薦講師"),
    "g0v-summit": ("g0v summit", "雙年會"),
    "sch001": ("零時小學校", "sch001"),
    "vtaiwan": ("vtaiwan",),
    "cofacts": ("cofacts", "真的假的"),
    "disfactory": ("違章工廠檢舉系統", "disfactory", "illegal factories on farmland"),
    "dataopener": ("資料申請小幫手", "data opener", "request government data"),
    "political-donations": ("開放政治獻金", "political donations"),
    "moedict": ("萌典", "moedict"),
    "budget": ("預算視覺化", "g0v budget"),
    "newbie": ("新手村", "newcomer", "onboarding"),
    "ocf": ("開放文化基金會", "open culture foundation", "ocf"),
    "oscvpass": ("oscvpass",),
    "g0v-grant": ("獎助金", "civic tech grant"),
    "osm-tw": ("openstreetmap", "開放街圖", "osm"),
    "d4sg": ("d4sg", "data for social good"),
    "coscup": ("coscup", "開源人年會"),
}


def _text(request) -> str:
    return " ".join(getattr(request, name) for name in TEXT_FIELDS)


@pytest.fixture(scope="module")
def demo():
    return demo_requests()


def test_demo_inbox_is_a_full_inbox_of_uniquely_identified_requests(demo):
    ids = [r.external_id for r in demo]
    assert len(demo) >= 35
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"demo-\d{3}", i) for i in ids)


def test_demo_inbox_shows_every_kind_of_request_at_least_twice(demo):
    ids = {r.external_id for r in demo}
    assert set(DEMO_CATEGORIES) == set(CATEGORIES)
    for category, members in DEMO_CATEGORIES.items():
        assert len(members) >= 2, category
        assert set(members) <= ids, category
    labelled = [i for members in DEMO_CATEGORIES.values() for i in members]
    assert sorted(labelled) == sorted(ids), "every demo request has exactly one kind"


def test_demo_inbox_names_every_project_in_the_directory(demo):
    texts = [_text(r).lower() for r in demo]
    unnamed = [key for key, names in PROJECT_NAMES.items() if not any(n in t for t in texts for n in names)]
    assert unnamed == []


def test_demo_inbox_mixes_languages_and_channels(demo):
    chinese = sum(1 for r in demo if CJK.search(r.body))
    english = sum(1 for r in demo if not CJK.search(r.body))
    assert chinese >= len(demo) // 2 and english >= len(demo) // 4
    assert {r.channel for r in demo} == set(CHANNELS)


def test_demo_inbox_fills_the_last_two_summary_weeks(demo):
    assert all(r.received_at.tzinfo is not None and r.received_at.utcoffset() is not None for r in demo)
    weeks = Counter(r.received_at.isocalendar()[:2] for r in demo)
    assert weeks[(2026, 47)] >= 3 and weeks[(2026, 48)] >= 3
    end = datetime(2026, 11, 25, tzinfo=timezone.utc)
    assert all(end - timedelta(days=40) <= r.received_at < end for r in demo)


def test_demo_inbox_has_the_awkward_cases_a_steward_meets(demo):
    assert any(not r.subject for r in demo if r.channel == "email")
    assert any(not r.from_email for r in demo)
    assert any(len(r.subject) > 40 and CJK.search(r.subject) for r in demo)
    # Text that looks like markup or a template field stays exactly as written.
    body = next(r.body for r in demo if "[b]" in r.body)
    for literal in ("[b]", "[/b]", "<script>", "{steward_name}"):
        assert literal in body


def test_demo_inbox_uses_only_fictional_addresses(demo):
    domains = {r.from_email.rsplit("@", 1)[1] for r in demo if r.from_email}
    assert domains and all(FICTIONAL_DOMAIN.search(d) for d in domains), domains


def test_demo_timestamps_can_be_shown_in_the_stewards_timezone(demo):
    tz = ZoneInfo("Europe/Berlin")
    moved = demo_requests(tz)
    assert all(m.received_at.tzinfo is tz for m in moved)
    assert [m.received_at for m in moved] == [r.received_at for r in demo]


def test_demo_and_synthetic_text_has_no_control_characters(demo):
    for request in [*demo, *synthetic_requests(3000, seed=7)]:
        for name in TEXT_FIELDS:
            assert not UNSAFE.search(getattr(request, name)), (request.external_id, name)


def test_synthetic_inbox_is_the_same_for_the_same_seed():
    first = list(synthetic_requests(500, seed=3))
    again = list(synthetic_requests(500, seed=3))
    other = list(synthetic_requests(500, seed=4))
    assert first == again
    assert [r.body for r in first] != [r.body for r in other]


def test_synthetic_inbox_has_exactly_n_requests_with_unique_ids():
    requests = list(synthetic_requests(1234))
    ids = [r.external_id for r in requests]
    assert len(requests) == 1234
    assert len(set(ids)) == 1234
    assert ids[0] == "syn-000001" and ids[-1] == "syn-001234"
    assert list(synthetic_requests(0)) == []


def test_a_longer_synthetic_inbox_starts_with_the_shorter_one():
    short = list(synthetic_requests(50, seed=1))
    assert [r.external_id for r in islice(synthetic_requests(80, seed=1), 50)] == [r.external_id for r in short]


def test_synthetic_requests_arrive_in_order_within_the_period():
    end = datetime(2026, 6, 1, tzinfo=timezone.utc)
    requests = list(synthetic_requests(2000, start=end, days=30))
    times = [r.received_at for r in requests]
    assert all(t.tzinfo is not None for t in times)
    assert times == sorted(times)
    assert end - timedelta(days=30) <= times[0] and times[-1] <= end
    # Spread over the period, not bunched at one end.
    assert times[1000] - times[0] > timedelta(days=10)


def test_synthetic_requests_look_like_a_real_inbox():
    requests = list(synthetic_requests(3000, seed=11))
    lengths = [len(r.body) for r in requests]
    assert MIN_BODY <= min(lengths) and max(lengths) <= MAX_BODY
    assert max(lengths) > 1000  # some long letters, not only one-liners
    assert {r.channel for r in requests} == set(CHANNELS)
    chinese = sum(1 for r in requests if CJK.search(r.body))
    assert 0.4 < chinese / len(requests) < 0.8
    assert any(not r.subject for r in requests) and any(not r.from_email for r in requests)
    assert any(len(r.subject) > 40 and CJK.search(r.subject) for r in requests)
    texts = [_text(r).lower() for r in requests]
    named = {key for key, names in PROJECT_NAMES.items() if any(n in t for t in texts for n in names)}
    assert len(named) >= 18, set(PROJECT_NAMES) - named


def test_a_naive_start_is_read_as_utc():
    naive = next(synthetic_requests(1, start=datetime(2026, 1, 1), days=1))
    aware = next(synthetic_requests(1, start=datetime(2026, 1, 1, tzinfo=timezone.utc), days=1))
    assert naive.received_at == aware.received_at


def test_demo_and_synthetic_requests_import_into_an_inbox(tmp_path):
    from steward.store import Store

    store = Store.open(tmp_path / "demo.db", actor="tester")
    try:
        assert store.import_requests(demo_requests()).imported == len(demo_requests())
        assert store.import_requests(synthetic_requests(300)).imported == 300
        again = store.import_requests(synthetic_requests(300))
        assert again.imported == 0 and again.duplicates == 300
    finally:
        store.close()
