"""The interchange format: JSON objects, one per line (.jsonl) or in an array (.json).

Fields: external_id, received_at (ISO 8601; without an offset it is read in the
configured timezone), channel, from_name, from_email, organization, subject,
body. Optional: message_id and in_reply_to, for tools that know mail threads.
Other fields are ignored, so labelled samples import as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone, tzinfo
from pathlib import Path

from steward.intake import FileError, finish, guarded
from steward.intake.dates import read_timestamp, to_utc
from steward.models import CHANNELS, IncomingRequest, RecordError
from steward.util.text import one_line

TEXT_FIELDS = ("from_name", "from_email", "organization", "subject", "body")
MAX_ID_CHARS = 1000  # an external_id or message_id longer than this is not an id


class HugeNumber(int):
    """A JSON number too long for int() (Python refuses over 4,300 digits): kept as
    its digit count so the record holding it, and only that one, is refused."""

    def __new__(cls, digits: int) -> HugeNumber:
        return super().__new__(cls, 0)

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > 4000:
        return HugeNumber(len(text))
    return int(text)


def loads(text: str | bytes) -> object:
    """json.loads that reads numbers of any length (see HugeNumber).

    Raises json.JSONDecodeError, or RecursionError when nested too deeply.
    """
    return json.loads(text, parse_int=_parse_int)


def read_jsonl(path: Path, *, tz: tzinfo) -> Iterator[IncomingRequest | RecordError]:
    """One JSON object per line; blank lines are skipped. Records are named FILE:LINE."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise FileError(path, f"cannot read: {exc.strerror or exc}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            location = f"{path}:{number}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield RecordError(location, f"not UTF-8 text (byte {exc.start + 1})")
                continue
            try:
                data = loads(line)
            except json.JSONDecodeError as exc:
                yield RecordError(location, f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            except RecursionError:
                yield RecordError(location, "invalid JSON: nested too deeply")
                continue
            yield guarded(location, record_from_mapping, data, location=location, tz=tz)


def read_json(path: Path, *, tz: tzinfo) -> Iterator[IncomingRequest | RecordError]:
    """A JSON array of objects, or one object. Records are named FILE:item N (1-based)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        data = loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield RecordError(f"{path}", f"not UTF-8 text (byte {exc.start + 1})")
        return
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and exc.lineno > 1:
            # One object per line, saved as .json: read it as the JSONL it is.
            yield from read_jsonl(path, tz=tz)
            return
        # Nothing can be trusted after a syntax error in one big document.
        yield RecordError(f"{path}:{exc.lineno}", f"invalid JSON: {exc.msg} (column {exc.colno})")
        return
    except RecursionError:
        yield RecordError(f"{path}", "invalid JSON: nested too deeply")
        return
    if isinstance(data, dict):
        yield guarded(f"{path}:item 1", record_from_mapping, data, location=f"{path}:item 1", tz=tz)
        return
    if not isinstance(data, list):
        yield RecordError(f"{path}", f"expected an array of objects or one object, found {_kind(data)}")
        return
    for number, item in enumerate(data, start=1):
        location = f"{path}:item {number}"
        yield guarded(location, record_from_mapping, item, location=location, tz=tz)


def record_from_mapping(
    data: object, *, location: str, tz: tzinfo, default_channel: str = "other"
) -> IncomingRequest | RecordError:
    """Check one interchange object and turn it into a request, or say what is wrong."""
    if not isinstance(data, Mapping):
        return RecordError(location, f"expected a JSON object, found {_kind(data)}")
    warnings: list[str] = []

    received_at = _received_at(data.get("received_at"), tz)
    if isinstance(received_at, str):
        return RecordError(location, received_at)

    texts: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = data.get(name)
        if value is None:
            texts[name] = ""
        elif isinstance(value, str):
            texts[name] = value
        else:
            return RecordError(location, f"{name} must be a string, found {_kind(value)}")

    external_id = data.get("external_id")
    if isinstance(external_id, bool) or not isinstance(external_id, (str, int, type(None))):
        return RecordError(location, f"external_id must be a string, found {_kind(external_id)}")
    if isinstance(external_id, HugeNumber):
        return RecordError(location, f"external_id is a number of {external_id.digits:,} digits; not an id")
    message_id = data.get("message_id")
    if not isinstance(message_id, (str, type(None))):
        return RecordError(location, f"message_id must be a string, found {_kind(message_id)}")
    for name, value in (("external_id", external_id), ("message_id", message_id)):
        if isinstance(value, str) and len(value) > MAX_ID_CHARS:
            return RecordError(location, f"{name} is {len(value):,} characters long; at most {MAX_ID_CHARS:,}")
    replies_to = data.get("in_reply_to")
    if replies_to is None:
        replies_to = []
    elif isinstance(replies_to, str):
        replies_to = [replies_to]
    elif not (isinstance(replies_to, list) and all(isinstance(r, str) for r in replies_to)):
        return RecordError(location, "in_reply_to must be a string or a list of strings")

    channel = data.get("channel")
    if channel is None or channel == "":
        channel = default_channel
    elif not isinstance(channel, str):
        return RecordError(location, f"channel must be a string, found {_kind(channel)}")
    elif channel.strip().lower() in CHANNELS:
        channel = channel.strip().lower()
    else:
        warnings.append(f"unknown channel {one_line(channel)[:40]!r}, stored as 'other'")
        channel = "other"

    return finish(
        IncomingRequest(
            received_at=received_at,
            channel=channel,
            external_id=None if external_id is None else str(external_id),
            message_id=message_id,
            in_reply_to=list(replies_to),
            source=location,
            warnings=warnings,
            **texts,
        )
    )


def _received_at(value: object, tz: tzinfo) -> datetime | str:
    """The parsed time, or a reason why it cannot be read."""
    if value is None or value == "":
        return "received_at is missing"
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return f"received_at must be an ISO 8601 string, found {_kind(value)}"
    if isinstance(value, HugeNumber):
        return f"received_at is a number of {value.digits:,} digits; out of range"
    if isinstance(value, (int, float)):
        # Feeds often send Unix seconds.
        try:
            moment = to_utc(datetime.fromtimestamp(value, timezone.utc))
        except (OverflowError, OSError, ValueError):
            moment = "is out of range"
        return moment if isinstance(moment, datetime) else f"received_at {value!r} {moment}"
    moment = read_timestamp(value, tz)
    if isinstance(moment, str):
        return f"received_at {one_line(value)[:60]!r} {moment}"
    return moment


def _kind(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "a number"
    return {
        dict: "an object", list: "an array", str: "a string", bool: "a boolean",
        int: "a number", float: "a number", type(None): "null",
    }.get(type(value), type(value).__name__)
