"""Adding requests: dedupe, threading of replies, batches that survive being killed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from steward.models import ImportReport, IncomingRequest, MatchResult, RecordError
from steward.store import clock
from steward.store.clock import to_iso
from steward.util.text import clean_text, one_line, truncate_body
from steward.store.partners import Linker

if TYPE_CHECKING:
    from steward.store.changes import Changes
    from steward.store.core import Store


def content_hash(record: IncomingRequest) -> str:
    import hashlib  # only imports need it; `steward list` should not pay for it

    # A time guessed from the file's mtime says nothing about the record.
    when = "" if record.received_at_guessed else to_iso(record.received_at)
    parts = [
        record.external_id or "", record.message_id or "", when,
        record.from_email, record.from_name, record.organization, record.subject, record.body,
    ]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def _storable(record: IncomingRequest) -> IncomingRequest | RecordError:
    """The record, or a RecordError if its time cannot be stored (readers check this
    too; this keeps one record made by other code from stopping a whole batch)."""
    try:
        to_iso(record.received_at)
    except (OverflowError, ValueError, AttributeError, TypeError):
        return RecordError(record.source or "(record)", "received_at cannot be stored")
    return record


def _match(matcher: Callable[[IncomingRequest], MatchResult], record: IncomingRequest) -> MatchResult | None:
    """The matcher's result; a matcher failing on one record leaves it unmatched, with a warning."""
    try:
        return matcher(record)
    except Exception as exc:  # noqa: BLE001 - the record is still worth keeping
        record.warnings.append(f"not matched: {type(exc).__name__}")
        return None


class Importing:
    """import_requests and its helpers, owned by a Store (composition).

    Writes through the store's connection and records events and match results
    through the store's `Changes`.
    """

    def __init__(self, store: Store, changes: Changes):
        self.conn = store.conn
        self.actor = store.actor
        self.transaction = store.transaction
        self._event = changes.record_event
        self._store_match_result = changes.store_match_result
        self._new_linker = lambda: Linker(store.conn, store.actor)
        self._linker: Linker | None = None

    def import_requests(
        self,
        records: Iterable[IncomingRequest | RecordError],
        *,
        matcher: Callable[[IncomingRequest], MatchResult] | None = None,
        batch_size: int = 500,
        progress: Callable[[int], None] | None = None,
        link_organizations: bool = True,
    ) -> ImportReport:
        """Add new requests, thread replies, skip what is already here.

        Batches are committed as they go, so an import killed half-way and run
        again ends with every record exactly once. Each new request is linked to
        its organization (created when new) unless `link_organizations` is off.
        """
        report = ImportReport()
        # One index of the known organizations for the whole import, not one per record.
        self._linker = self._new_linker() if link_organizations else None
        batch: list[IncomingRequest] = []
        for record in records:
            if not isinstance(record, RecordError):
                record = _storable(record)
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
                setattr(record, name, one_line(getattr(record, name)))
            prepared.append((record, content_hash(record)))
        # Match outside the write lock: it is the slow part and needs no database.
        fresh = [(r, h) for r, h in prepared if not self._already_here(r, h)]
        results = {id(r): _match(matcher, r) for r, _ in fresh if matcher and not self._thread_target(r)} if matcher else {}
        for record, _ in prepared:
            report.warnings.extend(f"{record.source}: {w}" if record.source else w for w in record.warnings)
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
            self._keep_undecoded(target, record)
            report.threaded += 1
            return
        now = to_iso(clock.utc_now())
        organization_id = self._linker.link(record.organization, record.from_email) if self._linker else None
        cursor = self.conn.execute(
            "INSERT INTO requests (external_id, message_id, content_hash, received_at, channel, from_name, "
            "from_email, organization, subject, body, attachments, created_at, updated_at, updated_by, "
            "last_activity_at, organization_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (record.external_id, record.message_id, digest, received, record.channel, record.from_name,
             record.from_email, record.organization, record.subject, record.body, attachments,
             now, now, self.actor, received, organization_id),
        )
        request_id = cursor.lastrowid
        self._event(request_id, 1, "import", None, "new", record.source or None)
        self._keep_undecoded(request_id, record, reply=False)
        if result is not None:
            self._store_match_result(request_id, result)
        report.imported += 1
        report.new_ids.append(request_id)

    def _keep_undecoded(self, request_id: int, record: IncomingRequest, *, reply: bool = True) -> None:
        """The original bytes of text read with a guessed charset (see steward.intake.charsets)."""
        for item in record.undecoded:
            self.conn.execute(
                "INSERT INTO undecoded_parts (request_id, message_id, part, charset, data) VALUES (?,?,?,?,?)",
                (request_id, record.message_id if reply else None, item["part"], item["charset"], item["data"]),
            )
