"""Settings: TOML read with tomllib into typed objects, unknown keys refused.

Search order for the config file: ``--config PATH``, ``$STEWARD_CONFIG``, then
``config.toml`` in the platformdirs user config directory. A missing file in the
user directory is fine (defaults apply); a file named explicitly must exist.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from steward.models import ConfigError

APP_NAME = "steward"
LANGUAGES = ("zh-TW", "en")


def user_config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def user_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def defaults_dir():
    """The shipped defaults (the repository's config/ folder, installed as steward.defaults)."""
    from importlib import resources  # costs ~15 ms: only when defaults are read

    return resources.files("steward.defaults")


@dataclass
class MatchingSettings:
    min_score: int = 60


@dataclass
class SummarySettings:
    attention_days: int = 7


@dataclass
class PublishSettings:
    hackmd_api: str = "https://api.hackmd.io/v1"
    hackmd_team: str = ""
    hackmd_token_env: str = "HACKMD_TOKEN"
    slack_webhook_env: str = "STEWARD_SLACK_WEBHOOK"


@dataclass
class FeedSettings:
    name: str
    url: str
    token_env: str = ""
    cursor_param: str = "since"
    items_path: str = "items"
    cursor_path: str = "next_cursor"
    mapping: dict[str, str] = field(default_factory=dict)


@dataclass
class SavedFilter:
    name: str
    query: str


@dataclass
class Settings:
    steward_name: str
    language: str
    timezone: str
    database: Path
    shared: bool = False
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    summary: SummarySettings = field(default_factory=SummarySettings)
    publish: PublishSettings = field(default_factory=PublishSettings)
    directory_sources: list[str] = field(default_factory=list)
    feeds: list[FeedSettings] = field(default_factory=list)
    filters: list[SavedFilter] = field(default_factory=list)
    keymap: dict[str, str] = field(default_factory=dict)
    csv_headers: dict[str, str] = field(default_factory=dict)
    theme: str = "steward"
    config_file: Path | None = None
    config_dir: Path = field(default_factory=user_config_dir)
    # Where each effective value came from: "default", "config", "environment", "option".
    origins: dict[str, str] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def as_dict(self) -> dict[str, Any]:
        return {
            "steward.name": self.steward_name,
            "steward.language": self.language,
            "steward.timezone": self.timezone,
            "inbox.database": str(self.database),
            "inbox.shared": self.shared,
            "matching.min_score": self.matching.min_score,
            "directory.sources": list(self.directory_sources),
            "summary.attention_days": self.summary.attention_days,
            "publish.hackmd_api": self.publish.hackmd_api,
            "publish.hackmd_team": self.publish.hackmd_team,
            "publish.hackmd_token_env": self.publish.hackmd_token_env,
            "publish.slack_webhook_env": self.publish.slack_webhook_env,
            "ui.theme": self.theme,
            "filters": [{"name": f.name, "query": f.query} for f in self.filters],
            "keymap": dict(self.keymap),
            "feeds": [f.__dict__ for f in self.feeds],
            "csv_headers": dict(self.csv_headers),
        }


# --- the schema: section -> key -> expected type ---------------------------------

_SCHEMA: dict[str, dict[str, type | tuple]] = {
    "steward": {"name": str, "language": str, "timezone": str},
    "inbox": {"database": str, "shared": bool},
    "matching": {"min_score": int},
    "directory": {"sources": list},
    "summary": {"attention_days": int},
    "publish": {f.name: str for f in fields(PublishSettings)},
    "ui": {"theme": str},
}
_TABLES_OF_STRINGS = ("keymap", "csv_headers")
_ARRAYS = {
    "filters": {"name": str, "query": str},
    "feeds": {
        "name": str,
        "url": str,
        "token_env": str,
        "cursor_param": str,
        "items_path": str,
        "cursor_path": str,
        "mapping": dict,
    },
}
_REQUIRED_IN_ARRAY = {"filters": ("name", "query"), "feeds": ("name", "url")}
_TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false", list: "a list", dict: "a table"}
THEMES = ("steward", "steward-light", "mono")


class _Checker:
    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, key: str) -> str:
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
        for number, line in enumerate(self.lines, 1):
            if pattern.match(line):
                return f", line {number}"
        return ""

    def fail(self, dotted: str, message: str) -> ConfigError:
        leaf = dotted.rsplit(".", 1)[-1].split("[")[0]
        return ConfigError(f"{self.path}{self.line_of(leaf)}: {dotted}: {message}")

    def expect(self, dotted: str, value: Any, expected: type) -> Any:
        # bool is an int subclass in Python; TOML keeps them apart, so do we.
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if not ok:
            raise self.fail(dotted, f"expected {_TYPE_NAMES.get(expected, expected.__name__)}, got {value!r}")
        return value


def _read_toml(path: Path) -> tuple[dict, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    import tomllib  # only when there is a file to read: `steward list` often has none

    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "… (at line 3, column 7)"; keep it on one line.
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses per nesting level: 100,000 [[[ … ]]]
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def _validate(data: dict, checker: _Checker) -> dict:
    """Check every key and type; return a flat dict of what the file sets."""
    flat: dict[str, Any] = {}
    for section, value in data.items():
        if section in _SCHEMA:
            checker.expect(section, value, dict)
            for key, item in value.items():
                if key not in _SCHEMA[section]:
                    known = ", ".join(_SCHEMA[section])
                    raise checker.fail(f"{section}.{key}", f"unknown key (expected one of: {known})")
                checker.expect(f"{section}.{key}", item, _SCHEMA[section][key])
                flat[f"{section}.{key}"] = item
        elif section in _TABLES_OF_STRINGS:
            checker.expect(section, value, dict)
            for key, item in value.items():
                checker.expect(f"{section}.{key}", item, str)
            flat[section] = dict(value)
        elif section in _ARRAYS:
            checker.expect(section, value, list)
            rows = []
            for index, row in enumerate(value):
                where = f"{section}[{index}]"
                checker.expect(where, row, dict)
                for key, item in row.items():
                    if key not in _ARRAYS[section]:
                        raise checker.fail(f"{where}.{key}", "unknown key")
                    checker.expect(f"{where}.{key}", item, _ARRAYS[section][key])
                for key in _REQUIRED_IN_ARRAY[section]:
                    if key not in row:
                        raise checker.fail(where, f"missing required key '{key}'")
                rows.append(row)
            flat[section] = rows
        else:
            known = ", ".join([*_SCHEMA, *_TABLES_OF_STRINGS, *_ARRAYS])
            raise checker.fail(section, f"unknown section (expected one of: {known})")

    if "steward.language" in flat and flat["steward.language"] not in LANGUAGES:
        raise checker.fail("steward.language", f"expected one of {', '.join(LANGUAGES)}")
    if "steward.timezone" in flat:
        try:
            ZoneInfo(flat["steward.timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise checker.fail("steward.timezone", "expected an IANA time zone such as Asia/Taipei") from None
    if "ui.theme" in flat and flat["ui.theme"] not in THEMES:
        raise checker.fail("ui.theme", f"expected one of {', '.join(THEMES)}")
    if "matching.min_score" in flat and not 0 <= flat["matching.min_score"] <= 100:
        raise checker.fail("matching.min_score", "expected a number from 0 to 100")
    for index, source in enumerate(flat.get("directory.sources", [])):
        checker.expect(f"directory.sources[{index}]", source, str)
    for index, feed in enumerate(flat.get("feeds", [])):
        for key, item in feed.get("mapping", {}).items():
            checker.expect(f"feeds[{index}].mapping.{key}", item, str)
    return flat


def default_language() -> str:
    # The variables the C library reads, in its order; with none set the locale is "C".
    # (Read directly: importing `locale` costs more than every command's own work.)
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LC_CTYPE"):
        value = os.environ.get(variable, "")
        if value:
            return "zh-TW" if value.lower().startswith("zh") else "en"
    return "en"


def default_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "steward"


def find_config(explicit: str | os.PathLike | None = None) -> tuple[Path | None, str]:
    """The config file to read and why: (path, origin); path None means defaults only."""
    if explicit:
        return Path(explicit).expanduser(), "option"
    env = os.environ.get("STEWARD_CONFIG")
    if env:
        return Path(env).expanduser(), "environment"
    candidate = user_config_dir() / "config.toml"
    return (candidate, "user config") if candidate.is_file() else (None, "default")


def load_settings(config: str | os.PathLike | None = None, *, database: str | os.PathLike | None = None) -> Settings:
    """Read the effective settings; `database` (from --db or STEWARD_DB) wins over the file."""
    path, origin = find_config(config)
    flat: dict[str, Any] = {}
    if path is not None:
        data, text = _read_toml(path)
        flat = _validate(data, _Checker(path, text))

    origins: dict[str, str] = {}

    def pick(key: str, default: Any) -> Any:
        if key in flat:
            origins[key] = f"config ({path})"
            return flat[key]
        origins[key] = "default"
        return default

    db_value: Any
    if database:
        db_value, origins["inbox.database"] = Path(database), "--db option"
    elif os.environ.get("STEWARD_DB"):
        db_value, origins["inbox.database"] = Path(os.environ["STEWARD_DB"]), "STEWARD_DB"
    else:
        db_value = pick("inbox.database", None)
        db_value = Path(db_value).expanduser() if db_value else user_data_dir() / "steward.db"

    settings = Settings(
        steward_name=pick("steward.name", None) or default_name(),
        language=pick("steward.language", None) or default_language(),
        timezone=pick("steward.timezone", "Asia/Taipei"),
        database=Path(db_value).expanduser(),
        shared=pick("inbox.shared", False),
        matching=MatchingSettings(min_score=pick("matching.min_score", 60)),
        summary=SummarySettings(attention_days=pick("summary.attention_days", 7)),
        publish=PublishSettings(
            **{f.name: pick(f"publish.{f.name}", f.default) for f in fields(PublishSettings)}
        ),
        directory_sources=list(pick("directory.sources", [])),
        feeds=[FeedSettings(**row) for row in pick("feeds", [])],
        filters=[SavedFilter(**row) for row in pick("filters", [])],
        keymap=dict(pick("keymap", {})),
        csv_headers=dict(pick("csv_headers", {})),
        theme=pick("ui.theme", "steward"),
        config_file=path,
        config_dir=path.parent if path is not None and origin != "default" else user_config_dir(),
        origins=origins,
    )
    if os.environ.get("NO_COLOR"):
        settings.theme = "mono"
        origins["ui.theme"] = "NO_COLOR"
    return settings


def starter_config() -> str:
    """The commented starter config `steward init` writes."""
    return (defaults_dir() / "config.toml").read_text(encoding="utf-8")


def write_starter_config(path: Path, *, force: bool = False, name: str | None = None, language: str | None = None) -> Path:
    """Write the starter config (commented, so hand-written; values via tomli-w)."""
    import tomli_w

    if path.exists() and not force:
        raise ConfigError(f"{path}: already exists (use --force to overwrite)")
    text = starter_config()
    personal = {"name": name or default_name()}
    if language:  # else left commented, so the locale ($LANG) keeps deciding
        personal["language"] = language
    # Replace the commented examples with the steward's real values, quoted by tomli-w.
    for key, value in personal.items():
        line = tomli_w.dumps({key: value}).strip()
        text = re.sub(rf"^# {key} = .*$", line, text, count=1, flags=re.M)
    path.parent.mkdir(parents=True, exist_ok=True)
    from steward.files import write_atomic

    write_atomic(path, text, mode=0o600)
    return path
