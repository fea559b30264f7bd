"""Maildir directories: one file per message under new/ and cur/."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from datetime import tzinfo
from pathlib import Path

from steward.intake import FileError, file_time
from steward.intake.email_message import RawMessage, parse_raw
from steward.models import IncomingRequest, RecordError


def read_maildir(path: Path, *, tz: tzinfo) -> Iterator[IncomingRequest | RecordError]:
    """Every message in new/ and cur/; records are named DIR/cur/FILENAME.

    A message without a Date header gets its file's time (the delivery time in
    a Maildir), with a warning.
    """
    for raw in maildir_messages(path):
        yield parse_raw(raw)


def maildir_messages(path: Path) -> Iterator[RawMessage | RecordError]:
    """The undecoded messages of a Maildir, in file name order."""
    try:
        box = mailbox.Maildir(path, factory=None, create=False)
        keys = box.keys()
        # mailbox.Maildir lists the messages; the location a user can open is
        # the file itself, so each key is found again by its file name.
        files = _files_by_key(path, box.colon)
    except (OSError, mailbox.Error) as exc:
        raise FileError(path, f"cannot open as Maildir: {exc}") from None
    for key in sorted(keys, key=lambda k: str(files.get(k, k))):
        file = files.get(key)
        location = str(file) if file else f"{path}/{key}"
        try:
            data = box.get_bytes(key)
        except (OSError, KeyError) as exc:
            yield RecordError(location, f"cannot read message: {exc}")
            continue
        yield RawMessage(location, data, file_time(file) if file else file_time(path))


def count_messages(path: Path) -> int:
    """How many files new/ and cur/ hold, without reading them."""
    try:
        return sum(1 for sub in ("new", "cur") for f in (path / sub).iterdir() if not f.name.startswith("."))
    except OSError:
        return 0


def _files_by_key(path: Path, colon: str) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for sub in ("new", "cur"):
        for file in (path / sub).iterdir():
            if not file.name.startswith("."):
                files[file.name.split(colon, 1)[0]] = file
    return files
