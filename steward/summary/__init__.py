"""The weekly summary: its data, its Markdown, its words, and where it is published."""
