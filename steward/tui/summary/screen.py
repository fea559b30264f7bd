"""The weekly summary (W): pick a week, preview the Markdown, save it or copy it.

The Markdown is made by the same two core functions as ``steward export``
(``build_summary`` then ``render_markdown``), so what a steward previews here is
byte for byte what the CLI writes. Request text in it is already escaped by the
renderer; the preview still opens no links, whatever the document holds.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static
from textual.widgets.markdown import MarkdownBlock
from textual.worker import get_current_worker

from steward.models import StewardError
from steward.summary.data import Period, Summary
from steward.tui import i18n
from steward.tui.dialogs.prompts import ConfirmDialog, PromptDialog
from steward.tui.i18n import t
from steward.tui.inbox.screen import TitleBar


SUMMARY_LANGUAGES = ("zh-TW", "en")


def _parser():
    # No linkify: a bare address in a heading we write must not become a link either.
    from markdown_it import MarkdownIt

    return MarkdownIt("gfm-like", {"linkify": False})


def table_cells(source: str) -> tuple[list[tuple[str, str]], list[list[str]]]:
    """A Markdown table's header ((text, "left"|"right") each) and rows, as plain text."""
    tokens = _parser().parse(source)
    header: list[tuple[str, str]] = []
    rows: list[list[str]] = []
    in_head = False
    align = "left"
    for token in tokens:
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open" and not in_head:
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            align = "right" if "right" in str(token.attrGet("style") or "") else "left"
        elif token.type == "inline":
            text = "".join(
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in token.children or []
            )
            if in_head:
                header.append((text, align))
            elif rows:
                rows[-1].append(text)
    return header, rows


class SummaryTable(MarkdownBlock):
    """A table drawn as one widget.

    Textual's own Markdown table is a grid of one widget per cell; a busy week's
    list of requests then takes seconds to lay out on every toggle.
    """

    def compose(self) -> ComposeResult:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        header, rows = table_cells(self.source or "")
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold", expand=False)
        for title, align in header:
            table.add_column(Text(title), justify=align, overflow="fold")
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        yield Static(table, classes="summary-table")


class SummaryPreview(Markdown):
    """The rendered summary; links in it are inert."""

    BLOCKS = {**Markdown.BLOCKS, "table_open": SummaryTable}

    @on(Markdown.LinkClicked)
    def _ignore_link(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        event.prevent_default()


class SummaryScreen(Screen):
    """Pick an ISO week and see, save or copy its summary."""

    CSS_PATH = "screen.tcss"
    BINDINGS = [
        Binding("escape,q", "close", "bind.summary_close", id="summary.close"),
        # W opened it; pressed here it goes back rather than stacking a second summary.
        Binding("W", "close", "bind.summary_close", show=False, id="summary.toggle"),
        # Priority, so the arrows change the week even while the preview has focus.
        Binding("left_square_bracket,left", "shift_week(-1)", "bind.summary_prev", key_display="[",
                priority=True, id="summary.prev_week"),
        Binding("right_square_bracket,right", "shift_week(1)", "bind.summary_next", key_display="]",
                priority=True, id="summary.next_week"),
        Binding("t", "latest_week", "bind.summary_latest", show=False, id="summary.latest_week"),
        Binding("p", "toggle_public", "bind.summary_public", id="summary.public"),
        Binding("l", "toggle_language", "bind.summary_language", show=False, id="summary.language"),
        Binding("s", "save", "bind.summary_save", id="summary.save"),
        Binding("y", "copy", "bind.summary_copy", id="summary.copy"),
        Binding("j", "scroll(1)", "bind.scroll_down", show=False, id="summary.down"),
        Binding("k", "scroll(-1)", "bind.scroll_up", show=False, id="summary.up"),
    ]

    def __init__(
        self,
        week: str | None = None,
        *,
        now: datetime | None = None,
        public: bool = False,
        language: str | None = None,
    ) -> None:
        """`week` ("2026-W47") defaults to the last complete week; `now` freezes the clock."""
        super().__init__()
        self.fixed_now = now
        self.period: Period | None = Period.iso_week(week) if week else None
        self.public = public
        # Chosen now, not on mount: a reload may arrive before the screen is mounted.
        self.language = language if language in SUMMARY_LANGUAGES else i18n.language()
        self.summary: Summary | None = None
        self.markdown: str | None = None  # what the preview shows, once built
        self.error: str | None = None
        self._building = False  # a build of (period, public) is under way
        self._stale = False  # the inbox changed during that build: build once more after it

    # --- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar(id="title-bar")
        yield Static(id="summary-status")
        with VerticalScroll(id="summary-scroll"):
            yield SummaryPreview(id="summary-preview", parser_factory=_parser, open_links=False)
        yield Footer()

    def on_mount(self) -> None:
        settings = self.app.settings
        if self.period is None:
            self.period = Period.last_complete_week(self.now(), settings.tz)
        self.query_one("#summary-scroll").focus()
        self._rebuild()

    def now(self) -> datetime:
        return self.fixed_now or datetime.now(timezone.utc)

    def _this_week(self) -> Period:
        return Period.week_of(self.now().astimezone(self.app.settings.tz).date())

    def _show_header(self) -> None:
        period = self.period
        label = t("summary.period", week=period.label, start=period.start.isoformat(), end=period.end.isoformat())
        if period == self._this_week():
            label += " · " + t("summary.this_week")
        self.query_one(TitleBar).update(Content.assemble((t("summary.title"), "bold"), "  ", label))
        mode = ("summary.public", "$success") if self.public else ("summary.private", "$warning")
        language = t("summary.language", language=t(f"summary.language.{self.language}"))
        # The keys that change what the line says, since the footer has no room for them all.
        parts: list = [
            (t(mode[0]), f"bold {mode[1]}"), (" (p)", "$text-muted"),
            ("  ·  " + language + " (l)", "$text-muted"),
        ]
        if self.error is not None:
            parts = [(self.error, "bold $error")]
        elif self.markdown is None:
            parts.append(("  ·  " + t("summary.loading"), "$text-muted"))
        self.query_one("#summary-status", Static).update(Content.assemble(*parts))

    # --- building -------------------------------------------------------------------

    def _rebuild(self) -> None:
        self.markdown = None
        self.error = None
        self._show_header()
        self._start_build()

    def _start_build(self) -> None:
        # A new week or mode cancels the build under way (exclusive): its result is not wanted.
        self._building, self._stale = True, False
        self._build(self.period, self.public, self.now())

    @work(thread=True, exclusive=True, group="summary")
    def _build(self, period: Period, public: bool, now: datetime) -> None:
        from steward.summary.data import build_summary

        try:
            summary = build_summary(
                self.app.store(), self.app.settings, period=period, public=public, now=now,
                directory=self.app.directory,
            )
        except (StewardError, sqlite3.Error) as exc:  # a locked or damaged file is a message, not a crash
            outcome: Summary | str = str(exc)
        else:
            outcome = summary
        if not get_current_worker().is_cancelled:
            # Awaited, so the worker ends only once the preview shows the result.
            self.app.call_from_thread(self._built, period, public, outcome)

    async def _built(self, period: Period, public: bool, outcome: Summary | str) -> None:
        if (period, public) != (self.period, self.public) or not self.is_attached:
            return  # the steward has moved on; a newer build is under way
        self._building = False
        if self._stale:
            # Show this one, and build again for what changed while it was made.
            self._start_build()
        if isinstance(outcome, str):
            self.summary, self.markdown, self.error = None, None, t("summary.failed", error=outcome)
            self._show_header()
            return
        self.summary = outcome
        await self._show_markdown()

    async def _show_markdown(self) -> None:
        from steward.summary.markdown import render_markdown

        self.markdown = render_markdown(self.summary, lang=self.language)
        self._show_header()
        await self.query_one(SummaryPreview).update(self.markdown)

    def refresh_from_store(self) -> None:
        """The inbox changed: the figures may have too."""
        if not self.is_mounted or self.period is None:
            return  # on_mount builds from the file as it is then
        if self._building:
            # Restarting the build under way on every change would leave a busy inbox
            # with no preview at all: let it finish, then build once more.
            self._stale = True
            return
        self._start_build()

    # --- actions ---------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss()

    def action_shift_week(self, weeks: int) -> None:
        target = self.period.shifted(weeks)
        if target.start > self._this_week().start:
            self.notify(t("summary.no_later_week"))
            return
        self.period = target
        self.query_one("#summary-scroll").scroll_home(animate=False)
        self._rebuild()

    def action_latest_week(self) -> None:
        """The last complete week; pressed again, the week in progress."""
        last = Period.last_complete_week(self.now(), self.app.settings.tz)
        self.period = self._this_week() if self.period == last else last
        self._rebuild()

    def action_toggle_public(self) -> None:
        self.public = not self.public
        self._rebuild()

    async def action_toggle_language(self) -> None:
        self.language = "en" if self.language == "zh-TW" else "zh-TW"
        if self.summary is not None and self.error is None:
            await self._show_markdown()
        else:
            self._show_header()

    def action_scroll(self, lines: int) -> None:
        scroll = self.query_one("#summary-scroll", VerticalScroll)
        scroll.scroll_relative(y=lines, animate=False)

    def action_copy(self) -> None:
        if self.markdown is None:
            self.notify(t("summary.not_ready"), severity="warning")
            return
        self.app.copy_to_clipboard(self.markdown)
        self.notify(t("summary.copied", n=len(self.markdown.splitlines())))

    def default_file_name(self) -> str:
        return f"steward-{self.period.label}{'-public' if self.public else ''}.md"

    def action_save(self) -> None:
        if self.markdown is None:
            self.notify(t("summary.not_ready"), severity="warning")
            return
        self._ask_path(self.default_file_name(), self.markdown)

    def _ask_path(self, value: str, text: str, error: str = "") -> None:
        def chosen(path: str | None) -> None:
            if path and path.strip():
                self._save(path.strip(), text, False)

        hint = error or t("summary.save_hint", cwd=str(Path.cwd()))
        self.app.push_screen(PromptDialog(t("summary.save_title"), value=value, hint=hint), chosen)

    @work(thread=True, group="summary-save")
    def _save(self, typed: str, text: str, overwrite: bool) -> None:
        from steward.util.files import write_atomic
        from steward.summary.markdown import is_public

        path = Path(typed).expanduser()
        try:
            if path.is_dir():
                raise IsADirectoryError(t("summary.is_directory"))
            if path.exists() and not overwrite:
                self.app.call_from_thread(self._confirm_overwrite, typed, text)
                return
            # As `steward export --out`: a private summary (names, contacts) is yours alone.
            write_atomic(path, text, mode=0o644 if is_public(text) else 0o600)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.app.call_from_thread(self._save_failed, typed, text, reason)
            return
        self.app.call_from_thread(self.notify, t("summary.saved", path=str(path.resolve())))

    def _confirm_overwrite(self, typed: str, text: str) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._save(typed, text, True)
            else:
                self._ask_path(typed, text)

        self.app.push_screen(ConfirmDialog(t("summary.overwrite_title"), t("summary.overwrite", path=typed)), answered)

    def _save_failed(self, typed: str, text: str, reason: str) -> None:
        message = t("summary.save_failed", path=typed, error=reason)
        self.notify(message, severity="error")
        # Offer the path back, so a typo is fixed rather than retyped.
        self._ask_path(typed, text, error=message)

    def retranslate(self) -> None:
        self._show_header()
