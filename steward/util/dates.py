"""Dates people type (``+3d``, ``2026-12-01``, ``tomorrow``, ``next mon``, ``週五``) and the timestamps steward stores."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from steward.models import UsageError

_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
}
_RELATIVE = re.compile(r"^\+?(\d+)\s*([dwm]|days?|weeks?|months?|天|週|周)$")


def parse_date(text: str, today: date) -> date:
    """A follow-up date from what a steward typed; UsageError when it makes no sense."""
    try:
        return _parse_date(text, today)
    except (OverflowError, ValueError):  # +99999999d, a 5,000-digit amount, year 10000
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise UsageError(f"not a date steward can keep: {shown!r} (dates run to 9999-12-31)") from None


def _parse_date(text: str, today: date) -> date:
    value = text.strip().lower()
    if not value:
        raise UsageError("no date given")
    if value in ("today", "今天"):
        return today
    if value in ("tomorrow", "明天"):
        return today + timedelta(days=1)
    match = _RELATIVE.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        if unit[0] in "d天":
            return today + timedelta(days=amount)
        if unit[0] in "w週周":
            return today + timedelta(weeks=amount)
        month = today.month - 1 + amount
        year, month = today.year + month // 12, month % 12 + 1
        day = min(today.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
                              31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1])
        return date(year, month, day)
    weekday = re.fullmatch(r"(?:next\s+|下週|下周|週|周|星期)?(\w+)", value)
    if weekday and weekday.group(1) in _WEEKDAYS:
        target = _WEEKDAYS[weekday.group(1)]
        ahead = (target - today.weekday()) % 7 or 7
        if value.startswith(("下週", "下周")):
            ahead += 7 if ahead < 7 else 0
        return today + timedelta(days=ahead)
    for candidate in (value, value.replace("/", "-")):
        try:
            return date.fromisoformat(candidate)
        except ValueError:
            pass
    short = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})", value)
    if short:
        month, day = int(short.group(1)), int(short.group(2))
        try:
            guess = date(today.year, month, day)
        except ValueError:
            raise UsageError(f"not a date: {text!r}") from None
        return guess if guess >= today else date(today.year + 1, month, day)
    raise UsageError(f"not a date: {text!r} (try +3d, 2026-12-01, tomorrow or next mon)")


def to_iso(moment: datetime) -> str:
    """A timestamp as stored and exported: UTC to the second, ``2026-11-17T02:00:00Z``; naive ones are refused."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> datetime:
    """A stored timestamp (``…Z`` or with an offset) back as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
