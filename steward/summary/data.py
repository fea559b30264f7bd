"""The weekly summary as data: what came in, where it went, what still waits.

Counts are defined once here so the Markdown, ``--json`` and the TUI agree:

- ``received``: requests received in the period (dates inclusive, in the
  configured time zone).
- ``replied`` / ``closed`` / ``open``: where *those* requests stand now, by
  status, so ``received = replied + closed + open``. ``replied`` is status
  replied; ``closed`` is closed, declined or spam; ``open`` is new, triaged,
  drafting or waiting (someone still has to act).
- ``open_overall``: every open request in the inbox, whatever its date.
- ``median_first_reply_hours``: over the requests (of any date) whose first
  reply, a sent draft or a status change to replied, happened in the period.
- ``replied_in_period`` / ``closed_in_period``: requests of any date answered
  or closed during the period: the week's work, not the week's arrivals.
- ``follow_ups_overdue`` and ``attention`` are as of the time of export.
- ``spam``: requests received in the period now marked spam. They count in
  the figures above but are never listed, publicly or not.

Public summaries are built from fields known to be safe: counts, categories,
routes and statuses. A request's organization is shown only when nothing in
it points at a person (`steward.util.privacy.safe_organization`); its subject only
when a steward tagged the request ``public-ok``, and then with anything
personal masked. Otherwise the subject is None and the Markdown names the
category in its place.

No Markdown here (see summary_markdown.py) and no SQL (see store/reports.py).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from steward.models import CATEGORIES, CHANNELS, CLOSED_STATUSES, STATUSES, Request, StewardError, UsageError
from steward.util.privacy import MAX_PUBLIC_SUBJECT, PUBLIC_OK_TAG, KnownNames, safe_organization, scrub
from steward.util.dates import from_iso, to_iso
from steward.util.text import one_line

from steward.models import OPEN_STATUSES  # noqa: E402 - the one definition of "open"
REPLIED_STATUSES = ("replied",)
NONE_KEY = "none"  # by_category / by_match key for requests without one
LIST_LIMIT = 25  # attention lists show the oldest this many, and the total

_ISO_WEEK = re.compile(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$")


_FIRST_DAY, _LAST_DAY = date(1900, 1, 1), date(9000, 12, 31)


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included, in the configured time zone."""

    start: date
    end: date

    def __post_init__(self) -> None:
        # Room on both sides for the previous period and the time zone shift, so no
        # date arithmetic on a period can overflow.
        if not (_FIRST_DAY <= self.start and self.end <= _LAST_DAY):
            raise UsageError(f"a period must lie between {_FIRST_DAY} and {_LAST_DAY} ({self.start}..{self.end} does not)")
        if self.end < self.start:
            raise UsageError(f"the period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def iso_week(cls, text: str) -> Period:
        """``2026-W47`` → Monday 2026-11-16 to Sunday 2026-11-22."""
        found = _ISO_WEEK.match(text or "")
        if not found:
            raise UsageError(f"not an ISO week: {text!r} (expected YYYY-Www, such as 2026-W47)")
        year, week = int(found.group(1)), int(found.group(2))
        if not _FIRST_DAY.year <= year <= _LAST_DAY.year - 1:
            raise UsageError(f"weeks from {_FIRST_DAY.year} to {_LAST_DAY.year - 1} only, not {year}")
        try:
            monday = date.fromisocalendar(year, week, 1)
        except (ValueError, OverflowError):
            raise UsageError(f"{year} has no week {week}") from None
        return cls(monday, monday + timedelta(days=6))

    @classmethod
    def between(cls, since: date | str, until: date | str) -> Period:
        return cls(_as_date(since, "--since"), _as_date(until, "--until"))

    @classmethod
    def week_of(cls, day: date) -> Period:
        monday = day - timedelta(days=day.weekday())
        return cls(monday, monday + timedelta(days=6))

    @classmethod
    def last_complete_week(cls, now: datetime, tz: tzinfo) -> Period:
        """The latest Monday-to-Sunday week that has ended, judged by the local clock."""
        if now.tzinfo is None:
            raise ValueError("naive datetime")
        return cls.week_of(now.astimezone(tz).date()).shifted(-1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def week(self) -> str | None:
        """``2026-W47`` when the period is exactly one ISO week."""
        year, week, weekday = self.start.isocalendar()
        return f"{year}-W{week:02d}" if weekday == 1 and self.days == 7 else None

    @property
    def label(self) -> str:
        return self.week or f"{self.start.isoformat()}..{self.end.isoformat()}"

    def shifted(self, periods: int) -> Period:
        """The period of the same length `periods` before (negative) or after."""
        delta = timedelta(days=self.days * periods)
        try:
            return Period(self.start + delta, self.end + delta)
        except OverflowError:
            raise UsageError(f"no period {periods:+d} from {self.label}") from None

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[start, end) as aware UTC datetimes; local midnights, so DST days are right."""
        start = datetime.combine(self.start, time(), tz).astimezone(timezone.utc)
        end = datetime.combine(self.end + timedelta(days=1), time(), tz).astimezone(timezone.utc)
        return start, end

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "week": self.week}


def _as_date(value: date | str, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"{what}: not a date: {value!r} (expected YYYY-MM-DD)") from None


@dataclass
class Row:
    """One request as the summary lists it: already cleaned (and scrubbed when public).

    In a public summary `organization` and `subject` are None where they may not be shown.
    """

    id: int
    external_id: str | None
    received_at: datetime  # UTC
    date: date  # local date of received_at
    channel: str
    organization: str | None
    subject: str | None
    category: str | None
    match: str | None
    status: str
    assignee: str | None
    follow_up_on: date | None = None
    event: str | None = None  # activity lists: "replied", or the status it was closed as
    event_at: datetime | None = None  # ... and when
    age_days: int | None = None  # attention list: days since received

    def as_dict(self) -> dict:
        data = {
            "id": self.id,
            "external_id": self.external_id,
            "received_at": to_iso(self.received_at),
            "date": self.date.isoformat(),
            "channel": self.channel,
            "organization": self.organization,
            "subject": self.subject,
            "category": self.category,
            "match": self.match,
            "status": self.status,
            "assignee": self.assignee,
        }
        if self.follow_up_on is not None:
            data["follow_up_on"] = self.follow_up_on.isoformat()
        if self.event is not None:
            data["event"] = self.event
        if self.event_at is not None:
            data["at"] = to_iso(self.event_at)
        if self.age_days is not None:
            data["age_days"] = self.age_days
        return data


@dataclass
class Summary:
    period: Period
    timezone: str
    generated_at: datetime
    public: bool
    received: int
    replied: int
    closed: int
    open: int
    open_overall: int
    median_first_reply: timedelta | None
    first_replies: int
    replies_sent: int
    follow_ups_overdue: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    by_match: dict[str, int]
    by_channel: dict[str, int]
    requests: list[Row]
    replied_in_period: list[Row]
    closed_in_period: list[Row]
    attention_days: int
    stale: list[Row]
    stale_total: int
    follow_ups_due: list[Row]
    follow_ups_due_total: int
    unchecked_at_send: list[tuple[str, int]]
    # directory key -> (name, English name), for the keys in by_match and the rows
    project_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    spam: int = 0  # received in the period and marked spam: counted, never listed
    # agreements made and giving back (done in the period / overdue now); see partner_section
    partners: PartnerSection | None = None

    def as_json(self) -> dict:
        hours = None if self.median_first_reply is None else round(self.median_first_reply.total_seconds() / 3600, 1)
        return {
            "period": {**self.period.as_dict(), "timezone": self.timezone},
            "generated_at": to_iso(self.generated_at),
            "public": self.public,
            "received": self.received,
            "replied": self.replied,
            "closed": self.closed,
            "open": self.open,
            "open_overall": self.open_overall,
            "median_first_reply_hours": hours,
            "first_replies": self.first_replies,
            "replies_sent": self.replies_sent,
            "follow_ups_overdue": self.follow_ups_overdue,
            "spam": self.spam,
            "by_status": dict(self.by_status),
            "by_category": dict(self.by_category),
            "by_match": dict(self.by_match),
            "by_channel": dict(self.by_channel),
            "requests": [r.as_dict() for r in self.requests],
            "replied_in_period": [r.as_dict() for r in self.replied_in_period],
            "closed_in_period": [r.as_dict() for r in self.closed_in_period],
            "attention": {
                "open_longer_than_days": self.attention_days,
                "open_too_long_total": self.stale_total,
                "open_too_long": [r.as_dict() for r in self.stale],
                "follow_ups_due_total": self.follow_ups_due_total,
                "follow_ups_due": [r.as_dict() for r in self.follow_ups_due],
            },
            "unchecked_at_send": [{"item": key, "count": n} for key, n in self.unchecked_at_send],
            "projects": {key: {"name": n, "name_en": e} for key, (n, e) in sorted(self.project_names.items())},
            **({"partners": self.partners.as_dict()} if self.partners is not None else {}),
        }


def _counts(values, order=()) -> dict[str, int]:
    """Counts, the known keys in their usual order first, the rest by size."""
    counter = Counter(values)
    ordered = {k: counter.pop(k) for k in order if k in counter}
    ordered.update(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
    return ordered


def median(values: list[timedelta]) -> timedelta | None:
    return statistics.median(values) if values else None


def build_summary(store, settings, *, period: Period, public: bool = False, now: datetime | None = None,
                  directory=None) -> Summary:
    """Everything the weekly note says about `period`, read from `store`.

    `directory` (anything with ``get(key)`` returning an entry with ``name`` and
    ``name_en``) names the routed projects; by default the configured directory
    is loaded, and keys stand in for names if it cannot be.
    """
    from steward.store import reports

    with reports.snapshot(store):
        summary = _build(store, settings, period, public, now)
        summary.partners = partner_section(store, settings, period, public=public, now=summary.generated_at)
    keys = set(summary.by_match) | {
        r.match for r in [*summary.replied_in_period, *summary.closed_in_period, *summary.stale, *summary.follow_ups_due]
    }
    summary.project_names = project_names(keys - {None, NONE_KEY}, settings, directory)
    return summary


def _build(store, settings, period: Period, public: bool, now: datetime | None) -> Summary:
    from steward.store import reports

    tz = settings.tz
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    today = now.astimezone(tz).date()
    start, end = (to_iso(b) for b in period.bounds(tz))

    received = store.received_between(*period.bounds(tz))
    by_status = _counts((r.status for r in received), STATUSES)

    firsts = reports.first_replies(store, start, end)
    waits = [from_iso(at) - from_iso(received_at) for _, received_at, at in firsts]
    replies_sent, misses = reports.unchecked_at_send(store, start, end)

    replied_events = reports.replied_during(store, start, end)
    closed_events = reports.status_changes_during(store, start, end, sorted(CLOSED_STATUSES))
    stale_before = to_iso(now - timedelta(days=settings.summary.attention_days))
    stale_total, stale_ids = reports.open_since_before(store, OPEN_STATUSES, stale_before, limit=LIST_LIMIT)
    due_total, due_ids = reports.follow_ups_due(store, CLOSED_STATUSES, today, limit=LIST_LIMIT)

    others = reports.requests_by_ids(
        store, [i for i, _ in replied_events] + [i for i, _, _ in closed_events] + stale_ids + due_ids
    )
    scrubber = _Scrubber(store, [r.id for r in received] + list(others), settings) if public else None

    def row(request: Request, **extra) -> Row:
        return _row(request, tz, scrubber, **extra)

    def listed(request: Request | None) -> bool:
        return request is not None and request.status != "spam"

    stale_rows = [
        row(others[i], age_days=(now - others[i].received_at).days) for i in stale_ids if listed(others.get(i))
    ]
    return Summary(
        period=period,
        timezone=settings.timezone,
        generated_at=now,
        public=public,
        received=len(received),
        replied=sum(by_status.get(s, 0) for s in REPLIED_STATUSES),
        closed=sum(by_status.get(s, 0) for s in CLOSED_STATUSES),
        open=sum(by_status.get(s, 0) for s in OPEN_STATUSES),
        open_overall=reports.count_with_status(store, OPEN_STATUSES),
        median_first_reply=median(waits),
        first_replies=len(waits),
        replies_sent=replies_sent,
        follow_ups_overdue=reports.count_follow_ups_before(store, CLOSED_STATUSES, today),
        by_status=by_status,
        by_category=_counts((r.category or NONE_KEY for r in received), CATEGORIES),
        by_match=_counts(r.match or NONE_KEY for r in received),
        by_channel=_counts((r.channel for r in received), CHANNELS),
        requests=[row(r) for r in received if listed(r)],
        replied_in_period=[
            row(others[i], event="replied", event_at=from_iso(at))
            for i, at in replied_events if listed(others.get(i))
        ],
        closed_in_period=[
            row(others[i], event=new, event_at=from_iso(at))
            for i, new, at in closed_events if listed(others.get(i)) and new != "spam"
        ],
        attention_days=settings.summary.attention_days,
        stale=stale_rows,
        stale_total=stale_total,
        follow_ups_due=[row(others[i]) for i in due_ids if listed(others.get(i))],
        follow_ups_due_total=due_total,
        unchecked_at_send=sorted(misses.items(), key=lambda kv: (-kv[1], kv[0])),
        spam=by_status.get("spam", 0),
    )


class _Scrubber:
    """Public mode: the people this summary could mention, removed from every text field."""

    def __init__(self, store, ids: list[int], settings):
        from steward.store import reports

        names = reports.people_names(store, ids)
        if getattr(settings, "steward_name", None):
            names.add(settings.steward_name)
        self.names = KnownNames(names)

    def __call__(self, text: str) -> str:
        return scrub(text, self.names)

    def organization(self, text: str) -> str | None:
        return safe_organization(text, self.names)


def _row(request: Request, tz: tzinfo, scrubber: _Scrubber | None, **extra) -> Row:
    row = Row(
        id=request.id,
        external_id=request.external_id,
        received_at=request.received_at,
        date=request.received_at.astimezone(tz).date(),
        channel=request.channel,
        organization=one_line(request.organization),
        subject=one_line(request.subject),
        category=request.category,
        match=request.match,
        status=request.status,
        assignee=request.assignee,
        follow_up_on=request.follow_up_on,
        **extra,
    )
    if scrubber is not None:
        # Only what a steward approved is shown as written (still masked); an
        # organization otherwise shows only if nothing in it is personal.
        approved = PUBLIC_OK_TAG in request.tags
        row = replace(
            row,
            external_id=None,  # can be a mail Message-ID, which carries addresses and host names
            organization=(scrubber(row.organization) or None) if approved else scrubber.organization(row.organization),
            # Masked whole, then cut: a cut first could leave half a phone number unrecognised.
            subject=(_cut(scrubber(row.subject), MAX_PUBLIC_SUBJECT) or None) if approved else None,
            assignee=None,
        )
    return row


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def project_names(keys, settings, directory=None) -> dict[str, tuple[str, str]]:
    """Display names for directory keys; the key itself where the directory has none."""
    if directory is None:
        try:
            from steward.directory.entries import load_directory

            directory = load_directory(settings)
        except StewardError:
            # A broken directory file must not stop the weekly note: keys stand in.
            directory = None
    names = {}
    for key in sorted(keys):
        entry = None
        if directory is not None:
            entry = directory.get(key)
        name = one_line(getattr(entry, "name", "") or "") or key
        name_en = one_line(getattr(entry, "name_en", "") or "") or name
        names[key] = (name, name_en)
    return names


# --- partners: agreements made, giving back done and overdue ------------------------------


@dataclass
class PartnerItem:
    """An agreement or a giving-back commitment as the summary lists it.

    `organization` is None in public mode when the record is a private person,
    and agreement text is left out of public summaries (it is a steward's note).
    """

    id: int
    request_id: int
    kind: str
    project: str | None
    organization: str | None
    text: str | None = None
    day: date | None = None  # agreements: the local day it was made; commitments: due date
    state: str | None = None

    def as_dict(self) -> dict:
        data = {"id": self.id, "request_id": self.request_id, "kind": self.kind, "project": self.project,
                "organization": self.organization}
        if self.text is not None:
            data["text"] = self.text
        if self.state is not None:
            data["state"] = self.state
            data["due_on"] = self.day.isoformat() if self.day else None
        else:
            data["date"] = self.day.isoformat() if self.day else None
        return data


@dataclass
class PartnerSection:
    agreements: list[PartnerItem]
    giving_back_done: list[PartnerItem]
    giving_back_overdue: list[PartnerItem]

    def as_dict(self) -> dict:
        return {
            "agreements_made": [a.as_dict() for a in self.agreements],
            "giving_back": {
                "done": [c.as_dict() for c in self.giving_back_done],
                "overdue": [c.as_dict() for c in self.giving_back_overdue],
            },
        }


def partner_section(store, settings, period: Period, *, public: bool, now: datetime) -> PartnerSection:
    """Agreements recorded in the period, commitments done in it, and those overdue as of `now`."""
    tz = settings.tz
    today = now.astimezone(tz).date()
    start, end = period.bounds(tz)
    agreements = store.agreements_between(start, end)
    done = store.commitments_done_between(start, end)
    overdue = store.overdue_commitments(today)
    names = store.organization_names(x.organization_id for x in [*agreements, *done, *overdue])

    def who(organization_id: int | None) -> str | None:
        organization = names.get(organization_id)
        if organization is None or (public and organization.kind != "organization"):
            return None
        return one_line(organization.name)

    def commitment(c) -> PartnerItem:
        return PartnerItem(c.id, c.request_id, c.kind, c.project, who(c.organization_id),
                           None if public else one_line(c.text) or None, c.due_on, c.state)

    return PartnerSection(
        agreements=[
            PartnerItem(a.id, a.request_id, a.kind, a.project, who(a.organization_id),
                        None if public else one_line(a.text), a.created_at.astimezone(tz).date())
            for a in agreements
        ],
        giving_back_done=[commitment(c) for c in done],
        giving_back_overdue=[commitment(c) for c in overdue],
    )
