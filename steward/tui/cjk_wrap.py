"""Wrapping mixed Chinese and Latin text by terminal cell, with line-start rules.

Rich wraps at spaces only: a Chinese sentence after `g0v ` moves whole to the next
line (leaving the first half empty) and is then cut anywhere, so a line can start
with `，` or `」`. Here a break may fall between any two Chinese phrases (BudouX's
zh-hant model when it is installed, else between characters), never before closing
punctuation nor after opening punctuation (kinsoku), and Latin words still break at
spaces. Widths are terminal cells (Rich's ``cell_len``). Plain strings in, plain
strings out: the caller shows them as Content, never as markup.
"""

from __future__ import annotations

import re
from functools import lru_cache

from steward.util.text import cell_width as cell_len, clusters

# May not start a line: closing brackets and quotes, pauses and stops, prolonged sounds.
NO_LINE_START = frozenset("，。、．：；！？）」』》〉】〕｝〗〙〛・…‥ー～’”,.:;!?)]}%")
# May not end a line: opening brackets and quotes.
NO_LINE_END = frozenset("（「『《〈【〔｛〖〘〚‘“([{")

_CJK = (
    "\u2e80-\u2fff"  # radicals
    "\u3000-\u303f"  # CJK punctuation
    "\u3040-\u30ff"  # kana
    "\u3100-\u312f\u31a0-\u31bf"  # bopomofo
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\uac00-\ud7af"  # Hangul
    "\uff00-\uffef"  # full-width forms
    "\U00020000-\U0003134f"  # Han extensions
)
_RUNS = re.compile(rf"[{_CJK}]+|\s+|[^\s{_CJK}]+")
_HAS_CJK = re.compile(rf"[{_CJK}]")
# Beyond this many characters a paragraph is split per character: BudouX is linear but
# not free, and a pasted megabyte must not stall the screen.
PHRASE_LIMIT = 20_000


def has_cjk(text: str) -> bool:
    return _HAS_CJK.search(text) is not None


@lru_cache(maxsize=1)
def _phrase_parser():
    """BudouX's Traditional Chinese model, imported on the first CJK body shown."""
    try:
        import budoux
    except ImportError:  # optional at run time: characters are a fine fallback
        return None
    return budoux.load_default_traditional_chinese_parser()


def _cjk_units(run: str, phrases: bool) -> list[str]:
    parser = _phrase_parser() if phrases else None
    if parser is None:
        return list(run)
    return [unit for unit in parser.parse(run) if unit]


def _atoms(paragraph: str) -> list[str]:
    """Pieces a line may break between; whitespace pieces are dropped at a break."""
    phrases = len(paragraph) <= PHRASE_LIMIT
    atoms: list[str] = []
    for match in _RUNS.finditer(paragraph):
        run = match.group()
        if run[0].isspace() or not has_cjk(run[0]):
            atoms.append(run)
        else:
            atoms.extend(_cjk_units(run, phrases))
    # Kinsoku: glue closing punctuation to what precedes it, opening to what follows.
    glued: list[str] = []
    for atom in atoms:
        if glued and not atom.isspace() and not glued[-1].isspace() and (
            atom[0] in NO_LINE_START or glued[-1][-1] in NO_LINE_END
        ):
            glued[-1] += atom
        else:
            glued.append(atom)
    return glued


def _fold(atom: str, width: int) -> list[str]:
    """Cut a piece wider than a line between characters (grapheme clusters: "❤️" and "é" stay whole),
    still keeping punctuation rules."""
    spans = clusters(atom)
    starts = [start for start, _, _ in spans]
    pieces: list[str] = []
    i = 0
    while i < len(spans):
        j, used = i, 0
        while j < len(spans) and used + spans[j][2] <= width:
            used += spans[j][2]
            j += 1
        if j == i:  # a character wider than the line: it goes alone
            j = i + 1
        elif j < len(spans):
            cut = j
            while cut > i + 1 and (atom[starts[cut]] in NO_LINE_START or atom[starts[cut] - 1] in NO_LINE_END):
                cut -= 1  # carry the previous character down with the punctuation
            if atom[starts[cut]] not in NO_LINE_START and atom[starts[cut] - 1] not in NO_LINE_END:
                j = cut
        end = spans[j - 1][1]
        pieces.append(atom[starts[i]:end])
        i = j
    return pieces


def _wrap_paragraph(paragraph: str, width: int) -> list[str]:
    lines: list[str] = []
    line, used, space = "", 0, ""
    for atom in _atoms(paragraph):
        if atom.isspace():
            if not line and not lines:  # the paragraph's own indentation is kept
                line, used = atom, cell_len(atom)
            else:
                space = atom  # kept between words, dropped at a break
            continue
        size = cell_len(atom)
        gap = cell_len(space)
        if used + gap + size <= width:
            line += space + atom
            used += gap + size
        elif size <= width:
            if line.strip():
                lines.append(line.rstrip())
            line, used = atom, size
        else:
            room = width - used - gap
            pieces = _fold(atom, width)
            if line.strip() and room > 0:
                # Fill the rest of this line before folding what does not fit.
                head = _fold(atom, room)[0]
                rest = atom[len(head):]
                if head and cell_len(head) <= room and head[-1] not in NO_LINE_END and rest[:1] not in NO_LINE_START:
                    line += space + head
                    pieces = _fold(rest, width)
            if line.strip():
                lines.append(line.rstrip())
            for piece in pieces[:-1]:
                lines.append(piece)
            line = pieces[-1] if pieces else ""
            used = cell_len(line)
        space = ""
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def wrap(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` cells (newlines in it are kept)."""
    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, width))
    return lines
