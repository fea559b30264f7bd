"""mbox files (Thunderbird, Gmail Takeout, mutt): many messages in one file."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from datetime import tzinfo
from pathlib import Path

from steward.intake import FileError, file_time
from steward.intake.email_message import RawMessage, parse_raw
from steward.models import IncomingRequest, RecordError


def read_mbox(path: Path, *, tz: tzinfo) -> Iterator[IncomingRequest | RecordError]:
    """Every message in the file; records are named FILE:N, N the 1-based message number.

    A message without a Date header gets the mbox file's time, with a warning.
    """
    for raw in mbox_messages(path):
        yield parse_raw(raw)


def mbox_messages(path: Path) -> Iterator[RawMessage | RecordError]:
    """The undecoded messages of an mbox file, for parsing here or in worker processes."""
    try:
        with path.open("rb") as handle:
            start = handle.read(4096).lstrip()
    except OSError as exc:
        raise FileError(path, f"cannot read: {exc.strerror or exc}") from None
    if start and not start.startswith(b"From "):
        raise FileError(path, "not an mbox file (it does not start with a 'From ' line)")
    try:
        box = mailbox.mbox(path, create=False)
    except (OSError, mailbox.Error) as exc:
        raise FileError(path, f"cannot open as mbox: {exc}") from None
    fallback = file_time(path)
    try:
        for number, key in enumerate(box.iterkeys(), start=1):
            location = f"{path}:{number}"
            try:
                yield RawMessage(location, box.get_bytes(key), fallback)
            except (OSError, KeyError) as exc:
                yield RecordError(location, f"cannot read message: {exc}")
    finally:
        box.close()
