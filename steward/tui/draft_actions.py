"""What a steward does with a draft besides typing: switch its template or
language, hand it to $EDITOR, copy it, write it to a file, mark it sent and set
a follow-up.

A mixin for DraftScreen, which holds the state (editor, data, version, lock).
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from textual import work
from textual.app import SuspendNotSupported

from steward.dates import parse_date
from steward.drafting import render_draft
from steward.models import DraftVersion, Request, StaleVersion, StewardError
from steward.text import clean_text, one_line
from steward.tui import i18n
from steward.tui.clipboard import EditorError, WriteError, edit_text, editor_command, write_text_atomic
from steward.tui.dialogs import ChoiceDialog, ConfirmDialog, PromptDialog
from steward.tui.draft_data import DB_ERRORS
from steward.tui.i18n import t

STRINGS = {
    "bind.draft_save": ("儲存", "Save"),
    "bind.draft_editor": ("編輯器", "Editor"),
    "bind.draft_copy": ("複製", "Copy"),
    "bind.draft_sent": ("標記已寄出", "Mark sent"),
    "bind.draft_snippet": ("指引", "Guidance"),
    "bind.draft_template": ("換範本", "Template"),
    "bind.draft_language": ("切換回信語言", "Reply language"),
    "bind.draft_write": ("寫入檔案", "Write to file"),
    "draft.copied": ("已用 OSC 52 複製 {n} 個字元（tmux 需要 set-clipboard on）",
                     "Copied {n} characters with OSC 52 (tmux needs set-clipboard on)"),
    "draft.write_title": ("將草稿寫入檔案", "Write the draft to a file"),
    "draft.write_hint": ("相對路徑從 {cwd} 算起", "A relative path starts in {cwd}"),
    "draft.overwrite_title": ("覆寫檔案？", "Replace the file?"),
    "draft.overwrite": ("{path} 已經存在，要覆寫嗎？", "{path} already exists. Replace it?"),
    "draft.written": ("已寫入 {path}", "Written to {path}"),
    "draft.template_title": ("選擇範本", "Choose a template"),
    "draft.no_templates": ("沒有可用的範本", "No templates are available"),
    "draft.discard_title": ("取代編輯中的文字？", "Replace the text you edited?"),
    "draft.discard": ("換成「{template}」（{language}）會取代編輯器裡還沒儲存的文字；之後按 Ctrl+Z 可以復原。",
                      "Switching to “{template}” ({language}) replaces the unsaved text in the editor; Ctrl+Z brings it back."),
    "draft.sent_confirm_title": ("還有必要項目沒勾選", "Required items are unchecked"),
    "draft.sent_confirm": ("{n} 項必要的檢核項目還沒勾選：\n{items}\n仍要標記為已寄出嗎？",
                           "{n} required checklist items are unchecked:\n{items}\nMark the reply sent anyway?"),
    "draft.sent_done": ("第 {version} 版已標記為寄出，狀態改為已回覆", "Version {version} marked sent; the status is replied"),
    "draft.follow_up_title": ("之後追蹤的日期（空白則不設定）", "Follow up on (empty skips)"),
    "draft.follow_up_hint": ("例如 +7d、2026-12-01、tomorrow、next mon", "For example +7d, 2026-12-01, tomorrow, next mon"),
    "draft.follow_up_set": ("追蹤日：{date}", "Follow up on {date}"),
    "draft.editor_unsupported": ("這個終端機無法暫停程式來開啟外部編輯器", "This terminal can't hand over to an external editor"),
    "draft.editor_interrupted": ("編輯器被中斷，草稿沒有變更", "The editor was interrupted; the draft is unchanged"),
    "draft.editor_unchanged": ("草稿沒有變更", "The draft is unchanged"),
    "draft.editor_done": ("已讀回編輯器的內容", "Text read back from the editor"),
}
i18n.CATALOGUE.update(STRINGS)

DEFAULT_FOLLOW_UP = "+7d"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class DraftActions:
    """Actions of the draft screen that act on the draft as a whole."""

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
            self.checklist.show_items(self.data.items, self.state, self.language)
            self.refresh_texts()

        text = clean_text(self.editor.text)
        if not text.strip() or text in (self.rendered, self.saved.body if self.saved else None):
            apply()
            return
        message = t(
            "draft.discard", template=templates[rendered.template].name(i18n.language()),
            language=t(f"draft.lang.{rendered.language}"),
        )  # fmt: skip
        self.app.push_screen(
            ConfirmDialog(t("draft.discard_title"), message), lambda ok: apply() if ok else None
        )

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
        """(edited text, None) or (None, what went wrong)."""
        edited = error = None
        try:
            with self.app.suspend():
                # Nothing may escape this block: Textual takes the terminal
                # back only when the block ends normally.
                try:
                    edited = edit_text(text, command)
                except EditorError as exc:
                    error = str(exc)
                except KeyboardInterrupt:  # Ctrl+C in an editor that lets the terminal send SIGINT
                    error = t("draft.editor_interrupted")
        except SuspendNotSupported:
            error = t("draft.editor_unsupported")
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

    @work(thread=True, group="draft-file")
    def _write_file(self, path: Path, text: str) -> None:
        try:
            written = write_text_atomic(path, text if text.endswith("\n") else text + "\n")
        except WriteError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=10)
            return
        self.app.call_from_thread(self.notify, t("draft.written", path=one_line(str(written))))

    # --- marking sent ------------------------------------------------------------------

    def action_mark_sent(self) -> None:
        if self.data is None or self.busy:
            return
        unchecked = [item for item in self.data.items if item.required and not self.state.get(item.key, False)]
        if not unchecked:
            self._send()
            return
        lines = [f"• {_shorten(item.text(i18n.language()))}" for item in unchecked[:4]]
        if len(unchecked) > 4:
            lines.append("…")
        message = t("draft.sent_confirm", n=len(unchecked), items="\n".join(lines))
        self.app.push_screen(
            ConfirmDialog(t("draft.sent_confirm_title"), message), lambda ok: self._send() if ok else None
        )

    def _send(self) -> None:
        if self.busy:
            return
        self.busy = True
        text = self.editor.text
        needs_saving = self.saved is None or self.unsaved(text)
        self._mark_sent(text, None if needs_saving else self.saved.version)

    @work(thread=True, group="draft-save")
    def _mark_sent(self, text: str, version: int | None) -> None:
        """Mark `version` sent; None: the text on screen is what goes out, so save it first."""
        store = self.app.store()
        draft: DraftVersion | None = None
        with self._write_lock:
            try:
                if version is None:
                    draft = store.save_draft(
                        self.request.id, text, template=self.template, language=self.language,
                        expected_version=self.version,
                    )  # fmt: skip
                    self.version += 1
                    version = draft.version
                request = store.mark_sent(self.request.id, version, expected_version=self.version)
                self.version += 1
                sent = next(d for d in store.drafts(request.id) if d.version == version)
            except StaleVersion as exc:
                self._stale(store, text, str(exc), saved=draft)
                return
            except DB_ERRORS as exc:
                self.app.call_from_thread(self.write_failed, str(exc), draft)
                return
        self.app.call_from_thread(self._sent, request, sent)

    def _sent(self, request: Request, sent: DraftVersion) -> None:
        self.busy = False
        self.request = request
        if self.saved is None or sent.version >= self.saved.version:
            self.saved = sent
        self._last_autosaved = None
        self.refresh_texts()
        self.notify(t("draft.sent_done", version=sent.version))
        self.app.refresh_inbox()
        if not self.closed:  # a steward who has left can set it from the inbox (f)
            self.ask_follow_up()

    def ask_follow_up(self, value: str = DEFAULT_FOLLOW_UP, error: str = "") -> None:
        self.app.push_screen(
            PromptDialog(t("draft.follow_up_title"), value=value, hint=error or t("draft.follow_up_hint")),
            self._follow_up_typed,
        )

    def _follow_up_typed(self, value: str | None) -> None:
        if value is None or not value.strip():
            return
        try:
            on = parse_date(value, self.app.today())
        except StewardError as exc:
            self.ask_follow_up(value, str(exc))
            return
        self._set_follow_up(on)

    @work(thread=True, group="draft-save")
    def _set_follow_up(self, on: date) -> None:
        store = self.app.store()
        with self._write_lock:
            try:
                request = store.set_follow_up(self.request.id, on, expected_version=self.version)
            except DB_ERRORS as exc:
                self.app.call_from_thread(self.notify, t("draft.failed", error=str(exc)), severity="error")
                return
            self.version += 1
        self.app.call_from_thread(self._follow_up_set, request)

    def _follow_up_set(self, request: Request) -> None:
        self.request = request
        self.notify(t("draft.follow_up_set", date=request.follow_up_on.isoformat() if request.follow_up_on else "–"))
        self.app.refresh_inbox()


def _shorten(text: str, width: int = 70) -> str:
    text = one_line(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
