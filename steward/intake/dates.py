"""Timestamps as forms, spreadsheets and JSON tools write them."""

from __future__ import annotations

import re
from datetime import datetime, timezone, tzinfo

# The times steward stores and computes with (weeks, follow-ups, summaries).
# Anything outside is a typo or a placeholder ("0001-01-01", "9999-12-31"),
# and near the ends of datetime's range converting to UTC overflows.
EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(3000, 1, 1, tzinfo=timezone.utc)

# Google Sheets in zh-TW writes "2026/11/20 下午 3:04:05"; English exports write
# "11/20/2026 15:04:05" or "… 3:04:05 PM". The marker may come before or after
# the time.
_MORNING = {"上午", "早上", "凌晨", "am"}
_AFTERNOON = {"下午", "晚上", "中午", "pm"}
_MARKER = r"上午|下午|早上|凌晨|中午|晚上|[AaPp]\.?[Mm]\.?"
_TIME = (
    rf"(?:[ T]\s*(?P<m1>{_MARKER})?\s*"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,6})\d*)?)?"
    rf"\s*(?P<m2>{_MARKER})?)?"
)
_YMD = re.compile(rf"^(?P<y>\d{{4}})\s*[/\-.年]\s*(?P<mo>\d{{1,2}})\s*[/\-.月]\s*(?P<d>\d{{1,2}})\s*日?{_TIME}$")
_MDY = re.compile(rf"^(?P<a>\d{{1,2}})[/\-.](?P<b>\d{{1,2}})[/\-.](?P<y>\d{{4}}){_TIME}$")


def parse_timestamp(value: str, tz: tzinfo) -> datetime | None:
    """Read a timestamp; without an offset it is taken in `tz`. Returns aware UTC, or None.

    Day-first is assumed for `D/M/YYYY` only when the first number cannot be a
    month; otherwise the US order that Google Forms uses in English is read.
    """
    moment = read_timestamp(value, tz)
    return moment if isinstance(moment, datetime) else None


def read_timestamp(value: str, tz: tzinfo) -> datetime | str:
    """As `parse_timestamp`, but says why a value is refused: "is not a date and time"
    or "is out of range (…)". Never raises, whatever `value` holds."""
    text = " ".join(value.split())
    if not text or len(text) > 200:  # no timestamp is longer; don't feed megabytes to the parsers
        return "is not a date and time"
    moment = _iso(text) or _spreadsheet(text)
    if moment is None:
        moment = _rfc2822(text)
    if moment is None:
        return "is not a date and time"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return to_utc(moment)


def to_utc(moment: datetime) -> datetime | str:
    """`moment` (aware) in UTC, or the reason it is not a time steward can keep.

    Never raises: "0001-01-01T00:00:00+14:00" has no UTC equivalent at all
    (OverflowError), "9999-12-31T23:59:59-12:00" neither.
    """
    try:
        utc = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError, OSError):
        return "is out of range"
    if not EARLIEST <= utc < LATEST:
        return f"is out of range (years {EARLIEST.year} to {LATEST.year - 1})"
    return utc


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _spreadsheet(text: str) -> datetime | None:
    found = _YMD.match(text)
    if found:
        year, month, day = int(found["y"]), int(found["mo"]), int(found["d"])
    else:
        found = _MDY.match(text)
        if not found:
            return None
        first, second, year = int(found["a"]), int(found["b"]), int(found["y"])
        month, day = (second, first) if first > 12 else (first, second)
    hour = int(found["H"] or 0)
    marker = (found["m1"] or found["m2"] or "").lower().replace(".", "")
    if marker and found["H"] is not None:
        if hour > 12:
            return None  # "下午 15:00" is not a time anyone wrote on purpose
        if marker in _MORNING:
            hour = 0 if hour == 12 else hour
        elif marker in _AFTERNOON:
            hour = 12 if hour == 12 else hour + 12
    fraction = (found["f"] or "").ljust(6, "0")
    try:
        return datetime(
            year, month, day, hour, int(found["M"] or 0), int(found["S"] or 0), int(fraction or 0)
        )
    except ValueError:
        return None


def _rfc2822(text: str) -> datetime | None:
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment
