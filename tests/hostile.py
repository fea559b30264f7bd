"""Hostile inputs, generated: the values that have broken steward before, and their kin.

Hypothesis strategies (and a few plain helpers) for tests anywhere in the
suite. Add to it when a new kind of input breaks something; keep each
strategy named for what it produces.

- `extreme_timestamps()`: ISO 8601 texts at the ends of datetime's range, with
  offsets that push them over the edge ("0001-01-01T00:00:00+14:00").
- `spreadsheet_extreme_timestamps()`: the same as a form export writes them
  ("0001/01/01 00:00:00").
- `epoch_numbers()`: Unix seconds far outside any real time.
- `huge_integer_texts()`: JSON numbers longer than Python's int() limit (4,300 digits).
- `control_texts()`: text full of C0/C1 controls, escape sequences, bidi overrides,
  zero-width characters and lone surrogates.
- `deeply_nested_json(depth)`: JSON text nested `depth` levels deep.
- `hostile_json_values()`: any of the above as a JSON value, and other wrong types.
- `hostile_record_lines()`: a JSONL line that is a record with one hostile field,
  or not a record at all.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

# --- times --------------------------------------------------------------------------------

_OFFSETS = st.sampled_from(["+14:00", "-12:00", "+08:00", "Z", "+00:00", "-00:30", "+13:45", ""])


@st.composite
def extreme_timestamps(draw) -> str:
    """An ISO 8601 date and time in year 1..99 or 9900..9999, with an offset or none."""
    year = draw(st.one_of(st.integers(1, 99), st.integers(9900, 9999), st.sampled_from([1, 9999])))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    hour, minute, second = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    if year == 1 and draw(st.booleans()):
        month = day = 1
        hour = minute = second = 0
    if year == 9999 and draw(st.booleans()):
        month, day, hour, minute, second = 12, 31, 23, 59, 59
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{draw(_OFFSETS)}"


@st.composite
def spreadsheet_extreme_timestamps(draw) -> str:
    """A form-export timestamp ("YYYY/MM/DD HH:MM:SS") in year 1..99 or 9900..9999."""
    year = draw(st.one_of(st.integers(1, 99), st.integers(9900, 9999)))
    month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    hour, minute, second = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    return f"{year:04d}/{month:02d}/{day:02d} {hour:02d}:{minute:02d}:{second:02d}"


def epoch_numbers() -> st.SearchStrategy:
    """Unix seconds (int or float) outside any time a request was sent."""
    return st.one_of(
        st.integers(min_value=10**11, max_value=10**30),
        st.integers(min_value=-(10**30), max_value=-(10**10)),
        st.sampled_from([float("inf"), float("-inf"), 1e308, -1e308]),
    )


# --- numbers and ids ----------------------------------------------------------------------


def huge_integer_texts(min_digits: int = 4301, max_digits: int = 6000) -> st.SearchStrategy[str]:
    """The text of a JSON integer too long for int() under Python's default limit."""
    return st.builds(
        lambda n, first, sign: sign + str(first) + "7" * (n - 1),
        st.integers(min_digits, max_digits), st.integers(1, 9), st.sampled_from(["", "-"]),
    )


# --- text ---------------------------------------------------------------------------------

_NASTY_CHARS = (
    [chr(c) for c in range(0x00, 0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
    + ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u202e", "\u2066", "\u061c", "\ud800", "\udfff"]
    + ["\x1b[31m", "\x1b]8;;http://x\x07", "\x1b]0;title\x07", "\x9b2J", "\r\n", "[bold]", "[/foo]"]
)


def control_texts(max_size: int = 60) -> st.SearchStrategy[str]:
    """Text mixing ordinary letters (Latin and Chinese) with control characters,
    escape sequences, bidi overrides, zero-width characters and lone surrogates."""
    pieces = st.one_of(st.sampled_from(_NASTY_CHARS), st.sampled_from(["a", "合作", " ", "x@y.org", "台北"]))
    return st.lists(pieces, min_size=1, max_size=max_size).map("".join)


def deeply_nested_json(depth: int, *, kind: str = "array") -> str:
    """JSON text nested `depth` levels deep: [[[…]]] or {"a":{"a":…}}."""
    if kind == "array":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


# --- whole records ------------------------------------------------------------------------


class _RawJson(str):
    """JSON text to splice in as it is (a number too long for json.dumps to make)."""


def hostile_json_values() -> st.SearchStrategy:
    """A value no field expects: extreme times, huge numbers, control text, wrong types."""
    return st.one_of(
        extreme_timestamps(),
        spreadsheet_extreme_timestamps(),
        epoch_numbers(),
        huge_integer_texts().map(_RawJson),
        control_texts(),
        st.sampled_from([None, True, False, [], {}, [1, 2], {"a": None}, "", " ", 0, -1, 1.5]),
        st.builds(lambda d: _RawJson(deeply_nested_json(d)), st.sampled_from([50, 5000, 100_000])),
    )


FIELDS = (
    "external_id", "received_at", "channel", "from_name", "from_email", "organization",
    "subject", "body", "message_id", "in_reply_to",
)


def to_json_line(record: dict) -> str:
    """One JSONL line for `record`; values made with `_RawJson` are spliced in verbatim."""
    parts = []
    for key, value in record.items():
        text = str(value) if isinstance(value, _RawJson) else json.dumps(value)  # ASCII, so lone surrogates travel as \\ud800 escapes
        parts.append(f"{json.dumps(key)}:{text}")
    return "{" + ",".join(parts) + "}"


@st.composite
def hostile_record_lines(draw, base: dict | None = None) -> str:
    """A JSONL line: a plausible record with one or two hostile fields, or plain junk."""
    record = dict(base or {"received_at": "2026-11-20T10:00:00+08:00", "subject": "hostile", "body": "x"})
    for field in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=2, unique=True)):
        record[field] = draw(hostile_json_values())
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(
            ["[", "{", "null", "[1,2]", '"text"', deeply_nested_json(100_000), "{" + '"a":' * 3, "\x00"]
        ))
    return to_json_line(record)
