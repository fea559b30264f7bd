"""Getting a draft out of steward and back: clipboard, $EDITOR, a file.

Nothing here imports Textual, so each step can be tested on its own:

- ``osc52(text)``: the escape sequence that asks the terminal to put text on
  the system clipboard. It travels with the output, so it works over SSH; tmux
  passes it on with ``set -g set-clipboard on``.
- ``editor_command()`` and ``edit_text()``: the $VISUAL / $EDITOR round trip
  through a temporary file that is always removed.
- ``write_text_atomic()``: a reader of the file sees the old text or the new
  one, never half of it.
"""

from __future__ import annotations

import base64
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from steward.util.files import write_atomic
from steward.util.text import clean_text
from steward.tui.i18n import t


# Tried in order when neither $VISUAL nor $EDITOR is set: nano first, since a
# steward who never chose an editor is more likely to find their way out of it.
FALLBACK_EDITORS = ("nano", "vi")


class EditorError(Exception):
    """The editor could not be run or its text read back; the message says why."""


class WriteError(Exception):
    """A draft could not be written to the file the steward named."""


def osc52(text: str) -> str:
    """OSC 52 "set clipboard" for text, as Textual's App.copy_to_clipboard writes it."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{payload}\a"


def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """The steward's editor as an argument list: $VISUAL, then $EDITOR, then nano or vi."""
    env = os.environ if environ is None else environ
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "").strip()
        if not value:
            continue
        try:
            command = shlex.split(value)
        except ValueError as exc:  # an unbalanced quote, say
            raise EditorError(t("editor.bad_variable", name=name, error=str(exc))) from None
        if command:
            return command
    for name in FALLBACK_EDITORS:
        found = shutil.which(name)
        if found:
            return [found]
    raise EditorError(t("editor.none"))


def edit_text(
    text: str,
    command: list[str],
    *,
    run: Callable[..., subprocess.CompletedProcess] = subprocess.run,
) -> str:
    """Let the steward edit `text` in `command`; return what they saved.

    Raises EditorError when the editor cannot start, exits with a failure
    status or saves something that is not UTF-8. The temporary file (private
    to the user) is removed whatever happens.
    """
    try:
        fd, name = tempfile.mkstemp(prefix="steward-draft-", suffix=".txt")
    except OSError as exc:
        raise EditorError(t("editor.temp_file", error=exc.strerror or str(exc))) from None
    path = Path(name)
    shown = shlex.join(command)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        try:
            result = run([*command, str(path)], check=False)
        except OSError as exc:
            raise EditorError(t("editor.cannot_start", command=shown, error=exc.strerror or str(exc))) from None
        if result.returncode != 0:
            raise EditorError(t("editor.failed", command=shown, code=result.returncode))
        try:
            edited = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise EditorError(t("editor.not_utf8")) from None
        except OSError as exc:
            raise EditorError(t("editor.cannot_start", command=shown, error=exc.strerror or str(exc))) from None
    finally:
        path.unlink(missing_ok=True)
    edited = clean_text(edited)
    # Most editors end a file with a newline; don't let each round trip add one.
    if not text.endswith("\n") and edited.endswith("\n"):
        edited = edited[:-1]
    return edited


def write_text_atomic(path: Path, text: str) -> Path:
    """Write text (UTF-8) to path through a temporary file and a rename; return the full path.

    An existing file keeps its permissions; a new one is readable by its owner
    only, since a reply names the people it answers.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise WriteError(t("write.is_dir", path=str(path)))
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise WriteError(t("write.no_dir", path=str(parent)))
    try:
        write_atomic(path, text, mode=0o600)
    except OSError as exc:
        raise WriteError(t("write.failed", path=str(path), error=exc.strerror or str(exc))) from None
    return path.resolve()
