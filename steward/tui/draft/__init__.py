"""The draft screen: editor, checklist and autosave."""
