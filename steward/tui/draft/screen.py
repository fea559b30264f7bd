"""The draft screen (`d` on a request): the reply in an editor, its checklist beside it.

Keys that act while typing are control chords (a letter typed in the editor is
a letter); the letter aliases (e, y, S, t, l, w) work when the checklist has
the focus. Tab and Shift+Tab move between the editor and the checklist.

Nothing typed is lost: unsaved text is autosaved every few seconds, when the
screen closes and when the terminal hangs up (SIGHUP), and offered back the
next time the draft is opened (draft_autosave.Autosaver). Quitting with unsaved
text asks first. A save refused because another steward saved a newer version
shows both texts and lets the steward choose (draft_conflict.ConflictDialog).

Every read and write runs in a thread; its result is taken in on the event loop
by the worker that started it, so a result arriving after the screen has gone
is dropped with the worker, and no thread ever looks up the app.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import re
import threading
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from steward.util.dates import parse_date
from steward.drafting.drafts import render_draft, unanswered_markers
from steward.models import DraftVersion, Request, StaleVersion, StewardError
from steward.util.text import clean_text, fit, one_line
from steward.tui import i18n
from steward.tui.bindings import translate_bindings
from steward.tui.clipboard import (
    EditorError,
    WriteError,
    edit_text,
    editor_command,
    write_text_atomic,
)
from steward.tui.dialogs.prompts import ChoiceDialog, ConfirmDialog, FuzzyPicker, PromptDialog
from steward.tui.draft.autosave import AUTOSAVE_SECONDS, Autosaver, restore_dialog
from steward.tui.draft.checklist import ChecklistList, ChecklistPanel, area_name
from steward.tui.draft.conflict import ConflictDialog
from steward.tui.draft.data import DB_ERRORS, DraftData, load_draft_data
from steward.tui.i18n import t
from steward.tui.inbox.screen import TitleBar


DEFAULT_FOLLOW_UP = "+7d"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class DraftHeader(Static):
    """Template, language and version of the draft on screen."""


class DraftScreen(Screen):
    CSS_PATH = "screen.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "bind.draft_save", id="draft.save"),
        Binding("ctrl+o,e", "open_editor", "bind.draft_editor", id="draft.editor"),
        Binding("ctrl+r,y", "copy", "bind.draft_copy", id="draft.copy"),
        # Priority, and the action awaits its dialog: keys typed right behind it land
        # in the dialog, not in the draft.
        Binding("ctrl+t", "mark_sent", "bind.draft_sent", id="draft.sent", priority=True),
        Binding("S", "mark_sent", "bind.draft_sent", show=False, id="draft.sent"),
        Binding("ctrl+g", "pick_snippet", "bind.draft_snippet", id="draft.snippet"),
        Binding("ctrl+n,t", "choose_template", "bind.draft_template", show=False, id="draft.template"),
        Binding("ctrl+l,l", "switch_language", "bind.draft_language", show=False, id="draft.language"),
        Binding("w", "write_file", "bind.draft_write", show=False, id="draft.write"),
        Binding("escape", "back", "bind.back", id="draft.back"),
        # The app's quit keys (same ids, so a keymap moves both), asked first here when
        # the draft has unsaved changes. system=True: help lists them once, under the app.
        Binding("q", "quit", "bind.quit", show=False, id="app.quit", system=True),
        Binding("ctrl+q", "quit", "bind.quit", show=False, id="app.quit_anywhere", system=True),
    ]

    def __init__(self, request: Request, *, autosave_seconds: float = AUTOSAVE_SECONDS) -> None:
        from steward.tui.textual_compat import install_cjk_editor_wrapping

        install_cjk_editor_wrapping()  # the editor breaks Chinese lines as the preview does
        super().__init__()
        self.request = request
        # The request version this screen's writes are based on: a save made
        # after someone else changed the request is refused, not applied.
        # Read and advanced by the writing threads, under write_lock.
        self.version = request.version
        self.write_lock = threading.Lock()
        self.autosave_seconds = autosave_seconds
        self.autosave: Autosaver | None = None  # made on mount, when the app is known
        self.data: DraftData | None = None
        self.template: str | None = None
        self.language = "zh-TW"
        self.saved: DraftVersion | None = None  # the latest saved version
        self.rendered: str | None = None  # the text the current template gave
        self.busy = False  # a save or mark-sent is under way
        self.quit_after_save = False
        self.discarded = False  # the steward threw the unsaved text away
        self.closed = False  # workers may finish after the steward has left
        self.editor: TextArea | None = None

    # --- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar(self._title(), id="title-bar")
        yield DraftHeader(Content(t("draft.loading")), id="draft-header")
        with Horizontal(id="draft-main"):
            yield TextArea(id="draft-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
            yield ChecklistPanel(id="draft-side")
        yield Footer()

    def on_mount(self) -> None:
        translate_bindings(self.app)  # this module loads after the app translated its classes
        self.editor = self.query_one("#draft-text", TextArea)
        self.editor.loading = True
        self.autosave = Autosaver(
            self, self.request.id, unsaved_text=self._unsaved_text,
            thread_store=self.app.store, open_store=self.app.open_store, interval=self.autosave_seconds,
        )  # fmt: skip
        self._load()
        self.autosave.start(on_hang_up=self.app.exit)

    def on_unmount(self) -> None:
        self.closed = True
        if self.autosave is not None:
            self.autosave.stop()

    @property
    def checklist(self) -> ChecklistPanel:
        return self.query_one(ChecklistPanel)

    def item(self, key: str | None):
        return self.checklist.item(key)

    async def _in_thread(self, job: Callable[[], Callable[[], None] | None]) -> None:
        """Run `job` in a thread; call what it returns here, on the event loop, if still open.

        A worker running this is cancelled when the screen goes, and with it the
        call: a result that arrives after the steward has left is dropped.
        """
        done = await asyncio.to_thread(job)
        if done is not None and not self.closed:
            result = done()
            if inspect.isawaitable(result):
                await result

    # --- loading ------------------------------------------------------------------

    @work(exclusive=True, group="draft-load")
    async def _load(self) -> None:
        store, settings, directory, request_id = self.app.store, self.app.settings, self.app.directory, self.request.id

        def job():
            try:
                data = load_draft_data(store(), request_id, settings, directory)
            except DB_ERRORS as exc:
                return partial(self._load_failed, str(exc))
            return partial(self._loaded, data)

        await self._in_thread(job)

    def _load_failed(self, error: str) -> None:
        self.notify(t("draft.load_failed", error=error), severity="error", timeout=10)
        if self.app.screen is self:
            self.dismiss()

    def _loaded(self, data: DraftData) -> None:
        self.data, self.request, self.version = data, data.request, data.request.version
        self.template, self.language = data.template, data.language
        self.saved, self.rendered = data.latest, data.rendered
        editor = self.editor
        editor.load_text(data.text)
        editor.loading = False
        self.checklist.show(data.items, data.checklist_state, self.language)
        self.refresh_texts()
        editor.focus()
        for problem in data.problems:
            self.notify(t("draft.problem", error=problem), severity="error", timeout=10)
        if data.autosave is not None:
            self._offer_autosave(*data.autosave)
        elif data.signature_missing:
            self._ask_name()

    # --- the signature -------------------------------------------------------------

    def _config_path(self) -> Path:
        settings = self.app.settings
        return settings.config_file or Path(settings.config_dir) / "config.toml"

    def _ask_name(self) -> None:
        """The first draft without steward.name: ask for it, save it, draft again."""
        hint = t("draft.name_hint", path=one_line(str(self._config_path())))
        self.app.push_screen(PromptDialog(t("draft.name_title"), hint=hint), self._name_typed)

    def _name_typed(self, value: str | None) -> None:
        name = one_line(value or "")
        if not name:
            self.notify(t("draft.name_skipped"), severity="warning", timeout=10)
            return
        self._save_name(name)

    @work(group="draft-save")
    async def _save_name(self, name: str) -> None:
        from steward.config.settings import set_value

        path = self._config_path()

        def job():
            try:
                set_value(path, "steward.name", name)
            except (StewardError, OSError) as exc:
                return partial(self.notify, t("draft.failed", error=str(exc)), severity="error", timeout=10)
            return partial(self._name_saved, name)

        await self._in_thread(job)

    def _name_saved(self, name: str) -> None:
        settings = self.app.settings
        settings.signature = settings.steward_name = name
        self.notify(t("draft.name_saved", name=name))
        self._load()

    def _offer_autosave(self, body: str, saved_at) -> None:
        def answered(restore: bool | None) -> None:
            if restore:
                self.replace_text(body)
                self.autosave.kept(body)
                self.notify(t("draft.restored"))
            elif restore is False:
                self.autosave.clear()

        self.autosave.kept(body)  # the row holds it until the steward decides
        self.app.push_screen(restore_dialog(saved_at, self.app.today()), answered)

    # --- what the screen shows -------------------------------------------------

    def _title(self) -> Content:
        r = self.request
        sender = one_line(r.from_name) or one_line(r.from_email)
        return Content.assemble(
            (t("draft.title"), "bold"),
            (f"  #{r.id}  ", "$text-muted"),
            one_line(r.subject) or t("list.no_subject"),
            ("  " + sender if sender else "", "$text-muted"),
        )

    def _header(self) -> Content:
        templates = self.data.templates if self.data else {}
        template = templates.get(self.template or "")
        name = template.name(i18n.language()) if template else (self.template or t("draft.no_template"))
        parts: list = [
            (t("draft.template"), "$text-muted"), (name, "bold"),
            (" · ", "$text-muted"), t(f"draft.lang.{self.language}"), (" · ", "$text-muted"),
        ]  # fmt: skip
        if self.saved is None:
            parts.append((t("draft.not_saved"), "bold $warning"))
        else:
            parts.append(t("draft.version", version=self.saved.version))
            if self.saved.sent_at is not None:
                parts.append((" · " + t("draft.sent"), "$success"))
            if self.unsaved():
                parts.append((" · " + t("draft.modified"), "bold $warning"))
        return Content.assemble(*parts)

    def refresh_texts(self) -> None:
        if self.closed:
            return
        self.query_one(TitleBar).update(self._title())
        if self.data is not None:
            self.query_one(DraftHeader).update(self._header())

    def retranslate(self) -> None:
        if not self.closed:
            self.refresh_texts()
            self.checklist.retranslate()

    @on(TextArea.Changed, "#draft-text")
    def _text_changed(self) -> None:
        if self.data is not None:
            self.query_one(DraftHeader).update(self._header())

    # --- text helpers ------------------------------------------------------------

    def baseline(self) -> str:
        """The text that needs no saving: the last version's, else the template's."""
        if self.saved is not None:
            return self.saved.body
        return self.rendered or ""

    def unsaved(self, text: str | None = None) -> bool:
        return clean_text(self.editor.text if text is None else text) != self.baseline()

    def _unsaved_text(self) -> str | None:
        """What the autosave keeps: the editor's text when it differs from the saved one."""
        if self.data is None or self.editor is None or self.discarded:
            return None
        text = self.editor.text
        return text if self.unsaved(text) else None

    def replace_text(self, text: str, *, keep_cursor: bool = False) -> None:
        """Replace the whole text as one edit, so Ctrl+Z brings the old text back."""
        editor = self.editor
        row, column = editor.cursor_location
        editor.replace(text, (0, 0), editor.document.end)
        if keep_cursor:
            row = min(row, editor.document.line_count - 1)
            editor.move_cursor((row, min(column, len(editor.document.get_line(row)))))
        else:
            editor.move_cursor((0, 0))

    def insert_paragraph(self, paragraph: str) -> None:
        """Insert a paragraph at the cursor, a blank line before and after it as needed."""
        editor = self.editor
        row, column = editor.cursor_location
        before = editor.document.get_text_range((0, 0), (row, column))
        after = editor.document.get_text_range((row, column), editor.document.end)
        paragraph = paragraph.strip("\n")
        lead = "" if not before or before.endswith("\n\n") else ("\n" if before.endswith("\n") else "\n\n")
        trail = "" if not after or after.startswith("\n\n") else ("\n" if after.startswith("\n") else "\n\n")
        editor.insert(lead + paragraph + trail)
        if trail:  # the cursor ends at the end of the paragraph, not past the blank line
            editor.move_cursor(editor.document.get_location_from_index(len(before) + len(lead) + len(paragraph)))
        editor.focus()

    # --- saving -----------------------------------------------------------------------

    def action_save(self) -> None:
        if self.data is None or self.busy:
            return
        self.busy = True
        self._save(self.editor.text)

    @work(group="draft-save")
    async def _save(self, text: str) -> None:
        store, request_id, template, language = self.app.store, self.request.id, self.template, self.language

        def job():
            with self.write_lock:
                try:
                    draft = store().save_draft(
                        request_id, text, template=template, language=language, expected_version=self.version,
                    )  # fmt: skip
                    self.version += 1
                    request = store().get(request_id)
                except StaleVersion as exc:
                    return self._stale(store(), text, str(exc))
                except DB_ERRORS as exc:
                    return partial(self._write_failed, str(exc))
            return partial(self._saved, draft, request)

        await self._in_thread(job)

    def _stale(self, store, text: str, error: str, *, saved: DraftVersion | None = None):
        """In a thread holding the write lock: adopt the request as it is now, keep the text."""
        try:
            fresh = store.get(self.request.id)
            drafts = store.drafts(fresh.id)
            if saved is None:
                store.autosave_draft(fresh.id, text)
        except DB_ERRORS as exc:
            return partial(self._write_failed, str(exc))
        self.version = fresh.version
        return partial(self._stale_shown, fresh, text, error, saved, drafts[-1] if drafts else None)

    def _stale_shown(
        self, fresh: Request, text: str, error: str, saved: DraftVersion | None, latest: DraftVersion | None
    ) -> None:
        self.busy = self.quit_after_save = False
        self.editor.read_only = False
        self.request = fresh
        mine = self.saved
        if saved is not None:  # our text was saved before the step that was refused
            self.saved = saved
            self.autosave.kept(None)
        else:
            self.autosave.kept(text)
            if latest is not None:
                self.saved = latest  # the newest version is the baseline now, whoever saved it
        self.refresh_texts()
        self.app.refresh_inbox()
        theirs = latest if saved is None else None
        if (
            theirs is not None
            and (mine is None or theirs.version > mine.version)
            and clean_text(theirs.body) != clean_text(text)
        ):
            # Another steward saved a version meanwhile: show both, let this one choose.
            self.app.push_screen(ConflictDialog(theirs, text), partial(self._conflict_resolved, theirs))
            return
        self.notify(t("draft.stale", error=error), severity="error", timeout=10)

    def _conflict_resolved(self, theirs: DraftVersion, choice: str | None) -> None:
        if self.closed:
            return
        if choice == "mine":
            self.action_save()  # over their version, on purpose: the request version is current
        elif choice == "theirs":
            self.replace_text(theirs.body)
            self.autosave.clear()
            self.notify(t("draft.took_theirs", version=theirs.version))
        else:
            self.notify(t("draft.merge"), timeout=10)
        self.editor.focus()

    def _write_failed(self, error: str, saved: DraftVersion | None = None) -> None:
        self.busy = self.quit_after_save = False
        self.editor.read_only = False
        if saved is not None:  # the text was saved before the step that failed
            self.saved = saved
            self.autosave.kept(None)
            self.refresh_texts()
        self.notify(t("draft.failed", error=error), severity="error", timeout=10)

    def _saved(self, draft: DraftVersion, request: Request) -> None:
        self.busy = False
        self.saved, self.request = draft, request
        self.autosave.kept(None)  # saving a version removed the autosave
        self.refresh_texts()
        self.notify(t("draft.saved", version=draft.version))
        self.app.refresh_inbox()
        if self.quit_after_save:
            self.app.exit()

    # --- the checklist -----------------------------------------------------------------

    def refresh_from_store(self) -> None:
        """The inbox changed (maybe another steward): show the checklist as it is now."""
        if self.data is not None and not self.closed:
            self._reload_checklist()

    @work(exclusive=True, group="draft-checklist-read")
    async def _reload_checklist(self) -> None:
        store, request_id, edits = self.app.store, self.request.id, self.checklist.edits

        def job():
            with self.write_lock:
                try:
                    state = store().checklist_state(request_id)
                except DB_ERRORS:
                    return None
            return partial(self.checklist.stored_state, state, edits)

        await self._in_thread(job)

    @on(ChecklistPanel.ItemToggled)
    def _item_toggled(self, event: ChecklistPanel.ItemToggled) -> None:
        self._persist_check(event.item.key)

    @work(group="draft-checklist")
    async def _persist_check(self, key: str) -> None:
        store, request_id = self.app.store, self.request.id
        panel = self.checklist
        known = [item.key for item in panel.items]

        def job():
            with self.write_lock:
                # The state as it is now, not as it was when this toggle was queued,
                # so quick toggles end where the steward left them.
                checked = panel.state.get(key, False)
                before = self.version
                try:
                    after = store().set_checklist(request_id, [key], checked, known=known)
                except DB_ERRORS as exc:
                    return partial(self.notify, t("draft.check_failed", error=str(exc)), severity="error")
                if after.version in (before, before + 1):  # only our own change: still up to date
                    self.version = after.version
            return None

        await self._in_thread(job)

    @on(ChecklistPanel.InsertRequested)
    def _insert_requested(self, event: ChecklistPanel.InsertRequested) -> None:
        self.insert_paragraph(event.item.snippet(self.language))

    def action_pick_snippet(self) -> None:
        """Guidance paragraphs to insert: this request's checklist items first, then every other one."""
        if self.data is None or not (self.data.items or self.data.guidance):
            return
        relevant = {item.key for item in self.data.items}
        ordered = [*self.data.items, *(item for item in self.data.guidance if item.key not in relevant)]
        by_key = {item.key: item for item in ordered}
        mark = t("draft.snippet_for_request")
        choices = [
            (item.key, f"{mark if item.key in relevant else ''}{area_name(item.area)} · {one_line(item.text(i18n.language()))}",
             f"{item.key} {item.area} {item.text_zh} {item.text_en}")
            for item in ordered
        ]  # fmt: skip

        def chosen(key: str | None) -> None:
            item = by_key.get(key) if key else None
            if item is not None:
                self.insert_paragraph(item.snippet(self.language))

        self.app.push_screen(FuzzyPicker(t("draft.snippet_title"), choices, placeholder=t("draft.snippet_search")), chosen)

    # --- template and language ------------------------------------------------

    def action_choose_template(self) -> None:
        if self.data is None:
            return
        templates = self.data.templates
        if not templates:
            self.notify(t("draft.no_templates"), severity="error")
            return
        choices = [(key, f"{template.name(i18n.language())} ({key})") for key, template in sorted(templates.items())]
        self.app.push_screen(
            ChoiceDialog(t("draft.template_title"), choices, current=self.template),
            lambda key: key and self.rerender(key, self.language),
        )

    def action_switch_language(self) -> None:
        if self.data is not None:
            self.rerender(self.template, "en" if self.language == "zh-TW" else "zh-TW")

    def rerender(self, template: str | None, language: str) -> None:
        """Fill the template again, in `language`; ask first if that would replace edits."""
        templates = self.data.templates
        if not templates:
            self.notify(t("draft.no_templates"), severity="error")
            return
        try:
            rendered = render_draft(
                self.request, settings=self.app.settings, directory=self.data.directory,
                template_key=template if template in templates else None, language=language,
                templates=templates, guidance=self.data.guidance, partner=self.data.partner,
            )  # fmt: skip
        except StewardError as exc:
            self.notify(t("draft.failed", error=str(exc)), severity="error")
            return

        def apply() -> None:
            self.template, self.language, self.rendered = rendered.template, rendered.language, rendered.body
            self.replace_text(rendered.body)
            self.checklist.set_language(self.language)
            self.refresh_texts()

        text = clean_text(self.editor.text)
        if not text.strip() or text in (self.rendered, self.saved.body if self.saved else None):
            apply()
            return
        message = t(
            "draft.discard", template=templates[rendered.template].name(i18n.language()),
            language=t(f"draft.lang.{rendered.language}"),
        )  # fmt: skip
        self.app.push_screen(ConfirmDialog(t("draft.discard_title"), message), lambda ok: apply() if ok else None)

    # --- the external editor -----------------------------------------------------------

    def action_open_editor(self) -> None:
        if self.data is None:
            return
        try:
            command = editor_command()
        except EditorError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        text = self.editor.text
        edited, error = self.run_editor(text, command)
        if error:
            self.notify(error, severity="error", timeout=10)
        elif edited is not None and edited != text:
            self.replace_text(edited, keep_cursor=True)
            self.notify(t("draft.editor_done"))
        else:
            self.notify(t("draft.editor_unchanged"))
        self.editor.focus()

    def run_editor(self, text: str, command: list[str]) -> tuple[str | None, str | None]:
        """(edited text, None) or (None, what went wrong).

        The file ends with a newline, as editors and `git diff` expect of a text
        file; exactly one is taken off again on the way back.
        """
        edited = error = None
        try:
            with self.app.suspend():
                # Nothing may escape this block: Textual takes the terminal
                # back only when the block ends normally.
                try:
                    edited = edit_text(text + "\n", command)
                except EditorError as exc:
                    error = str(exc)
                except KeyboardInterrupt:  # Ctrl+C in an editor that lets the terminal send SIGINT
                    error = t("draft.editor_interrupted")
        except SuspendNotSupported:
            error = t("draft.editor_unsupported")
        if edited is not None and edited.endswith("\n"):
            edited = edited[:-1]
        return edited, error

    # --- getting the text out -----------------------------------------------------

    def action_copy(self) -> None:
        if self.data is None:
            return
        text = self.editor.text
        # Textual writes OSC 52 (the same bytes as clipboard.osc52) and keeps the
        # text for pasting inside the app.
        self.app.copy_to_clipboard(text)
        self.notify(t("draft.copied", n=len(text)))

    def action_write_file(self) -> None:
        if self.data is None:
            return
        external = self.request.external_id or ""
        name = f"reply-{external if _SAFE_NAME.match(external) else self.request.id}.txt"
        try:
            cwd = os.getcwd()
        except OSError:
            cwd = "~"
        self.app.push_screen(
            PromptDialog(t("draft.write_title"), value=name, hint=t("draft.write_hint", cwd=one_line(cwd))),
            self._write_path_chosen,
        )

    def _write_path_chosen(self, value: str | None) -> None:
        if not value or not value.strip():
            return
        path = Path(value.strip()).expanduser()
        text = self.editor.text
        if path.is_file():
            self.app.push_screen(
                ConfirmDialog(t("draft.overwrite_title"), t("draft.overwrite", path=one_line(str(path)))),
                lambda ok: self._write_file(path, text) if ok else None,
            )
        else:
            self._write_file(path, text)

    @work(group="draft-file")
    async def _write_file(self, path: Path, text: str) -> None:
        def job():
            try:
                written = write_text_atomic(path, text if text.endswith("\n") else text + "\n")
            except WriteError as exc:
                return partial(self.notify, str(exc), severity="error", timeout=10)
            return partial(self.notify, t("draft.written", path=one_line(str(written))))

        await self._in_thread(job)

    # --- marking sent ------------------------------------------------------------------

    async def action_mark_sent(self) -> None:
        if self.data is None or self.busy:
            return
        markers = unanswered_markers(self.editor.text)
        if markers:  # a reply with a question left for the steward is not ready; the draft stays open
            self.notify(t("draft.unanswered", n=markers), severity="error", timeout=10)
            return
        unchecked = [item for item in self.data.items if item.required and not self.checklist.state.get(item.key, False)]
        if not unchecked:
            self._send()
            return
        lines = [f"• {_shorten(item.text(i18n.language()))}" for item in unchecked[:4]]
        if len(unchecked) > 4:
            lines.append("…")
        message = t("draft.sent_confirm", n=len(unchecked), items="\n".join(lines))
        await self.app.push_screen(
            ConfirmDialog(t("draft.sent_confirm_title"), message), lambda ok: self._send() if ok else None
        )

    def _send(self) -> None:
        if self.busy:
            return
        self.busy = True
        # What is sent is what is on screen now: keys typed while it is marked
        # (before the follow-up question appears) must not change it unseen.
        self.editor.read_only = True
        text = self.editor.text
        needs_saving = self.saved is None or self.unsaved(text)
        self._mark_sent(text, None if needs_saving else self.saved.version)

    @work(group="draft-save")
    async def _mark_sent(self, text: str, version: int | None) -> None:
        """Mark `version` sent; None: the text on screen is what goes out, so save it first."""
        store, request_id, template, language = self.app.store, self.request.id, self.template, self.language

        def job():
            nonlocal version
            draft: DraftVersion | None = None
            with self.write_lock:
                try:
                    if version is None:
                        draft = store().save_draft(
                            request_id, text, template=template, language=language, expected_version=self.version,
                        )  # fmt: skip
                        self.version += 1
                        version = draft.version
                    request = store().mark_sent(request_id, version, expected_version=self.version)
                    self.version += 1
                    sent = next(d for d in store().drafts(request.id) if d.version == version)
                except StaleVersion as exc:
                    return self._stale(store(), text, str(exc), saved=draft)
                except DB_ERRORS as exc:
                    return partial(self._write_failed, str(exc), draft)
            return partial(self._sent, request, sent)

        await self._in_thread(job)

    async def _sent(self, request: Request, sent: DraftVersion) -> None:
        self.busy = False
        self.request = request
        if self.saved is None or sent.version >= self.saved.version:
            self.saved = sent
        self.autosave.kept(None)
        self.refresh_texts()
        self.notify(t("draft.sent_done", version=sent.version))
        self.app.refresh_inbox()
        await self.ask_follow_up()

    async def ask_follow_up(self, value: str = DEFAULT_FOLLOW_UP, error: str = "") -> None:
        await self.app.push_screen(
            PromptDialog(t("draft.follow_up_title"), value=value, hint=error or t("draft.follow_up_hint")),
            self._follow_up_typed,
        )

    async def _follow_up_typed(self, value: str | None) -> None:
        if value is not None and value.strip():
            try:
                on = parse_date(value, self.app.today())
            except StewardError as exc:
                await self.ask_follow_up(value, str(exc))
                return
            self._set_follow_up(on)
        self.editor.read_only = False
        self.editor.focus()

    @work(group="draft-save")
    async def _set_follow_up(self, on: date) -> None:
        store, request_id = self.app.store, self.request.id

        def job():
            with self.write_lock:
                try:
                    request = store().set_follow_up(request_id, on, expected_version=self.version)
                except DB_ERRORS as exc:
                    return partial(self.notify, t("draft.failed", error=str(exc)), severity="error")
                self.version += 1
            return partial(self._follow_up_set, request)

        await self._in_thread(job)

    def _follow_up_set(self, request: Request) -> None:
        self.request = request
        self.notify(t("draft.follow_up_set", date=request.follow_up_on.isoformat() if request.follow_up_on else "–"))
        self.app.refresh_inbox()

    # --- leaving ----------------------------------------------------------------------

    def action_back(self) -> None:
        # Unsaved text is autosaved as the screen closes (on_unmount).
        self.dismiss()

    async def action_quit(self) -> None:
        if self.data is None or self.busy or not self.unsaved():
            self.app.exit()  # what is being saved or sent is kept as an autosave on the way out
            return
        choices = [("save", t("draft.quit_save")), ("discard", t("draft.quit_discard")), ("cancel", t("draft.quit_cancel"))]
        await self.app.push_screen(
            ChoiceDialog(t("draft.quit_title"), choices, current="save", hint=t("draft.quit_hint")), self._quit_chosen
        )

    def _quit_chosen(self, choice: str | None) -> None:
        if choice == "save":
            self.quit_after_save = True
            self.action_save()
        elif choice == "discard":
            self.discarded = True  # nothing to keep on the way out
            self._discard_and_quit()

    @work(group="draft-autosave")
    async def _discard_and_quit(self) -> None:
        store, request_id, exit_app = self.app.store, self.request.id, self.app.exit

        def job():
            try:
                store().clear_autosave(request_id)
            except DB_ERRORS:
                pass  # an old autosave is offered again next time: nothing is lost
            return exit_app

        await self._in_thread(job)


def _shorten(text: str, width: int = 70) -> str:
    return fit(one_line(text), width)


__all__ = ["AUTOSAVE_SECONDS", "ChecklistList", "DraftScreen"]
