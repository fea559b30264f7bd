"""Nothing a steward typed is lost: the autosave of one draft.

`Autosaver` is a small helper owned by the draft screen. Unsaved text is written
to the autosave table every `interval` seconds while it changes, at once
(`now()`) when the screen closes, and when the terminal hangs up (SIGHUP: a
dropped SSH connection, a killed tmux pane), whose default action would end the
process before anything else ran. The next time the draft opens, the text is
offered back (the screen asks; see `restore_dialog`).

The helper never touches the app from a thread: it is given the functions it
needs, and a write's result is taken in on the event loop, or not at all when
the screen has gone.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import date, datetime

from textual.widget import Widget

from steward.store import Store
from steward.tui import i18n
from steward.tui.dialogs.prompts import ConfirmDialog
from steward.tui.draft.data import DB_ERRORS
from steward.tui.i18n import t


AUTOSAVE_SECONDS = 3.0


class Autosaver:
    """Keeps the unsaved text of one request's draft in the autosave table.

    owner: the widget whose timer and workers this uses (they stop with it).
    unsaved_text: the text to keep, or None when there is nothing unsaved.
    thread_store: the calling thread's Store (called in a worker thread).
    open_store: a new connection, for the synchronous write when closing.
    """

    def __init__(
        self,
        owner: Widget,
        request_id: int,
        *,
        unsaved_text: Callable[[], str | None],
        thread_store: Callable[[], Store],
        open_store: Callable[[], Store],
        interval: float = AUTOSAVE_SECONDS,
    ) -> None:
        self.owner = owner
        self.request_id = request_id
        self.unsaved_text = unsaved_text
        self.thread_store = thread_store
        self.open_store = open_store
        self.interval = interval
        self.last_saved: str | None = None  # the text in our autosave row, if we wrote one
        self.writes = 0  # rows written, for whoever wants to know one happened
        self._writing = False
        self._watching_hang_up = False

    def start(self, on_hang_up: Callable[[], None]) -> None:
        self.owner.set_interval(self.interval, self.tick)
        self._watch_hang_up(on_hang_up)

    def stop(self) -> None:
        """The screen is closing: stop listening for hang-ups and keep what is unsaved."""
        self._stop_watching_hang_up()
        self.now()

    # --- the row -------------------------------------------------------------------------

    def kept(self, text: str | None) -> None:
        """Our row now holds `text` (a restore, or a refused save that kept it); None: no row."""
        self.last_saved = text

    def tick(self) -> None:
        """What the timer does: write the text if it changed, remove the row if all is saved."""
        if self._writing:
            return
        text = self.unsaved_text()
        if text is not None and text != self.last_saved:
            self._writing = True
            self.owner.run_worker(self._write(text), group="draft-autosave")
        elif text is None and self.last_saved is not None:
            self.clear()

    def clear(self) -> None:
        """Remove the row (the steward discarded it, or everything is saved)."""
        self._writing = True
        self.owner.run_worker(self._write(None), group="draft-autosave")

    async def _write(self, text: str | None) -> None:
        store, request_id = self.thread_store, self.request_id

        def write() -> None:
            if text is None:
                store().clear_autosave(request_id)
            else:
                store().autosave_draft(request_id, text)

        try:
            await asyncio.to_thread(write)
        except DB_ERRORS:
            return  # try again on the next tick
        else:
            self.last_saved = text
            self.writes += 1
        finally:
            self._writing = False

    def now(self) -> None:
        """Write at once, on this thread: the screen is closing or the terminal is gone."""
        text = self.unsaved_text()
        if text is None or text == self.last_saved:
            return
        try:
            store = self.open_store()
            try:
                store.autosave_draft(self.request_id, text)
            finally:
                store.close()
        except DB_ERRORS:
            return  # nobody is left to tell; the last periodic autosave is seconds old
        self.last_saved = text

    # --- hang-up -------------------------------------------------------------------------

    def _watch_hang_up(self, on_hang_up: Callable[[], None]) -> None:
        # A dropped SSH connection or a killed tmux pane sends SIGHUP, whose
        # default action ends the process at once: save the text first.
        hangup = getattr(signal, "SIGHUP", None)
        if hangup is None:
            return

        def hung_up() -> None:
            self.now()
            on_hang_up()

        try:
            asyncio.get_running_loop().add_signal_handler(hangup, hung_up)
        except (NotImplementedError, RuntimeError, ValueError):
            return
        self._watching_hang_up = True

    def _stop_watching_hang_up(self) -> None:
        if self._watching_hang_up:
            self._watching_hang_up = False
            try:
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            except (NotImplementedError, RuntimeError, ValueError):
                pass


def restore_dialog(saved_at: datetime, today: date) -> ConfirmDialog:
    """The question asked when a draft opens with autosaved text."""
    local = saved_at.astimezone(i18n.display_tz())
    when = f"{local:%H:%M}" if local.date() == today else f"{local:%Y-%m-%d %H:%M}"
    return ConfirmDialog(t("draft.restore_title"), t("draft.restore", when=when))
