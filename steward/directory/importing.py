"""`steward directory import FILE`: many directory entries at once, from CSV, g0v.json or TOML.

Every row becomes an `[[entry]]` in the user's `directory.toml`, written in
one atomic step, so an import either lands whole or not at all and takes a
second for a list of a thousand projects (874 `directory add` calls took
minutes). Rows without a key get a stable one from their name
(`steward.directory.entries.stable_key`): importing the same file twice, or the same
projects in another order, gives the same keys.

A row that cannot be used is reported as FILE:LINE with the reason and the
others are kept. A row that names a project the directory already has from
elsewhere (the shipped list or a sync: same name, alias or homepage) is left
alone, so an import never overwrites curated names and keywords.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from steward.directory.entries import (
    _KEY_RE,
    KINDS,
    LIST_FIELDS,
    _USER_HEADER,
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
from steward.models import UsageError
from steward.util.text import one_line

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_KEYWORDS = 40
# Tags that say nothing about a project: every row of some lists carries them.
# "g0v.news", "bit.ly/x": an address written without its scheme.
_BARE_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
_EMPTY_TAGS = frozenset({"待確認", "tbd", "todo", "unknown", "other", "其他"})


@dataclass
class Row:
    """One project read from a file: where it was, and its fields (a TOML-ready entry)."""

    line: int
    fields: dict
    key: str = ""  # set when the file names one


@dataclass
class ImportReport:
    path: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)  # "FILE:LINE: NAME is already KEY"
    problems: list[str] = field(default_factory=list)  # "FILE:LINE: why"; the row was skipped

    @property
    def count(self) -> int:
        return len(self.added) + len(self.updated)


# -- reading: one reader per format ---------------------------------------------------

Reader = Callable[[str, str], Iterator[Row | str]]  # (text, label) -> rows and "LINE: problem"
READERS: dict[str, Reader] = {}


def reader(*names: str):
    def register(fn: Reader) -> Reader:
        for name in names:
            READERS[name] = fn
        return fn

    return register


def _words(value) -> list[str]:
    """A list from a cell: "a, b" or "a；b" or an actual list."""
    if isinstance(value, list):
        items = [v for v in value if isinstance(v, str)]
    elif isinstance(value, str):
        items = re.split(r"[,;，；、\n]", value)
    else:
        items = []
    return dedupe(one_line(v)[:80] for v in items)


def _http(value) -> str:
    url = one_line(value) if isinstance(value, str) else ""
    return url if re.match(r"^https?://\S+$", url, re.IGNORECASE) else ""


def _entry(name: str, *, line: int, get) -> Row | str:
    """Validated fields for one project; `get(column)` reads the row's cells."""
    name = one_line(name)[:200]
    if not name:
        return f"{line}: no name"
    raw_url = one_line(get("homepage") or get("url") or "")
    url = _http(raw_url) or _http(f"https://{raw_url}" if _BARE_HOST.match(raw_url) else "")
    repos = [r for r in _words(get("github_repos") or get("repository") or get("repositories") or [])]
    repo_urls = [r if _http(r) else f"https://github.com/{r}" for r in repos if re.match(r"^[\w.-]+/[\w.-]+$", r) or _http(r)]
    kind = one_line(get("kind") or "project")
    if kind not in KINDS:
        return f"{line}: {name}: kind '{kind[:30]}' is not one of {', '.join(KINDS)}"
    key = one_line(get("key") or "")
    if key and not _KEY_RE.match(key):
        return f"{line}: {name}: key '{key[:40]}' must be lowercase letters, digits, '-', '_' or '.'"
    name_en = one_line(get("name_en") or "")[:200]
    keywords = [*_words(get("keywords") or []), *_words(get("tags") or [])]
    keywords = [k for k in keywords if k.casefold() not in _EMPTY_TAGS][:MAX_KEYWORDS]
    fields = {
        "kind": kind,
        "name": name,
        "name_en": name_en if name_en != name else "",
        "aliases": [a for a in _words(get("aliases") or []) if a.casefold() != name.casefold()],
        "keywords": dedupe(keywords),
        "url": url or (repo_urls[0] if repo_urls else ""),
        "contacts": dedupe([*_words(get("contacts") or []), *([url] if url else []), *repo_urls[:3]]),
        "description": one_line(get("description") or "")[:500],
        "description_en": one_line(get("description_en") or "")[:500],
    }
    return Row(line, {k: v for k, v in fields.items() if v}, key)


@reader("csv", "tsv")
def read_csv_rows(text: str, label: str) -> Iterator[Row | str]:
    from steward.intake.csv_form import sniff_delimiter

    # Not str.splitlines(): that also breaks at \v and \f, which real names contain.
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text), strict=False)
    try:
        header = next(rows)
    except StopIteration:
        yield "1: empty file"
        return
    except csv.Error as exc:
        yield f"1: not CSV: {exc}"
        return
    columns = [re.sub(r"[\s-]+", "_", h.strip().casefold()).lstrip("\ufeff") for h in header]
    if "name" not in columns:
        yield f"1: no 'name' column (columns: {', '.join(c for c in columns if c)[:200]})"
        return
    start = rows.line_num + 1
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            yield f"{start}: not CSV: {exc}"
            start = rows.line_num + 1
            continue
        line, start = start, rows.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns):
            yield f"{line}: {len(cells)} cells but {len(columns)} columns"
            continue
        row = dict(zip(columns, cells, strict=False))
        yield _entry(row.get("name", ""), line=line, get=row.get)


@reader("json", "g0v.json")
def read_json_rows(text: str, label: str) -> Iterator[Row | str]:
    """g0v.json: one project object, or a list of them, each located by its line."""
    from steward.directory.sync import project_entry

    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    items: list[tuple[int, object]] = []
    try:
        if text.startswith("[", pos):
            pos = _skip(text, pos + 1)
            while not text.startswith("]", pos):
                start = pos
                value, pos = decoder.raw_decode(text, pos)
                items.append((text.count("\n", 0, start) + 1, value))
                pos = _skip(text, pos)
                if text.startswith(",", pos):
                    pos = _skip(text, pos + 1)
                elif not text.startswith("]", pos):
                    raise ValueError(f"expected ',' or ']' at line {text.count(chr(10), 0, pos) + 1}")
        else:
            items.append((text.count("\n", 0, pos) + 1, decoder.raw_decode(text, pos)[0]))
    except (ValueError, RecursionError) as exc:
        yield f"{text.count(chr(10), 0, pos) + 1}: not g0v.json: {exc}"
        return
    for line, item in items:
        if not isinstance(item, dict):
            yield f"{line}: not a project object"
            continue
        entry = project_entry(item, label)
        if entry is None:
            yield f"{line}: no name"
            continue
        entry.pop("source", None)
        yield Row(line, {k: v for k, v in entry.items() if v})


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


@reader("toml")
def read_toml_rows(text: str, label: str) -> Iterator[Row | str]:
    """`[[entry]]` tables as in directory.toml, where `key` may be left out."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        yield f"{getattr(exc, 'lineno', 1) or 1}: not valid TOML: {exc}"
        return
    tables = data.get("entry", data.get("project", []))
    if not isinstance(tables, list):
        yield "1: expected [[entry]] tables"
        return
    # tomllib keeps no positions; the n-th table header is the n-th table.
    headers = [n for n, ln in enumerate(text.splitlines(), 1) if re.match(r"\s*\[\[\s*(entry|project)\s*\]\]", ln)]
    for n, table in enumerate(tables):
        line = headers[n] if n < len(headers) else 1
        if not isinstance(table, dict):
            yield f"{line}: not a table"
            continue
        known = {"key", "name", "retired", "source", *LIST_FIELDS, "kind", "name_en", "url", "homepage",
                 "description", "description_en", "tags", "repository"}
        unknown = [k for k in table if k not in known]
        if unknown:
            yield f"{line}: unknown key '{one_line(unknown[0])[:40]}'"
            continue
        bad = [k for k, v in table.items() if not isinstance(v, str | list | bool)]
        if bad:
            yield f"{line}: '{bad[0]}' must be text or a list of text"
            continue
        yield _entry(table.get("name") if isinstance(table.get("name"), str) else "", line=line,
                     get=lambda column, t=table: t.get(column))


def format_of(path: Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in READERS:
            raise UsageError(f"unknown format '{one_line(fmt)}': choose one of {', '.join(sorted(READERS))}")
        return fmt
    name = path.name.casefold()
    for suffix in sorted(READERS, key=len, reverse=True):
        if name.endswith("." + suffix):
            return suffix
    raise UsageError(f"{path}: cannot tell the format from the name; pass --format ({', '.join(sorted(READERS))})")


def read_rows(path: Path, fmt: str | None = None) -> tuple[list[Row], list[str]]:
    """The usable rows of a file and "FILE:LINE: problem" for every other one."""
    fmt = format_of(path, fmt)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    if fmt in ("csv", "tsv"):
        from steward.intake.csv_form import decode_csv_bytes

        text = decode_csv_bytes(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UsageError(f"{path}: not UTF-8 text: {exc}") from None
    rows, problems = [], []
    for item in READERS[fmt](text, str(path)):
        if isinstance(item, Row):
            rows.append(item)
        else:
            problems.append(f"{path}:{item}")
    return rows, problems


# -- merging into the user's directory file ---------------------------------------------


def _ident(text: str) -> str:
    import unicodedata

    return " ".join(unicodedata.normalize("NFKC", text).casefold().replace("臺", "台").split())


def _url_ident(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.casefold()).rstrip("/")


def import_directory(settings, path: Path | str, *, fmt: str | None = None, dry_run: bool = False) -> ImportReport:
    """Add (or refresh) every usable row of FILE in the user's directory.toml, in one write."""
    path = Path(path)
    rows, problems = read_rows(path, fmt)
    report = ImportReport(str(path), problems=problems)
    user = user_path(settings)
    mine = read_entries(user) if user.exists() else []
    others = merge_layers(default_entries(), synced_entries(synced_path(settings)), ())
    # Entries steward has from elsewhere: an import leaves them alone.
    by_name: dict[str, str] = {}
    by_url: dict[str, str] = {}
    for e in others.all_entries:
        for n in (e.name, e.name_en, *e.aliases):
            if n:
                by_name.setdefault(_ident(n), e.key)
        if e.url:
            by_url.setdefault(_url_ident(e.url), e.key)
    mine_by_key = {e["key"]: e for e in mine}
    mine_by_name = {_ident(e["name"]): e["key"] for e in mine if e.get("name")}
    taken = {e.key: _ident(e.name) for e in others.all_entries}
    taken.update({e["key"]: _ident(e.get("name", "")) for e in mine})
    seen: dict[str, int] = {}  # key -> line that set it in this file
    written: dict[str, dict] = {}
    base: dict[int, str] = {}
    claims: dict[str, set[str]] = {}  # slug -> the names in this file that would get it
    for n, row in enumerate(rows):
        base[n] = stable_key(row.fields["name"], [row.fields.get("url", ""), *row.fields.get("contacts", [])])
        claims.setdefault(base[n], set()).add(_ident(row.fields["name"]))
    for n, row in enumerate(rows):
        name = row.fields["name"]
        ident = _ident(name)
        where = f"{path}:{row.line}"
        if not row.key:
            known = by_name.get(ident) or (row.fields.get("url") and by_url.get(_url_ident(row.fields["url"])))
            if known and known not in mine_by_key:
                report.known.append(f"{where}: {name} is already in the directory as {known}")
                continue
        key = row.key or mine_by_name.get(ident) or base[n]
        if not row.key and key == base[n] and (taken.get(key, ident) != ident or len(claims[key]) > 1):
            # Another project has (or wants) that slug: every one of them gets its own
            # name's hash, whichever comes first in the file.
            key = keyed_apart(key, name)
        if key in seen:
            report.problems.append(f"{where}: {name}: same key '{key}' as line {seen[key]}")
            continue
        if row.key and key in taken and key not in mine_by_key:
            report.problems.append(f"{where}: {name}: key '{key}' belongs to a shipped or synced entry; change that one with `steward directory add {key} …`")
            continue
        seen[key] = row.line
        (report.updated if key in mine_by_key else report.added).append(key)
        taken[key] = ident
        written[key] = {"key": key, **row.fields}
    if not written or dry_run:
        return report
    kept = [e for e in mine if e["key"] not in written]
    data = {"entry": [*kept, *written.values()]}
    # Checked as any later command will read it, before anything is written.
    read_entries(user, data)
    write_toml_atomic(user, data, header=_USER_HEADER)
    return report
