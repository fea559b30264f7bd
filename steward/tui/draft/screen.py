"""The draft screen (`d` on a request): the reply in an editor, its checklist beside it.

Keys that act while typing are control chords (a letter typed in the editor is
a letter); the letter aliases (e, y, S, t, l, w) work when the checklist has
the focus. Tab and Shift+Tab move between the editor and the checklist.

Nothing typed is lost: unsaved text is autosaved every few seconds, when the
screen closes and when the terminal hangs up (SIGHUP), and offered back the
next time the draft is opened.
"""

from __future__ import annotations

import threading

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static, TextArea

from steward.models import DraftVersion, Request, StaleVersion
from steward.store import Store
from steward.util.text import clean_text, one_line
from steward.tui import i18n
from steward.tui.bindings import translate_bindings
from steward.tui.draft.actions import DraftActions
from steward.tui.draft.autosave import AUTOSAVE_SECONDS, DraftAutosave
from steward.tui.draft.checklist import ChecklistList, DraftChecklist, checklist_summary
from steward.tui.draft.data import DB_ERRORS, DraftData, load_draft_data
from steward.tui.i18n import t
from steward.tui.inbox.screen import TitleBar


STRINGS = {
    "draft.title": ("擬稿", "Draft"),
    "help.section.draft": ("擬稿", "Draft"),
    "draft.template": ("範本：", "Template: "),
    "draft.no_template": ("（無範本）", "(no template)"),
    "draft.lang.zh-TW": ("中文", "Chinese"),
    "draft.lang.en": ("英文", "English"),
    "draft.version": ("第 {version} 版", "version {version}"),
    "draft.not_saved": ("尚未儲存", "unsaved"),
    "draft.modified": ("有未儲存的修改", "unsaved changes"),
    "draft.sent": ("已寄出", "sent"),
    "draft.loading": ("載入中…", "loading…"),
    "draft.problem": ("設定有誤：{error}", "Configuration problem: {error}"),
    "draft.load_failed": ("無法開啟草稿：{error}", "Could not open the draft: {error}"),
    "draft.saved": ("已儲存第 {version} 版", "Saved version {version}"),
    "draft.stale": ("{error}。已重新載入請求，你打的字還在；再按一次儲存。",
                    "{error}. The request is reloaded and your text is kept; save again."),
    "draft.failed": ("失敗：{error}", "Failed: {error}"),
}
i18n.CATALOGUE.update(STRINGS)


class DraftHeader(Static):
    """Template, language and version of the draft on screen."""


class DraftScreen(DraftActions, DraftAutosave, DraftChecklist, Screen):
    CSS_PATH = "screen.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "bind.draft_save", id="draft.save"),
        Binding("ctrl+o,e", "open_editor", "bind.draft_editor", id="draft.editor"),
        Binding("ctrl+r,y", "copy", "bind.draft_copy", id="draft.copy"),
        Binding("ctrl+t,S", "mark_sent", "bind.draft_sent", id="draft.sent"),
        Binding("ctrl+g", "pick_snippet", "bind.draft_snippet", id="draft.snippet"),
        Binding("ctrl+n,t", "choose_template", "bind.draft_template", show=False, id="draft.template"),
        Binding("ctrl+l,l", "switch_language", "bind.draft_language", show=False, id="draft.language"),
        Binding("w", "write_file", "bind.draft_write", show=False, id="draft.write"),
        Binding("escape", "back", "bind.back", id="draft.back"),
    ]

    def __init__(self, request: Request) -> None:
        super().__init__()
        self.request = request
        # The request version this screen's writes are based on: a save made
        # after someone else changed the request is refused, not applied.
        self.version = request.version
        self.data: DraftData | None = None
        self.template: str | None = None
        self.language = "zh-TW"
        self.saved: DraftVersion | None = None  # the latest saved version
        self.rendered: str | None = None  # the text the current template gave
        self.state: dict[str, bool] = {}
        self.busy = False  # a save or mark-sent is under way
        self._last_autosaved: str | None = None  # the text in our autosave row, if we wrote one
        self._autosaving = False
        self._check_edits = 0
        self._write_lock = threading.Lock()
        self._watching_hang_up = False
        self.closed = False  # workers may finish after the steward has left
        self.editor: TextArea | None = None

    # --- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar(self._title(), id="title-bar")
        yield DraftHeader(Content(t("draft.loading")), id="draft-header")
        with Horizontal(id="draft-main"):
            yield TextArea(id="draft-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
            with Vertical(id="draft-side"):
                yield Static(id="checklist-summary")
                yield ChecklistList(id="checklist")
                yield Static(id="checklist-source")
        yield Footer()

    def on_mount(self) -> None:
        translate_bindings(self.app)  # this module loads after the app translated its classes
        self.editor = self.query_one("#draft-text", TextArea)
        self.editor.loading = True
        self._load()
        self.set_interval(AUTOSAVE_SECONDS, self.autosave_tick)
        self.watch_hang_up()

    def on_unmount(self) -> None:
        self.closed = True
        self.stop_watching_hang_up()
        self.autosave_now()

    @property
    def checklist(self) -> ChecklistList:
        return self.query_one(ChecklistList)

    # --- loading ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="draft-load")
    def _load(self) -> None:
        try:
            data = load_draft_data(self.app.store(), self.request.id, self.app.settings, self.app.directory)
        except DB_ERRORS as exc:
            self.app.call_from_thread(self._load_failed, str(exc))
            return
        self.app.call_from_thread(self._loaded, data)

    def _load_failed(self, error: str) -> None:
        self.notify(t("draft.load_failed", error=error), severity="error", timeout=10)
        if not self.closed and self.app.screen is self:
            self.dismiss()

    def _loaded(self, data: DraftData) -> None:
        if self.closed:
            return
        self.data, self.request, self.version = data, data.request, data.request.version
        self.template, self.language = data.template, data.language
        self.saved, self.rendered = data.latest, data.rendered
        self.state = dict(data.checklist_state)
        editor = self.editor
        editor.load_text(data.text)
        editor.loading = False
        self.checklist.show_items(data.items, self.state, self.language)
        self.refresh_texts()
        editor.focus()
        for problem in data.problems:
            self.notify(t("draft.problem", error=problem), severity="error", timeout=10)
        if data.autosave is not None:
            self.offer_autosave(*data.autosave)

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
        if self.data is None:
            return
        self.query_one(DraftHeader).update(self._header())
        self._refresh_summary()
        self._refresh_source()

    def _refresh_summary(self) -> None:
        self.query_one("#checklist-summary", Static).update(checklist_summary(self.data.items, self.state))

    def _refresh_source(self) -> None:
        item = self.item(self.checklist.highlighted_key)
        text = t("draft.source", source=item.source, title=one_line(item.source_title)) if item else ""
        self.query_one("#checklist-source", Static).update(Content(text))

    def retranslate(self) -> None:
        self.refresh_texts()
        if self.data is not None and not self.closed:
            self.checklist.show_items(self.data.items, self.state, self.language)

    @on(TextArea.Changed, "#draft-text")
    def _text_changed(self) -> None:
        if self.data is not None:
            self.query_one(DraftHeader).update(self._header())

    @on(OptionList.OptionHighlighted, "#checklist")
    def _item_highlighted(self) -> None:
        if self.data is not None:
            self._refresh_source()

    @on(OptionList.OptionSelected, "#checklist")
    def _item_selected(self) -> None:
        self.action_toggle_item()

    # --- text helpers ------------------------------------------------------------

    def baseline(self) -> str:
        """The text that needs no saving: the last version's, else the template's."""
        if self.saved is not None:
            return self.saved.body
        return self.rendered or ""

    def unsaved(self, text: str | None = None) -> bool:
        return clean_text(self.editor.text if text is None else text) != self.baseline()

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

    def insert_text(self, text: str) -> None:
        self.editor.insert(text)
        self.editor.focus()

    # --- saving -----------------------------------------------------------------------

    def action_save(self) -> None:
        if self.data is None or self.busy:
            return
        self.busy = True
        self._save(self.editor.text)

    @work(thread=True, group="draft-save")
    def _save(self, text: str) -> None:
        store = self.app.store()
        with self._write_lock:
            try:
                draft = store.save_draft(
                    self.request.id, text, template=self.template, language=self.language,
                    expected_version=self.version,
                )  # fmt: skip
                self.version += 1
                request = store.get(self.request.id)
            except StaleVersion as exc:
                self._stale(store, text, str(exc))
                return
            except DB_ERRORS as exc:
                self.app.call_from_thread(self.write_failed, str(exc))
                return
        self.app.call_from_thread(self._saved, draft, request)

    def _stale(self, store: Store, text: str, error: str, *, saved: DraftVersion | None = None) -> None:
        """In a worker holding the write lock: adopt the request as it is now, keep the text."""
        try:
            fresh = store.get(self.request.id)
            if saved is None:
                store.autosave_draft(fresh.id, text)
        except DB_ERRORS as exc:
            self.app.call_from_thread(self.write_failed, str(exc))
            return
        self.version = fresh.version
        self.app.call_from_thread(self._stale_shown, fresh, text, error, saved)

    def _stale_shown(self, fresh: Request, text: str, error: str, saved: DraftVersion | None) -> None:
        self.busy = False
        self.request = fresh
        if saved is not None:
            self.saved = saved
            self._last_autosaved = None
        else:
            self._last_autosaved = text
        self.refresh_texts()
        self.notify(t("draft.stale", error=error), severity="error", timeout=10)
        self.app.refresh_inbox()

    def write_failed(self, error: str, saved: DraftVersion | None = None) -> None:
        self.busy = False
        if saved is not None:  # the text was saved before the step that failed
            self.saved, self._last_autosaved = saved, None
            self.refresh_texts()
        self.notify(t("draft.failed", error=error), severity="error", timeout=10)

    def _saved(self, draft: DraftVersion, request: Request) -> None:
        self.busy = False
        self.saved, self.request = draft, request
        self._last_autosaved = None  # saving a version removed the autosave
        self.refresh_texts()
        self.notify(t("draft.saved", version=draft.version))
        self.app.refresh_inbox()

    # --- leaving ----------------------------------------------------------------------

    def action_back(self) -> None:
        # Unsaved text is autosaved as the screen closes (on_unmount).
        self.dismiss()


__all__ = ["AUTOSAVE_SECONDS", "DraftScreen"]
