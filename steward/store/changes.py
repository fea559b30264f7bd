"""Writes to one request: every read-modify-write under BEGIN IMMEDIATE, version-checked."""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING

from steward.models import (
    STATUSES,
    DraftVersion,
    MatchResult,
    NotFound,
    Request,
    StaleVersion,
    UsageError,
    resolve_assignee,
)
from steward.store import clock
from steward.store.clock import to_iso
from steward.util.text import clean_text

if TYPE_CHECKING:
    from steward.store.core import Store


class Changes:
    """The actions a steward takes, each landing in the history.

    Owned by a Store (composition): it writes through the store's connection, as the
    store's actor, and reads requests back through the store's public reads.
    """

    def __init__(self, store: Store):
        self.conn = store.conn
        self.actor = store.actor
        self.transaction = store.transaction
        self.get = store.get
        self.checklist_state = store.checklist_state

    def record_event(self, request_id: int, version: int, action: str, old=None, new=None, detail=None, at=None) -> None:
        self._event(request_id, version, action, old, new, detail, at)

    def store_match_result(self, request_id: int, result: MatchResult) -> None:
        """Write the matcher's view inside the caller's transaction."""
        self._store_match_result(request_id, result)

    def _event(self, request_id: int, version: int, action: str, old=None, new=None, detail=None, at=None) -> None:
        self.conn.execute(
            "INSERT INTO events (request_id, version, at, actor, action, old, new, detail) VALUES (?,?,?,?,?,?,?,?)",
            (request_id, version, to_iso(at or clock.utc_now()), self.actor, action, old, new, detail),
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
                now = clock.utc_now()
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
        """Assign to `name`; "me"/"我" means this store's actor, None or "nobody"/"無" unassigns."""
        name = resolve_assignee(clean_text(name), me=self.actor) if name is not None else None
        with self._changing(ref, expected_version) as change:
            change.set("assignee", name, action="assign")
        return change.result

    def add_tags(self, ref, tags: Iterable[str], *, expected_version: int | None = None) -> Request:
        with self._changing(ref, expected_version) as change:
            for tag in _clean_tags(tags):
                if tag not in change.request.tags:
                    self.conn.execute(
                        "INSERT INTO tags (request_id, tag, added_at, added_by) VALUES (?,?,?,?)",
                        (change.request.id, tag, to_iso(clock.utc_now()), self.actor),
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
        spam = getattr(result, "spam", None)
        if spam is not None:
            self.conn.execute(
                "UPDATE requests SET spam_score = ?, spam_reasons = ? WHERE id = ?",
                (spam.score, json.dumps(spam.reasons, ensure_ascii=False), request_id),
            )
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
            now = clock.utc_now()
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
            now = to_iso(clock.utc_now())
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
            now = to_iso(clock.utc_now())
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
                (request_id, self.actor, body, to_iso(clock.utc_now())),
            )

    def clear_autosave(self, request_id: int) -> None:
        with self.transaction():
            self.conn.execute("DELETE FROM autosaves WHERE request_id = ? AND author = ?", (request_id, self.actor))

    def set_feed_cursor(self, name: str, cursor: str | None) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO feeds (name, cursor, fetched_at) VALUES (?,?,?) "
                "ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, fetched_at = excluded.fetched_at",
                (name, cursor, to_iso(clock.utc_now())),
            )


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
