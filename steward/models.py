"""Plain data shared by the core, the CLI and the TUI. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

STATUSES = ("new", "triaged", "drafting", "replied", "waiting", "closed", "declined", "spam")
# A request in one of these needs nothing more from a steward.
CLOSED_STATUSES = frozenset({"closed", "declined", "spam"})
# "Open": still needs a steward or is waiting on the partner. The one definition used by
# the inbox title, `status:open` / `--status open` and the weekly summary; "replied"
# is answered (neither open nor closed).
OPEN_STATUSES = ("new", "triaged", "drafting", "waiting")
CHANNELS = ("email", "form", "facebook", "slack", "other")
CATEGORIES = (
    "collaboration",
    "speaking",
    "funding",
    "naming",
    "partnership",
    "media",
    "data",
    "international",
    "volunteer",
    "other",
)
LANGUAGES = ("zh", "en", "mixed")
# What a directory entry can be.
ENTRY_KINDS = ("working_group", "project", "programme", "organization", "partner_community")


class StewardError(Exception):
    """An error a user can cause: shown as one line, never as a traceback."""

    exit_code = 1


class UsageError(StewardError):
    exit_code = 2


class ConfigError(StewardError):
    exit_code = 2


class SignatureMissing(UsageError):
    """A reply would be signed, but the steward has not said their name."""

    def __init__(self) -> None:
        super().__init__('set your name for the signature first: steward config set steward.name "Your Name"')


class NotFound(StewardError):
    pass


class SchemaError(StewardError):
    """A file steward must not write to: another program's database or a newer steward's."""


class StoreWriteError(StewardError):
    """The inbox could not be written (read-only, disk full, locked); nothing stored was lost."""


# Words that mean the steward themself, or no one, wherever a name is typed.
ME_WORDS = frozenset({"me", "我", "自己"})
NOBODY_WORDS = frozenset({"none", "nobody", "無", "沒有人"})


def resolve_assignee(value: str | None, *, me: str) -> str | None:
    """What a typed assignee means: `me` for "me"/"我", None for "nobody"/"無", else the name.

    The one resolver used by the CLI, the TUI filter and the store.
    """
    if value is None:
        return None
    name = value.strip()
    if name.lower() in ME_WORDS:
        return me
    if name.lower() in NOBODY_WORDS or not name:
        return None
    return name


class StaleVersion(StewardError):
    """A write based on an old version of a request; nothing was written."""

    def __init__(self, message: str, *, request_id: int, current_version: int):
        super().__init__(message)
        self.request_id = request_id
        self.current_version = current_version


@dataclass
class IncomingRequest:
    """One request as an intake format read it, before it is stored."""

    received_at: datetime  # timezone-aware
    channel: str = "other"
    from_name: str = ""
    from_email: str = ""
    organization: str = ""
    subject: str = ""
    body: str = ""
    external_id: str | None = None
    message_id: str | None = None
    # Message-IDs this one answers (In-Reply-To first, then References).
    in_reply_to: list[str] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)  # {"name", "type", "size"}
    source: str = ""  # "FILE:RECORD", for messages about this record
    warnings: list[str] = field(default_factory=list)
    # True when received_at is only the file's time (no Date header, no timestamp
    # column): then it is not part of the record's identity, so a `touch` does
    # not make the same record new again.
    received_at_guessed: bool = False
    # Text whose charset was a guess: {"part": "body" | "subject" | …, "charset":
    # the codec it was read with, "data": the original bytes}, kept so it can be
    # decoded again (table undecoded_parts).
    undecoded: list[dict] = field(default_factory=list)


@dataclass
class RecordError:
    """A record an intake format could not read."""

    location: str  # "FILE:RECORD"
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


@dataclass
class Match:
    key: str
    name: str
    kind: str
    score: int
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        """A match in `match --json`: these keys, in this order."""
        return {"key": self.key, "name": self.name, "kind": self.kind, "score": self.score, "reasons": list(self.reasons)}

    def as_stored_json(self) -> dict:
        """A stored match in `show --json` (the store keeps no name or kind): these keys, in this order."""
        return {"key": self.key, "score": self.score, "reasons": self.reasons}


@dataclass
class CategoryGuess:
    key: str
    score: int
    reasons: list[str] = field(default_factory=list)  # in the steward's language
    reasons_i18n: dict[str, list[str]] = field(default_factory=dict)  # "zh-TW" / "en" -> reasons

    def as_json(self) -> dict:
        """The suggested category in `show --json`: these keys, in this order."""
        return {"key": self.key, "score": self.score, "reasons": self.reasons}


@dataclass
class SpamVerdict:
    """Whether a request looks like spam or a scam (steward.matching.spam)."""

    likely: bool = False
    score: int = 0  # 0..100
    reasons: list[str] = field(default_factory=list)  # in English
    reasons_zh: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"likely": self.likely, "score": self.score, "reasons": list(self.reasons),
                "reasons_zh": list(self.reasons_zh)}


@dataclass
class MatchResult:
    language: str  # zh | en | mixed
    category: CategoryGuess
    matches: list[Match] = field(default_factory=list)
    spam: SpamVerdict = field(default_factory=SpamVerdict)

    def as_json(self, request_id: int | None = None, limit: int | None = None) -> dict:
        """The `match --json` contract: these keys, the best `limit` matches first."""
        category = self.category
        return {
            "request_id": request_id,
            "language": self.language,
            "category": {
                "key": category.key,
                "score": category.score,
                "reasons": list(category.reasons),
                # The same reasons in each language steward speaks ("zh-TW", "en").
                "reasons_by_language": {k: list(v) for k, v in category.reasons_i18n.items()},
            },
            "matches": [m.as_json() for m in self.matches[:limit]],
            "spam": {"likely": self.spam.likely, "score": self.spam.score, "reasons": list(self.spam.reasons)},
        }


@dataclass
class Request:
    """A stored request, as the inbox shows it."""

    id: int
    external_id: str | None
    received_at: datetime
    channel: str
    from_name: str
    from_email: str
    organization: str
    subject: str
    body: str
    language: str | None
    status: str
    category: str | None
    category_manual: bool
    match: str | None
    match_manual: bool
    assignee: str | None
    follow_up_on: date | None
    version: int
    updated_at: datetime
    updated_by: str | None
    last_activity_at: datetime
    tags: list[str] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def as_json(self) -> dict:
        """The `list --json` contract (and the start of `show --json`): these keys, in this order."""
        return {
            "id": self.id,
            "external_id": self.external_id,
            "received_at": iso_json(self.received_at),
            "channel": self.channel,
            "from_name": self.from_name,
            "from_email": self.from_email,
            "organization": self.organization,
            "subject": self.subject,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "match": self.match,
            "assignee": self.assignee,
            "tags": list(self.tags),
            "follow_up_on": self.follow_up_on.isoformat() if self.follow_up_on else None,
        }


def iso_json(moment: datetime) -> str:
    """A moment as JSON shows it: ISO 8601 UTC, `2026-11-23T01:30:00Z` (the store's own format)."""
    from steward.store.clock import to_iso

    return to_iso(moment)


@dataclass
class Event:
    id: int
    request_id: int
    at: datetime
    actor: str
    action: str  # import, status, assign, tag, untag, note, follow_up, category, route, draft, sent, checklist, message
    old: str | None
    new: str | None
    detail: str | None

    def as_json(self) -> dict:
        """A history entry in `show --json`: these keys, in this order."""
        return {"at": iso_json(self.at), "actor": self.actor, "action": self.action, "old": self.old, "new": self.new,
                "detail": self.detail}


@dataclass
class DraftVersion:
    request_id: int
    version: int
    template: str | None
    language: str | None
    body: str
    created_at: datetime
    author: str
    sent_at: datetime | None = None

    def as_json(self) -> dict:
        """A draft version in `show --json`: these keys, in this order."""
        return {
            "version": self.version, "template": self.template, "language": self.language, "body": self.body,
            "created_at": iso_json(self.created_at), "author": self.author,
            "sent_at": iso_json(self.sent_at) if self.sent_at else None,
        }


@dataclass
class Message:
    """One message in a request's conversation (the first one is the request)."""

    id: int
    request_id: int
    message_id: str | None
    received_at: datetime
    from_name: str
    from_email: str
    subject: str
    body: str
    attachments: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        """A message of the conversation in `show --json`: these keys, in this order."""
        return {
            "received_at": iso_json(self.received_at), "from_name": self.from_name, "from_email": self.from_email,
            "subject": self.subject, "body": self.body, "attachments": self.attachments,
        }


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    threaded: int = 0
    failed: int = 0
    errors: list[RecordError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    new_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "threaded": self.threaded,
            "failed": self.failed,
            "errors": [str(e) for e in self.errors],
            "warnings": list(self.warnings),
        }


@dataclass
class RequestFilter:
    """What the inbox shows; every field narrows the set."""

    statuses: tuple[str, ...] = ()  # empty: all statuses
    category: str | None = None
    match: str | None = None
    tag: str | None = None
    assignee: str | None = None  # "" means unassigned
    language: str | None = None
    due: str | None = None  # "overdue" | "week" | "today"
    query: str = ""
    ids: tuple[int, ...] = ()
    spam: str | None = None  # "likely" | "unlikely"
