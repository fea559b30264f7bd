"""Partner memory: organizations, each request's link to one, agreements and giving back.

Owned by a Store like `Changes`. Every change to an organization runs under
BEGIN IMMEDIATE, is checked against the version the steward saw (the same
stale-write rule as requests), bumps the version, and lands in
``organization_events`` together with what it replaced, so it can be undone.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING

from steward.models import NotFound, UsageError
from steward.partners.linking import KnownOrganization, OrganizationIndex, is_telling_domain, mail_domain
from steward.partners.records import (
    AGREEMENT_KINDS,
    COMMITMENT_KINDS,
    COMMITMENT_STATES,
    ORGANIZATION_KINDS,
    Agreement,
    Commitment,
    Organization,
    OrganizationEvent,
    Partnership,
    Person,
    StaleRecord,
)
from steward.store import clock
from steward.store.clock import from_iso, to_iso
from steward.util.text import clean_text, one_line

if TYPE_CHECKING:
    from steward.store.changes import Changes
    from steward.store.core import Store

_ORG_COLUMNS = "id, name, kind, aliases, domains, version, created_at, created_by, updated_at, updated_by"
_AGREEMENT_COLUMNS = "id, organization_id, request_id, kind, text, project, created_at, created_by"
_COMMITMENT_COLUMNS = (
    "id, organization_id, request_id, kind, project, text, due_on, state, version, "
    "created_at, created_by, updated_at, updated_by"
)
MAX_NAME = 200
PEOPLE_FROM_RECENT = 500  # an organization's people are read from this many of its latest requests


def _organization(row: tuple, request_count: int = 0) -> Organization:
    return Organization(
        id=row[0], name=row[1], kind=row[2], aliases=json.loads(row[3] or "[]"), domains=json.loads(row[4] or "[]"),
        version=row[5], created_at=from_iso(row[6]), created_by=row[7], updated_at=from_iso(row[8]),
        updated_by=row[9], request_count=request_count,
    )


def _agreement(row: tuple) -> Agreement:
    return Agreement(*row[:6], created_at=from_iso(row[6]), created_by=row[7])


def _commitment(row: tuple) -> Commitment:
    return Commitment(
        id=row[0], organization_id=row[1], request_id=row[2], kind=row[3], project=row[4], text=row[5] or "",
        due_on=date.fromisoformat(row[6]), state=row[7], version=row[8], created_at=from_iso(row[9]),
        created_by=row[10], updated_at=from_iso(row[11]), updated_by=row[12],
    )


def _clean_name(name: str, what: str = "a name") -> str:
    name = one_line(name)
    if not name:
        raise UsageError(f"{what} cannot be empty")
    if len(name) > MAX_NAME:
        raise UsageError(f"{what} is longer than {MAX_NAME} characters")
    return name


class Linker:
    """Links imported requests to organizations, creating one when a name or domain is new.

    Loads every known organization into one OrganizationIndex when made (once per
    import, not per record) and remembers each (name, domain) it has answered.
    Works inside the caller's transaction.
    """

    def __init__(self, conn: sqlite3.Connection, actor: str):
        self.conn = conn
        self.actor = actor
        self.index = OrganizationIndex(
            KnownOrganization(r[0], r[1], json.loads(r[2] or "[]"), json.loads(r[3] or "[]"))
            for r in conn.execute("SELECT id, name, aliases, domains FROM organizations")
        )
        self._answers: dict[tuple[str, str], int | None] = {}

    def link(self, organization: str, email: str) -> int | None:
        domain = mail_domain(email)
        telling = is_telling_domain(domain)
        key = (organization, domain if telling else "")
        if key in self._answers:
            return self._answers[key]
        found = None
        if organization or telling:
            hit = self.index.find(organization or None, email if telling else None)
            if hit is not None:
                found = hit.organization_id
                if telling and self.index.domain_owner(domain) is None:
                    self._learn_domain(found, domain)
            else:
                found = self._create(organization or domain, [domain] if telling else [])
        self._answers[key] = found
        return found

    def _create(self, name: str, domains: list[str]) -> int:
        # Another steward's import may have made it since this index was loaded.
        row = self.conn.execute("SELECT id, name, aliases, domains FROM organizations WHERE name = ?", (name,)).fetchone()
        if row is not None:
            self.index.add(KnownOrganization(row[0], row[1], json.loads(row[2] or "[]"), json.loads(row[3] or "[]")))
            return row[0]
        now = to_iso(clock.utc_now())
        organization_id = self.conn.execute(
            "INSERT INTO organizations (name, kind, aliases, domains, version, created_at, created_by, updated_at, "
            "updated_by) VALUES (?, 'organization', '[]', ?, 1, ?, ?, ?, ?)",
            (name, json.dumps(domains, ensure_ascii=False), now, self.actor, now, self.actor),
        ).lastrowid
        self.index.add(KnownOrganization(organization_id, name, [], domains))
        _log(self.conn, self.actor, organization_id, 1, "create", None, name, "recognised on import")
        return organization_id

    def _learn_domain(self, organization_id: int, domain: str) -> None:
        self.index.add_domain(organization_id, domain)
        row = self.conn.execute(
            "UPDATE organizations SET domains = json_insert(domains, '$[#]', ?), version = version + 1 "
            "WHERE id = ? RETURNING version",
            (domain, organization_id),
        ).fetchone()
        _log(self.conn, self.actor, organization_id, row[0], "domain", None, domain, "learned on import")


def _log(conn, actor, organization_id, version, action, old=None, new=None, detail=None, undo=None, at=None) -> int:
    return conn.execute(
        "INSERT INTO organization_events (organization_id, version, at, actor, action, old, new, detail, undo) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        (organization_id, version, to_iso(at or clock.utc_now()), actor, action, old, new, detail,
         json.dumps(undo, ensure_ascii=False) if undo is not None else None),
    ).lastrowid


def link_existing_requests(conn: sqlite3.Connection, *, actor: str) -> int:
    """Link every request without an organization; used by the schema migration. Returns how many."""
    linker = Linker(conn, actor)
    rows = conn.execute(
        "SELECT id, organization, from_email FROM requests WHERE organization_id IS NULL ORDER BY id"
    ).fetchall()
    updates = [(found, rid) for rid, org, email in rows if (found := linker.link(org or "", email or "")) is not None]
    conn.executemany("UPDATE requests SET organization_id = ? WHERE id = ?", updates)
    return len(updates)


class Partners:
    """Organizations, agreements and commitments: their reads and the stewards' changes to them."""

    def __init__(self, store: Store, changes: Changes):
        self.conn = store.conn
        self.actor = store.actor
        self.transaction = store.transaction
        self.resolve = store.resolve
        self.today = store.today
        self._request_event = changes.record_event

    # --- linking ----------------------------------------------------------------------

    def linker(self) -> Linker:
        """A Linker for one import (call inside its transactions)."""
        return Linker(self.conn, self.actor)

    # --- reading ----------------------------------------------------------------------

    def resolve_organization(self, ref: int | str) -> int:
        """An organization's number from its number (`3`, `#3`) or its name or one of its aliases."""
        text = one_line(str(ref))
        number = text[1:] if text.startswith("#") else text
        if number.isascii() and number.isdigit() and len(number) <= 18:
            row = self.conn.execute("SELECT id FROM organizations WHERE id = ?", (int(number),)).fetchone()
            if row:
                return row[0]
        row = self.conn.execute(
            "SELECT id FROM organizations WHERE name = ? COLLATE NOCASE ORDER BY id LIMIT 1", (text,)
        ).fetchone()
        if row:
            return row[0]
        row = self.conn.execute(
            "SELECT organizations.id FROM organizations, json_each(organizations.aliases) "
            "WHERE json_each.value = ? COLLATE NOCASE ORDER BY organizations.id LIMIT 1",
            (text,),
        ).fetchone()
        if row:
            return row[0]
        if text:
            hit = Linker(self.conn, self.actor).index.find(text)
            if hit is not None:
                return hit.organization_id
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise NotFound(f"no organization {shown!r} in this inbox (give its number or name; see 'steward org list')")

    def get_organization(self, ref: int | str) -> Organization:
        organization_id = self.resolve_organization(ref)
        row = self.conn.execute(f"SELECT {_ORG_COLUMNS} FROM organizations WHERE id = ?", (organization_id,)).fetchone()
        (count,) = self.conn.execute(
            "SELECT count(*) FROM requests WHERE organization_id = ?", (organization_id,)
        ).fetchone()
        return _organization(row, count)

    def list_organizations(self, query: str = "", *, limit: int = 1000) -> list[Organization]:
        """Organizations with their request counts, most requests first; `query` matches names, aliases, domains."""
        params: list = []
        where = "1"
        query = one_line(query)
        if query:
            escaped = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where = "(name LIKE ? ESCAPE '\\' OR aliases LIKE ? ESCAPE '\\' OR domains LIKE ? ESCAPE '\\')"
            params = [escaped] * 3
        rows = self.conn.execute(
            f"SELECT {', '.join('o.' + c for c in _ORG_COLUMNS.split(', '))}, "
            "(SELECT count(*) FROM requests WHERE organization_id = o.id) AS n "
            f"FROM organizations o WHERE {where} ORDER BY n DESC, o.name, o.id LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [_organization(r[:10], r[10]) for r in rows]

    def organization_requests(self, organization_id: int, *, limit: int = 200) -> list[tuple]:
        """(id, subject, status, received_at, assignee, updated_by) of its requests, newest first."""
        return [
            (r[0], r[1], r[2], from_iso(r[3]), r[4], r[5])
            for r in self.conn.execute(
                "SELECT id, subject, status, received_at, assignee, updated_by FROM requests "
                "WHERE organization_id = ? ORDER BY received_at DESC, id DESC LIMIT ?",
                (organization_id, limit),
            )
        ]

    def organization_people(self, organization_id: int, *, recent: int = PEOPLE_FROM_RECENT) -> list[Person]:
        """The people who wrote on the organization's behalf, from its latest `recent` requests.

        Derived from the requests themselves (nothing to keep in step); bounded so an
        organization with thousands of requests still shows at once.
        """
        return [
            Person(name=r[0] or "", email=r[1] or "", request_count=r[2], last_seen=from_iso(r[3]))
            for r in self.conn.execute(
                "SELECT from_name, lower(from_email), count(*), max(received_at) FROM ("
                "SELECT from_name, from_email, received_at FROM requests WHERE organization_id = ? "
                "ORDER BY received_at DESC LIMIT ?) "
                "WHERE from_name != '' OR from_email != '' "
                "GROUP BY from_name, lower(from_email) ORDER BY max(received_at) DESC LIMIT 200",
                (organization_id, recent),
            )
        ]

    def organization_history(self, organization_id: int) -> list[OrganizationEvent]:
        return [
            OrganizationEvent(
                id=r[0], organization_id=r[1], version=r[2], at=from_iso(r[3]), actor=r[4], action=r[5],
                old=r[6], new=r[7], detail=r[8], undoable=r[9] is not None and r[10] is None, undone_by=r[10],
            )
            for r in self.conn.execute(
                "SELECT id, organization_id, version, at, actor, action, old, new, detail, undo, undone_by "
                "FROM organization_events WHERE organization_id = ? ORDER BY id",
                (organization_id,),
            )
        ]

    def agreements(self, *, organization_id: int | None = None, request_id: int | None = None) -> list[Agreement]:
        column, value = ("organization_id", organization_id) if request_id is None else ("request_id", request_id)
        return [
            _agreement(r)
            for r in self.conn.execute(
                f"SELECT {_AGREEMENT_COLUMNS} FROM agreements WHERE {column} = ? ORDER BY created_at, id", (value,)
            )
        ]

    def commitments(self, *, organization_id: int | None = None, request_id: int | None = None) -> list[Commitment]:
        column, value = ("organization_id", organization_id) if request_id is None else ("request_id", request_id)
        return [
            _commitment(r)
            for r in self.conn.execute(
                f"SELECT {_COMMITMENT_COLUMNS} FROM commitments WHERE {column} = ? ORDER BY due_on, id", (value,)
            )
        ]

    def get_commitment(self, number: int | str) -> Commitment:
        text = str(number).strip().lstrip("#")
        row = None
        if text.isascii() and text.isdigit() and len(text) <= 18:
            row = self.conn.execute(f"SELECT {_COMMITMENT_COLUMNS} FROM commitments WHERE id = ?", (int(text),)).fetchone()
        if row is None:
            raise NotFound(f"no commitment #{text[:20]} in this inbox")
        return _commitment(row)

    def agreements_between(self, start: datetime, end: datetime) -> list[Agreement]:
        return [
            _agreement(r)
            for r in self.conn.execute(
                f"SELECT {_AGREEMENT_COLUMNS} FROM agreements WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id",
                (to_iso(start), to_iso(end)),
            )
        ]

    def commitments_done_between(self, start: datetime, end: datetime) -> list[Commitment]:
        return [
            _commitment(r)
            for r in self.conn.execute(
                f"SELECT {_COMMITMENT_COLUMNS} FROM commitments WHERE state = 'done' AND updated_at >= ? "
                "AND updated_at < ? ORDER BY updated_at, id",
                (to_iso(start), to_iso(end)),
            )
        ]

    def overdue_commitments(self, today: date | None = None) -> list[Commitment]:
        """Promised and past their due date, or marked lapsed: giving back that did not happen."""
        today = today or self.today()
        return [
            _commitment(r)
            for r in self.conn.execute(
                f"SELECT {_COMMITMENT_COLUMNS} FROM commitments WHERE (state = 'promised' AND due_on < ?) "
                "OR state = 'lapsed' ORDER BY due_on, id",
                (today.isoformat(),),
            )
        ]

    def organization_names(self, ids: Iterable[int]) -> dict[int, Organization]:
        ids = sorted({i for i in ids if i is not None})
        found: dict[int, Organization] = {}
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            for row in self.conn.execute(
                f"SELECT {_ORG_COLUMNS} FROM organizations WHERE id IN ({','.join('?' * len(part))})", part
            ):
                found[row[0]] = _organization(row)
        return found

    def request_organization_id(self, request_ref: int | str) -> int | None:
        request_id = self.resolve(request_ref)
        return self.conn.execute("SELECT organization_id FROM requests WHERE id = ?", (request_id,)).fetchone()[0]

    def partnership(self, request_ref: int | str) -> Partnership | None:
        """What the request's organization has done with us before, or None when it has no organization."""
        request_id = self.resolve(request_ref)
        organization_id, received_at = self.conn.execute(
            "SELECT organization_id, received_at FROM requests WHERE id = ?", (request_id,)
        ).fetchone()
        if organization_id is None:
            return None
        organization = self.get_organization(organization_id)
        earlier = self.conn.execute(
            "SELECT status, count(*), min(received_at), max(received_at) FROM requests "
            "WHERE organization_id = ? AND id != ? AND received_at <= ? GROUP BY status",
            (organization_id, request_id, received_at),
        ).fetchall()
        outcomes = {status: n for status, n, _, _ in earlier}
        firsts = [from_iso(r[2]) for r in earlier]
        lasts = [from_iso(r[3]) for r in earlier]
        last_steward = self.conn.execute(
            "SELECT coalesce(assignee, updated_by) FROM requests WHERE organization_id = ? AND id != ? "
            "AND (assignee IS NOT NULL OR status != 'new') ORDER BY received_at DESC LIMIT 1",
            (organization_id, request_id),
        ).fetchone()
        commitments = self.commitments(organization_id=organization_id)
        today = self.today()
        return Partnership(
            organization=organization,
            earlier_requests=sum(outcomes.values()),
            first_seen=min(firsts) if firsts else None,
            last_request_at=max(lasts) if lasts else None,
            outcomes=outcomes,
            open_agreements=self.agreements(organization_id=organization_id),
            open_commitments=[c for c in commitments if c.state == "promised"],
            lapsed_commitments=[c for c in commitments if c.state == "lapsed" or c.overdue(today)],
            last_steward=last_steward[0] if last_steward else None,
        )

    # --- changing an organization -------------------------------------------------------

    def _row(self, organization_id: int) -> dict | None:
        row = self.conn.execute(f"SELECT {_ORG_COLUMNS} FROM organizations WHERE id = ?", (organization_id,)).fetchone()
        return dict(zip(_ORG_COLUMNS.split(", "), row)) if row else None

    def _check(self, row: dict, expected_version: int | None) -> None:
        if expected_version is not None and expected_version != row["version"]:
            changes = self.conn.execute(
                "SELECT actor, action, old, new FROM organization_events WHERE organization_id = ? AND version > ? "
                "ORDER BY id",
                (row["id"], expected_version),
            ).fetchall()
            described = "; ".join(
                f"{actor} changed {action} ({old or '–'} → {new or '–'})" for actor, action, old, new in changes[-3:]
            )
            raise StaleRecord(
                f"organization {row['id']} was changed meanwhile"
                + (f": {described}" if described else " by someone else")
                + "; reload it and try again",
                record="organization", record_id=row["id"], current_version=row["version"],
            )

    def _bump(self, row: dict, **columns) -> int:
        version = row["version"] + 1
        assignments = {**columns, "version": version, "updated_at": to_iso(clock.utc_now()), "updated_by": self.actor}
        sets = ", ".join(f"{c} = ?" for c in assignments)
        self.conn.execute(f"UPDATE organizations SET {sets} WHERE id = ?", [*assignments.values(), row["id"]])
        return version

    @contextmanager
    def _changing(self, ref, expected_version: int | None):
        with self.transaction():
            row = self._row(self.resolve_organization(ref))
            self._check(row, expected_version)
            yield row

    def rename_organization(self, ref, name: str, *, expected_version: int | None = None) -> Organization:
        """Rename; the old name stays as an alias so requests written that way still link."""
        name = _clean_name(name, "an organization's name")
        with self._changing(ref, expected_version) as row:
            if row["name"] == name:
                return self.get_organization(row["id"])
            aliases = json.loads(row["aliases"])
            new_aliases = [a for a in aliases if a != name]
            if row["name"] not in new_aliases:
                new_aliases.append(row["name"])
            version = self._bump(row, name=name, aliases=json.dumps(new_aliases, ensure_ascii=False))
            _log(self.conn, self.actor, row["id"], version, "rename", row["name"], name,
                 undo={"organizations": [row], "after": {str(row["id"]): version}})
        return self.get_organization(row["id"])

    def add_organization_alias(self, ref, alias: str, *, expected_version: int | None = None) -> Organization:
        alias = _clean_name(alias, "an alias")
        with self._changing(ref, expected_version) as row:
            aliases = json.loads(row["aliases"])
            if alias in aliases or alias == row["name"]:
                return self.get_organization(row["id"])
            version = self._bump(row, aliases=json.dumps([*aliases, alias], ensure_ascii=False))
            _log(self.conn, self.actor, row["id"], version, "alias", None, alias,
                 undo={"organizations": [row], "after": {str(row["id"]): version}})
        return self.get_organization(row["id"])

    def set_organization_kind(self, ref, kind: str, *, expected_version: int | None = None) -> Organization:
        """`person` for a private person (never named in a public summary), else `organization`."""
        if kind not in ORGANIZATION_KINDS:
            raise UsageError(f"unknown kind {kind!r} (expected one of: {', '.join(ORGANIZATION_KINDS)})")
        with self._changing(ref, expected_version) as row:
            if row["kind"] == kind:
                return self.get_organization(row["id"])
            version = self._bump(row, kind=kind)
            _log(self.conn, self.actor, row["id"], version, "kind", row["kind"], kind,
                 undo={"organizations": [row], "after": {str(row["id"]): version}})
        return self.get_organization(row["id"])

    def merge_organizations(
        self, keep_ref, other_ref, *, expected_version: int | None = None, other_expected_version: int | None = None
    ) -> Organization:
        """Fold `other` into `keep`: its requests, agreements, commitments, names and domains move over."""
        with self.transaction():
            keep = self._row(self.resolve_organization(keep_ref))
            other = self._row(self.resolve_organization(other_ref))
            if keep["id"] == other["id"]:
                raise UsageError("an organization cannot be merged with itself")
            self._check(keep, expected_version)
            self._check(other, other_expected_version)
            aliases = json.loads(keep["aliases"])
            for alias in [other["name"], *json.loads(other["aliases"])]:
                if alias != keep["name"] and alias not in aliases:
                    aliases.append(alias)
            domains = json.loads(keep["domains"])
            domains += [d for d in json.loads(other["domains"]) if d not in domains]
            moved = {
                table: [r[0] for r in self.conn.execute(f"SELECT id FROM {table} WHERE organization_id = ?", (other["id"],))]
                for table in ("requests", "agreements", "commitments")
            }
            for table in moved:
                self.conn.execute(f"UPDATE {table} SET organization_id = ? WHERE organization_id = ?", (keep["id"], other["id"]))
            self.conn.execute("DELETE FROM organizations WHERE id = ?", (other["id"],))
            version = self._bump(
                keep, aliases=json.dumps(aliases, ensure_ascii=False), domains=json.dumps(domains, ensure_ascii=False)
            )
            undo = {
                "organizations": [keep, other], "after": {str(keep["id"]): version, str(other["id"]): None},
                "moved": {table: {str(i): other["id"] for i in ids} for table, ids in moved.items()},
            }
            detail = f"#{other['id']} with {len(moved['requests'])} requests"
            _log(self.conn, self.actor, keep["id"], version, "merge", other["name"], keep["name"], detail, undo=undo)
            _log(self.conn, self.actor, other["id"], other["version"] + 1, "merged_into", other["name"], keep["name"],
                 f"#{keep['id']}")
            for request_id in moved["requests"]:
                self._note_on_request(request_id, other["name"], keep["name"])
        return self.get_organization(keep["id"])

    def move_request(self, request_ref, organization_ref, *, expected_version: int | None = None) -> int | None:
        """Link a request to another organization (None: to none, splitting a wrong link). Returns the new id.

        `expected_version` is the version of the organization the request is moved to.
        """
        with self.transaction():
            request_id = self.resolve(request_ref)
            (current,) = self.conn.execute("SELECT organization_id FROM requests WHERE id = ?", (request_id,)).fetchone()
            target = self._row(self.resolve_organization(organization_ref)) if organization_ref is not None else None
            if target is not None:
                self._check(target, expected_version)
            target_id = target["id"] if target else None
            if target_id == current:
                return current
            source = self._row(current) if current is not None else None
            rows = [r for r in (source, target) if r]
            self.conn.execute("UPDATE requests SET organization_id = ? WHERE id = ?", (target_id, request_id))
            after = {str(r["id"]): self._bump(r) for r in rows}
            undo = {"organizations": rows, "after": after, "moved": {"requests": {str(request_id): current}}}
            old_name, new_name = (source or {}).get("name"), (target or {}).get("name")
            action = "link" if target else "unlink"
            primary = target or source
            _log(self.conn, self.actor, primary["id"], after[str(primary["id"])], action, old_name, new_name,
                 f"request #{request_id}", undo=undo)
            if source and target:
                _log(self.conn, self.actor, source["id"], after[str(source["id"])], "unlink", old_name, new_name,
                     f"request #{request_id}")
            self._note_on_request(request_id, old_name, new_name)
        return target_id

    def _note_on_request(self, request_id: int, old: str | None, new: str | None) -> None:
        (version,) = self.conn.execute("SELECT version FROM requests WHERE id = ?", (request_id,)).fetchone()
        self._request_event(request_id, version, "organization", old, new)

    def undo_organization_change(self, event_id: int) -> Organization | None:
        """Put back what one logged change replaced, if nothing changed those organizations since."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT organization_id, action, undo, undone_by FROM organization_events WHERE id = ?", (event_id,)
            ).fetchone()
            if row is None:
                raise NotFound(f"no organization change #{event_id}")
            organization_id, action, undo_json, undone_by = row
            if undo_json is None:
                raise UsageError(f"change #{event_id} ({action}) cannot be undone")
            if undone_by is not None:
                raise UsageError(f"change #{event_id} was already undone")
            undo = json.loads(undo_json)
            for key, version in undo["after"].items():
                now = self._row(int(key))
                if (now["version"] if now else None) != version:
                    raise StaleRecord(
                        f"organization {key} was changed after change #{event_id}; undo that first",
                        record="organization", record_id=int(key), current_version=now["version"] if now else 0,
                    )
            versions = {}
            for before in undo["organizations"]:
                now = self._row(before["id"])
                if now is None:
                    version = before["version"] + 2  # its merged_into entry used +1
                    self.conn.execute(
                        f"INSERT INTO organizations ({_ORG_COLUMNS}) VALUES ({','.join('?' * 10)})",
                        [before[c] if c != "version" else version for c in _ORG_COLUMNS.split(", ")],
                    )
                    versions[before["id"]] = version
                else:
                    versions[before["id"]] = self._bump(
                        now, name=before["name"], kind=before["kind"], aliases=before["aliases"], domains=before["domains"]
                    )
            for table, moves in undo.get("moved", {}).items():
                self.conn.executemany(
                    f"UPDATE {table} SET organization_id = ? WHERE id = ?", [(old, int(i)) for i, old in moves.items()]
                )
            last = None
            for oid, version in versions.items():
                last = _log(self.conn, self.actor, oid, version, "undo", action, None, f"change #{event_id}")
            self.conn.execute("UPDATE organization_events SET undone_by = ? WHERE id = ?", (last, event_id))
        return self.get_organization(organization_id) if self._row(organization_id) else None

    # --- agreements and commitments -----------------------------------------------------

    def add_agreement(self, request_ref, kind: str, text: str, *, project: str | None = None) -> Agreement:
        if kind not in AGREEMENT_KINDS:
            raise UsageError(f"unknown agreement kind {kind!r} (expected one of: {', '.join(AGREEMENT_KINDS)})")
        text = clean_text(text or "").strip()
        if not text:
            raise UsageError("an agreement needs some text: what was agreed")
        project = one_line(project) or None
        with self.transaction():
            request_id = self.resolve(request_ref)
            organization_id, version = self.conn.execute(
                "SELECT organization_id, version FROM requests WHERE id = ?", (request_id,)
            ).fetchone()
            now = to_iso(clock.utc_now())
            number = self.conn.execute(
                "INSERT INTO agreements (organization_id, request_id, kind, text, project, created_at, created_by) "
                "VALUES (?,?,?,?,?,?,?)",
                (organization_id, request_id, kind, text, project, now, self.actor),
            ).lastrowid
            self._request_event(request_id, version, "agreement", None, kind, text)
            _log(self.conn, self.actor, organization_id, None, "agreement", None, kind, f"#{number} on request #{request_id}")
            row = self.conn.execute(f"SELECT {_AGREEMENT_COLUMNS} FROM agreements WHERE id = ?", (number,)).fetchone()
        return _agreement(row)

    def add_commitment(
        self, request_ref, kind: str, due_on: date, *, project: str | None = None, text: str = ""
    ) -> Commitment:
        if kind not in COMMITMENT_KINDS:
            raise UsageError(f"unknown commitment kind {kind!r} (expected one of: {', '.join(COMMITMENT_KINDS)})")
        text = clean_text(text or "").strip()
        project = one_line(project) or None
        with self.transaction():
            request_id = self.resolve(request_ref)
            organization_id, version = self.conn.execute(
                "SELECT organization_id, version FROM requests WHERE id = ?", (request_id,)
            ).fetchone()
            now = to_iso(clock.utc_now())
            number = self.conn.execute(
                "INSERT INTO commitments (organization_id, request_id, kind, project, text, due_on, state, version, "
                "created_at, created_by, updated_at, updated_by) VALUES (?,?,?,?,?,?,'promised',1,?,?,?,?)",
                (organization_id, request_id, kind, project, text, due_on.isoformat(), now, self.actor, now, self.actor),
            ).lastrowid
            self._request_event(request_id, version, "commitment", None, kind, f"due {due_on.isoformat()}")
            _log(self.conn, self.actor, organization_id, None, "commitment", None, kind,
                 f"#{number} on request #{request_id}, due {due_on.isoformat()}")
        return self.get_commitment(number)

    def set_commitment_state(self, number, state: str, *, expected_version: int | None = None) -> Commitment:
        if state not in COMMITMENT_STATES:
            raise UsageError(f"unknown state {state!r} (expected one of: {', '.join(COMMITMENT_STATES)})")
        with self.transaction():
            commitment = self.get_commitment(number)
            if expected_version is not None and expected_version != commitment.version:
                raise StaleRecord(
                    f"commitment {commitment.id} was changed meanwhile (now {commitment.state}); reload it and try again",
                    record="commitment", record_id=commitment.id, current_version=commitment.version,
                )
            if commitment.state == state:
                return commitment
            self.conn.execute(
                "UPDATE commitments SET state = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?",
                (state, to_iso(clock.utc_now()), self.actor, commitment.id),
            )
            (version,) = self.conn.execute(
                "SELECT version FROM requests WHERE id = ?", (commitment.request_id,)
            ).fetchone()
            self._request_event(commitment.request_id, version, "commitment", commitment.state, state, f"#{commitment.id}")
            _log(self.conn, self.actor, commitment.organization_id, None, "commitment", commitment.state, state,
                 f"#{commitment.id}")
        return self.get_commitment(commitment.id)
