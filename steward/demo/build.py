"""The demo inbox steward ships, and synthetic inboxes of any size for benchmarks.

`demo_requests()` reads ~40 hand-written requests (steward/demo/requests.jsonl).
`synthetic_requests()` assembles requests from fragments: realistic enough that
matching and search have work to do, cheap enough to build 100k in about a second.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache
from importlib.resources import files

from steward.demo.fragments import (
    CASUAL_EN,
    CASUAL_ZH,
    CLOSINGS_EN,
    CLOSINGS_ZH,
    DETAILS_EN,
    DETAILS_ZH,
    EN_FIRST,
    EN_LAST,
    GIVEN_NAMES,
    GREETINGS_EN,
    GREETINGS_ZH,
    LONG_SUBJECTS,
    MONTHS_EN,
    ORGS_EN,
    ORGS_ZH,
    PROJECT_NAMES,
    REQUESTS_BY_CATEGORY,
    SURNAMES,
)
from steward.models import IncomingRequest
from steward.util.text import clean_text

DEMO_FILE = "requests.jsonl"
SYNTHETIC_END = datetime(2026, 11, 25, tzinfo=timezone.utc)
MIN_BODY, MAX_BODY = 100, 1500


def demo_requests(tz: tzinfo | None = None) -> list[IncomingRequest]:
    """The shipped demo inbox; timestamps are aware, converted to `tz` when given."""
    text = files(__package__).joinpath(DEMO_FILE).read_text(encoding="utf-8")
    requests = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        received = datetime.fromisoformat(row["received_at"])
        requests.append(
            IncomingRequest(
                received_at=received.astimezone(tz) if tz else received,
                channel=row["channel"],
                from_name=clean_text(row["from_name"]),
                from_email=clean_text(row["from_email"]),
                organization=clean_text(row["organization"]),
                subject=clean_text(row["subject"]),
                body=clean_text(row["body"]),
                external_id=row["external_id"],
                source=f"{DEMO_FILE}:{number}",
            )
        )
    return requests


# --- synthetic requests ------------------------------------------------------
# Weights by repetition: a request is one draw from every (category, language, channel).
_LANGUAGES = (0,) * 11 + (1,) * 7 + (2,) * 2  # zh 55%, en 35%, mixed 10%
# Aim a little above the minimum: trailing spaces and breaks are trimmed after the cut.
_SHORTEST = MIN_BODY + 4
_CHANNELS = ("email",) * 11 + ("form",) * 3 + ("facebook",) * 2 + ("slack",) * 3 + ("other",)


def _spaced(name: str) -> str:
    """Taiwanese writing puts a space between Latin names and Chinese text."""
    if name[:1].isascii():
        name = " " + name
    if name[-1:].isascii():
        name += " "
    return name


def _ring(sentences: list[str]) -> tuple[str, list[int], int]:
    """The sentences over and over, with paragraph breaks, and where each starts.

    A body takes a slice from a sentence start, so assembling it costs one slice
    instead of a loop; the laps after the first cover the longest body.
    """
    laps = 2 + MAX_BODY // sum(map(len, sentences))
    pieces = [s + ("\n\n" if n % 4 == 3 else "") for n, s in enumerate(sentences * laps)]
    offsets = [0]
    for piece in pieces:
        offsets.append(offsets[-1] + len(piece))
    return "".join(pieces), offsets, len(sentences)


@cache
def _fragments() -> tuple:
    """Everything per-request assembly only has to index into, built once."""
    en = [s + " " for s in DETAILS_EN]
    zh = list(DETAILS_ZH)
    rings = (_ring(zh), _ring(en), _ring([s for pair in zip(zh, en) for s in pair]))
    sizes = (20, 35, 60, 120)
    dates = (
        tuple(f"預計於 {m} 月 {d} 日辦理，約 {n} 人參加。" for m in range(1, 13) for d in range(1, 29) for n in sizes),
        tuple(
            f"We are planning it for {d} {month}, with about {n} people. "
            for month in MONTHS_EN
            for d in range(1, 29)
            for n in sizes
        ),
    )
    # Senders: (name, email, organization); about one in five gives no organization.
    senders = tuple(
        tuple(
            (name, f"{local}@{domain}", org)
            for name, local in names
            for org, domain in orgs + (("", "example.org"),) * (len(orgs) // 3)
        )
        for names, orgs in (
            ([(s + g, f"{gr}.{sr}") for s, sr in SURNAMES for g, gr in GIVEN_NAMES], ORGS_ZH),
            ([(f"{f} {l}", f"{f.lower()}.{l.lower()}") for f in EN_FIRST for l in EN_LAST], ORGS_EN),
        )
    )
    # Per project: Chinese forms spaced for Chinese text, English forms, vague zh, vague en.
    projects = {k: (tuple(map(_spaced, zh_)), en_, vague[0], vague[1]) for k, (zh_, en_, vague) in PROJECT_NAMES.items()}
    kinds = []
    for projects_of, subjects_zh, subjects_en, asks_zh, asks_en in REQUESTS_BY_CATEGORY.values():
        forms = tuple(projects[k] for k in projects_of)
        for lang in _LANGUAGES:
            main = 1 if lang == 1 else 0
            subjects, asks = (subjects_zh, subjects_en)[main], (asks_zh, asks_en)[main]
            for channel in _CHANNELS:
                kinds.append((lang, main, channel, channel in ("slack", "facebook"), forms, subjects, asks))
    return tuple(kinds), senders, dates, rings


def synthetic_requests(
    n: int, *, seed: int = 0, start: datetime | None = None, days: int = 365
) -> Iterator[IncomingRequest]:
    """`n` synthetic requests, oldest first, over `days` days ending at `start`.

    The same n and seed always give the same requests: ids "syn-000001"…, and
    timestamps that rise with the id. A naive `start` is read as UTC.
    """
    import random
    from bisect import bisect_left

    if n < 0 or days <= 0:
        raise ValueError("n must be >= 0 and days > 0")
    end = start or SYNTHETIC_END
    if end.tzinfo is None:
        end = end.replace(tzinfo=timezone.utc)
    span = days * 86400
    first = end - timedelta(seconds=span)
    step = span / max(n, 1)
    rnd = random.Random(seed).random
    kinds, senders, dates, rings = _fragments()
    greetings, casual = (GREETINGS_ZH, GREETINGS_EN), (CASUAL_ZH, CASUAL_EN)
    closings = (CLOSINGS_ZH, CLOSINGS_EN)

    def pick(seq):
        return seq[int(rnd() * len(seq))]

    for i in range(n):
        lang, main, channel, chatty, forms, subjects, asks = pick(kinds)
        if forms:
            project = pick(forms)
            roll = rnd()
            # Most people name the project; some only describe it, and a few
            # use its name in the other language.
            if roll < 0.7:
                mention = pick(project[main])
            elif roll < 0.85:
                mention = project[2 + main]
            else:
                mention = pick(project[1 - main])
        else:
            mention = "g0v" if main else " g0v "
        name, email, org = pick(senders[main])
        roll = rnd()
        if chatty:
            # Chat messages: short, unsigned, seldom with an address; Slack has no subject line.
            if roll < 0.8:
                email = ""
            if roll < 0.5:
                org = ""
            subject = "" if channel == "slack" or roll > 0.7 else pick(subjects)
            opening = pick(casual[main])
            closing = ""
            target = _SHORTEST + int(rnd() * 300)
        else:
            if roll < 0.03:
                subject = ""
            elif roll < 0.07 and main == 0 and forms:
                subject = pick(LONG_SUBJECTS)
            else:
                subject = pick(subjects)
            opening = pick(greetings[main])
            closing = pick(closings[main]) + "\n" + name
            target = _SHORTEST + int(rnd() * rnd() * (MAX_BODY - _SHORTEST))  # mostly short, a few long
        ask = pick(asks).replace("@", mention)
        when = pick(dates[1 if lang == 2 else main])
        fixed = len(opening) + len(ask) + len(when) + len(closing) + 1
        text, offsets, lap = rings[lang]
        begin = offsets[int(rnd() * lap)]
        stop = bisect_left(offsets, begin + target - fixed)
        if fixed + offsets[stop] - begin > MAX_BODY:
            stop -= 1
        middle = (when + text[begin : offsets[stop]]).rstrip()
        yield IncomingRequest(
            received_at=first + timedelta(seconds=int((i + rnd()) * step)),
            channel=channel,
            from_name=name,
            from_email=email,
            organization=org,
            subject=subject.replace("@", mention).strip(),
            body=opening + ask + (" " if main else "") + middle + closing,
            external_id=f"syn-{i + 1:06d}",
            source=f"synthetic:{i + 1}",
        )


# --- the demo's own inbox file ---------------------------------------------------------
#
# The demo only ever writes to a file it made and marked itself: never to the inbox
# named by --db or $STEWARD_DB, and `--reset` refuses any file not marked as a demo.


def default_demo_path():
    """The demo inbox: demo.db in the user data directory, beside (never instead of) the real one."""
    from steward.config.settings import user_data_dir

    return user_data_dir() / "demo.db"


def open_demo_store(settings, path):
    """Open `path` for the demo: a new file is marked as a demo; a real inbox is refused."""
    from pathlib import Path

    from steward.models import StewardError
    from steward.store import Store

    path = Path(path).expanduser()
    fresh = not path.exists() or path.stat().st_size == 0
    store = Store.open_for(settings, path)
    if fresh:
        store.mark_as_demo()
    elif not store.is_demo():
        store.close()
        raise StewardError(f"{path}: not a demo inbox; the demo only writes to files it made itself")
    return store


def build_demo_inbox(settings, path, *, reset: bool = False):
    """Make (or, with `reset`, remake) the forty-request demo inbox at `path`."""
    from steward.matching.matcher import build_matcher
    from steward.store import remove_demo_inbox

    if reset:
        remove_demo_inbox(path)  # refuses a file that is not a demo
    store = open_demo_store(settings, path)
    try:
        if store.count() == 0:
            store.import_requests(demo_requests(settings.tz), matcher=build_matcher(settings))
            add_demo_activity(store, settings.steward_name)
    finally:
        store.close()
    return path


def fill_synthetic_inbox(settings, path, size: int, *, seed: int = 0):
    """Write `size` synthetic requests into the demo inbox at `path` (for benchmarks)."""
    from steward.matching.matcher import build_matcher

    store = open_demo_store(settings, path)
    try:
        return store.import_requests(
            synthetic_requests(size, seed=seed), matcher=build_matcher(settings), batch_size=2000
        )
    finally:
        store.close()


def add_demo_activity(store, steward_name: str) -> None:
    """Give the demo inbox some history so every column and tab has something to show."""
    ids = store.all_ids()
    plan = [
        ("triaged", steward_name, ["partner"], 3),
        ("drafting", steward_name, [], None),
        ("waiting", "mei", ["follow-up"], -2),
        ("replied", "mei", [], None),
        ("closed", steward_name, [], None),
        ("triaged", None, ["urgent"], 1),
    ]
    today = store.today()
    for index, request_id in enumerate(ids[:: max(1, len(ids) // 18)]):
        status, who, tags, due = plan[index % len(plan)]
        store.set_status(request_id, status)
        if who:
            store.assign(request_id, who)
        if tags:
            store.add_tags(request_id, tags)
        if due is not None:
            store.set_follow_up(request_id, today + timedelta(days=due))
    spam = [r.id for r in store.list_requests(limit=500) if r.category == "other" and r.match is None]
    if spam:
        store.set_status(spam[0], "spam", note="Demo: obvious spam.")
