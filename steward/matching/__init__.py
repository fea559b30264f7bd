"""Routing a request to projects and working groups, its category, and spam."""
