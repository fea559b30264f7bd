"""Every test runs as a steward named "tester" with no config of their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("LOGNAME", "tester")
    monkeypatch.setenv("USER", "tester")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    # Replies are signed with the configured name only: tests sign as "tester"
    # (a test of the unset or file-set name removes this first).
    monkeypatch.setenv("STEWARD_NAME", "tester")
    for name in ("STEWARD_CONFIG", "STEWARD_DB", "NO_COLOR", "LC_ALL", "LC_MESSAGES", "VISUAL", "EDITOR"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def no_data_version_poll(monkeypatch):
    """Apps made in tests look for other stewards' changes only when a test calls
    `app.check_for_changes()`: a reload at a moment of the clock's choosing is a race."""
    monkeypatch.setattr("steward.tui.app.POLL_SECONDS", None)


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    """A blinking cursor is drawn or not as the clock says: a snapshot would differ run to run.
    (Reactive keeps its default in `_default`; an upgrade that renames it fails here.)"""
    from textual.widgets import Input, TextArea

    for widget in (Input, TextArea):
        monkeypatch.setattr(widget.cursor_blink, "_default", False)


@pytest.fixture(autouse=True)
def keys_wait_on_events(monkeypatch):
    """`pilot.press` returns once each key is handled, not once the process looks idle."""
    from textual.pilot import Pilot

    from tests.tui_helpers import press

    monkeypatch.setattr(Pilot, "press", press)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "inbox" / "steward.db"


@pytest.fixture
def store(db_path):
    from steward.store import Store

    s = Store.open(db_path, actor="tester")
    yield s
    s.close()


@pytest.fixture
def samples_path() -> Path:
    return DATA / "samples.jsonl"


def sample_records(path: Path | None = None):
    """The shared labelled samples as IncomingRequests (tests/data keeps a copy)."""
    from datetime import datetime

    from steward.models import IncomingRequest

    records = []
    for line in (path or DATA / "samples.jsonl").read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        records.append(
            IncomingRequest(
                received_at=datetime.fromisoformat(data["received_at"]),
                channel=data["channel"], from_name=data["from_name"], from_email=data["from_email"],
                organization=data["organization"], subject=data["subject"], body=data["body"],
                external_id=data["external_id"],
            )
        )
    return records
