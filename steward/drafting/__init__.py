"""Reply drafts: templates, guidance checklists and the facts of a request."""
