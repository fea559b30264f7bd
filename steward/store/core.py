"""The inbox: one SQLite file, shared safely by several stewards' processes.

Every read-modify-write runs inside ``BEGIN IMMEDIATE`` so concurrent writers
queue on SQLite's lock (with a busy timeout) instead of failing. Each request
carries a version; a write that names the version it was based on is refused
when someone else changed the request meanwhile.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from steward.models import (
    STATUSES,
    CategoryGuess,
    DraftVersion,
    Event,
    Match,
    Message,
    NotFound,
    Request,
    RequestFilter,
    SpamVerdict,
    StewardError,
    StoreWriteError,
)
from steward.store import schema
from steward.store.changes import Changes
from steward.store.clock import from_iso, to_iso
from steward.store.filters import filter_sql, fts_only_query, fts_words

if TYPE_CHECKING:
    from steward.store.importing import Importing
    from steward.store.partners import Partners

BUSY_TIMEOUT_SECONDS = 30.0


_REQUEST_COLUMNS = (
    "id, external_id, received_at, channel, from_name, from_email, organization, subject, "
    "body, language, status, category, category_manual, match, match_manual, assignee, "
    "follow_up_on, version, updated_at, updated_by, last_activity_at"
)


MAX_REQUEST_ID = 2**63 - 1  # SQLite's INTEGER PRIMARY KEY


def _delegate(part: str, method):
    """A Store method that hands the call to one of its parts (same name, doc and signature)."""
    name = method.__name__

    def call(self, *args, **kwargs):
        return getattr(getattr(self, part), name)(*args, **kwargs)

    return functools.update_wrapper(call, method)


class _LazyDelegate:
    """`_delegate` for a part whose module is imported on first use, not with the store.

    `steward list` and the app's first screen only read: they need not load the
    import pipeline nor the organization matching (a tenth of `steward list`).
    """

    def __init__(self, part: str, module: str, cls: str):
        self.part, self.module, self.cls = part, module, cls
        self.function = None

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner=None):
        if self.function is None:
            import importlib

            method = getattr(getattr(importlib.import_module(self.module), self.cls), self.name)
            self.function = _delegate(self.part, method)
        return self.function if instance is None else self.function.__get__(instance, owner)


class Store:
    """The only object that talks SQL. Open one per process (or per thread).

    Composition, not mixins: the store owns the connection and the reads; the
    steward's actions live in `self.changes` (a `Changes`), imports in
    `self.imports` (an `Importing`). Their public methods are offered here too,
    so callers only ever hold a Store.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, actor: str, tz: tzinfo = timezone.utc):
        self.conn = conn
        self.path = path
        self.actor = actor
        self.tz = tz
        self.changes = Changes(self)

    @functools.cached_property
    def imports(self) -> Importing:
        from steward.store.importing import Importing

        return Importing(self, self.changes)

    @functools.cached_property
    def partners(self) -> Partners:
        from steward.store.partners import Partners

        return Partners(self, self.changes)

    # --- writing (delegated) -------------------------------------------------------

    set_status = _delegate("changes", Changes.set_status)
    assign = _delegate("changes", Changes.assign)
    add_tags = _delegate("changes", Changes.add_tags)
    remove_tags = _delegate("changes", Changes.remove_tags)
    add_note = _delegate("changes", Changes.add_note)
    set_follow_up = _delegate("changes", Changes.set_follow_up)
    set_category = _delegate("changes", Changes.set_category)
    set_route = _delegate("changes", Changes.set_route)
    save_match_result = _delegate("changes", Changes.save_match_result)
    save_draft = _delegate("changes", Changes.save_draft)
    mark_sent = _delegate("changes", Changes.mark_sent)
    set_checklist = _delegate("changes", Changes.set_checklist)
    autosave_draft = _delegate("changes", Changes.autosave_draft)
    clear_autosave = _delegate("changes", Changes.clear_autosave)
    set_feed_cursor = _delegate("changes", Changes.set_feed_cursor)
    all_ids = _delegate("changes", Changes.all_ids)
    import_requests = _LazyDelegate("imports", "steward.store.importing", "Importing")

    # --- partners (delegated): organizations, agreements, commitments ------------------

    resolve_organization = _LazyDelegate("partners", "steward.store.partners", "Partners")
    get_organization = _LazyDelegate("partners", "steward.store.partners", "Partners")
    list_organizations = _LazyDelegate("partners", "steward.store.partners", "Partners")
    organization_requests = _LazyDelegate("partners", "steward.store.partners", "Partners")
    organization_people = _LazyDelegate("partners", "steward.store.partners", "Partners")
    organization_history = _LazyDelegate("partners", "steward.store.partners", "Partners")
    organization_names = _LazyDelegate("partners", "steward.store.partners", "Partners")
    request_organization_id = _LazyDelegate("partners", "steward.store.partners", "Partners")
    partnership = _LazyDelegate("partners", "steward.store.partners", "Partners")
    agreements = _LazyDelegate("partners", "steward.store.partners", "Partners")
    commitments = _LazyDelegate("partners", "steward.store.partners", "Partners")
    get_commitment = _LazyDelegate("partners", "steward.store.partners", "Partners")
    agreements_between = _LazyDelegate("partners", "steward.store.partners", "Partners")
    commitments_done_between = _LazyDelegate("partners", "steward.store.partners", "Partners")
    overdue_commitments = _LazyDelegate("partners", "steward.store.partners", "Partners")
    rename_organization = _LazyDelegate("partners", "steward.store.partners", "Partners")
    add_organization_alias = _LazyDelegate("partners", "steward.store.partners", "Partners")
    set_organization_kind = _LazyDelegate("partners", "steward.store.partners", "Partners")
    merge_organizations = _LazyDelegate("partners", "steward.store.partners", "Partners")
    move_request = _LazyDelegate("partners", "steward.store.partners", "Partners")
    undo_organization_change = _LazyDelegate("partners", "steward.store.partners", "Partners")
    add_agreement = _LazyDelegate("partners", "steward.store.partners", "Partners")
    add_commitment = _LazyDelegate("partners", "steward.store.partners", "Partners")
    set_commitment_state = _LazyDelegate("partners", "steward.store.partners", "Partners")

    # --- opening --------------------------------------------------------------

    @classmethod
    def open_for(cls, settings, path: str | os.PathLike | None = None) -> Store:
        """Open `path` (default: the configured inbox) as the configured steward."""
        return cls.open(
            settings.database if path is None else path,
            actor=settings.steward_name, shared=settings.shared, tz=settings.tz,
        )

    @classmethod
    def open(cls, path: str | os.PathLike, *, actor: str, shared: bool = False, tz: tzinfo = timezone.utc) -> Store:
        """Open (creating if need be) an inbox file.

        Raises SchemaError for another program's database or a newer steward's
        file, before anything is written to it; older steward files are migrated.
        """
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
        except sqlite3.DatabaseError as exc:
            raise StewardError(f"{path}: not a usable steward inbox: {exc}") from None
        try:
            schema.check(conn, path)  # refuse a foreign or newer file before touching it
            _use_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            schema.migrate(conn, path)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StewardError(f"{path}: not a usable steward inbox: {exc}") from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, path, actor=actor, tz=tz)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: take the write lock before reading what we will change.

        A write SQLite refuses (read-only file, disk full, lock timeout) rolls the
        whole transaction back, so what was stored stays as it was, and becomes a
        StoreWriteError every face can show.
        """
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise self._write_error(exc) from exc
        try:
            yield self.conn
            self.conn.commit()
        except sqlite3.OperationalError as exc:
            self._rollback_quietly()
            raise self._write_error(exc) from exc
        except BaseException:
            self._rollback_quietly()
            raise

    def _rollback_quietly(self) -> None:
        try:
            self.conn.rollback()
        except sqlite3.Error:
            pass  # SQLite already rolled back (e.g. after SQLITE_FULL)

    def _write_error(self, exc: sqlite3.OperationalError) -> StoreWriteError:
        reason = str(exc)
        if "readonly" in reason or "read-only" in reason:
            reason = "the database is read-only"
        elif "full" in reason:
            reason = "the disk is full"
        elif "locked" in reason or "busy" in reason:
            reason = f"another steward kept it locked for over {BUSY_TIMEOUT_SECONDS:.0f} s"
        return StoreWriteError(f"could not write to the inbox {self.path}: {reason}; nothing was changed")

    # --- what kind of file this is -----------------------------------------------

    def mark_as_demo(self) -> None:
        """Mark this file as a demo inbox: only such files may be reset by `steward demo --reset`."""
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('kind', 'demo')")

    def is_demo(self) -> bool:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'kind'").fetchone()
        return bool(row and row[0] == "demo")

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

    def resolve(self, ref: int | str, *, external: bool = False) -> int:
        """A request's number from its number (`12`, `#12`) or its external id.

        A number always means the request's own number; an external id that looks
        like a number is asked for explicitly: `ext:3`, or `external=True`.
        """
        text = str(ref).strip()
        if text[:4].lower() == "ext:":
            external, text = True, text[4:].strip()
        number = text[1:] if text.startswith("#") and not external else text
        if not external and number.isascii() and number.isdigit():
            # Compare as text first: a 5,000-digit "number" must not reach int() or SQLite.
            row = None
            if len(number.lstrip("0")) <= 19 and int(number) <= MAX_REQUEST_ID:
                row = self.conn.execute("SELECT id FROM requests WHERE id = ?", (int(number),)).fetchone()
            if row is None:
                shown = number if len(number) <= 20 else number[:20] + "…"
                hint = ""
                if len(text) <= 200 and self.conn.execute(
                    "SELECT 1 FROM requests WHERE external_id = ?", (text,)
                ).fetchone():
                    hint = f" (for the request whose external id is {text}, write ext:{text})"
                raise NotFound(f"no request #{shown} in this inbox{hint}")
            return row[0]
        row = self.conn.execute("SELECT id FROM requests WHERE external_id = ?", (text,)).fetchone()
        if row is None:
            shown = text if len(text) <= 40 else text[:40] + "…"
            raise NotFound(f"no request with external id {shown!r} in this inbox")
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

    def hand_labels(self) -> list[tuple[Request, str | None, str | None]]:
        """Every request whose category or route a steward set by hand: (request, category, route),
        None where that one was left to the matcher. These are the labels `steward train` learns."""
        ids = [r[0] for r in self.conn.execute(
            "SELECT id FROM requests WHERE category_manual = 1 OR match_manual = 1 ORDER BY id"
        )]
        labels = []
        for request_id in ids:
            request = self.get(request_id)
            labels.append((
                request,
                request.category if request.category_manual else None,
                request.match if request.match_manual else None,
            ))
        return labels

    def spam_verdict(self, request_id: int) -> SpamVerdict | None:
        """What matching said about spam when the request was last matched (None: never matched)."""
        from steward.matching.spam import LIKELY

        row = self.conn.execute(
            "SELECT spam_score, spam_reasons FROM requests WHERE id = ?", (request_id,)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return SpamVerdict(row[0] >= LIKELY, row[0], json.loads(row[1] or "[]"))

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

    def people_names(self) -> set[str]:
        """Every sender name and address in the inbox, and every assignee."""
        from steward.store.reports import all_people_names

        return all_people_names(self)

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


def remove_demo_inbox(path: str | os.PathLike) -> bool:
    """Delete a demo inbox (and its -wal and -shm files); False when there was none.

    Refuses (StewardError) any file not marked as a demo by `Store.mark_as_demo`,
    so a reset can never take a real inbox with it.
    """
    path = Path(path).expanduser()
    if not path.exists():
        return False
    demo = False
    if path.is_file():
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                if conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID:
                    row = conn.execute("SELECT value FROM meta WHERE key = 'kind'").fetchone()
                    demo = bool(row and row[0] == "demo")
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            demo = False
    if not demo:
        raise StewardError(f"{path}: not a demo inbox; the demo only ever resets a file it made itself")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return True
