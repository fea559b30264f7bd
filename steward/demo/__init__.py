"""The demo inbox steward writes for itself."""
