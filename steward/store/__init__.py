"""Storage: the only package that speaks SQL."""

from steward.store.clock import from_iso, to_iso, utc_now
from steward.store.core import Store, remove_demo_inbox
from steward.store.details import organization_details, request_details

__all__ = ["Store", "remove_demo_inbox", "from_iso", "to_iso", "utc_now", "request_details", "organization_details"]
