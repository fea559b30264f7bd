"""Every setting, declared once: its key, type, default, meaning and environment
variable. Validation, `steward config show`, `steward config set`, the starter
file and the error messages all read this table.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LANGUAGES = ("zh-TW", "en")
THEMES = ("steward", "steward-light", "mono")


def _time_zone(value: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return "expected an IANA time zone such as Asia/Taipei"
    return None


def _score(value: int) -> str | None:
    return None if 0 <= value <= 100 else "expected a number from 0 to 100"


def _days(value: int) -> str | None:
    return None if 1 <= value <= 3650 else "expected a number of days from 1 to 3650"


def _one_line(value: str) -> str | None:
    return "expected one line of text" if "\n" in value or "\r" in value else None


@dataclass(frozen=True)
class Setting:
    key: str  # "section.name", as written in config.toml
    type: type
    default: Any
    doc: str
    env: str | None = None
    choices: tuple = ()
    check: Callable[[Any], str | None] | None = None

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]

    def problem(self, value: Any) -> str | None:
        """Why `value` is not acceptable, or None."""
        # bool is an int subclass in Python; TOML keeps them apart, so do we.
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            return f"expected {TYPE_NAMES.get(self.type, self.type.__name__)}, got {value!r}"
        if self.type is list and not all(isinstance(item, str) for item in value):
            return "expected a list of strings"
        if self.choices and value not in self.choices:
            return f"expected one of {', '.join(map(str, self.choices))}"
        return self.check(value) if self.check else None


TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false", list: "a list", dict: "a table"}

SETTINGS: tuple[Setting, ...] = (
    Setting("steward.name", str, None, "Your name: signs your replies and marks your changes.",
            env="STEWARD_NAME", check=_one_line),
    Setting("steward.language", str, None, "Language of the app and of replies to mixed requests (default: from $LANG).",
            choices=LANGUAGES),
    Setting("steward.timezone", str, "Asia/Taipei", "Time zone for dates, weeks and follow-ups.", check=_time_zone),
    Setting("inbox.database", str, None, "The inbox file (default: steward.db in the user data directory).",
            env="STEWARD_DB"),
    Setting("inbox.shared", bool, False, "Several stewards use this file at once (e.g. on a shared server)."),
    Setting("matching.min_score", int, 60, "Lowest score (0-100) at which a route is suggested.", check=_score),
    Setting("directory.sources", list, [], "Extra directory files (TOML) to read after the shipped one."),
    Setting("summary.attention_days", int, 7, "Days without activity after which an open request needs attention.",
            check=_days),
    Setting("publish.hackmd_api", str, "https://api.hackmd.io/v1", "HackMD API address."),
    Setting("publish.hackmd_team", str, "", "HackMD team path to publish notes under (empty: your own notes)."),
    Setting("publish.hackmd_token_env", str, "HACKMD_TOKEN", "Environment variable holding the HackMD token."),
    Setting("publish.slack_webhook_env", str, "STEWARD_SLACK_WEBHOOK",
            "Environment variable holding the Slack webhook address."),
    Setting("ui.theme", str, "steward", "Colour theme (NO_COLOR forces mono).", choices=THEMES),
)
BY_KEY = {setting.key: setting for setting in SETTINGS}
SECTIONS = tuple(dict.fromkeys(setting.section for setting in SETTINGS))

# Tables whose keys are the user's own: every value is a string.
TABLES_OF_STRINGS = {
    "keymap": "Key bindings by id, e.g. \"inbox.filter\" = \"slash,f3\" (ids are listed in the help screen).",
    "csv_headers": "Extra CSV column names for import, e.g. \"電子郵件\" = \"from_email\".",
}
# Arrays of tables: field -> type, and which fields each row must have.
ARRAYS: dict[str, dict[str, type]] = {
    "filters": {"name": str, "query": str},
    "feeds": {"name": str, "url": str, "token_env": str, "cursor_param": str, "items_path": str,
              "cursor_path": str, "mapping": dict},
}  # fmt: skip
REQUIRED_IN_ARRAY = {"filters": ("name", "query"), "feeds": ("name", "url")}

# Every key binding id a [keymap] may remap. The TUI declares its bindings with
# these ids; a test keeps the two in step, so `config check` can tell a typo from
# a real id without starting Textual.
KEYMAP_IDS = frozenset({
    "app.help",
    "app.import",
    "app.language",
    "app.palette",
    "app.quit",
    "app.quit_anywhere",
    "app.summary",
    "app.theme",
    "dialog.cancel",
    "draft.back",
    "draft.copy",
    "draft.editor",
    "draft.insert",
    "draft.language",
    "draft.save",
    "draft.sent",
    "draft.snippet",
    "draft.template",
    "draft.toggle",
    "draft.write",
    "help.close",
    "help.down",
    "help.up",
    "import.close",
    "import.complete",
    "inbox.down",
    "inbox.filter",
    "inbox.first",
    "inbox.focus_view",
    "inbox.last",
    "inbox.mark",
    "inbox.mark_none",
    "inbox.next_tab",
    "inbox.open",
    "inbox.page_down",
    "inbox.page_up",
    "inbox.prev_tab",
    "inbox.refresh",
    "inbox.tab_1",
    "inbox.tab_2",
    "inbox.tab_3",
    "inbox.tab_4",
    "inbox.tab_5",
    "inbox.tab_6",
    "inbox.tab_7",
    "inbox.tab_8",
    "inbox.tab_9",
    "inbox.up",
    "note.cancel",
    "note.save",
    "org.alias",
    "org.back",
    "org.down",
    "org.reload",
    "org.rename",
    "org.undo",
    "org.up",
    "request.assign",
    "request.assign_me",
    "request.back",
    "request.category",
    "request.draft",
    "request.follow_up",
    "request.note",
    "request.organization",
    "request.route",
    "request.spam",
    "request.status",
    "request.tag",
    "request.undo",
    "summary.close",
    "summary.copy",
    "summary.down",
    "summary.language",
    "summary.latest_week",
    "summary.next_week",
    "summary.prev_week",
    "summary.public",
    "summary.save",
    "summary.toggle",
    "summary.up",
    "view.back",
    "view.down",
    "view.page_down",
    "view.page_up",
    "view.up",
})
