"""`steward directory sync`: g0v.json project data from URLs or files into the synced cache.

Each source is fetched (with retries on 429, 5xx and dropped connections) or
read, decoded, turned into directory entries and merged into
`directory.synced.toml`, which `steward.directory.entries.load_directory` layers
between the shipped directory and the user's file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from steward.directory.entries import (
    LIST_FIELDS,
    dedupe,
    default_entries,
    keyed_apart,
    merge_layers,
    read_entries,
    stable_key,
    synced_entries,
    synced_path,
    user_path,
    write_toml_atomic,
)
from steward.util.http import RetryPolicy, failure, status_problem, with_retries
from steward.models import UsageError
from steward.util.text import one_line

MAX_SOURCE_BYTES = 5 * 1024 * 1024
# Besides the usual 429 and 5xx, these say "not now" rather than "no".
_RETRY_STATUSES = frozenset({408, 425, 429, *range(500, 600)})
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


def _fetch_url(url: str, client, *, retries: int, sleep, backoff: float, max_wait: float) -> bytes:
    import httpx

    policy = RetryPolicy(
        attempts=retries + 1, backoff=backoff, max_backoff=max_wait, max_retry_after=max_wait, statuses=_RETRY_STATUSES
    )
    body = b""

    def get():
        nonlocal body
        # Streamed, so an oversized source is cut off instead of read whole.
        with client.stream("GET", url) as resp:
            if resp.status_code < 400:
                body = _read_limited(resp.iter_bytes())
        return resp

    after = "1 attempt" if retries == 0 else f"{retries + 1} attempts"
    try:
        resp = with_retries(get, policy=policy, sleep=sleep)
    except httpx.TransportError as exc:  # retried: say how often
        raise SourceError(f"{failure(exc, url)} after {after}") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise SourceError(failure(exc, url)) from None
    status = resp.status_code
    if status < 400:
        return body
    problem = status_problem(resp)
    raise SourceError(f"{problem} after {after}" if status in _RETRY_STATUSES else problem)


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


def _slug(entry: dict) -> str:
    """The key a new project gets: from its name (see `steward.directory.entries.stable_key`), never a counter."""
    return stable_key(entry["name_en"] or entry["name"], [entry["url"], *entry["contacts"]])


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
        "aliases": dedupe([name_en, name_zh]),
        "keywords": dedupe(k for k in keywords if k)[:_MAX_KEYWORDS],
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
    timeout: float | None = None,
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
        from steward.util.http import new_client

        client = new_client(timeout=timeout)
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
    kept = [e for e in synced_entries(path) if e.get("source") not in fetched]
    taken = known_keys | {e["key"] for e in kept}
    merged: dict[str, dict] = {}
    for entries in fetched.values():
        for entry in entries:
            key = _known_key(entry, by_url, by_name)
            if key is None:
                key = _slug(entry)
                if key in taken:  # another project has that slug: a hash of this name sets it apart
                    key = keyed_apart(key, entry["name_en"] or entry["name"])
            if key in merged:  # two projects turned out to be one: pool their words
                for name in LIST_FIELDS:
                    merged[key][name] = dedupe([*merged[key][name], *entry[name]])
                continue
            merged[key] = {"key": key, **entry}
            taken.add(key)
            (report.updated if key in known_keys else report.added).append(key)
    write_synced(path, [*kept, *merged.values()])


def _known_key(entry: dict, by_url: dict, by_name: dict) -> str | None:
    """The existing entry a fetched project describes: same homepage, or the same whole name.

    A key that merely equals part of the project's name is not enough: "Cofacts
    Bot 機器人" is not the shipped `cofacts` unless its address or a whole name says so.
    """
    if entry["url"] and _url_id(entry["url"]) in by_url:
        return by_url[_url_id(entry["url"])]
    for name in entry["aliases"]:
        if name.casefold() in by_name:
            return by_name[name.casefold()]
    return None


def write_synced(path: Path, entries: list[dict]) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    header = "# Written by `steward directory sync`; edits here are lost on the next sync.\n\n"
    write_toml_atomic(path, {"synced_at": stamp, "entry": entries}, header=header)

