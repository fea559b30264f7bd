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
from zoneinfo import ZoneInfo

from steward.config.declaration import (
    ARRAYS,
    BY_KEY,
    REQUIRED_IN_ARRAY,
    SECTIONS,
    SETTINGS,
    TABLES_OF_STRINGS,
    TYPE_NAMES,
)
from steward.config.toml_files import TomlFile, read_toml
from steward.models import ConfigError

APP_NAME = "steward"


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

    # The name set in config or $STEWARD_NAME; None when unset. Replies are signed
    # with it, never with the login name (steward_name falls back to that).
    signature: str | None = None
    # Every declared setting's effective value, by key ("steward.timezone").
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def as_dict(self) -> dict[str, Any]:
        shown: dict[str, Any] = {setting.key: self.values.get(setting.key, setting.default) for setting in SETTINGS}
        shown["steward.name"] = self.steward_name
        shown["inbox.database"] = str(self.database)
        return {
            **shown,
            "filters": [{"name": f.name, "query": f.query} for f in self.filters],
            "keymap": dict(self.keymap),
            "feeds": [f.__dict__ for f in self.feeds],
            "csv_headers": dict(self.csv_headers),
        }


def _validate(toml: TomlFile) -> dict:
    """Check every key and type; return a flat dict of what the file sets.

    Errors name the line of the offending key: ``FILE, line N: key: problem``.
    """

    def fail(message: str, *path: str | int) -> ConfigError:
        dotted = ".".join(f"[{p}]" if isinstance(p, int) else p for p in path).replace(".[", "[")
        return ConfigError(f"{toml.where(*path)}: {dotted}: {message}")

    def expect(value: Any, expected: type, *path: str | int) -> Any:
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise fail(f"expected {TYPE_NAMES.get(expected, expected.__name__)}, got {value!r}", *path)
        return value

    flat: dict[str, Any] = {}
    for section, value in toml.data.items():
        if section in SECTIONS:
            expect(value, dict, section)
            for key, item in value.items():
                setting = BY_KEY.get(f"{section}.{key}")
                if setting is None:
                    known = ", ".join(s.name for s in SETTINGS if s.section == section)
                    raise fail(f"unknown key (expected one of: {known})", section, key)
                problem = setting.problem(item)
                if problem:
                    raise fail(problem, section, key)
                flat[setting.key] = item
        elif section in TABLES_OF_STRINGS:
            expect(value, dict, section)
            for key, item in value.items():
                expect(item, str, section, key)
            flat[section] = dict(value)
        elif section in ARRAYS:
            expect(value, list, section)
            rows = []
            for index, row in enumerate(value):
                expect(row, dict, section, index)
                for key, item in row.items():
                    if key not in ARRAYS[section]:
                        raise fail("unknown key", section, index, key)
                    expect(item, ARRAYS[section][key], section, index, key)
                    if isinstance(item, dict):
                        for inner, text in item.items():
                            expect(text, str, section, index, key, inner)
                for key in REQUIRED_IN_ARRAY[section]:
                    if key not in row:
                        raise fail(f"missing required key '{key}'", section, index)
                rows.append(row)
            flat[section] = rows
        else:
            known = ", ".join([*SECTIONS, *TABLES_OF_STRINGS, *ARRAYS])
            raise fail(f"unknown section (expected one of: {known})", section)
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
    """Read the effective settings: --db option, then the environment, then the file, then the default."""
    path, origin = find_config(config)
    flat: dict[str, Any] = {}
    if path is not None:
        flat = _validate(read_toml(path))

    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for setting in SETTINGS:
        from_env = os.environ.get(setting.env) if setting.env else None
        if setting.key == "inbox.database" and database:
            values[setting.key], origins[setting.key] = str(database), "--db option"
        elif from_env:
            problem = setting.problem(from_env) if setting.type is str else None
            if problem:
                raise ConfigError(f"${setting.env}: {setting.key}: {problem}")
            values[setting.key], origins[setting.key] = from_env, setting.env
        elif setting.key in flat:
            values[setting.key], origins[setting.key] = flat[setting.key], f"config ({path})"
        else:
            values[setting.key], origins[setting.key] = setting.default, "default"
    if os.environ.get("NO_COLOR"):
        values["ui.theme"], origins["ui.theme"] = "mono", "NO_COLOR"

    signature = (values["steward.name"] or "").strip() or None
    database_path = values["inbox.database"]
    return Settings(
        steward_name=signature or default_name(),
        signature=signature,
        language=values["steward.language"] or default_language(),
        timezone=values["steward.timezone"],
        database=Path(database_path).expanduser() if database_path else user_data_dir() / "steward.db",
        shared=values["inbox.shared"],
        matching=MatchingSettings(min_score=values["matching.min_score"]),
        summary=SummarySettings(attention_days=values["summary.attention_days"]),
        publish=PublishSettings(**{f.name: values[f"publish.{f.name}"] for f in fields(PublishSettings)}),
        directory_sources=list(values["directory.sources"]),
        feeds=[FeedSettings(**row) for row in flat.get("feeds", [])],
        filters=[SavedFilter(**row) for row in flat.get("filters", [])],
        keymap=dict(flat.get("keymap", {})),
        csv_headers=dict(flat.get("csv_headers", {})),
        theme=values["ui.theme"],
        config_file=path,
        config_dir=path.parent if path is not None and origin != "default" else user_config_dir(),
        origins=origins,
        values=values,
    )


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
    from steward.util.files import write_atomic

    write_atomic(path, text, mode=0o600)
    return path


def parse_value(key: str, text: str) -> Any:
    """A value typed on the command line, as the declared type of `key`."""
    setting = BY_KEY.get(key)
    if setting is None:
        raise ConfigError(f"unknown setting {key!r} (known: {', '.join(BY_KEY)})")
    value: Any = text
    if setting.type is int:
        try:
            value = int(text)
        except ValueError:
            raise ConfigError(f"{key}: expected a whole number, got {text!r}") from None
    elif setting.type is bool:
        lowered = text.strip().lower()
        if lowered not in ("true", "false", "yes", "no", "1", "0"):
            raise ConfigError(f"{key}: expected true or false, got {text!r}")
        value = lowered in ("true", "yes", "1")
    elif setting.type is list:
        value = [part.strip() for part in text.split(",") if part.strip()]
    problem = setting.problem(value)
    if problem:
        raise ConfigError(f"{key}: {problem}")
    return value


def set_value(path: Path, key: str, text: str) -> None:
    """Set one declared setting in a config file, keeping everything else in it."""
    import tomli_w

    from steward.config.toml_files import line_of, parse_toml
    from steward.util.files import write_atomic

    value = parse_value(key, text)
    setting = BY_KEY[key]
    line = f"{setting.name} = {tomli_w.dumps({'v': value}).split('=', 1)[1].strip()}"
    original = path.read_text(encoding="utf-8") if path.is_file() else ""
    lines = original.splitlines()
    at = line_of(original, setting.section, setting.name)
    header = line_of(original, setting.section)
    if at is not None:
        lines[at - 1] = line
    elif header is not None:
        lines.insert(header, line)
    else:
        lines += ([""] if lines and lines[-1].strip() else []) + [f"[{setting.section}]", line]
    updated = "\n".join(lines) + "\n"
    _validate(parse_toml(updated, str(path)))  # never write a file steward would refuse
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, updated, mode=0o600)


def shown_settings(settings: Settings) -> dict[str, Any]:
    """The `config show --json` contract: the files, every effective value (secrets redacted) and its origin."""
    from steward.util.credentials import redact_values

    values = redact_values(settings.as_dict())  # no user:password@ or ?key= of a feed or source
    return {
        "config_file": str(settings.config_file) if settings.config_file else None,
        "config_dir": str(settings.config_dir),
        "settings": values,
        "origins": {key: settings.origins.get(key, "default") for key in values},
    }
