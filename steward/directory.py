"""The directory of projects and working groups that requests are routed to.

Three layers, later ones winning: the shipped default, the cache written by
`sync_directory` (community g0v.json data), and the user's own
`directory.toml` in the config dir. Synced data only adds to an entry steward
already knows (aliases, keywords, a missing URL or description); the user file
replaces fields and can retire entries.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from steward.models import ENTRY_KINDS, ConfigError, UsageError
from steward.text import one_line

KINDS = ENTRY_KINDS
USER_FILE = "directory.toml"
SYNCED_FILE = "directory.synced.toml"
# Keys of `steward directory list --json`; a contract, keep the order.
PUBLIC_FIELDS = ("key", "kind", "name", "name_en", "aliases", "keywords", "url", "contacts")
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_STR_FIELDS = ("kind", "name", "name_en", "url", "description", "description_en")
_LIST_FIELDS = ("aliases", "keywords", "contacts")


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
    retired: bool = False
    source: str = "default"  # default | synced | user

    def as_dict(self) -> dict[str, Any]:
        return {name: _copy(getattr(self, name)) for name in PUBLIC_FIELDS}

    @property
    def display_name(self) -> str:
        return self.name_en if self.name_en and self.name_en != self.name else self.name


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
    **{name: list for name in _LIST_FIELDS},
    "retired": bool,
}


def read_entries(path: Path | str, data: dict | None = None, *, cache: bool = False) -> list[dict]:
    """Validated `[[entry]]` tables of one directory file, with only the fields it sets.

    A wrong type, an unknown key or a malformed entry raises ConfigError naming
    the file and the key, because a typo there would silently change routing.
    """
    where = str(path)
    if data is None:
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{where}: not valid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{where}: cannot read: {exc.strerror or exc}") from None
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
            value = _dedupe(one_line(v) for v in value)
        elif expected is str:
            value = one_line(value)
        clean[name] = value
    if "kind" in clean and clean["kind"] not in KINDS:
        raise ConfigError(f"{label}: 'kind' must be one of {', '.join(KINDS)}")
    return clean


def _type_name(t: type) -> str:
    return {str: "string", list: "list of strings", bool: "boolean (true or false)"}[t]


def _dedupe(values) -> list[str]:
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
    for name in _LIST_FIELDS:
        if raw.get(name):
            changes[name] = _dedupe([*getattr(entry, name), *raw[name]])
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
    resource = files("steward.defaults") / "directory.toml"
    data = tomllib.loads(resource.read_text(encoding="utf-8"))
    return read_entries("default directory.toml", data)


def user_path(settings) -> Path:
    return Path(settings.config_dir) / USER_FILE


def synced_path(settings) -> Path:
    return Path(settings.config_dir) / SYNCED_FILE


def _synced_entries(path: Path) -> list[dict]:
    if not path.exists():
        return []
    try:
        return read_entries(path, cache=True)
    except ConfigError:
        # A damaged cache is only a cache: the next sync rewrites it.
        return []


def load_directory(settings) -> Directory:
    """The default directory with the synced cache and the user's file merged over it."""
    user = user_path(settings)
    user_entries = read_entries(user) if user.exists() else []
    return merge_layers(
        default_entries(), _synced_entries(synced_path(settings)), user_entries, user_label=str(user)
    )


# -- writing ------------------------------------------------------------------


def write_toml_atomic(path: Path, data: dict, *, header: str = "") -> None:
    """Write TOML so that a reader sees the old file or the new one, never half of one."""
    import tomli_w  # only writers need it

    path.parent.mkdir(parents=True, exist_ok=True)
    payload = (header + tomli_w.dumps(data)).encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        "aliases": _dedupe(one_line(a) for a in aliases),
        "keywords": _dedupe(one_line(k) for k in keywords),
        "url": one_line(url),
        "contacts": _dedupe(one_line(c) for c in contacts),
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


def write_synced(path: Path, entries: list[dict]) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    header = "# Written by `steward directory sync`; edits here are lost on the next sync.\n\n"
    write_toml_atomic(path, {"synced_at": stamp, "entry": entries}, header=header)


# -- sync from g0v.json -------------------------------------------------------

MAX_SOURCE_BYTES = 5 * 1024 * 1024
_RETRY_STATUSES = frozenset({408, 425, 429})
_MAX_KEYWORDS = 40


@dataclass
class SyncReport:
    synced: list[str] = field(default_factory=list)  # sources read successfully
    failed: dict[str, str] = field(default_factory=dict)  # source -> why
    added: list[str] = field(default_factory=list)  # keys new to the directory
    updated: list[str] = field(default_factory=list)  # known keys that got data
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


class SourceError(Exception):
    """One source could not be read; the others still sync."""


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _fetch_url(url: str, client, *, retries: int, sleep, backoff: float, max_wait: float) -> bytes:
    import httpx

    attempt = 0
    while True:
        wait = min(max_wait, backoff * 2**attempt)
        try:
            with client.stream("GET", url) as resp:
                status = resp.status_code
                if status < 400:
                    return _read_limited(resp.iter_bytes())
                problem = f"HTTP {status} {resp.reason_phrase}".strip()
                if status not in _RETRY_STATUSES and status < 500:
                    raise SourceError(problem)
                hinted = _retry_after(resp.headers.get("retry-after"))
                if hinted is not None:
                    wait = min(max_wait, hinted)
        except httpx.TimeoutException:
            problem = "timed out"
        except httpx.TransportError as exc:
            problem = f"cannot connect ({type(exc).__name__}: {exc})" if str(exc) else "cannot connect"
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise SourceError(str(exc) or type(exc).__name__) from None
        if attempt >= retries:
            tries = "1 attempt" if attempt == 0 else f"{attempt + 1} attempts"
            raise SourceError(f"{problem} after {tries}")
        sleep(wait)
        attempt += 1


def _read_limited(chunks) -> bytes:
    buf = bytearray()
    for chunk in chunks:
        buf += chunk
        if len(buf) > MAX_SOURCE_BYTES:
            raise SourceError(f"larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MiB")
    return bytes(buf)


def _read_file(source: str) -> bytes:
    path = Path(source.removeprefix("file://")).expanduser()
    try:
        with open(path, "rb") as fh:
            return _read_limited(iter(lambda: fh.read(65536), b""))
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None


def _decode_projects(raw: bytes) -> list[dict]:
    import json

    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SourceError(f"not g0v.json (invalid JSON: {exc})") from None
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(p, dict) for p in items):
        raise SourceError("not g0v.json (expected a project object or a list of them)")
    return items


def _text(value: Any, limit: int = 500) -> str:
    return one_line(value)[:limit] if isinstance(value, str) else ""


def _http_url(value: Any) -> str:
    url = _text(value)
    return url if re.match(r"^https?://[^\s]+$", url) else ""


def _url_id(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.casefold()).rstrip("/")


def _slug(name: str, homepage: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:48].strip("-")
    if not slug and homepage:
        host = _url_id(homepage).split("/")[0]
        slug = re.sub(r"[^a-z0-9]+", "-", host.split(".")[0]).strip("-")
    if not slug:
        import hashlib

        slug = "p-" + hashlib.sha1(name.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
    return slug


def project_entry(project: dict, source: str) -> dict | None:
    """A directory entry (TOML-ready dict, no key yet) from one g0v.json project."""
    name_en = _text(project.get("name"), 200)
    name_zh = _text(project.get("name_zh") or project.get("name.zh"), 200)
    if not (name_en or name_zh):
        return None
    homepage = _http_url(project.get("homepage"))
    repo = project.get("repository")
    repo_url = _http_url(repo.get("url") if isinstance(repo, dict) else repo)
    keywords = project.get("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    if not isinstance(keywords, list):
        keywords = []
    keywords = [_text(k, 80) for k in keywords if isinstance(k, str)]
    licenses = []
    raw_licenses = project.get("licenses")
    for lic in raw_licenses if isinstance(raw_licenses, list) else []:
        lic = lic.get("type") if isinstance(lic, dict) else lic
        if isinstance(lic, str) and lic.strip():
            licenses.append(_text(lic, 60))
    desc_en = _text(project.get("description"))
    desc_zh = _text(project.get("description_zh") or project.get("description.zh"))
    if licenses:
        desc_en = f"{desc_en} (licence: {', '.join(licenses)})".strip()
        desc_zh = f"{desc_zh}（授權：{', '.join(licenses)}）" if desc_zh else ""
    return {
        "kind": "project",
        "name": name_zh or name_en,
        "name_en": name_en,
        "aliases": _dedupe([name_en, name_zh]),
        "keywords": _dedupe(k for k in keywords if k)[:_MAX_KEYWORDS],
        "url": homepage,
        "contacts": [u for u in (homepage or repo_url,) if u],
        "description": desc_zh,
        "description_en": desc_en,
        "source": source,
    }


def sync_directory(
    settings,
    sources: list[str] | None = None,
    *,
    client=None,
    progress=None,
    sleep=None,
    retries: int = 3,
    timeout: float = 10.0,
    backoff: float = 0.5,
    max_wait: float = 30.0,
) -> SyncReport:
    """Fetch g0v.json project metadata from URLs or files and merge it into the synced cache.

    A source that fails keeps what the last good sync got from it; the report
    says which source failed and why. `progress(done, total, source)` is called
    after each source; `sleep` is injectable so tests need not wait.
    """
    import time

    sources = list(sources if sources is not None else getattr(settings, "directory_sources", []))
    if not sources:
        raise UsageError("no sources: pass SOURCE… or set [directory] sources in your config")
    sleep = time.sleep if sleep is None else sleep
    report = SyncReport()
    fetched: dict[str, list[dict]] = {}
    own_client = client is None
    if own_client:
        import httpx

        client = httpx.Client(
            timeout=timeout, follow_redirects=True, headers={"User-Agent": "steward directory sync"}
        )
    try:
        for done, source in enumerate(sources, 1):
            try:
                if re.match(r"^https?://", source, re.IGNORECASE):
                    raw = _fetch_url(
                        source, client, retries=retries, sleep=sleep, backoff=backoff, max_wait=max_wait
                    )
                else:
                    raw = _read_file(source)
                projects = _decode_projects(raw)
            except SourceError as exc:
                report.failed[source] = str(exc)
            else:
                entries = []
                for n, project in enumerate(projects, 1):
                    entry = project_entry(project, source)
                    if entry is None:
                        report.warnings.append(f"{source}: project {n} has no name; skipped")
                    else:
                        entries.append(entry)
                fetched[source] = entries
                report.synced.append(source)
            if progress is not None:
                progress(done, len(sources), source)
    finally:
        if own_client:
            client.close()
    if fetched:
        _merge_fetched(settings, fetched, report)
    return report


def _merge_fetched(settings, fetched: dict[str, list[dict]], report: SyncReport) -> None:
    path = synced_path(settings)
    user = user_path(settings)
    known = merge_layers(default_entries(), (), read_entries(user) if user.exists() else [])
    everything = known.all_entries  # a retired key is still taken
    by_url = {_url_id(e.url): e.key for e in everything if e.url}
    by_name: dict[str, str] = {}
    for e in everything:
        for n in (e.name, e.name_en, *e.aliases):
            by_name.setdefault(n.casefold(), e.key)
    known_keys = {e.key for e in everything}
    kept = [e for e in _synced_entries(path) if e.get("source") not in fetched]
    taken = known_keys | {e["key"] for e in kept}
    merged: dict[str, dict] = {}
    for entries in fetched.values():
        for entry in entries:
            slug = _slug(entry["name_en"] or entry["name"], entry["url"])
            key = _known_key(entry, slug, by_url, by_name, known_keys)
            if key is None:
                key, n = slug, 2
                while key in taken:
                    key, n = f"{slug}-{n}", n + 1
            if key in merged:  # two projects turned out to be one: pool their words
                for name in _LIST_FIELDS:
                    merged[key][name] = _dedupe([*merged[key][name], *entry[name]])
                continue
            merged[key] = {"key": key, **entry}
            taken.add(key)
            (report.updated if key in known_keys else report.added).append(key)
    write_synced(path, [*kept, *merged.values()])


def _known_key(entry: dict, slug: str, by_url: dict, by_name: dict, keys: set[str]) -> str | None:
    """The existing entry a fetched project describes: same key, homepage or name."""
    if slug in keys:
        return slug
    if entry["url"] and _url_id(entry["url"]) in by_url:
        return by_url[_url_id(entry["url"])]
    for name in entry["aliases"]:
        if name.casefold() in by_name:
            return by_name[name.casefold()]
    return None
