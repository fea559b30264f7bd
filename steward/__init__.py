"""steward: a terminal inbox for community stewards."""

__version__ = "0.1.0"
