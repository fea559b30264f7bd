"""Reading steward's TOML files: the shipped defaults, the user's overlay beside
them, and where in a file a key was written (tomllib keeps no positions).

Every file steward reads — config.toml, guidance.toml, categories.toml,
directory.toml, templates/*.toml — goes through `read_toml`, so a broken file
is reported the same way everywhere: ``FILE, line N: what is wrong``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from steward.models import ConfigError

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+))*)\s*=""")
_PART = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*(?:\.|$)""")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _PART.findall(dotted))


def line_of(text: str, *path: str | int) -> int | None:
    """The line (1-based) where `path` is set: ("steward", "name"), ("feeds", 1, "url")
    (the second [[feeds]] table), ("keymap", "inbox.filter"). None if not written."""
    wanted = tuple(path)
    table: tuple = ()
    counts: dict[tuple, int] = {}
    in_multiline = False
    for number, line in enumerate(text.splitlines(), 1):
        # Lines inside a multi-line string are text, not keys.
        if in_multiline:
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline = False
            continue
        header = _HEADER.match(line)
        if header:
            name = _parts(header.group(2))
            if header.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                table = (*name, counts[name])
            else:
                table = name
            if table == wanted or (header.group(1) == "[[" and table[:-1] == wanted):
                return number
            continue
        key = _KEY.match(line)
        if key:
            full = (*table, *_parts(key.group(1)))
            if full == wanted or full == wanted[: len(full)] and len(full) > len(table):
                return number
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline = True
    return None


def where(label: str | Path, text: str, *path: str | int) -> str:
    """"FILE, line N" for a key, or just "FILE" when the key is not written there."""
    number = line_of(text, *path) if path else None
    return f"{label}, line {number}" if number else str(label)


@dataclass
class TomlFile:
    label: str  # how messages name the file: its path, or "shipped guidance.toml"
    text: str
    data: dict[str, Any]

    def where(self, *path: str | int) -> str:
        return where(self.label, self.text, *path)


def parse_toml(text: str, label: str) -> TomlFile:
    """Parse TOML text; a ConfigError names the file and line of a syntax error."""
    import tomllib  # only when a file is read: many commands read none

    try:
        return TomlFile(label, text, tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "… (at line 3, column 7)"; keep it on one line.
        raise ConfigError(f"{label}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses per nesting level: 100,000 [[[ … ]]]
        raise ConfigError(f"{label}: not valid TOML: nested too deeply") from None


def read_toml(path: Path | Any, label: str | None = None) -> TomlFile:
    """Read one TOML file (a Path or a package resource)."""
    label = label or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{label}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{label}: not UTF-8 text") from None
    return parse_toml(text, label)


def shipped(name: str):
    """A file of the shipped defaults (the repository's config/ folder)."""
    from importlib import resources  # costs ~15 ms: only when defaults are read

    return resources.files("steward.defaults") / name


def layers(settings: Any, name: str) -> list[TomlFile]:
    """The shipped file `name`, then the user's file of the same name in their
    config directory if there is one: later layers override earlier ones."""
    found = [read_toml(shipped(name), f"shipped {name}")]
    user = Path(getattr(settings, "config_dir", "") or ".") / name
    if getattr(settings, "config_dir", None) and user.is_file():
        found.append(read_toml(user))
    return found
