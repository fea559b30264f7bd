"""Spreadsheet exports of web forms (Google Forms and the like) as CSV.

Records are named FILE:ROW, where ROW is the 1-based number of the data row:
the header row is not counted, and a row whose quoted cells span several lines
still counts once, so ROW is not a line number.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from datetime import datetime, tzinfo
from pathlib import Path

from steward.intake import FileError, decode_bytes, file_time, finish, guarded
from steward.intake.dates import read_timestamp
from steward.models import ConfigError, IncomingRequest, RecordError
from steward.util.text import one_line

MAPPABLE = ("received_at", "from_name", "from_email", "organization", "subject", "body", "external_id")
IGNORE = "ignore"  # a csv_headers value that drops a column on purpose

# Header as a form writes it (after _normalise) -> field.
_EXACT = {
    "received_at": (
        # Not plain "date" or "日期": in a form that is usually the date of the event.
        "時間戳記", "填表時間", "提交時間", "送出時間", "timestamp", "submitted at", "submission time",
        "created at",
    ),
    "from_name": (
        "姓名", "名字", "您的姓名", "聯絡人", "聯絡人姓名", "稱呼", "name", "full name", "your name",
        "contact name", "contact person",
    ),
    "from_email": (
        "電子郵件地址", "電子郵件", "電子信箱", "信箱", "聯絡信箱", "email", "e-mail", "email address",
        "e-mail address", "your email",
    ),
    "organization": (
        "單位", "組織", "機構", "公司", "單位名稱", "組織名稱", "服務單位", "所屬單位", "organization",
        "organisation", "affiliation", "company", "institution",
    ),
    "subject": ("主旨", "標題", "主題", "subject", "title", "topic"),
    "body": (
        "內容", "說明", "訊息", "想說的話", "需求", "需求說明", "詳細說明", "留言", "message", "details",
        "description", "comments", "your message", "request",
    ),
}
_EXACT_LOOKUP = {header: field for field, headers in _EXACT.items() for header in headers}

# For long question headers ("請問您的電子郵件？"): words a header contains, tried in
# this order so that "組織名稱" is an organization before it is a name.
_CONTAINS = (
    ("received_at", ("時間戳記", "timestamp")),
    ("from_email", ("email", "e-mail", "電子郵件", "信箱")),
    ("organization", ("單位", "組織", "機構", "公司", "organization", "organisation", "affiliation", "company")),
    # Not a bare "name": "Event name" or "Project name" is not the sender.
    ("from_name", ("姓名", "名字", "稱呼", "your name", "full name", "contact name", "contact person")),
    ("subject", ("主旨", "標題", "subject")),
    (
        "body",
        ("內容", "說明", "訊息", "想說的話", "需求", "問題", "message", "details", "describe", "description", "request"),
    ),
)
_DELIMITERS = ",\t;|"
_FIELD_LIMIT = 64 * 1024 * 1024  # a body cell may be large; it is truncated later, not refused


def read_csv(
    path: Path, *, tz: tzinfo, headers: dict[str, str] | None = None
) -> Iterator[IncomingRequest | RecordError]:
    """Every non-empty data row as a form request (channel "form").

    Columns are mapped to fields by the built-in header names, overridden by
    `headers` (header as written -> field, or "ignore"). Non-empty cells in
    unmapped columns are appended to the body as "Header: value" lines, so
    nothing in the export is lost. Timestamps without an offset are read in `tz`.
    """
    overrides = check_overrides(headers or {})
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileError(path, f"cannot read: {exc.strerror or exc}") from None
    text = decode_csv_bytes(data)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(text)
    previous_limit = csv.field_size_limit(_FIELD_LIMIT)
    try:
        yield from _rows(path, text, delimiter, tz, overrides)
    finally:
        csv.field_size_limit(previous_limit)


def _rows(
    path: Path, text: str, delimiter: str, tz: tzinfo, overrides: dict[str, str]
) -> Iterator[IncomingRequest | RecordError]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise FileError(path, f"cannot read the header row: {exc}") from None
    if not header or not any(cell.strip() for cell in header):
        raise FileError(path, "no header row")
    names = [one_line(cell) or f"Column {i}" for i, cell in enumerate(header, start=1)]
    fields = map_headers(names, overrides)
    fallback_time = None if "received_at" in fields.values() else file_time(path)

    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            yield RecordError(f"{path}:{number}", f"cannot read the row: {exc}")
            continue
        if not any(cell.strip() for cell in row):
            continue
        number += 1
        location = f"{path}:{number}"
        yield guarded(location, _record, row, names, fields, location, tz, fallback_time)


def _record(
    row: list[str],
    names: list[str],
    fields: dict[int, str],
    location: str,
    tz: tzinfo,
    fallback_time: datetime | None,
) -> IncomingRequest | RecordError:
    values: dict[str, str] = {}
    bodies: list[str] = []
    extras: list[str] = []
    warnings: list[str] = []
    for index, cell in enumerate(row):
        cell = cell.strip()
        field = fields.get(index)
        if field == IGNORE:
            continue
        if field == "body":
            if cell:
                bodies.append(cell)
        elif field:
            values[field] = cell
        elif cell:
            name = names[index] if index < len(names) else f"Column {index + 1}"
            extras.append(f"{name}: {cell}")

    if fallback_time is not None:
        received_at = fallback_time
        warnings.append("no timestamp column; used the file's time")
    else:
        raw = values.get("received_at", "")
        column = names[_index_of(fields, "received_at")]
        if not raw:
            return RecordError(location, f"no timestamp in column {column!r}")
        received_at = read_timestamp(raw, tz)
        if isinstance(received_at, str):
            if received_at.startswith("is out of range"):
                return RecordError(location, f"the timestamp {one_line(raw)[:60]!r} in column {column!r} {received_at}")
            return RecordError(location, f"cannot read the timestamp {one_line(raw)[:60]!r} in column {column!r}")

    body = "\n\n".join(bodies)
    if extras:
        body = f"{body}\n\n" + "\n".join(extras) if body else "\n".join(extras)
    return finish(
        IncomingRequest(
            received_at=received_at,
            channel="form",
            from_name=values.get("from_name", ""),
            from_email=values.get("from_email", ""),
            organization=values.get("organization", ""),
            subject=values.get("subject", ""),
            body=body,
            external_id=values.get("external_id") or None,
            source=location,
            warnings=warnings,
            received_at_guessed=fallback_time is not None,
        )
    )


def _index_of(fields: dict[int, str], wanted: str) -> int:
    return next(index for index, field in fields.items() if field == wanted)


def map_headers(names: list[str], overrides: dict[str, str] | None = None) -> dict[int, str]:
    """Column index -> field. Each field but body takes the first column that fits."""
    overrides = {_normalise(k): v for k, v in (overrides or {}).items()}
    fields: dict[int, str] = {}
    taken: set[str] = set()

    def take(index: int, field: str) -> None:
        if field == IGNORE or field == "body" or field not in taken:
            fields[index] = field
            taken.add(field)

    keys = [_normalise(name) for name in names]
    for index, key in enumerate(keys):
        if key in overrides:
            take(index, overrides[key])
    for index, key in enumerate(keys):
        if index not in fields and key in _EXACT_LOOKUP:
            take(index, _EXACT_LOOKUP[key])
    for field, words in _CONTAINS:
        if field in taken:
            continue
        for index, key in enumerate(keys):
            if index not in fields and any(word in key for word in words):
                take(index, field)
                break
    return fields


def _normalise(header: str) -> str:
    # Forms add "*" for required questions and end questions with ":" or "？".
    key = " ".join(header.casefold().split())
    return key.strip(" :：?？*＊")


def check_overrides(headers: dict[str, str]) -> dict[str, str]:
    """The csv_headers setting, or ConfigError naming the first bad entry."""
    for header, field in headers.items():
        if field not in (*MAPPABLE, IGNORE):
            raise ConfigError(
                f"csv_headers: {header!r} maps to {field!r}; use one of {', '.join(MAPPABLE)} or {IGNORE!r}"
            )
    return headers


def decode_csv_bytes(data: bytes) -> str:
    """Text of a CSV export: BOMs first, then UTF-8, CP950 (Big5), then detection."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    head = data[:4096]
    # UTF-16 without a BOM: every other byte of ASCII text is NUL, and NULs are
    # valid UTF-8, so this must be caught before the UTF-8 attempt.
    if len(head) >= 4 and head.count(0) * 3 > len(head):
        codec = "utf-16-le" if head[1] == 0 else "utf-16-be"
        return data.decode(codec, errors="replace")
    return decode_bytes(data, fallbacks=("cp950",))[0]


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first rows into the same number of columns (2 or more).

    Each candidate is tried with csv.reader, which is linear. csv.Sniffer is
    not: its quote-guessing regexes backtrack, and 64 KB of '",' took 76 s.
    Ties go to the header row's most frequent candidate, then to the comma.
    """
    sample = text[:65536]
    first_line = sample.split("\n", 1)[0]
    best, best_key = ",", None
    for delimiter in _DELIMITERS:
        widths = _row_widths(sample, delimiter)
        if not widths or widths[0] < 2:
            continue
        key = (sum(width == widths[0] for width in widths), first_line.count(delimiter), -_DELIMITERS.index(delimiter))
        if best_key is None or key > best_key:
            best, best_key = delimiter, key
    return best


def _row_widths(sample: str, delimiter: str, rows: int = 20) -> list[int]:
    """Column counts of the first non-empty rows; the last row of a cut sample is left out."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    widths = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                widths.append(len(row))
            if len(widths) > rows:
                break
    except csv.Error:
        pass
    return widths[:-1] if len(widths) > 1 and len(sample) == 65536 else widths
