"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path | str, data: str | bytes, *, mode: int = 0o644) -> None:
    """Write `data` (text is written as UTF-8) to `path` through a temporary file and a rename.

    Readers see the old file or the new one, never half. A new file gets
    `mode` exactly (the umask does not apply); a file being replaced keeps its
    own, so a steward who made a file private keeps it private. The folder
    must exist; OSError is left to the caller, who knows how to word it.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        pass
    # Same folder as the target, so the rename stays on one file system.
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
