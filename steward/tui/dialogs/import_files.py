"""Import a file or Maildir from inside the app (i), as `steward import` does.

The path is completed from the filesystem as it is typed; the import runs in a
worker through the same `steward.intake.pipeline.import_paths` as the CLI, so
deduplication, threading and the FILE:RECORD errors are the same.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label, ProgressBar, Select, Static

from steward.intake import FORMATS, FileError, detect_format
from steward.models import ImportReport, StewardError
from steward.util.text import one_line
from steward.tui.i18n import t


ERRORS_SHOWN = 20  # the CLI lists them all


# --- path completion ------------------------------------------------------------------


def complete_path(typed: str) -> str | None:
    """`typed` plus the rest of the first directory entry it is a prefix of, or None.

    ``~`` is expanded to look, but the suggestion keeps what was typed, so the
    input shows it as a continuation. Directories get a trailing separator, and
    hidden entries are offered only once a dot is typed.
    """
    if not typed:
        return None
    folder, prefix = os.path.split(os.path.expanduser(typed))
    try:
        with os.scandir(folder or ".") as entries:
            names = sorted((e.name, _is_dir(e)) for e in entries if e.name.startswith(prefix))
    except OSError:
        return None
    for name, is_dir in names:
        if name.startswith(".") and not prefix.startswith("."):
            continue
        rest = name[len(prefix):] + (os.sep if is_dir else "")
        if rest:
            return typed + rest
    return None


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


class PathSuggester(Suggester):
    """Suggests the rest of a path from the filesystem, as a shell's Tab would."""

    def __init__(self) -> None:
        # Uncached: files appear and vanish while the dialog is open.
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        # A slow or network mount must not freeze the screen while listing it.
        return await asyncio.to_thread(complete_path, value)


def check_path(typed: str, fmt: str | None) -> str | None:
    """Why `typed` cannot be imported as `fmt` (None: auto), or None if it looks importable."""
    if not typed.strip():
        return t("import.no_path")
    path = Path(typed.strip()).expanduser()
    try:
        if fmt is None:
            detect_format(path)  # also says "no such file" and "not a Maildir"
        elif not path.exists():
            raise FileError(path, "no such file or directory")
        elif path.is_dir() and fmt != "maildir":
            return f"{path}: {t('import.is_directory')}"
        if not os.access(path, os.R_OK):
            return f"{path}: {t('import.not_readable')}"
    except FileError as exc:
        return str(exc)
    return None


# --- the dialog ---------------------------------------------------------------------------


class ImportDialog(ModalScreen):
    """Type a path, choose a format or let steward detect it, press Enter."""

    CSS_PATH = "import_files.tcss"
    BINDINGS = [
        Binding("escape", "close", "bind.import_close", id="import.close"),
        Binding("tab", "complete", "bind.import_complete", id="import.complete"),
    ]

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.initial_path = path
        self.running = False
        self.report: ImportReport | None = None
        self.problem: tuple[str, str] | None = None  # (catalogue key, error) when it went wrong
        self.read = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide", id="import-box"):
            yield Label(id="import-title", classes="dialog-title")
            yield Static(id="import-hint", classes="dialog-hint")
            with Horizontal(id="import-row"):
                yield Input(self.initial_path, id="import-path", suggester=PathSuggester())
                yield Select(self._format_options(), value="auto", allow_blank=False, id="import-format")
            yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="import-progress")
            yield Static(id="import-status")
            # Scrolls when the errors do not fit; Tab reaches it.
            with VerticalScroll(id="import-errors"):
                yield Static(id="import-error-lines")

    def _format_options(self) -> list[tuple[str, str]]:
        labels = {"maildir": "Maildir", "csv": "CSV", "json": "JSON", "jsonl": "JSONL"}
        return [(t("import.format_auto"), "auto"), *[(labels.get(f, f), f) for f in FORMATS]]

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False
        self._fit(self.app.size.height)
        self.retranslate()
        self.query_one("#import-path", Input).focus()

    def on_resize(self, event) -> None:
        self._fit(event.size.height)

    def _fit(self, height: int) -> None:
        # Under 30 rows the error list gets fewer lines, so the dialog fits an 80x24 terminal.
        self.set_class(height < 30, "short")

    def retranslate(self) -> None:
        self.query_one("#import-title", Label).update(Content(t("import.title")))
        self.query_one("#import-hint", Static).update(Content(t("import.hint")))
        self.query_one("#import-path", Input).placeholder = t("import.placeholder")
        select = self.query_one("#import-format", Select)
        value = select.value
        select.set_options(self._format_options())
        select.value = value
        self._show_outcome()

    # --- actions ----------------------------------------------------------------

    def action_close(self) -> None:
        # A running import goes on; it says how it went in a notification.
        self.dismiss(self.report)

    def action_complete(self) -> None:
        """Tab takes the suggested completion; with none, it moves on as usual."""
        path = self.query_one("#import-path", Input)
        if path.has_focus:
            before = path.value
            path.action_end()
            path.action_cursor_right()  # accepts the suggestion when there is one
            if path.value != before:
                return
        self.focus_next()

    @on(Input.Submitted, "#import-path")
    def submitted(self, event: Input.Submitted) -> None:
        self.start(event.value)

    def start(self, typed: str) -> None:
        if self.running:
            self.notify(t("import.busy"), severity="warning")
            return
        fmt = self.query_one("#import-format", Select).value
        self.running = True
        self.report, self.problem, self.read = None, None, 0
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._show_outcome()
        self._import(typed.strip(), None if fmt == "auto" else str(fmt))

    @work(thread=True, exclusive=True, group="import")
    def _import(self, typed: str, fmt: str | None) -> None:
        from steward.intake.pipeline import import_paths

        problem = check_path(typed, fmt)
        if problem is not None:
            self.app.call_from_thread(self._refused, problem)
            return
        read, shown_at = 0, 0.0

        def progress(done: int) -> None:
            nonlocal read, shown_at
            read += done
            now = time.monotonic()
            if now - shown_at >= 0.1:  # often enough to look alive, not enough to flood the loop
                shown_at = now
                self.app.call_from_thread(self._progress, read)

        try:
            report = import_paths(
                self.app.store(), [Path(typed).expanduser()], self.app.settings, fmt=fmt, progress=progress
            )
        except StewardError as exc:  # a bad format name or csv_headers setting, before anything is read
            self.app.call_from_thread(self._refused, str(exc))
            return
        except sqlite3.Error as exc:  # the inbox file is locked or damaged; batches already in stay in
            self.app.call_from_thread(self._failed, str(exc), read)
            return
        except Exception as exc:  # noqa: BLE001 - whatever a file does, the app stays up and says so
            self.app.call_from_thread(self._failed, f"{type(exc).__name__}: {exc}", read)
            return
        self.app.call_from_thread(self._finished, report, read)

    def _progress(self, read: int) -> None:
        self.read = read
        if self.is_attached:
            self._show_outcome()

    def _refused(self, message: str) -> None:
        self._went_wrong("import.refused", message)

    def _went_wrong(self, key: str, error: str) -> None:
        self.running = False
        self.problem = (key, error)
        if self.is_attached:
            self.query_one(ProgressBar).display = False
            self._show_outcome()
        else:
            self.app.notify(t(key, error=one_line(error)), severity="error")

    def _failed(self, error: str, read: int) -> None:
        self.read = read
        self.app.refresh_inbox()
        self._went_wrong("import.stopped", error)

    def _finished(self, report: ImportReport, read: int) -> None:
        self.running = False
        self.report, self.read = report, read
        self.app.refresh_inbox()
        if not self.is_attached:
            self.app.notify(self._closing_line(report), severity="error" if report.failed else "information")
            return
        bar = self.query_one(ProgressBar)
        bar.update(total=max(read, 1), progress=max(read, 1))
        self._show_outcome()

    # --- what the dialog says ----------------------------------------------------------

    def _closing_line(self, report: ImportReport) -> str:
        return t(
            "import.done", imported=report.imported, duplicates=report.duplicates,
            threaded=report.threaded, failed=report.failed,
        )

    def _show_outcome(self) -> None:
        status = self.query_one("#import-status", Static)
        errors = self.query_one("#import-error-lines", Static)
        if self.problem is not None:
            key, error = self.problem
            status.update(Content.assemble((t(key, error=one_line(error)), "bold $error")))
            errors.update("")
        elif self.running:
            status.update(Content(t("import.running", n=self.read)))
            errors.update("")
        elif self.report is not None:
            status.update(self._report_line(self.report))
            errors.update(self._error_lines(self.report))
        else:
            status.update("")
            errors.update("")

    def _report_line(self, report: ImportReport) -> Content:
        style = "bold $error" if report.failed else "bold $success"
        parts: list = [(self._closing_line(report), style)]
        if report.warnings:
            parts.append(("  " + t("import.warnings", n=len(report.warnings)), "$text-muted"))
        return Content.assemble(*parts)

    def _error_lines(self, report: ImportReport) -> Content:
        # FILE:RECORD and the reason come from the file itself: plain text only.
        lines = [one_line(str(error)) for error in report.errors[:ERRORS_SHOWN]]
        hidden = len(report.errors) - ERRORS_SHOWN
        if hidden > 0:
            lines.append(t("import.more_errors", n=hidden))
        return Content("\n".join(lines))
