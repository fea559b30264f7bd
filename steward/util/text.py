"""Making untrusted text safe to store and to show."""

from __future__ import annotations

import re
from functools import cache

# C0 controls but tab and newline, DEL, C1 controls; carriage returns are folded first.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Invisible format characters (Unicode category Cf): zero-width space, joiners and
# no-break space (U+200B-U+200D, U+FEFF, U+2060), soft hyphen, bidi marks,
# embeddings, overrides and isolates (which could reorder a whole terminal line),
# invisible operators, interlinear annotation, tag characters. They hide text from
# searches and checks (a phone number with U+200B between its digits) and take no
# cell on screen but still count in some width tables. tests/test_text.py holds this list
# to unicodedata's.
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
# A whole escape sequence (CSI, OSC, …) is removed, not just its ESC byte, so no
# "[31m" debris is left behind.
_ESCAPE_SEQ = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC … BEL / ST
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS, PM, APC, SOS
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)


def clean_text(value: str | None) -> str:
    """Strip terminal control codes, bidi overrides and zero-width characters; keep newline and tab.

    Line and paragraph separators (U+2028, U+2029) become newlines.
    """
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    value = _ESCAPE_SEQ.sub("", value)
    value = _CONTROL.sub("", value)
    return _INVISIBLE.sub("", value)


def one_line(value: str | None) -> str:
    """Clean text folded onto one line, for table cells and list rows."""
    return " ".join(clean_text(value).split())


MAX_BODY_BYTES = 1024 * 1024
TRUNCATION_MARKER = "\n\n[… steward: body truncated at 1 MiB …]"


def truncate_body(body: str, limit: int = MAX_BODY_BYTES) -> tuple[str, bool]:
    """Keep at most `limit` bytes of UTF-8, cut on a character boundary."""
    raw = body.encode("utf-8")
    if len(raw) <= limit:
        return body, False
    return raw[:limit].decode("utf-8", errors="ignore") + TRUNCATION_MARKER, True


def cell_width(value: str) -> int:
    """Terminal cells a string takes, as Textual draws it: Rich's `cell_len`.

    The one measure used by the CLI tables, the summary Markdown and the TUI.
    Grapheme clusters count as a whole ("👩\u200d💻" is 2 cells, "é" written as
    e + U+0301 is 1), wide (CJK) characters count two. Rich is imported on the
    first call, not with this module: `clean_text` is on every start-up path.
    """
    return _cells().cell_len(value)


def clusters(value: str) -> list[tuple[int, int, int]]:
    """(start, end, cells) of each grapheme cluster: where text may be cut without breaking a glyph."""
    return _cells().split_graphemes(value)[0]


@cache
def _cells():
    import rich.cells

    return rich.cells


def fit(value: str, width: int) -> str:
    """Cut to at most `width` cells, never through a wide character or a cluster, with an ellipsis.

    Control and invisible characters are dropped on the way out too, so a
    caller that forgot to clean cannot misalign a column or hide text.
    """
    cells = _cells()
    value = _INVISIBLE.sub("", _CONTROL.sub("", _ESCAPE_SEQ.sub("", value)))
    if width <= 0:
        return ""
    if cells.cell_len(value) <= width:
        return value
    cut = cells.set_cell_size(value, width - 1)
    if not value.startswith(cut):  # a wide character would have been halved: Rich put a space there
        cut = cut[:-1]
    return cut + "…"


def pad(value: str, width: int) -> str:
    """Exactly `width` cells: `fit`, then spaces."""
    value = fit(value, width)
    return value + " " * max(0, width - cell_width(value))
