"""The full-screen app: the inbox a steward lives in."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.theme import Theme

from steward.config.settings import Settings
from steward.models import Request
from steward.store import Store
from steward.tui import i18n
from steward.tui.inbox.actions import Undo
from steward.tui.bindings import translate_bindings, translate_node
from steward.tui.commands import StewardCommands
from steward.tui.i18n import t
from steward.tui.inbox.screen import InboxScreen

# Colours chosen to stay distinct when a terminal without truecolor (TERM=xterm-256color,
# no COLORTERM: what SSH usually gives) quantizes them to its 256-colour palette.
THEMES = [
    Theme(
        name="steward",
        primary="#5fafd7", secondary="#87af87", accent="#d7af5f", warning="#d7af00",
        error="#d75f5f", success="#87af5f", foreground="#d0d0d0", background="#1c1c1c",
        surface="#262626", panel="#303030", dark=True,
    ),
    Theme(
        name="steward-light",
        primary="#005f87", secondary="#5f8700", accent="#875f00", warning="#af5f00",
        error="#af0000", success="#5f8700", foreground="#1c1c1c", background="#eeeeee",
        surface="#e4e4e4", panel="#d0d0d0", dark=False,
    ),
]
THEME_NAMES = {"steward": "steward", "steward-light": "steward-light", "mono": "ansi-dark"}
# How often the file is checked for other stewards' changes; None: only when asked
# (check_for_changes). Read when an app is made, so a test session can turn it off.
POLL_SECONDS: float | None = 1.0
_DEFAULT_POLL = object()


class StewardApp(App):
    CSS_PATH = "steward.tcss"
    TITLE = "steward"
    COMMANDS = App.COMMANDS | {StewardCommands}
    BINDINGS = [
        Binding("q", "quit", "bind.quit", id="app.quit"),
        # Replaces Textual's own ctrl+q, whose description is English only; quits even
        # where q is typed as text (the draft editor).
        Binding("ctrl+q", "quit", "bind.quit", show=False, id="app.quit_anywhere"),
        Binding("question_mark,f1", "help", "bind.help", id="app.help"),
        Binding("L", "toggle_language", "bind.language", show=False, id="app.language"),
        Binding("T", "next_theme", "bind.theme", show=False, id="app.theme"),
        Binding("i", "import", "bind.import", show=False, id="app.import"),
        Binding("W", "summary", "bind.summary", show=False, id="app.summary"),
        Binding("ctrl+p", "command_palette", "bind.palette", show=False, id="app.palette"),
    ]
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self, *, settings: Settings, database: Path, inbox_label: str | None = None, first_page=None,
        poll_seconds: float | None | object = _DEFAULT_POLL, after_first_paint: Callable[[], None] | None = None,
    ) -> None:
        """`poll_seconds`: how often to look for other stewards' changes (POLL_SECONDS by
        default); None never looks on its own: tests call `check_for_changes()` instead.
        `after_first_paint`: called once the first screen has been drawn."""
        super().__init__()
        self.after_first_paint = after_first_paint
        self.poll_seconds = POLL_SECONDS if poll_seconds is _DEFAULT_POLL else poll_seconds
        # steward.tui.prefetch.FirstPage: the default tab's rows, read before Textual loaded.
        self.first_page = first_page
        self.settings = settings
        self.database = Path(database)
        self.inbox_label = inbox_label or self.database.name
        self._local = threading.local()
        self._poll_lock = threading.Lock()
        self._poll_store: Store | None = None
        self._last_data_version: int | None = None
        self.undo_stack: list[Undo] = []
        self.known_tags: list[str] = []
        self.known_assignees: list[str] = []
        self.directory = None
        i18n.set_language(settings.language)
        i18n.set_display_tz(settings.tz)
        for theme in THEMES:
            self.register_theme(theme)
        self._start_in_theme(THEME_NAMES.get(settings.theme, "steward"))

    def _start_in_theme(self, name: str) -> None:
        """Start in the configured theme with the stylesheet parsed once, not twice.

        Setting `self.theme` runs Textual's watcher, which re-parses every stylesheet
        with the new colours: a sixth of start-up. Before the app runs nothing is parsed
        yet, so for our own themes (dark, like Textual's default: the ANSI colour filter
        stays as it is) set the value, the stylesheet's colours and the watcher's class.
        Other themes are set in get_default_screen, through the watcher.
        """
        if name not in {theme.name for theme in THEMES} or self.get_theme(name).dark != self.current_theme.dark:
            return
        self.set_reactive(StewardApp.theme, name)
        self.stylesheet.set_variables(self.get_css_variables())
        self.set_class(True, f"-theme-{name}", update=False)

    # --- the inbox, one connection per thread -----------------------------------

    def store(self) -> Store:
        """The Store of the calling worker thread (Textual reuses a small pool of threads)."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = self.open_store()
            self._local.store = store
        return store

    def open_store(self) -> Store:
        """A connection of its own, closed when the app exits."""
        store = Store.open_for(self.settings, self.database)
        return store

    def today(self) -> date:
        return datetime.now(self.settings.tz).date()

    # --- start and stop -----------------------------------------------------

    def get_default_screen(self) -> InboxScreen:
        # The inbox is the base screen, composed with the app: a screen pushed from
        # on_mount is drawn once while Textual still holds the first frame back, then
        # drawn again, and start-up is what a steward waits for every time.
        theme = THEME_NAMES.get(self.settings.theme, "steward")
        if self.theme != theme:
            self.theme = theme
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        translate_bindings(self)
        return InboxScreen()

    def on_mount(self) -> None:
        # Tags, names and the directory are for later keys, not the first rows: read them once those are drawn.
        self.call_after_refresh(self._load_reference_data, with_directory=True)
        if self.after_first_paint is not None:
            self.call_after_refresh(self.after_first_paint)
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self.check_for_changes)

    def on_unmount(self) -> None:
        # A worker thread may still be inside a query or a write. Closing its connection
        # under it crashes CPython's sqlite3 (use after free), and interrupting it could
        # roll back a change the steward just made. So let go: each connection closes
        # when the last thread using it is done, and Python waits for those at exit.
        self._local = threading.local()
        with self._poll_lock:
            self._poll_store = None

    @work(thread=True, exclusive=True, group="reference")
    def _load_reference_data(self, *, with_directory: bool = False) -> None:
        store = self.store()
        tags, assignees = store.known_tags(), store.known_assignees()
        directory = None
        # The directory is configuration, not inbox data: read once, not on every
        # change another steward makes (nor re-reporting a broken file each time).
        if with_directory:
            try:
                from steward.directory.entries import load_directory

                directory = load_directory(self.settings)
            except Exception as exc:  # noqa: BLE001 - a broken user directory must not stop triage
                self.call_from_thread(self.notify, t("notify.error", error=str(exc)), severity="error")
        self.call_from_thread(self._reference_loaded, tags, assignees, directory)

    def _reference_loaded(self, tags, assignees, directory) -> None:
        self.known_tags, self.known_assignees = tags, assignees
        if directory is not None:
            self.directory = directory

    # --- several stewards, one file --------------------------------------------

    def check_for_changes(self):
        """One look at the file: if it changed since the last look, every screen reloads. Its Worker."""
        return self._poll()

    @work(thread=True, exclusive=True, group="poll")
    def _poll(self) -> None:
        with self._poll_lock:
            if self._poll_store is None:
                self._poll_store = self.open_store()
            version = self._poll_store.data_version()
        # The first poll only sets the baseline, so reload once then too: a change made
        # between our first queries and this baseline would otherwise go unseen.
        if version != self._last_data_version:
            self.call_from_thread(self.refresh_inbox)
        self._last_data_version = version

    def refresh_inbox(self) -> None:
        """Reload what every open screen shows from the file."""
        for screen in self.screen_stack:
            refresh = getattr(screen, "refresh_from_store", None)
            # A screen pushed but not mounted yet reads the file when it mounts.
            if refresh is not None and screen.is_mounted:
                refresh()
        self._load_reference_data()

    def notify(self, message: str, *, title: str = "", severity="information", timeout=None, markup: bool = True) -> None:
        # Messages carry request text, tags, names and file contents: never markup,
        # whatever the caller asked for (Widget.notify passes markup=True).
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def push_screen(self, screen, *args, **kwargs):
        # Screens are imported lazily, after start-up translated the bindings: their
        # classes (and this instance) get the current language's descriptions now.
        if not isinstance(screen, str):
            translate_bindings(self)
            translate_node(screen)
        return super().push_screen(screen, *args, **kwargs)

    # --- actions ------------------------------------------------------------------

    def action_help(self) -> None:
        from steward.tui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_language(self) -> None:
        i18n.set_language("en" if i18n.language() == "zh-TW" else "zh-TW")
        translate_bindings(self)
        for screen in self.screen_stack:
            retranslate = getattr(screen, "retranslate", None)
            if retranslate is not None:
                retranslate()
        self.notify(t("notify.language"))

    def action_next_theme(self) -> None:
        names = ["steward", "steward-light", "ansi-dark"]
        self.theme = names[(names.index(self.theme) + 1) % len(names)] if self.theme in names else names[0]

    # Rarely opened screens are imported when first opened: start-up stays short.

    def open_draft(self, request: Request) -> None:
        from steward.tui.draft.screen import DraftScreen

        self.push_screen(DraftScreen(request))

    def action_import(self) -> None:
        from steward.tui.dialogs.import_files import ImportDialog

        if not isinstance(self.screen, ImportDialog):
            self.push_screen(ImportDialog())

    def action_summary(self) -> None:
        from steward.tui.summary.screen import SummaryScreen

        if not isinstance(self.screen, SummaryScreen):
            self.push_screen(SummaryScreen())
