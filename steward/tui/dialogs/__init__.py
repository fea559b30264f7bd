"""Dialogs shared by the screens: prompts, pickers, the import dialog."""
