"""What a steward does to requests, from any screen that shows them.

Every action writes through the same Store methods the CLI uses, in a worker
thread, with the version the steward saw: a request changed meanwhile by
someone else is refused, never overwritten.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from textual import work
from textual.binding import Binding
from textual.screen import Screen

from steward.models import CATEGORIES, STATUSES, Request, StaleVersion, StewardError
from steward.tui.i18n import category_name, status_name, t
from steward.tui.textual_compat import is_loaded_text_area



@dataclass
class Undo:
    label: str
    # (request id, field, value to restore, version after our change)
    steps: list[tuple[int, str, object, int]] = field(default_factory=list)


@dataclass
class WriteOutcome:
    label: str
    changed: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stale: list[tuple[Request, str]] = field(default_factory=list)
    undo: Undo | None = None
    # (request id, version before, version after) of every request we changed
    moved: list[tuple[int, int, int]] = field(default_factory=list)
    # the store could not be written at all (read-only file, full disk, I/O error)
    failed: list[str] = field(default_factory=list)


# What a failed write can raise besides a StewardError: SQLite's own errors (a read-only
# or locked file, a full disk, an I/O error) and the OS's. None of them may end the app.
WRITE_ERRORS = (sqlite3.Error, OSError)


# What each kind of action writes: the same Store method the CLI command calls.
_WRITERS = {
    "status": "set_status", "assignee": "assign", "tags+": "add_tags", "tags-": "remove_tags",
    "follow_up_on": "set_follow_up", "category": "set_category", "match": "set_route", "note": "add_note",
}


def _apply(store, kind: str, request: Request, value, version: int | None) -> Request:
    if kind == "tags":  # (add, remove) typed in one go: two writes, the second after the first
        add, remove = value
        after = request
        if add:
            after = store.add_tags(request.id, add, expected_version=version)
            version = after.version
        if remove:
            after = store.remove_tags(request.id, remove, expected_version=version)
        return after
    return getattr(store, _WRITERS[kind])(request.id, value, expected_version=version)


def _inverse(kind: str, before: Request, value) -> tuple[str, object] | None:
    if kind == "status":
        return "status", before.status
    if kind == "assignee":
        return "assignee", before.assignee
    if kind == "tags":
        add, remove = value
        added = [tag for tag in add if tag not in before.tags]
        removed = [tag for tag in remove if tag in before.tags and tag not in add]
        return ("tags", (removed, added)) if added or removed else None
    if kind == "tags+":
        added = [tag for tag in value if tag not in before.tags]
        return ("tags-", added) if added else None
    if kind == "tags-":
        removed = [tag for tag in value if tag in before.tags]
        return ("tags+", removed) if removed else None
    if kind == "follow_up_on":
        return "follow_up_on", before.follow_up_on
    if kind == "category":
        return "category", before.category if before.category_manual else None
    if kind == "match":
        return "match", before.match if before.match_manual else None
    return None  # notes are history: they stay


def _takes_text(widget) -> bool:
    from textual.widgets import Input

    if isinstance(widget, Input):
        return True
    # A TextArea can only have focus once its module is loaded; not importing it here
    # keeps start-up light (the footer asks check_action about every binding).
    return is_loaded_text_area(widget)


class ActionScreen(Screen):
    """A screen showing requests a steward can act on. Subclasses say which (targets())."""

    # The keys that open a dialog to type in are priority bindings: acted on as they
    # arrive, so what is typed right behind them (one packet over a slow link) lands
    # in the dialog instead of running other actions. check_action hands them back to
    # any text field that has focus.
    BINDINGS = [
        Binding("s", "set_status", "bind.status", id="request.status"),
        Binding("a", "assign", "bind.assign", id="request.assign", priority=True),
        Binding("A", "assign_me", "bind.assign_me", show=False, id="request.assign_me"),
        Binding("t", "tag", "bind.tag", id="request.tag", priority=True),
        Binding("c", "set_category", "bind.category", show=False, id="request.category"),
        Binding("m", "route", "bind.route", id="request.route", priority=True),
        Binding("f", "follow_up", "bind.follow_up", show=False, id="request.follow_up", priority=True),
        Binding("n", "note", "bind.note", id="request.note", priority=True),
        Binding("x", "spam", "bind.spam", show=False, id="request.spam"),
        Binding("u", "undo", "bind.undo", show=False, id="request.undo"),
        Binding("d", "draft", "bind.draft", id="request.draft"),
        Binding("o", "open_organization", "bind.organization", show=False, id="request.organization"),
    ]

    # Actions behind priority keys: a text field with focus gets those keys instead.
    TYPED_ACTIONS = frozenset({"assign", "tag", "route", "follow_up", "note"})

    def targets(self) -> list[Request]:
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.TYPED_ACTIONS and _takes_text(self.focused):
            return False  # a letter typed into a field is text, not a command
        return super().check_action(action, parameters)

    def changed(self, requests: list[Request]) -> None:
        """Show what a write did (rows, counts, view); subclasses refine."""

    def reload_details(self) -> None:
        """Reload whatever request is on screen."""

    # --- the actions ----------------------------------------------------------

    def _targets_or_warn(self) -> list[Request]:
        targets = self.targets()
        if not targets:
            self.notify(t("notify.no_request"), severity="warning")
        return targets

    def _hint(self, targets: list[Request]) -> str:
        return t("dialog.on_marked", n=len(targets)) if len(targets) > 1 else ""

    def action_set_status(self) -> None:
        from steward.tui.dialogs import prompts as dialogs  # built on first use: start-up stays light
        targets = self._targets_or_warn()
        if targets:
            choices = [(s, status_name(s)) for s in STATUSES]
            self.app.push_screen(
                dialogs.ChoiceDialog(t("dialog.status"), choices, current=targets[0].status, hint=self._hint(targets)),
                lambda value: value and self.write("status", targets, value, t("bind.status")),
            )

    def action_spam(self) -> None:
        targets = self._targets_or_warn()
        if targets:
            self.write("status", targets, "spam", t("bind.spam"))

    async def action_assign(self) -> None:
        from steward.tui.dialogs import prompts as dialogs
        targets = self._targets_or_warn()
        if targets:
            me = self.app.settings.steward_name

            def done(value: str | None) -> None:
                if value is not None:
                    from steward.models import resolve_assignee

                    self.write("assignee", targets, resolve_assignee(value, me=me), t("bind.assign"))

            await self.app.push_screen(
                dialogs.PromptDialog(t("dialog.assign"), value=targets[0].assignee or "", hint=self._hint(targets),
                             suggestions=[me, *self.app.known_assignees]),
                done,
            )

    def action_assign_me(self) -> None:
        targets = self._targets_or_warn()
        if targets:
            self.write("assignee", targets, self.app.settings.steward_name, t("bind.assign_me"))

    async def action_tag(self) -> None:
        from steward.tui.dialogs import prompts as dialogs
        targets = self._targets_or_warn()
        if not targets:
            return

        def done(value: str | None) -> None:
            if not value:
                return
            words = value.split()
            add = [w for w in words if not w.startswith("-")]
            remove = [w[1:] for w in words if w.startswith("-") and len(w) > 1]
            if add or remove:
                # One write: two would both expect the version seen before either, and the
                # second would be refused as if someone else had changed the request.
                self.write("tags", targets, (add, remove), t("bind.tag"))

        await self.app.push_screen(
            dialogs.PromptDialog(t("dialog.tag"), hint=self._hint(targets), suggestions=self.app.known_tags), done
        )

    def action_set_category(self) -> None:
        from steward.tui.dialogs import prompts as dialogs
        targets = self._targets_or_warn()
        if targets:
            choices = [(c, category_name(c)) for c in CATEGORIES] + [("", t("dialog.category_auto"))]
            self.app.push_screen(
                dialogs.ChoiceDialog(t("dialog.category"), choices, current=targets[0].category, hint=self._hint(targets)),
                lambda value: value is not None and self.write("category", targets, value or None, t("bind.category")),
            )

    async def action_route(self) -> None:
        from steward.tui.dialogs import prompts as dialogs
        targets = self._targets_or_warn()
        if not targets:
            return
        directory = self.app.directory
        items = []
        for entry in directory.entries if directory else []:
            label = f"{entry.name} · {entry.name_en} ({entry.key})" if entry.name_en != entry.name else f"{entry.name} ({entry.key})"
            items.append((entry.key, label, " ".join([entry.key, *entry.aliases, *entry.keywords[:8]])))
        await self.app.push_screen(
            dialogs.FuzzyPicker(t("dialog.route"), items, placeholder=t("dialog.route_search"), extra=("__auto__", t("dialog.route_none"))),
            lambda key: key and self.write("match", targets, None if key == "__auto__" else key, t("bind.route")),
        )

    async def action_follow_up(self) -> None:
        from steward.tui.dialogs import prompts as dialogs
        targets = self._targets_or_warn()
        if not targets:
            return

        def done(value: str | None) -> None:
            if value is None:
                return
            from steward.util.dates import parse_date

            if not value.strip():
                self.write("follow_up_on", targets, None, t("bind.follow_up"))
                return
            try:
                on = parse_date(value, self.app.today())
            except StewardError as exc:
                self.notify(str(exc), severity="error")
                return
            self.write("follow_up_on", targets, on, t("bind.follow_up"))

        current = targets[0].follow_up_on.isoformat() if targets[0].follow_up_on else ""
        await self.app.push_screen(dialogs.PromptDialog(t("dialog.follow_up"), value=current, hint=self._hint(targets)), done)

    async def action_note(self, text: str = "", error: str = "") -> None:
        from steward.tui.dialogs import prompts as dialogs
        targets = self._targets_or_warn()
        if not targets:
            return

        def done(value: str | None) -> None:
            if value and value.strip():
                self.write("note", targets, value, t("bind.note"))

        await self.app.push_screen(dialogs.NoteDialog(t("dialog.note"), text=text, error=error), done)

    def action_undo(self) -> None:
        undo = self.app.undo_stack.pop() if self.app.undo_stack else None
        if undo is None:
            self.notify(t("notify.nothing_to_undo"))
            return
        self._undo(undo)

    def action_draft(self) -> None:
        targets = self._targets_or_warn()
        if targets:
            self.app.open_draft(targets[0])

    def action_open_organization(self) -> None:
        from steward.tui.partners.screen import OrganizationScreen

        targets = self._targets_or_warn()
        if targets:
            self.app.push_screen(OrganizationScreen(request_id=targets[0].id))

    # --- writing ----------------------------------------------------------------

    def write(self, kind: str, targets: list[Request], value, label: str) -> None:
        self._write(kind, list(targets), value, label)

    @work(thread=True, group="writes")
    def _write(self, kind: str, targets: list[Request], value, label: str) -> None:
        outcome = WriteOutcome(label=label, undo=Undo(label))
        try:
            store = self.app.store()
        except (StewardError, *WRITE_ERRORS) as exc:
            outcome.failed.append(str(exc))
            targets = []
        for request in targets:
            try:
                after = _apply(store, kind, request, value, request.version)
            except StaleVersion as exc:
                outcome.stale.append((request, str(exc)))
                continue
            except StewardError as exc:
                outcome.errors.append(str(exc))
                continue
            except WRITE_ERRORS as exc:
                outcome.failed.append(str(exc))
                continue
            outcome.changed.append(after)
            outcome.moved.append((request.id, request.version, after.version))
            inverse = _inverse(kind, request, value)
            if inverse:
                outcome.undo.steps.append((request.id, inverse[0], inverse[1], after.version))
        self.app.call_from_thread(self._written, kind, value, outcome)

    def _track_own_versions(self, outcome: WriteOutcome) -> None:
        """Our own change is not someone else's: carry the undo steps still on the stack
        for a request we just changed from the version we saw to the one we made."""
        for request_id, before, after in outcome.moved:
            for undo in self.app.undo_stack:
                undo.steps = [
                    (rid, kind, value, after if rid == request_id and version == before else version)
                    for rid, kind, value, version in undo.steps
                ]

    def _report_failures(self, kind: str, value, outcome: WriteOutcome) -> None:
        if outcome.failed:
            self.notify(t("notify.write_failed", error=outcome.failed[0]), severity="error", timeout=15)
        for error in outcome.errors:
            self.notify(t("notify.error", error=error), severity="error")
        if kind == "note" and not outcome.changed and (outcome.failed or outcome.errors):
            # Keep what the steward typed: offer it back in the note editor, with the reason.
            reason = t("notify.write_failed", error=outcome.failed[0]) if outcome.failed else outcome.errors[0]
            self.call_later(self.action_note, text=value, error=t("note.kept", error=reason))

    def _written(self, kind: str, value, outcome: WriteOutcome) -> None:
        self._track_own_versions(outcome)
        if outcome.undo and outcome.undo.steps:
            self.app.undo_stack.append(outcome.undo)
        self._report_failures(kind, value, outcome)
        if outcome.changed:
            self.changed(outcome.changed)
            if kind == "note":
                self.notify(t("note.saved"))
            elif len(outcome.changed) > 1:
                self.notify(t("notify.done", what=outcome.label, n=len(outcome.changed)))
        if outcome.stale:
            self.app.refresh_inbox()
            self.reload_details()
            message = t("note.stale", error=outcome.stale[0][1])
            self.notify(message, severity="error", timeout=10)
            if kind == "note":
                # Keep what the steward typed: offer it back in the note editor.
                self.call_later(self.action_note, text=value, error=message)

    @work(thread=True, group="writes")
    def _undo(self, undo: Undo) -> None:
        outcome = WriteOutcome(label=undo.label)
        try:
            store = self.app.store()
        except (StewardError, *WRITE_ERRORS) as exc:
            outcome.failed.append(str(exc))
            self.app.call_from_thread(self._undone, outcome, undo)
            return
        for request_id, kind, value, version in undo.steps:
            try:
                request = store.get(request_id)
                after = _apply(store, kind, request, value, version)
            except StaleVersion as exc:
                outcome.stale.append((request, str(exc)))
                continue
            except StewardError as exc:
                outcome.errors.append(str(exc))
                continue
            except WRITE_ERRORS as exc:
                outcome.failed.append(str(exc))
                continue
            outcome.changed.append(after)
            outcome.moved.append((request_id, version, after.version))
        self.app.call_from_thread(self._undone, outcome, undo)

    def _undone(self, outcome: WriteOutcome, undo: Undo) -> None:
        self._track_own_versions(outcome)
        if outcome.failed and not outcome.changed:
            # Nothing was written: the undo stays on the stack to try again.
            self.app.undo_stack.append(undo)
        self._report_failures("undo", None, outcome)
        if outcome.changed:
            self.changed(outcome.changed)
            self.notify(t("notify.undone", what=outcome.label))
        if outcome.stale:
            self.app.refresh_inbox()
            self.notify(t("notify.error", error=outcome.stale[0][1]), severity="error", timeout=10)
