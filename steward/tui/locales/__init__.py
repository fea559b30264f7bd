"""The TUI's string catalogues, one module per language (a plain dict each)."""
