"""Files steward writes: whole or not at all, and private ones private whatever was there."""

from __future__ import annotations

import os
import tempfile

import pytest

from steward.util.files import write_atomic


@pytest.mark.parametrize("before", [0o644, 0o666, 0o604])
def test_a_private_write_over_a_readable_file_leaves_it_private(tmp_path, before):
    path = tmp_path / "w47.md"
    path.write_text("public text", encoding="utf-8")
    path.chmod(before)
    write_atomic(path, "names and addresses", mode=0o600)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text(encoding="utf-8") == "names and addresses"


def test_a_public_write_never_loosens_a_private_file(tmp_path):
    path = tmp_path / "w47.md"
    path.write_text("private", encoding="utf-8")
    path.chmod(0o600)
    write_atomic(path, "public", mode=0o644)
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_new_file_gets_the_mode_whatever_the_umask(tmp_path):
    old = os.umask(0o000)
    try:
        write_atomic(tmp_path / "private.md", "x", mode=0o600)
    finally:
        os.umask(old)
    assert (tmp_path / "private.md").stat().st_mode & 0o777 == 0o600


def test_overwriting_in_place_also_sets_the_mode(tmp_path, monkeypatch):
    path = tmp_path / "w47.md"
    path.write_text("a long old public text", encoding="utf-8")
    path.chmod(0o644)

    def folder_not_writable(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", folder_not_writable)
    write_atomic(path, "private", mode=0o600)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text(encoding="utf-8") == "private"


def test_a_new_file_in_a_folder_that_cannot_be_written_is_an_error(tmp_path, monkeypatch):
    def folder_not_writable(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", folder_not_writable)
    with pytest.raises(PermissionError):
        write_atomic(tmp_path / "new.md", "x", mode=0o600)
