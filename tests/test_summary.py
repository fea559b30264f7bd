"""The weekly summary's figures: periods in local time, counts, reply times, attention."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from steward.config.settings import Settings
from steward.models import IncomingRequest, UsageError
from steward.store import Store
from steward.summary.data import Period, build_summary
from tests.conftest import sample_records

DATA = Path(__file__).parent / "data"
TAIPEI = "Asia/Taipei"
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=timezone.utc)  # Wednesday noon in Taipei


class _NoDirectory:
    def get(self, key):
        return None


@pytest.fixture
def settings(db_path) -> Settings:
    return Settings(steward_name="tester", language="en", timezone=TAIPEI, database=db_path)


@pytest.fixture
def clock(monkeypatch):
    """The store's idea of now, so events land at chosen moments."""

    class Clock:
        now = NOW

        def set(self, moment: datetime) -> None:
            self.now = moment

    c = Clock()
    monkeypatch.setattr("steward.store.clock.utc_now", lambda: c.now)
    return c


@pytest.fixture
def inbox(settings, clock):
    clock.set(datetime(2026, 11, 1, tzinfo=timezone.utc))
    s = Store.open(settings.database, actor="tester", tz=settings.tz)
    s.import_requests(sample_records(DATA / "summary_samples.jsonl"))
    yield s
    s.close()


def summarize(store, settings, period, **kwargs):
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("directory", _NoDirectory())
    return build_summary(store, settings, period=period, **kwargs)


def request_at(moment: datetime, **fields) -> IncomingRequest:
    return IncomingRequest(received_at=moment, subject=fields.pop("subject", f"at {moment.isoformat()}"), **fields)


# --- periods -----------------------------------------------------------------------


def test_iso_week_runs_from_monday_to_sunday():
    assert Period.iso_week("2026-W47") == Period(date(2026, 11, 16), date(2026, 11, 22))
    assert Period.iso_week("2026w47") == Period.iso_week("2026-W47")
    assert Period.iso_week("2026-W47").week == "2026-W47"
    assert Period.iso_week("2026-W53").end == date(2027, 1, 3)  # 2026 has 53 ISO weeks


@pytest.mark.parametrize("text", ["2025-W53", "2026-W00", "W47", "2026-11-16", ""])
def test_impossible_weeks_are_usage_errors(text):
    with pytest.raises(UsageError):
        Period.iso_week(text)


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(UsageError, match="before it starts"):
        Period.between("2026-11-22", "2026-11-16")
    with pytest.raises(UsageError, match="--since"):
        Period.between("16 Nov", "2026-11-22")


def test_last_complete_week_follows_the_local_clock():
    taipei = Settings(steward_name="t", language="en", timezone=TAIPEI, database=Path("x")).tz
    # Sunday 17:30 UTC is Monday 01:30 in Taipei: week 47 has just ended there.
    assert Period.last_complete_week(datetime(2026, 11, 22, 17, 30, tzinfo=timezone.utc), taipei).week == "2026-W47"
    # Sunday 23:59 in Taipei: week 47 is still running.
    assert Period.last_complete_week(datetime(2026, 11, 22, 15, 59, tzinfo=timezone.utc), taipei).week == "2026-W46"


def test_monday_0130_taipei_counts_for_the_new_week(store, settings):
    store.import_requests([
        request_at(datetime(2026, 11, 22, 17, 30, tzinfo=timezone.utc), subject="Monday 01:30 in Taipei"),
        request_at(datetime(2026, 11, 22, 15, 59, 59, tzinfo=timezone.utc), subject="Sunday 23:59:59 in Taipei"),
    ])
    w47 = summarize(store, settings, Period.iso_week("2026-W47"))
    w48 = summarize(store, settings, Period.iso_week("2026-W48"))
    assert [r.subject for r in w47.requests] == ["Sunday 23:59:59 in Taipei"]
    assert [r.subject for r in w48.requests] == ["Monday 01:30 in Taipei"]
    assert w48.requests[0].date == date(2026, 11, 23)


def test_between_includes_both_days(inbox, settings):
    one_day = summarize(inbox, settings, Period.between("2026-11-16", "2026-11-16"))
    # s038 arrived at 00:21 Taipei time, which is still 15 November in UTC.
    assert [r.external_id for r in one_day.requests] == ["s038", "s039"]


# --- counts ---------------------------------------------------------------------------


def test_week_counts_match_the_requests_received_that_week(inbox, settings):
    inbox.set_status("s039", "replied")
    inbox.set_status("s041", "declined")
    inbox.set_status("s050", "spam")
    inbox.set_status("s042", "waiting")
    summary = summarize(inbox, settings, Period.iso_week("2026-W47"))
    # Spam counts (received, closed, spam) but is never listed.
    assert [r.external_id for r in summary.requests] == [f"s0{n}" for n in range(38, 50)]
    assert (summary.received, summary.replied, summary.closed, summary.open) == (13, 1, 2, 10)
    assert summary.spam == 1 and summary.as_json()["spam"] == 1
    assert sum(summary.by_channel.values()) == sum(summary.by_category.values()) == summary.received
    assert summary.by_channel["email"] == 8
    assert summary.open_overall == 60 - 3  # waiting still needs someone


def test_json_has_the_documented_keys_and_the_same_figures(inbox, settings):
    summary = summarize(inbox, settings, Period.iso_week("2026-W47"))
    data = json.loads(json.dumps(summary.as_json()))
    for key in ("period", "received", "replied", "closed", "open", "by_category", "by_match", "by_channel", "requests"):
        assert key in data
    assert data["period"] == {"start": "2026-11-16", "end": "2026-11-22", "week": "2026-W47", "timezone": TAIPEI}
    assert data["received"] == len(data["requests"]) == 13
    assert set(data["requests"][0]) >= {"date", "organization", "subject", "category", "match", "status", "assignee"}


def test_median_time_to_first_reply_counts_first_replies_made_in_the_period(store, settings, clock):
    monday = datetime(2026, 11, 16, 1, 0, tzinfo=timezone.utc)
    clock.set(monday)
    store.import_requests([
        request_at(monday, subject="two hours"),
        request_at(monday, subject="six hours"),
        request_at(monday - timedelta(days=7), subject="answered last week"),
    ])
    ids = {r.subject: r.id for r in store.list_requests(limit=10)}
    a, b, old = ids["two hours"], ids["six hours"], ids["answered last week"]
    clock.set(monday - timedelta(days=6))
    store.set_status(old, "replied")
    store.set_status(old, "waiting")
    clock.set(monday + timedelta(hours=2))
    store.set_status(a, "replied")
    store.set_status(old, "replied")  # a second reply is not a first reply
    draft = store.save_draft(b, "Thanks!", template=None, language="en")
    clock.set(monday + timedelta(hours=6))
    store.mark_sent(b, draft.version)
    summary = summarize(store, settings, Period.iso_week("2026-W47"))
    assert summary.first_replies == 2
    assert summary.median_first_reply == timedelta(hours=4)
    assert summary.as_json()["median_first_reply_hours"] == 4.0
    assert summary.replies_sent == 1
    # The week's work includes the older request answered again this week.
    assert {r.subject for r in summary.replied_in_period} == {"two hours", "six hours", "answered last week"}


def test_requests_closed_during_the_week_are_listed_whenever_they_arrived(inbox, settings, clock):
    clock.set(datetime(2026, 11, 18, 3, 0, tzinfo=timezone.utc))
    inbox.set_status("s001", "declined")
    clock.set(datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc))
    inbox.set_status("s002", "closed")  # next week
    summary = summarize(inbox, settings, Period.iso_week("2026-W47"))
    assert [(r.external_id, r.event) for r in summary.closed_in_period] == [("s001", "declined")]
    assert summary.closed == 0  # s001 was received in October, not this week


def test_checklist_items_unchecked_at_send_time_are_counted(store, settings, clock):
    clock.set(datetime(2026, 11, 17, 2, 0, tzinfo=timezone.utc))
    store.import_requests([request_at(datetime(2026, 11, 16, 2, 0, tzinfo=timezone.utc), subject=f"r{i}") for i in range(3)])
    items = ["naming", "licensing", "process"]
    for n, request_id in enumerate(store.all_ids()):
        store.set_checklist(request_id, items[: n + 1], True, known=items)
        draft = store.save_draft(request_id, "reply", template=None, language="en")
        store.mark_sent(request_id, draft.version)
    # Ticking an item afterwards does not change what was missing when it was sent.
    store.set_checklist(store.all_ids()[0], items, True, known=items)
    summary = summarize(store, settings, Period.iso_week("2026-W47"))
    assert summary.replies_sent == 3
    assert summary.unchecked_at_send == [("process", 2), ("licensing", 1)]


def test_attention_lists_old_open_requests_and_due_follow_ups(inbox, settings):
    inbox.set_status("s001", "replied")
    inbox.set_follow_up("s001", date(2026, 11, 20))  # overdue: a partner to chase
    inbox.set_follow_up("s045", date(2026, 11, 25))  # due today
    inbox.set_follow_up("s046", date(2026, 12, 1))  # not yet
    inbox.set_status("s003", "closed")
    inbox.set_follow_up("s003", date(2026, 11, 1))  # closed: nothing to chase
    summary = summarize(inbox, settings, Period.iso_week("2026-W47"))
    stale = [r.external_id for r in summary.stale]
    assert stale[0] == "s002" and "s001" not in stale and "s003" not in stale
    # Received before 18 November 12:00 Taipei (7 days before NOW: s001..s042) and still open.
    assert summary.stale_total == 42 - 2
    assert summary.stale[0].age_days == 29
    assert [r.external_id for r in summary.follow_ups_due] == ["s001", "s045"]
    assert summary.follow_ups_overdue == 1


def test_public_summary_drops_people_but_keeps_organizations(store, settings):
    at = datetime(2026, 11, 17, 2, 0, tzinfo=timezone.utc)
    store.import_requests([
        IncomingRequest(
            received_at=at, from_name="林雅婷", from_email="lin@rdec.example.tw",
            organization="研考會（林雅婷 0912-345-678）", external_id="<x@mail.example.tw>",
            subject="林雅婷 asks: call (03)335-0912 分機 4312 or lin@rdec.example.tw",
        ),
        IncomingRequest(received_at=at, from_name="Ada", organization="研考會", subject="雅婷的提案"),
    ])
    store.assign(1, "Ada Steward")
    public = summarize(store, settings, Period.iso_week("2026-W47"), public=True)
    first, second = public.requests
    assert first.assignee is None and first.external_id is None
    # Not approved: a subject is never shown; an organization only if nothing in it is personal.
    assert (first.organization, first.subject) == (None, None)
    assert (second.organization, second.subject) == ("研考會", None)

    store.add_tags(1, ["public-ok"])
    store.add_tags(2, ["public-ok"])
    first, second = summarize(store, settings, Period.iso_week("2026-W47"), public=True).requests
    assert first.organization == "研考會（[name] [phone]）"
    assert first.subject == "[name] asks: call [phone] or [email]"
    assert second.subject == "[name]的提案"  # the sender's given name, from another request
    private = summarize(store, settings, Period.iso_week("2026-W47"))
    assert private.requests[0].assignee == "Ada Steward"
    assert private.requests[1].subject == "雅婷的提案"


def test_routed_projects_are_named_from_the_directory(inbox, settings):
    from steward.directory.entries import Directory, DirectoryEntry

    inbox.set_route("s039", "g0v-summit")
    entry = DirectoryEntry(key="g0v-summit", kind="project", name="g0v Summit 零時政府雙年會", name_en="g0v Summit")
    summary = summarize(inbox, settings, Period.iso_week("2026-W47"), directory=Directory([entry]))
    assert summary.by_match["g0v-summit"] == 1
    assert summary.project_names["g0v-summit"] == ("g0v Summit 零時政府雙年會", "g0v Summit")
