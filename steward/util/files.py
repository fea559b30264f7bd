"""Writing files so that a reader never sees half of one, and nobody else reads a private one."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path | str, data: str | bytes, *, mode: int = 0o644) -> None:
    """Write `data` (text is written as UTF-8) to `path` through a temporary file and a rename.

    Readers see the old file or the new one, never half. The file gets `mode`
    on every write, whatever was there before and whatever the umask: a
    private summary written over a world-readable file is private afterwards.
    A write never loosens a mode either: a file the steward made private stays
    so when a public version is written over it. The folder must exist;
    OSError is left to the caller, who knows how to word it.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        existing = path.stat()
    except FileNotFoundError:
        existing = None
    if existing is not None and stat.S_ISREG(existing.st_mode):
        mode &= existing.st_mode & 0o777
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        # /dev/stdout, a named pipe: nothing to rename over, nothing to chmod.
        with open(path, "wb") as handle:
            handle.write(payload)
        return
    try:
        # Same folder as the target, so the rename stays on one file system.
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except PermissionError:
        if existing is None:
            raise
        _overwrite_in_place(path, payload, mode)  # a writable file in a folder we may not write to
        return
    try:
        os.fchmod(fd, mode)  # before any byte is written, so the data is never readable by others
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _overwrite_in_place(path: Path, payload: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), mode)  # truncated first, so the old mode never guards the new text
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())


def read_model_or(path: Path | None, parse, fallback):
    """`parse(the JSON in path)` when a steward's own model file is there and reads back;
    else `fallback()`. A damaged file written by `steward train` must not stop matching:
    the shipped model still works."""
    import json

    if path is not None and path.exists():
        try:
            return parse(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
    return fallback()
