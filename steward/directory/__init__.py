"""The community's projects and working groups: entries, bulk import, sync."""
