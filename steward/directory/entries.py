"""The directory of projects and working groups that requests are routed to.

Three layers, later ones winning: the shipped default, the cache written by
`steward.directory.sync` (community g0v.json data), and the user's own
`directory.toml` in the config dir. Synced data only adds to an entry steward
already knows (aliases, keywords, a missing URL or description); the user file
replaces fields and can retire entries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace

from pathlib import Path
from typing import Any

from steward.config.toml_files import read_toml, shipped
from steward.util.files import write_atomic
from steward.models import ENTRY_KINDS, ConfigError, UsageError
from steward.util.text import one_line

KINDS = ENTRY_KINDS
USER_FILE = "directory.toml"
SYNCED_FILE = "directory.synced.toml"
# Keys of `steward directory list --json`; a contract, keep the order.
PUBLIC_FIELDS = ("key", "kind", "name", "name_en", "aliases", "keywords", "url", "contacts")
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_STR_FIELDS = ("kind", "name", "name_en", "url", "description", "description_en")
LIST_FIELDS = ("aliases", "keywords", "contacts")
# What a reply needs to answer "may we reuse / fork / credit it?": each written from a
# public source (the shipped file notes which) and left empty when none says.
REUSE_FIELDS = (
    "repository",  # the public repository (https://…)
    "code_license", "content_license",  # licence names as their owners write them ("MIT", "CC BY-SA 4.0")
    "credit", "credit_en",  # how the project asks to be credited
    "upstream_limits", "upstream_limits_en",  # limits that travel with data it builds on
    "naming", "naming_en",  # who agrees wording that uses the project's name
)
_URL_FIELDS = ("repository",)


@dataclass
class DirectoryEntry:
    key: str
    kind: str
    name: str
    name_en: str = ""
    aliases: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    url: str = ""
    contacts: list[str] = field(default_factory=list)
    description: str = ""
    description_en: str = ""
    repository: str = ""
    code_license: str = ""
    content_license: str = ""
    credit: str = ""
    credit_en: str = ""
    upstream_limits: str = ""
    upstream_limits_en: str = ""
    naming: str = ""
    naming_en: str = ""
    retired: bool = False
    source: str = "default"  # default | synced | user

    @property
    def has_reuse_facts(self) -> bool:
        return any(getattr(self, name) for name in REUSE_FIELDS)

    def as_dict(self) -> dict[str, Any]:
        return {name: _copy(getattr(self, name)) for name in PUBLIC_FIELDS}

    def as_json(self) -> dict[str, Any]:
        """The `directory show --json` contract: `as_dict()`, the descriptions and where the entry came from."""
        return {**self.as_dict(), "description": self.description, "description_en": self.description_en,
                "source": self.source}


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


class Directory:
    """Active entries by key; retired ones are kept out of every lookup."""

    def __init__(self, entries: list[DirectoryEntry] | tuple[DirectoryEntry, ...] = ()):
        # Every entry, retired ones too: their keys stay taken.
        self.all_entries = list({e.key: e for e in entries}.values())
        self.entries = [e for e in self.all_entries if not e.retired]
        self._active = {e.key: e for e in self.entries}

    def get(self, key: str) -> DirectoryEntry | None:
        return self._active.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._active

    def __iter__(self):
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [e.as_dict() for e in self.entries]


# -- reading and validating -------------------------------------------------

_FIELD_TYPES: dict[str, type] = {
    "key": str,
    **{name: str for name in _STR_FIELDS},
    **{name: str for name in REUSE_FIELDS},
    **{name: list for name in LIST_FIELDS},
    "retired": bool,
}


def read_entries(path: Path | str, data: dict | None = None, *, cache: bool = False) -> list[dict]:
    """Validated `[[entry]]` tables of one directory file, with only the fields it sets.

    A wrong type, an unknown key or a malformed entry raises ConfigError naming
    the file and the key, because a typo there would silently change routing.
    """
    where = str(path)
    if data is None:
        data = read_toml(Path(path)).data
    allowed_top = {"entry", "synced_at"} if cache else {"entry"}
    for top in data:
        if top not in allowed_top:
            raise ConfigError(f"{where}: unknown key '{top}' (expected [[entry]] tables)")
    raw = data.get("entry", [])
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: 'entry' must be an array of tables ([[entry]])")
    seen: set[str] = set()
    out = []
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: entry {n} must be a table")
        key = item.get("key")
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise ConfigError(
                f"{where}: entry {n}: 'key' must be lowercase letters, digits, '-', '_' or '.'"
            )
        label = f"{where}: entry '{key}'"
        if key in seen:
            raise ConfigError(f"{label} appears twice")
        seen.add(key)
        out.append(_validate_fields(item, label, cache=cache))
    return out


def _validate_fields(item: dict, label: str, *, cache: bool) -> dict:
    clean: dict[str, Any] = {}
    for name, value in item.items():
        if cache and name == "source":
            if not isinstance(value, str):
                raise ConfigError(f"{label}: 'source' must be a string")
            clean[name] = value
            continue
        expected = _FIELD_TYPES.get(name)
        if expected is None:
            known = ", ".join(_FIELD_TYPES)
            raise ConfigError(f"{label}: unknown key '{name}' (known keys: {known})")
        if not isinstance(value, expected):
            raise ConfigError(f"{label}: '{name}' must be a {_type_name(expected)}")
        if expected is list:
            if not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{label}: '{name}' must be a list of strings")
            value = dedupe(one_line(v) for v in value)
        elif expected is str:
            value = one_line(value)
        clean[name] = value
    if "kind" in clean and clean["kind"] not in KINDS:
        raise ConfigError(f"{label}: 'kind' must be one of {', '.join(KINDS)}")
    for name in _URL_FIELDS:
        if clean.get(name) and not re.match(r"^https://[^\s/]+\.[^\s]+$", clean[name]):
            raise ConfigError(f"{label}: '{name}' must be an https:// address")
    return clean


def _type_name(t: type) -> str:
    return {str: "string", list: "list of strings", bool: "boolean (true or false)"}[t]


def dedupe(values) -> list[str]:
    seen, out = set(), []
    for v in values:
        if v and v.casefold() not in seen:
            seen.add(v.casefold())
            out.append(v)
    return out


def _entry_from(raw: dict, source: str, label: str) -> DirectoryEntry:
    if "kind" not in raw or "name" not in raw:
        raise ConfigError(f"{label}: a new entry needs both 'kind' and 'name'")
    known = {f.name for f in fields(DirectoryEntry)}
    return DirectoryEntry(**{k: v for k, v in raw.items() if k in known and k != "source"}, source=source)


def _extend(entry: DirectoryEntry, raw: dict) -> DirectoryEntry:
    """Synced data fills gaps and adds names and words; it never replaces curated ones."""
    changes: dict[str, Any] = {}
    for name in LIST_FIELDS:
        if raw.get(name):
            changes[name] = dedupe([*getattr(entry, name), *raw[name]])
    for name in ("name_en", "url", "description", "description_en"):
        if raw.get(name) and not getattr(entry, name):
            changes[name] = raw[name]
    return replace(entry, **changes) if changes else entry


def merge_layers(
    default: Sequence[dict], synced: Sequence[dict] = (), user: Sequence[dict] = (), *, user_label: str = ""
) -> Directory:
    entries: dict[str, DirectoryEntry] = {}
    for raw in default:
        entries[raw["key"]] = _entry_from(raw, "default", f"default directory: '{raw['key']}'")
    for raw in synced:
        key = raw["key"]
        if key in entries:
            entries[key] = _extend(entries[key], raw)
        elif "kind" in raw and "name" in raw:
            entries[key] = _entry_from(raw, "synced", key)
    for raw in user:
        key = raw["key"]
        if key in entries:
            updates = {k: v for k, v in raw.items() if k != "key"}
            entries[key] = replace(entries[key], **updates, source="user")
        elif raw.get("retired"):
            continue  # retiring something that is not there is already done
        else:
            entries[key] = _entry_from(raw, "user", f"{user_label}: entry '{key}'")
    return Directory(list(entries.values()))


def default_entries() -> list[dict]:
    return read_entries("default directory.toml", read_toml(shipped("directory.toml"), "default directory.toml").data)


def user_path(settings) -> Path:
    return Path(settings.config_dir) / USER_FILE


def synced_path(settings) -> Path:
    return Path(settings.config_dir) / SYNCED_FILE


def synced_entries(path: Path) -> list[dict]:
    if not path.exists():
        return []
    try:
        return read_entries(path, cache=True)
    except ConfigError:
        # A damaged cache is only a cache: the next sync rewrites it.
        return []


_PARSED_VERSION = 1


def read_entries_cached(path: Path) -> list[dict]:
    """`read_entries(path)`, kept as JSON beside the file until the file changes.

    An imported list of a thousand projects takes tomllib a tenth of a second
    to parse on every `steward match`; JSON of the already validated entries
    loads in a few milliseconds. The copy (`.NAME.parsed.json`, owner-only) is
    trusted only while the file's size and modification time are the ones it
    records; anything else, or a copy that cannot be read or written, falls back
    to parsing the file itself.
    """
    import json

    try:
        stat = path.stat()
    except OSError:
        return read_entries(path)
    stamp = [_PARSED_VERSION, stat.st_size, stat.st_mtime_ns]
    copy = path.with_name(f".{path.name}.parsed.json")
    try:
        data = json.loads(copy.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("stamp") == stamp and isinstance(data.get("entry"), list):
            entries = data["entry"]
            if all(isinstance(e, dict) and set(e) <= _FIELD_TYPES.keys() and "key" in e for e in entries):
                return entries
    except (OSError, ValueError):
        pass
    entries = read_entries(path)
    if len(entries) >= 50:  # a short file parses as fast as its copy would load
        try:
            write_atomic(copy, json.dumps({"stamp": stamp, "entry": entries}, ensure_ascii=False), mode=0o600)
        except OSError:
            pass
    return entries


def load_directory(settings) -> Directory:
    """The default directory with the synced cache and the user's file merged over it."""
    user = user_path(settings)
    user_entries = read_entries_cached(user) if user.exists() else []
    return merge_layers(
        default_entries(), synced_entries(synced_path(settings)), user_entries, user_label=str(user)
    )


# -- checks ----------------------------------------------------------------------------

def directory_warnings(directory: Directory, *, limit: int = 20) -> list[str]:
    """What makes routing ambiguous or weak, for `steward config check` (warnings, not errors).

    - a name or alias that two keys share: a request naming it cannot tell them apart;
    - a name of an entry the steward added, imported or synced that is so short
      or so common in ordinary requests ("lost", 聯絡人) that it counts in full
      only with the subject, a keyword or the address.
    Each kind lists at most `limit` lines and then says how many more there are.
    """
    from steward.matching.matcher import STANDS_ALONE, normalize
    from steward.matching.specificity import length_score, specificity

    owners: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    weak: list[str] = []
    for e in directory.entries:
        mine: set[str] = set()
        for label in (e.name, e.name_en, *e.aliases):
            text = normalize(label)
            if not text or text in mine:
                continue
            mine.add(text)
            owners.setdefault(text, []).append(e.key)
            labels.setdefault(text, label)
            if e.source == "default":
                continue  # shipped names are curated with keywords to back them up
            spec = specificity(text)
            if spec < STANDS_ALONE:
                why = "short" if length_score(text) < STANDS_ALONE else "common in ordinary requests"
                weak.append((spec, len(weak),
                    f"{e.key}: name '{one_line(label)}' is {why}; it counts in full only when the "
                    "subject, a keyword or the entry's URL backs it up"
                ))
    shared = [
        f"name '{one_line(labels[text])}' belongs to {len(keys)} entries ({', '.join(keys[:5])}"
        f"{', …' if len(keys) > 5 else ''}); a request naming it cannot tell them apart"
        for text, keys in owners.items()
        if len(keys) > 1
    ]
    out = []
    # The weakest names first: those are the ones that misroute.
    for lines in (shared, [line for _, _, line in sorted(weak)]):
        out += lines[:limit]
        if len(lines) > limit:
            out.append(f"… and {len(lines) - limit} more like the above")
    return out


# -- keys for entries nobody named ---------------------------------------------

_NOT_KEY = re.compile(r"[^a-z0-9]+")
_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f]")


def _ascii_slug(text: str, limit: int = 28) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NOT_KEY.sub("-", folded).strip("-")[:limit].strip("-")


def name_hash(name: str) -> str:
    """Six hex digits that stand for a name: the same name always gives the same ones."""
    import hashlib
    import unicodedata

    folded = " ".join(unicodedata.normalize("NFKC", name).casefold().split())
    return hashlib.sha1(folded.encode("utf-8"), usedforsecurity=False).hexdigest()[:6]


def url_slug(url: str) -> str:
    """A readable word from a project's address: the repository, else the site's first label."""
    rest = re.sub(r"^[a-z]+://(www\.)?", "", url.strip().casefold()).rstrip("/")
    host, _, path = rest.partition("/")
    parts = [p for p in path.split("/") if p]
    if host in ("github.com", "gitlab.com", "bitbucket.org") and len(parts) >= 2:
        return _ascii_slug(parts[1].removesuffix(".git"), 32)
    label = host.split(".")[0] if host.count(".") >= 1 else ""
    generic = {"docs", "drive", "g0v", "goo", "bit", "hackmd", "hackpad", "github", "facebook", "sites", "medium"}
    return "" if label in generic or not label else _ascii_slug(label, 32)


def stable_key(name: str, urls: Sequence[str] = ()) -> str:
    """A key for a project that came without one, derived from its name and nothing else that moves.

    A name in plain ASCII is its own slug ("Taiwan Online" -> "taiwan-online").
    A name with Chinese (or any non-ASCII letters) keeps its ASCII part, or else
    a word from its repository or homepage, and always adds a hash of the whole
    name, so "Cofacts 真的假的" never becomes the shipped key "cofacts" and two
    projects called 聯絡人 and 菜價 never fight over one slug. No counters:
    the same name gives the same key in every import, in any order.
    """
    slug = _ascii_slug(name)
    if slug and not _NON_ASCII_LETTER.search(name) and _KEY_RE.match(slug):
        return slug
    base = slug if len(slug.replace("-", "")) >= 3 else ""
    for url in urls if not base else ():
        base = url_slug(url)
        if base:
            break
    return f"{base or 'p'}-{name_hash(name)}"


def keyed_apart(key: str, name: str) -> str:
    """The key to use when `key` is already taken by an entry with another name."""
    return f"{key[:56]}-{name_hash(name)}"


# -- writing ------------------------------------------------------------------


def write_toml_atomic(path: Path, data: dict, *, header: str = "") -> None:
    """Write TOML so that a reader sees the old file or the new one, never half of one."""
    import tomli_w  # only writers need it

    path.parent.mkdir(parents=True, exist_ok=True)
    # New files stay owner-only as they always were; one the steward chmod-ed keeps its mode.
    write_atomic(path, header + tomli_w.dumps(data), mode=0o600)


def write_atomic_text(path: Path, text: str) -> None:
    """A file in the config dir, written whole or not at all (the folder is made if need be)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text, mode=0o600)


_USER_HEADER = (
    "# Your additions and changes to steward's project directory.\n"
    "# An [[entry]] with an existing key overrides the fields it sets;\n"
    "# `retired = true` hides an entry. Written by `steward directory add`.\n\n"
)


def add_entry(
    settings,
    key: str,
    *,
    kind: str,
    name: str,
    name_en: str = "",
    aliases: list[str] | tuple[str, ...] = (),
    keywords: list[str] | tuple[str, ...] = (),
    url: str = "",
    contacts: list[str] | tuple[str, ...] = (),
    description: str = "",
    description_en: str = "",
) -> DirectoryEntry:
    """Add an entry to the user's directory file, or replace the one with this key there.

    Optional fields left empty are not written, so for a key the shipped
    directory already has they keep its values.
    """
    key = key.strip()
    if not _KEY_RE.match(key):
        raise UsageError(f"invalid key '{key}': use lowercase letters, digits, '-', '_' or '.'")
    if kind not in KINDS:
        raise UsageError(f"invalid kind '{kind}': choose one of {', '.join(KINDS)}")
    if not one_line(name):
        raise UsageError("an entry needs a name")
    new = {
        "key": key,
        "kind": kind,
        "name": one_line(name),
        "name_en": one_line(name_en),
        "aliases": dedupe(one_line(a) for a in aliases),
        "keywords": dedupe(one_line(k) for k in keywords),
        "url": one_line(url),
        "contacts": dedupe(one_line(c) for c in contacts),
        "description": one_line(description),
        "description_en": one_line(description_en),
    }
    new = {k: v for k, v in new.items() if v or k in ("key", "kind", "name")}
    path = user_path(settings)
    existing = read_entries(path) if path.exists() else []
    others = [e for e in existing if e["key"] != key]
    write_toml_atomic(path, {"entry": [*others, new]}, header=_USER_HEADER)
    entry = load_directory(settings).get(key)
    assert entry is not None
    return entry
