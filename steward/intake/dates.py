"""Timestamps as forms, spreadsheets and JSON tools write them."""

from __future__ import annotations

import re
from datetime import datetime, timezone, tzinfo

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
    text = " ".join(value.split())
    if not text:
        return None
    moment = _iso(text) or _spreadsheet(text)
    if moment is None:
        moment = _rfc2822(text)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(timezone.utc)


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
