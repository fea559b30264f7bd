"""The inbox screen: tabs, filter, request list, preview and the actions on requests."""
