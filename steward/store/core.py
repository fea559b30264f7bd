"""The inbox: one SQLite file, shared safely by several stewards' processes.

Every read-modify-write runs inside ``BEGIN IMMEDIATE`` so concurrent writers
queue on SQLite's lock (with a busy timeout) instead of failing. Each request
carries a version; a write that names the version it was based on is refused
when someone else changed the request meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path

from steward.models import (
    CLOSED_STATUSES,
    STATUSES,
    CategoryGuess,
    DraftVersion,
    Event,
    ImportReport,
    IncomingRequest,
    Match,
    MatchResult,
    Message,
    NotFound,
    RecordError,
    Request,
    RequestFilter,
    StaleVersion,
    StewardError,
    UsageError,
)
from steward.store import schema
from steward.store.filters import filter_sql, fts_only_query, fts_words
from steward.text import clean_text, truncate_body

BUSY_TIMEOUT_SECONDS = 30.0


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def to_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def content_hash(record: IncomingRequest) -> str:
    parts = [
        record.external_id or "", record.message_id or "", to_iso(record.received_at),
        record.from_email, record.from_name, record.organization, record.subject, record.body,
    ]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


_REQUEST_COLUMNS = (
    "id, external_id, received_at, channel, from_name, from_email, organization, subject, "
    "body, language, status, category, category_manual, match, match_manual, assignee, "
    "follow_up_on, version, updated_at, updated_by, last_activity_at"
)


class Store:
    """The only object that talks SQL. Open one per process (or per thread)."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, actor: str, tz: tzinfo = timezone.utc):
        self.conn = conn
        self.path = path
        self.actor = actor
        self.tz = tz

    # --- opening --------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike, *, actor: str, shared: bool = False, tz: tzinfo = timezone.utc) -> Store:
        path = Path(path).expanduser()
        file_mode, dir_mode = (0o660, 0o770) if shared else (0o600, 0o700)
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=dir_mode)
            os.chmod(path.parent, dir_mode)  # mkdir's mode is masked by the umask
        if not path.exists():
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, file_mode)
                os.close(fd)
                os.chmod(path, file_mode)
            except FileExistsError:
                pass  # another steward's process created it first
            except OSError as exc:
                raise StewardError(f"{path}: cannot create the inbox: {exc.strerror}") from None
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
            _use_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            schema.migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise StewardError(f"{path}: not a usable steward inbox: {exc}") from None
        return cls(conn, path, actor=actor, tz=tz)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: take the write lock before reading what we will change."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.rollback()
            raise
        else:
            self.conn.commit()

    def data_version(self) -> int:
        """Changes when another connection commits; cheap enough to poll."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    # --- reading --------------------------------------------------------------

    def _row_to_request(self, row: tuple, tags: list[str] | None = None) -> Request:
        (rid, external_id, received_at, channel, from_name, from_email, organization, subject,
         body, language, status, category, category_manual, match, match_manual, assignee,
         follow_up_on, version, updated_at, updated_by, last_activity_at) = row
        return Request(
            id=rid, external_id=external_id, received_at=from_iso(received_at), channel=channel,
            from_name=from_name, from_email=from_email, organization=organization,
            subject=subject, body=body, language=language, status=status, category=category,
            category_manual=bool(category_manual), match=match, match_manual=bool(match_manual),
            assignee=assignee, follow_up_on=date.fromisoformat(follow_up_on) if follow_up_on else None,
            version=version, updated_at=from_iso(updated_at), updated_by=updated_by,
            last_activity_at=from_iso(last_activity_at), tags=tags or [],
        )

    def _tags_for(self, ids: list[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {i: [] for i in ids}
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            marks = ",".join("?" * len(part))
            for request_id, tag in self.conn.execute(
                f"SELECT request_id, tag FROM tags WHERE request_id IN ({marks}) ORDER BY tag", part
            ):
                found[request_id].append(tag)
        return found

    def resolve(self, ref: int | str) -> int:
        """A request's number from its number or its external id."""
        text = str(ref).strip()
        row = self.conn.execute("SELECT id FROM requests WHERE external_id = ?", (text,)).fetchone()
        if row is None and text.isdigit():
            row = self.conn.execute("SELECT id FROM requests WHERE id = ?", (int(text),)).fetchone()
        if row is None:
            raise NotFound(f"no request {text!r} in this inbox")
        return row[0]

    def get(self, ref: int | str) -> Request:
        request_id = self.resolve(ref)
        row = self.conn.execute(f"SELECT {_REQUEST_COLUMNS} FROM requests WHERE id = ?", (request_id,)).fetchone()
        return self._row_to_request(row, self._tags_for([request_id])[request_id])

    def today(self) -> date:
        return datetime.now(self.tz).date()

    def list_requests(
        self, flt: RequestFilter | None = None, *, limit: int = 50, offset: int = 0, brief: bool = False
    ) -> list[Request]:
        """Requests under the filter, newest activity first.

        `brief` keeps only the first 300 characters of each body (enough for a list
        row), which matters when a page is drawn from 100,000 requests.
        """
        flt = flt or RequestFilter()
        where, params = filter_sql(flt, self.today())
        columns = _REQUEST_COLUMNS.replace("body,", "substr(body, 1, 300),") if brief else _REQUEST_COLUMNS
        # Many full-text hits: walking the date index and stopping at `limit` beats
        # sorting them all; few hits: sorting them is cheaper than the walk.
        words = fts_words(flt)
        hint = ""
        if words and self.conn.execute(
            "SELECT count(*) > 2000 FROM requests_fts WHERE requests_fts MATCH ?", (words,)
        ).fetchone()[0]:
            hint = "INDEXED BY idx_requests_last_activity_at_id"
        # Order and cut on the narrow index columns first, then fetch whole rows: sorting
        # thousands of full-text matches with their bodies attached is what is slow.
        rows = self.conn.execute(
            f"SELECT {columns} FROM requests WHERE id IN ("
            f"SELECT id FROM requests {hint} WHERE {where} ORDER BY last_activity_at DESC, id DESC LIMIT ? OFFSET ?"
            ") ORDER BY last_activity_at DESC, id DESC",
            [*params, limit, offset],
        ).fetchall()
        tags = self._tags_for([r[0] for r in rows])
        return [self._row_to_request(r, tags[r[0]]) for r in rows]

    def count(self, flt: RequestFilter | None = None) -> int:
        flt = flt or RequestFilter()
        fts_only = fts_only_query(flt)
        if fts_only is not None:
            # Nothing but words of 3+ characters: the full-text index counts them itself.
            return self.conn.execute(
                "SELECT count(*) FROM requests_fts WHERE requests_fts MATCH ?", (fts_only,)
            ).fetchone()[0]
        where, params = filter_sql(flt, self.today())
        return self.conn.execute(f"SELECT count(*) FROM requests WHERE {where}", params).fetchone()[0]

    def interrupt(self) -> None:
        """Stop whatever query this connection is running (from any thread)."""
        self.conn.interrupt()

    def status_counts(self, flt: RequestFilter | None = None) -> dict[str, int]:
        """Requests per status under the filter (its own status choice ignored)."""
        base = flt or RequestFilter()
        where, params = filter_sql(RequestFilter(**{**base.__dict__, "statuses": ()}), self.today())
        counts = dict.fromkeys(STATUSES, 0)
        for status, n in self.conn.execute(
            f"SELECT status, count(*) FROM requests WHERE {where} GROUP BY status", params
        ):
            counts[status] = n
        return counts

    def history(self, request_id: int) -> list[Event]:
        return [
            Event(id=r[0], request_id=r[1], at=from_iso(r[2]), actor=r[3], action=r[4], old=r[5], new=r[6], detail=r[7])
            for r in self.conn.execute(
                "SELECT id, request_id, at, actor, action, old, new, detail FROM events "
                "WHERE request_id = ? ORDER BY id",
                (request_id,),
            )
        ]

    def notes(self, request_id: int) -> list[Event]:
        return [e for e in self.history(request_id) if e.action == "note"]

    def messages(self, request_id: int) -> list[Message]:
        """The conversation: the request itself first, then threaded replies."""
        request = self.get(request_id)
        first_id, first_attachments = self.conn.execute(
            "SELECT message_id, attachments FROM requests WHERE id = ?", (request_id,)
        ).fetchone()
        conversation = [
            Message(
                id=0, request_id=request_id, message_id=first_id, received_at=request.received_at,
                from_name=request.from_name, from_email=request.from_email, subject=request.subject,
                body=request.body, attachments=json.loads(first_attachments or "[]"),
            )
        ]
        for r in self.conn.execute(
            "SELECT id, message_id, received_at, from_name, from_email, subject, body, attachments "
            "FROM messages WHERE request_id = ? ORDER BY received_at, id",
            (request_id,),
        ):
            conversation.append(
                Message(
                    id=r[0], request_id=request_id, message_id=r[1], received_at=from_iso(r[2]),
                    from_name=r[3] or "", from_email=r[4] or "", subject=r[5] or "", body=r[6] or "",
                    attachments=json.loads(r[7] or "[]"),
                )
            )
        return conversation

    def matches(self, request_id: int) -> list[Match]:
        return [
            Match(key=key, name="", kind="", score=score, reasons=json.loads(reasons or "[]"))
            for key, score, reasons in self.conn.execute(
                "SELECT key, score, reasons FROM matches WHERE request_id = ? ORDER BY rank", (request_id,)
            )
        ]

    def category_guess(self, request_id: int) -> CategoryGuess | None:
        row = self.conn.execute(
            "SELECT category, category_manual, category_score, category_reasons FROM requests WHERE id = ?",
            (request_id,),
        ).fetchone()
        if row is None or row[2] is None:
            return None
        return CategoryGuess(key=row[0], score=row[2], reasons=json.loads(row[3] or "[]"))

    def drafts(self, request_id: int) -> list[DraftVersion]:
        return [
            DraftVersion(
                request_id=request_id, version=r[0], template=r[1], language=r[2], body=r[3],
                created_at=from_iso(r[4]), author=r[5], sent_at=from_iso(r[6]) if r[6] else None,
            )
            for r in self.conn.execute(
                "SELECT version, template, language, body, created_at, author, sent_at FROM drafts "
                "WHERE request_id = ? ORDER BY version",
                (request_id,),
            )
        ]

    def checklist_state(self, request_id: int) -> dict[str, bool]:
        return {
            key: bool(checked)
            for key, checked in self.conn.execute(
                "SELECT item_key, checked FROM checklist WHERE request_id = ?", (request_id,)
            )
        }

    def autosaved_draft(self, request_id: int) -> tuple[str, datetime] | None:
        row = self.conn.execute(
            "SELECT body, saved_at FROM autosaves WHERE request_id = ? AND author = ?", (request_id, self.actor)
        ).fetchone()
        return (row[0], from_iso(row[1])) if row else None

    def feed_cursor(self, name: str) -> str | None:
        row = self.conn.execute("SELECT cursor FROM feeds WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def known_tags(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT tag FROM tags ORDER BY tag")]

    def known_assignees(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT assignee FROM requests WHERE assignee IS NOT NULL ORDER BY assignee"
        )]

    def received_between(self, start: datetime, end: datetime) -> list[Request]:
        """Requests received in [start, end), oldest first."""
        rows = self.conn.execute(
            f"SELECT {_REQUEST_COLUMNS} FROM requests WHERE received_at >= ? AND received_at < ? "
            "ORDER BY received_at, id",
            (to_iso(start), to_iso(end)),
        ).fetchall()
        tags = self._tags_for([r[0] for r in rows])
        return [self._row_to_request(r, tags[r[0]]) for r in rows]

    # --- changing one request -------------------------------------------------

    def _event(self, request_id: int, version: int, action: str, old=None, new=None, detail=None, at=None) -> None:
        self.conn.execute(
            "INSERT INTO events (request_id, version, at, actor, action, old, new, detail) VALUES (?,?,?,?,?,?,?,?)",
            (request_id, version, to_iso(at or utc_now()), self.actor, action, old, new, detail),
        )

    def _stale_message(self, request_id: int, since_version: int) -> str:
        changes = self.conn.execute(
            "SELECT actor, action, old, new, at FROM events WHERE request_id = ? AND version > ? ORDER BY id",
            (request_id, since_version),
        ).fetchall()
        if not changes:
            return f"request {request_id} was changed by someone else; reload it and try again"
        described = "; ".join(
            f"{actor} changed {action}" + (f" ({old or '–'} → {new or '–'})" if action not in ("note", "draft") else "")
            for actor, action, old, new, _ in changes[-3:]
        )
        return f"request {request_id} was changed meanwhile: {described}"

    @contextmanager
    def _changing(self, ref: int | str, expected_version: int | None):
        """Lock, load and version-check a request; bump its version when the block changed it."""
        with self.transaction():
            request = self.get(ref)
            if expected_version is not None and expected_version != request.version:
                raise StaleVersion(
                    self._stale_message(request.id, expected_version),
                    request_id=request.id, current_version=request.version,
                )
            change = _Change(request)
            yield change
            if change.events:
                now = utc_now()
                version = request.version + 1
                # last_activity_at is left alone: a steward's action must not reorder the
                # inbox under their cursor; only new messages bring a request to the top.
                assignments = {**change.columns, "version": version, "updated_at": to_iso(now), "updated_by": self.actor}
                sets = ", ".join(f"{column} = ?" for column in assignments)
                self.conn.execute(f"UPDATE requests SET {sets} WHERE id = ?", [*assignments.values(), request.id])
                for action, old, new, detail in change.events:
                    self._event(request.id, version, action, old, new, detail, at=now)
        change.result = self.get(request.id)

    def set_status(self, ref, status: str, *, note: str | None = None, expected_version: int | None = None) -> Request:
        if status not in STATUSES:
            raise UsageError(f"unknown status {status!r} (expected one of: {', '.join(STATUSES)})")
        with self._changing(ref, expected_version) as change:
            change.set("status", status)
            if note:
                change.note(note)
        return change.result

    def assign(self, ref, name: str | None, *, expected_version: int | None = None) -> Request:
        name = clean_text(name).strip() or None if name is not None else None
        with self._changing(ref, expected_version) as change:
            change.set("assignee", name, action="assign")
        return change.result

    def add_tags(self, ref, tags: Iterable[str], *, expected_version: int | None = None) -> Request:
        with self._changing(ref, expected_version) as change:
            for tag in _clean_tags(tags):
                if tag not in change.request.tags:
                    self.conn.execute(
                        "INSERT INTO tags (request_id, tag, added_at, added_by) VALUES (?,?,?,?)",
                        (change.request.id, tag, to_iso(utc_now()), self.actor),
                    )
                    change.request.tags.append(tag)
                    change.events.append(("tag", None, tag, None))
        return change.result

    def remove_tags(self, ref, tags: Iterable[str], *, expected_version: int | None = None) -> Request:
        with self._changing(ref, expected_version) as change:
            for tag in _clean_tags(tags):
                if tag in change.request.tags:
                    self.conn.execute("DELETE FROM tags WHERE request_id = ? AND tag = ?", (change.request.id, tag))
                    change.request.tags.remove(tag)
                    change.events.append(("untag", tag, None, None))
        return change.result

    def add_note(self, ref, text: str, *, expected_version: int | None = None) -> Request:
        text = clean_text(text).strip()
        if not text:
            raise UsageError("a note needs some text")
        with self._changing(ref, expected_version) as change:
            change.note(text)
        return change.result

    def set_follow_up(self, ref, on: date | None, *, expected_version: int | None = None) -> Request:
        with self._changing(ref, expected_version) as change:
            change.set("follow_up_on", on.isoformat() if on else None, action="follow_up")
        return change.result

    def set_category(self, ref, key: str | None, *, expected_version: int | None = None) -> Request:
        """A steward's category; None hands the choice back to the matcher's suggestion."""
        return self._set_choice(ref, "category", key, expected_version)

    def set_route(self, ref, key: str | None, *, expected_version: int | None = None) -> Request:
        """A steward's routing; None hands it back to the best suggested match."""
        return self._set_choice(ref, "match", key, expected_version)

    def _set_choice(self, ref, column: str, key: str | None, expected_version: int | None) -> Request:
        with self._changing(ref, expected_version) as change:
            request_id = change.request.id
            if key is None:
                if column == "category":
                    row = self.conn.execute("SELECT category_suggested FROM requests WHERE id = ?", (request_id,)).fetchone()
                else:
                    row = self.conn.execute(
                        "SELECT key FROM matches WHERE request_id = ? ORDER BY rank LIMIT 1", (request_id,)
                    ).fetchone()
                value = row[0] if row else None
            else:
                value = key
            change.columns[column] = value
            change.columns[f"{column}_manual"] = int(key is not None)
            action = "category" if column == "category" else "route"
            change.events.append((action, getattr(change.request, column), value, "steward" if key else "suggested"))
        return change.result

    def save_match_result(self, request_id: int, result: MatchResult) -> None:
        """Store the matcher's view; a steward's own category or route is never overwritten."""
        with self.transaction():
            self._store_match_result(request_id, result)

    def _store_match_result(self, request_id: int, result: MatchResult) -> None:
        self.conn.execute("DELETE FROM matches WHERE request_id = ?", (request_id,))
        self.conn.executemany(
            "INSERT INTO matches (request_id, rank, key, score, reasons) VALUES (?,?,?,?,?)",
            [
                (request_id, rank, m.key, m.score, json.dumps(m.reasons, ensure_ascii=False))
                for rank, m in enumerate(result.matches)
            ],
        )
        best = result.matches[0].key if result.matches else None
        self.conn.execute(
            "UPDATE requests SET language = ?, category_score = ?, category_reasons = ?, category_suggested = ?, "
            "category = CASE WHEN category_manual THEN category ELSE ? END, "
            "match = CASE WHEN match_manual THEN match ELSE ? END WHERE id = ?",
            (
                result.language, result.category.score,
                json.dumps(result.category.reasons, ensure_ascii=False), result.category.key,
                result.category.key, best, request_id,
            ),
        )

    def all_ids(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM requests ORDER BY id")]

    # --- drafts and checklists ---------------------------------------------------

    def save_draft(self, ref, body: str, *, template: str | None, language: str | None,
                   expected_version: int | None = None) -> DraftVersion:
        body = clean_text(body)
        with self._changing(ref, expected_version) as change:
            request_id = change.request.id
            (last,) = self.conn.execute(
                "SELECT coalesce(max(version), 0) FROM drafts WHERE request_id = ?", (request_id,)
            ).fetchone()
            now = utc_now()
            self.conn.execute(
                "INSERT INTO drafts (request_id, version, template, language, body, created_at, author) "
                "VALUES (?,?,?,?,?,?,?)",
                (request_id, last + 1, template, language, body, to_iso(now), self.actor),
            )
            self.conn.execute("DELETE FROM autosaves WHERE request_id = ? AND author = ?", (request_id, self.actor))
            change.events.append(("draft", str(last) if last else None, str(last + 1), template))
            if change.request.status in ("new", "triaged"):
                change.set("status", "drafting")
        return DraftVersion(request_id, last + 1, template, language, body, now, self.actor)

    def mark_sent(self, ref, version: int, *, expected_version: int | None = None) -> Request:
        with self._changing(ref, expected_version) as change:
            request_id = change.request.id
            found = self.conn.execute(
                "SELECT 1 FROM drafts WHERE request_id = ? AND version = ?", (request_id, version)
            ).fetchone()
            if not found:
                raise NotFound(f"request {request_id} has no draft version {version}")
            now = to_iso(utc_now())
            self.conn.execute(
                "UPDATE drafts SET sent_at = ? WHERE request_id = ? AND version = ?", (now, request_id, version)
            )
            unchecked = self._unchecked_keys(request_id)
            change.events.append(("sent", None, str(version), json.dumps(unchecked) if unchecked else None))
            change.set("status", "replied")
        return change.result

    def _unchecked_keys(self, request_id: int) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT item_key FROM checklist WHERE request_id = ? AND checked = 0 ORDER BY item_key", (request_id,)
        )]

    def set_checklist(self, ref, keys: Iterable[str], checked: bool, *, known: Iterable[str] = ()) -> Request:
        """Check or uncheck items; `known` lists every item so unchecked ones are recorded too."""
        with self._changing(ref, None) as change:
            request_id = change.request.id
            now = to_iso(utc_now())
            for key in known:
                self.conn.execute(
                    "INSERT OR IGNORE INTO checklist (request_id, item_key, checked) VALUES (?,?,0)",
                    (request_id, key),
                )
            current = self.checklist_state(request_id)
            for key in keys:
                if current.get(key) == checked:
                    continue
                self.conn.execute(
                    "INSERT INTO checklist (request_id, item_key, checked, checked_by, checked_at) VALUES (?,?,?,?,?) "
                    "ON CONFLICT (request_id, item_key) DO UPDATE SET checked = excluded.checked, "
                    "checked_by = excluded.checked_by, checked_at = excluded.checked_at",
                    (request_id, key, int(checked), self.actor, now),
                )
                change.events.append(("checklist", None, key, "checked" if checked else "unchecked"))
        return change.result

    def autosave_draft(self, request_id: int, body: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO autosaves (request_id, author, body, saved_at) VALUES (?,?,?,?) "
                "ON CONFLICT (request_id, author) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
                (request_id, self.actor, body, to_iso(utc_now())),
            )

    def clear_autosave(self, request_id: int) -> None:
        with self.transaction():
            self.conn.execute("DELETE FROM autosaves WHERE request_id = ? AND author = ?", (request_id, self.actor))

    def set_feed_cursor(self, name: str, cursor: str | None) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO feeds (name, cursor, fetched_at) VALUES (?,?,?) "
                "ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, fetched_at = excluded.fetched_at",
                (name, cursor, to_iso(utc_now())),
            )

    # --- import ---------------------------------------------------------------

    def import_requests(
        self,
        records: Iterable[IncomingRequest | RecordError],
        *,
        matcher: Callable[[IncomingRequest], MatchResult] | None = None,
        batch_size: int = 500,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Add new requests, thread replies, skip what is already here.

        Batches are committed as they go, so an import killed half-way and run
        again ends with every record exactly once.
        """
        report = ImportReport()
        batch: list[IncomingRequest] = []
        for record in records:
            if isinstance(record, RecordError):
                report.failed += 1
                report.errors.append(record)
                if progress:
                    progress(1)
                continue
            batch.append(record)
            if len(batch) >= batch_size:
                self._import_batch(batch, matcher, report)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            self._import_batch(batch, matcher, report)
            if progress:
                progress(len(batch))
        return report

    def _import_batch(self, batch: list[IncomingRequest], matcher, report: ImportReport) -> None:
        prepared = []
        for record in batch:
            record.subject = clean_text(record.subject)
            record.body, cut = truncate_body(clean_text(record.body))
            if cut:
                record.warnings.append("body over 1 MiB, kept truncated")
            for name in ("from_name", "from_email", "organization"):
                setattr(record, name, " ".join(clean_text(getattr(record, name)).split()))
            prepared.append((record, content_hash(record)))
        for record, _ in prepared:
            report.warnings.extend(f"{record.source}: {w}" if record.source else w for w in record.warnings)
        # Match outside the write lock: it is the slow part and needs no database.
        fresh = [(r, h) for r, h in prepared if not self._already_here(r, h)]
        results = {id(r): matcher(r) for r, _ in fresh if matcher and not self._thread_target(r)} if matcher else {}
        with self.transaction():
            for record, digest in prepared:
                self._import_one(record, digest, results.get(id(record)), report)

    def _already_here(self, record: IncomingRequest, digest: str) -> bool:
        if record.message_id and self.conn.execute(
            "SELECT 1 FROM requests WHERE message_id = ? UNION ALL SELECT 1 FROM messages WHERE message_id = ?",
            (record.message_id, record.message_id),
        ).fetchone():
            return True
        if record.external_id and self.conn.execute(
            "SELECT 1 FROM requests WHERE external_id = ?", (record.external_id,)
        ).fetchone():
            return True
        return self.conn.execute("SELECT 1 FROM requests WHERE content_hash = ?", (digest,)).fetchone() is not None

    def _thread_target(self, record: IncomingRequest) -> int | None:
        for ref in record.in_reply_to:
            row = self.conn.execute(
                "SELECT id FROM requests WHERE message_id = ? "
                "UNION ALL SELECT request_id FROM messages WHERE message_id = ? LIMIT 1",
                (ref, ref),
            ).fetchone()
            if row:
                return row[0]
        return None

    def _import_one(self, record: IncomingRequest, digest: str, result: MatchResult | None, report: ImportReport) -> None:
        if self._already_here(record, digest):
            report.duplicates += 1
            return
        received = to_iso(record.received_at)
        attachments = json.dumps(record.attachments, ensure_ascii=False) if record.attachments else None
        target = self._thread_target(record)
        if target is not None:
            self.conn.execute(
                "INSERT INTO messages (request_id, message_id, in_reply_to, received_at, from_name, from_email, "
                "subject, body, attachments) VALUES (?,?,?,?,?,?,?,?,?)",
                (target, record.message_id, record.in_reply_to[0], received, record.from_name,
                 record.from_email, record.subject, record.body, attachments),
            )
            # A reply brings its request back to the top of the inbox, and reopens it
            # for attention if the steward had already answered.
            version = self.conn.execute(
                "UPDATE requests SET last_activity_at = max(last_activity_at, ?), version = version + 1 "
                "WHERE id = ? RETURNING version",
                (received, target),
            ).fetchone()[0]
            self._event(target, version, "message", None, record.from_email or record.from_name, record.subject)
            report.threaded += 1
            return
        now = to_iso(utc_now())
        cursor = self.conn.execute(
            "INSERT INTO requests (external_id, message_id, content_hash, received_at, channel, from_name, "
            "from_email, organization, subject, body, attachments, created_at, updated_at, updated_by, "
            "last_activity_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (record.external_id, record.message_id, digest, received, record.channel, record.from_name,
             record.from_email, record.organization, record.subject, record.body, attachments,
             now, now, self.actor, received),
        )
        request_id = cursor.lastrowid
        self._event(request_id, 1, "import", None, "new", record.source or None)
        if result is not None:
            self._store_match_result(request_id, result)
        report.imported += 1
        report.new_ids.append(request_id)


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch a new file to WAL; another process doing the same at once may hold the lock."""
    import time

    for attempt in range(50):
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.05)


class _Change:
    """What one locked write does to a request: column changes and their events."""

    def __init__(self, request: Request):
        self.request = request
        self.columns: dict[str, object] = {}
        self.events: list[tuple[str, str | None, str | None, str | None]] = []
        self.result: Request | None = None

    def set(self, column: str, value, *, action: str | None = None) -> None:
        old = getattr(self.request, column)
        old_text = old.isoformat() if isinstance(old, date) else old
        if old_text == value:
            return
        self.columns[column] = value
        self.events.append((action or column, old_text, value, None))

    def note(self, text: str) -> None:
        self.events.append(("note", None, None, text))


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned = []
    for tag in tags:
        tag = "-".join(clean_text(tag).strip().split())
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if not cleaned:
        raise UsageError("no tag given")
    return cleaned


def is_open_status(status: str) -> bool:
    return status not in CLOSED_STATUSES


def days_from_now(days: int, tz: tzinfo) -> date:
    return (datetime.now(tz) + timedelta(days=days)).date()
