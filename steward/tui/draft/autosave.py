"""Nothing a steward typed is lost: autosave for the draft screen.

Unsaved text is written to the autosave table every few seconds while it
changes, at once when the screen closes, and when the terminal hangs up
(SIGHUP: a dropped SSH connection, a killed tmux pane), whose default action
would end the process before anything else ran. The next time the draft opens,
the text is offered back.

A mixin for DraftScreen, which holds the state (editor, data, request).
"""

from __future__ import annotations

import asyncio
import signal

from textual import work

from steward.store import Store
from steward.tui import i18n
from steward.tui.dialogs.prompts import ConfirmDialog
from steward.tui.draft.data import DB_ERRORS
from steward.tui.i18n import t

STRINGS = {
    "draft.restore_title": ("還原未儲存的文字？", "Restore unsaved text?"),
    "draft.restore": ("{when} 自動保存了一份還沒儲存的草稿。確定：還原；取消：捨棄；Esc：下次再決定。",
                      "Text you had not saved was autosaved at {when}. OK restores it, Cancel discards it, Esc decides later."),
    "draft.restored": ("已還原未儲存的文字", "Unsaved text restored"),
}
i18n.CATALOGUE.update(STRINGS)

AUTOSAVE_SECONDS = 3.0


class DraftAutosave:
    """Autosave, restore and hang-up handling of the draft screen."""

    def offer_autosave(self, body: str, saved_at) -> None:
        local = saved_at.astimezone(i18n.display_tz())
        when = f"{local:%H:%M}" if local.date() == self.app.today() else f"{local:%Y-%m-%d %H:%M}"

        def answered(restore: bool | None) -> None:
            if restore:
                self.replace_text(body)
                self._last_autosaved = body
                self.notify(t("draft.restored"))
            elif restore is False:
                self._clear_autosave()

        self.app.push_screen(ConfirmDialog(t("draft.restore_title"), t("draft.restore", when=when)), answered)

    # --- autosave ------------------------------------------------------------------------

    def autosave_tick(self) -> None:
        if self.data is None or self._autosaving:
            return
        text = self.editor.text
        if self.unsaved(text) and text != self._last_autosaved:
            self._autosaving = True
            self._autosave(text)
        elif not self.unsaved(text) and self._last_autosaved is not None:
            self._clear_autosave()

    @work(thread=True, group="draft-autosave")
    def _autosave(self, text: str) -> None:
        try:
            self.app.store().autosave_draft(self.request.id, text)
        except DB_ERRORS:
            text = self._last_autosaved  # try again on the next tick
        self.app.call_from_thread(self._autosaved, text)

    def _autosaved(self, text: str | None) -> None:
        self._autosaving = False
        self._last_autosaved = text

    @work(thread=True, group="draft-autosave")
    def _clear_autosave(self) -> None:
        try:
            self.app.store().clear_autosave(self.request.id)
        except DB_ERRORS:
            return
        self.app.call_from_thread(self._autosaved, None)

    def autosave_now(self) -> None:
        """Autosave at once, on this thread: the screen is closing or the terminal is gone."""
        if self.data is None or self.editor is None:
            return
        text = self.editor.text
        if not self.unsaved(text) or text == self._last_autosaved:
            return
        settings = self.app.settings
        try:
            store = Store.open_for(settings, self.app.database)
            try:
                store.autosave_draft(self.request.id, text)
            finally:
                store.close()
        except DB_ERRORS:
            return  # nobody is left to tell; the last periodic autosave is seconds old
        self._last_autosaved = text

    def watch_hang_up(self) -> None:
        # A dropped SSH connection or a killed tmux pane sends SIGHUP, whose
        # default action ends the process at once: save the text first.
        hangup = getattr(signal, "SIGHUP", None)
        if hangup is None:
            return
        try:
            asyncio.get_running_loop().add_signal_handler(hangup, self._hung_up)
        except (NotImplementedError, RuntimeError, ValueError):
            return
        self._watching_hang_up = True

    def stop_watching_hang_up(self) -> None:
        if self._watching_hang_up:
            self._watching_hang_up = False
            try:
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    def _hung_up(self) -> None:
        self.autosave_now()
        self.app.exit()
