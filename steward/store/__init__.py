"""Storage: the only package that speaks SQL."""

from steward.store.core import Store, from_iso, to_iso, utc_now

__all__ = ["Store", "from_iso", "to_iso", "utc_now"]
