"""Timestamps as the inbox stores them: ISO 8601 UTC text.

Every store module reads the time through ``clock.utc_now()``, so tests and
benchmarks that replay history patch this one place.
"""

from __future__ import annotations

from datetime import datetime, timezone

from steward.util.dates import from_iso, to_iso  # the one definition; store modules import them from here

__all__ = ["from_iso", "to_iso", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)
