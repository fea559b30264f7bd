"""Storage: the only package that speaks SQL."""

from steward.store.clock import from_iso, to_iso, utc_now
from steward.store.core import Store

__all__ = ["Store", "from_iso", "to_iso", "utc_now"]
