"""The weekly summary screen."""
