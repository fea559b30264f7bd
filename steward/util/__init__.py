"""Small helpers every package shares: text and cell width, dates, files, HTTP, privacy."""
