"""What the store knows about partners: organizations, agreements and giving-back commitments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from steward.models import StaleVersion, StewardError, iso_json

ORGANIZATION_KINDS = ("organization", "person")
AGREEMENT_KINDS = ("talk", "co_development", "data_use", "naming", "sponsorship", "partnership")
COMMITMENT_KINDS = ("present", "open_source", "report", "credit", "sponsor")
COMMITMENT_STATES = ("promised", "done", "lapsed")


class StaleRecord(StaleVersion):
    """A write based on an old version of an organization or a commitment; nothing was written."""

    def __init__(self, message: str, *, record: str, record_id: int, current_version: int):
        StewardError.__init__(self, message)
        self.request_id = None
        self.record = record  # "organization" | "commitment"
        self.record_id = record_id
        self.current_version = current_version


@dataclass
class Organization:
    id: int
    name: str
    kind: str = "organization"
    aliases: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    version: int = 1
    created_at: datetime | None = None
    created_by: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    request_count: int = 0

    def as_json(self) -> dict:
        """The `org list --json` contract (and the start of `org show --json`): these keys, in this order."""
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "aliases": list(self.aliases),
            "domains": list(self.domains), "request_count": self.request_count, "version": self.version,
        }


@dataclass
class Agreement:
    id: int
    organization_id: int | None
    request_id: int
    kind: str
    text: str
    project: str | None
    created_at: datetime
    created_by: str | None

    def as_json(self) -> dict:
        """`agreement add --json`, and each agreement in `org show --json`: these keys, in this order."""
        return {
            "id": self.id, "organization_id": self.organization_id, "request_id": self.request_id, "kind": self.kind,
            "text": self.text, "project": self.project, "created_at": _when(self.created_at),
            "created_by": self.created_by,
        }


@dataclass
class Commitment:
    id: int
    organization_id: int | None
    request_id: int
    kind: str
    project: str | None
    text: str
    due_on: date
    state: str
    version: int
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    updated_by: str | None

    def overdue(self, today: date) -> bool:
        return self.state == "promised" and self.due_on < today

    def as_json(self, today: date) -> dict:
        """`commitment … --json`, and each commitment in `org show --json`: these keys, in this order."""
        return {
            "id": self.id, "organization_id": self.organization_id, "request_id": self.request_id, "kind": self.kind,
            "due_on": self.due_on.isoformat(), "state": self.state, "overdue": self.overdue(today),
            "project": self.project, "text": self.text, "version": self.version,
        }


@dataclass
class OrganizationEvent:
    id: int
    organization_id: int | None
    version: int | None
    at: datetime
    actor: str
    action: str
    old: str | None
    new: str | None
    detail: str | None
    undoable: bool
    undone_by: int | None

    def as_json(self) -> dict:
        """A history entry in `org show --json`: these keys, in this order."""
        return {
            "id": self.id, "at": _when(self.at), "actor": self.actor, "action": self.action, "old": self.old,
            "new": self.new, "detail": self.detail, "undoable": self.undoable,
        }


@dataclass
class Person:
    name: str
    email: str
    request_count: int
    last_seen: datetime

    def as_json(self) -> dict:
        """A person in `org show --json`: these keys, in this order."""
        return {"name": self.name, "email": self.email, "request_count": self.request_count,
                "last_seen": _when(self.last_seen)}


@dataclass
class Partnership:
    """What a request's organization has done with us before: what a draft and the panel show."""

    organization: Organization
    earlier_requests: int  # received before this request
    first_seen: datetime | None
    last_request_at: datetime | None  # the latest earlier request
    outcomes: dict[str, int]  # earlier requests per status
    open_agreements: list[Agreement]
    open_commitments: list[Commitment]  # promised, due or not
    lapsed_commitments: list[Commitment]  # lapsed, or promised and past due
    last_steward: str | None

    @property
    def returning(self) -> bool:
        return self.earlier_requests > 0


def _when(moment: datetime | None) -> str | None:
    return iso_json(moment) if moment else None
