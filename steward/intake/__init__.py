"""Reading requests from the files they arrive in.

One module per format; `read_path` picks the module by extension and, when the
extension says nothing, by the first bytes of the file. Every reader yields
`IncomingRequest` records or, for a record it cannot read, a `RecordError`
naming `FILE:RECORD`; a bad record never stops the others.

The format modules are imported lazily so that `steward list` and friends do
not pay for the email package or charset detection.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timezone, tzinfo
from pathlib import Path

from steward.models import IncomingRequest, RecordError, UsageError
from steward.util.text import clean_text, one_line, truncate_body

FORMATS = ("eml", "mbox", "maildir", "csv", "json", "jsonl")

_EXTENSIONS = {
    ".eml": "eml",
    ".mbox": "mbox",
    ".mbx": "mbox",
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

class FileError(UsageError):
    """A whole file cannot be read (missing, unreadable, unknown format)."""

    def __init__(self, path: str | os.PathLike, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


# Header names that open most mail files; enough to tell an .eml without extension.
_MAIL_HEADERS = (
    b"return-path:", b"received:", b"from:", b"to:", b"subject:", b"date:",
    b"message-id:", b"mime-version:", b"delivered-to:", b"x-", b"reply-to:",
)


def read_path(
    path: str | os.PathLike,
    *,
    fmt: str | None = None,
    tz: tzinfo,
    csv_headers: dict[str, str] | None = None,
) -> Iterator[IncomingRequest | RecordError]:
    """Yield every record in `path`, in file order.

    `fmt` forces a format (one of FORMATS); otherwise it is chosen from the
    extension, then from the content. A file that cannot be read at all raises
    FileError (a UsageError), here or at the first step of the iteration; an
    unknown `fmt` raises UsageError. Whatever goes wrong with a single record
    is yielded as a RecordError instead.
    """
    path = Path(path)
    if not path.exists():
        raise FileError(path, "no such file or directory")
    fmt = detect_format(path) if fmt is None else check_format(fmt)
    if fmt == "maildir":
        from steward.intake.maildir import read_maildir

        return read_maildir(path, tz=tz)
    if not path.is_file():
        raise FileError(path, "not a file")
    if fmt == "eml":
        from steward.intake.email_message import read_eml

        return read_eml(path, tz=tz)
    if fmt == "mbox":
        from steward.intake.mbox import read_mbox

        return read_mbox(path, tz=tz)
    if fmt == "csv":
        from steward.intake.csv_form import read_csv

        return read_csv(path, tz=tz, headers=csv_headers)
    from steward.intake.jsonl import read_json, read_jsonl

    return read_jsonl(path, tz=tz) if fmt == "jsonl" else read_json(path, tz=tz)


def check_format(fmt: str) -> str:
    """A format name as given on the command line, checked."""
    fmt = fmt.lower().strip()
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return fmt


def detect_format(path: Path) -> str:
    """The format of `path` by extension, else by its first bytes."""
    if not path.exists():
        raise FileError(path, "no such file or directory")
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            return "maildir"
        raise FileError(path, "a directory, but not a Maildir (no cur/ and new/ inside)")
    by_extension = _EXTENSIONS.get(path.suffix.lower())
    if by_extension:
        return by_extension
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise FileError(path, f"cannot read: {exc.strerror or exc}") from None
    guessed = _sniff(head)
    if guessed is None:
        raise FileError(
            path,
            f"cannot tell the format from the name or the content; use --format ({', '.join(FORMATS)})",
        )
    return guessed


def _sniff(head: bytes) -> str | None:
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"From "):
        return "mbox"
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        # One object per line is JSONL; an object spread over lines is JSON.
        first_line = text.split(b"\n", 1)[0].rstrip()
        return "jsonl" if first_line.endswith(b"}") else "json"
    if text.lower().startswith(_MAIL_HEADERS):
        return "eml"
    return None


# --- helpers shared by the format modules --------------------------------------

# Labels that mail and exports use for a charset whose real encoding is a
# superset: Big5 mail is nearly always CP950 (with the ETEN extensions), GB2312
# mail is often GBK, and "latin-1" text is usually Windows-1252.
_SUPERSETS = {
    "big5": "cp950",
    "big-5": "cp950",
    "x-big5": "cp950",
    "cn-big5": "cp950",
    "big5-hkscs": "big5hkscs",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "cp936": "gb18030",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",  # mislabelled UTF-8 is far more common than real 7-bit text
    "ascii": "utf-8",
}


def codec_for(label: str | None) -> str | None:
    """The Python codec to use for a declared charset, or None if unknown."""
    if not label:
        return None
    name = label.strip().strip('"').lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def decode_bytes(
    data: bytes, declared: str | None = None, *, fallbacks: tuple[str, ...] = ()
) -> tuple[str, str | None]:
    """Decode untrusted bytes; return the text and a warning (None if all went well).

    The charset is chosen by plausibility across the declared one, UTF-8, CP950,
    GB18030, Shift-JIS (CP932) and charset-normalizer's guess: see
    `steward.intake.charsets`. `fallbacks` is accepted for old callers and ignored.
    """
    decoded = decode_text(data, declared)
    return decoded.text, decoded.warning


def decode_text(data: bytes, declared: str | None = None):
    """As `decode_bytes`, returning a `charsets.Decoded` (text, charset, confident, warning)."""
    from steward.intake.charsets import decode

    return decode(data, codec_for(declared), declared)


MAX_UNDECODED_BYTES = 2 * 1024 * 1024


def keep_undecoded(undecoded: list[dict] | None, part: str, data: bytes, decoded) -> None:
    """Remember the original bytes of text whose charset was a guess."""
    if undecoded is not None and not decoded.confident:
        # The body is kept to 1 MiB of text; twice that in bytes is plenty to decode it again.
        undecoded.append({"part": part, "charset": decoded.charset, "data": bytes(data[:MAX_UNDECODED_BYTES])})


def file_time(path: Path) -> datetime:
    """The file's modification time, as an aware UTC datetime."""
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    except OSError:
        return datetime.now(timezone.utc)


def guarded(location: str, build: Callable[..., IncomingRequest | RecordError], /, *args, **kwargs) -> IncomingRequest | RecordError:
    """`build(*args, **kwargs)`, or a RecordError for `location` if it raises.

    The readers check what they know can go wrong; this is the net under them,
    so that no value in one record, however hostile, stops the records after it.
    """
    try:
        return build(*args, **kwargs)
    except RecursionError:
        return RecordError(location, "nested too deeply")
    except Exception as exc:  # noqa: BLE001 - one record's problem, reported as that record's
        return RecordError(location, f"cannot read the record: {type(exc).__name__}: {one_line(str(exc))[:120]}")


def finish(record: IncomingRequest) -> IncomingRequest | RecordError:
    """Make a record safe to store: clean every text field, cap the body.

    A received_at outside what steward can keep (see `dates.to_utc`) makes the
    record a RecordError instead.
    """
    from steward.intake.dates import to_utc

    received_at = to_utc(record.received_at)
    if isinstance(received_at, str):
        return RecordError(record.source, f"received_at {_moment_text(record.received_at)} {received_at}")
    record.subject = _line(record.subject)
    record.from_name = _line(record.from_name)
    record.from_email = _line(record.from_email)
    record.organization = _line(record.organization)
    record.external_id = _line(record.external_id) or None
    record.message_id = _line(record.message_id) or None
    record.in_reply_to = [ref for ref in map(_line, record.in_reply_to) if ref]
    body, cut = truncate_body(clean_text(_valid_unicode(record.body)).strip())
    if cut:
        record.warnings.append("body over 1 MiB, kept truncated")
    record.body = body
    record.warnings = [_line(w) for w in record.warnings]
    record.received_at = received_at
    return record


def _moment_text(moment: datetime) -> str:
    try:
        return moment.isoformat()
    except (OverflowError, ValueError):
        return repr(moment)


def _line(value: str | None) -> str:
    return one_line(_valid_unicode(value or ""))


def _valid_unicode(value: str) -> str:
    """Replace lone surrogates (undecodable bytes smuggled through the email parser)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value
