"""Making untrusted text safe to store and to show."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls; carriage returns are folded first.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings, overrides and isolates could reorder a whole terminal line.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
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
    """Strip terminal control codes and bidi overrides; keep newline and tab."""
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _ESCAPE_SEQ.sub("", value)
    value = _CONTROL.sub("", value)
    return _BIDI.sub("", value)


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
    """Terminal cells a string takes: wide (CJK) characters count two."""
    import unicodedata

    width = 0
    for ch in value:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return width


def fit(value: str, width: int) -> str:
    """Cut to at most `width` cells, never through a wide character, with an ellipsis."""
    if cell_width(value) <= width:
        return value
    out, used = [], 0
    for ch in value:
        w = cell_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def pad(value: str, width: int) -> str:
    value = fit(value, width)
    return value + " " * (width - cell_width(value))
