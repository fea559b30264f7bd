"""Choosing the charset of untrusted bytes by how plausible each reading is.

Mail and exports from Taiwan, China and Japan arrive in CP950 (Big5), GB18030
(GBK, GB2312) and Shift-JIS, often without a label or with a wrong one. These
double-byte encodings overlap so much that a strict decode proves little:
GB18030 bytes usually decode as CP950 too (as nonsense), Shift-JIS bytes as
GB18030. So every candidate that decodes is read, and the reading with the
most ordinary characters wins: frequently used Han characters (level 1 of
GB2312, Big5 or JIS X 0208), CJK punctuation, kana for Japanese codecs; box
drawing, Greek and Cyrillic, half-width katakana, private-use and control
characters count against. The declared charset gets a small head start.

`Decoded.confident` says whether the winner stood out; callers keep the raw
bytes of what was not decoded with confidence so that it can be read again.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Tried besides the declared charset and UTF-8. cp950/cp932 are the supersets
# that real Big5 and Shift-JIS mail uses; gb18030 covers GB2312 and GBK.
CANDIDATES = ("cp950", "gb18030", "cp932")
JAPANESE = frozenset({"cp932", "shift_jis", "euc_jp", "iso2022_jp", "shift_jis_2004", "euc_jis_2004"})
SAMPLE_CHARS = 20_000  # characters of each reading that are scored
DECLARED_BONUS = 0.1
CONFIDENT_SCORE = 0.75  # share of ordinary characters (after penalties) the winner needs
CONFIDENT_MARGIN = 0.15  # and its lead over a reading that differs


@dataclass
class Decoded:
    text: str
    charset: str  # the Python codec name used ("utf-8", "cp950", …)
    confident: bool
    warning: str | None = None


def decode(data: bytes, declared_codec: str | None, declared_label: str | None = None) -> Decoded:
    """The most plausible reading of `data`. Never raises.

    `declared_codec` is the Python codec for the label the data came with (None
    if it had none or an unknown one); `declared_label` is that label as
    written, for the warning.
    """
    if not data or data.isascii():
        return Decoded(data.decode("ascii"), declared_codec or "utf-8", True)
    utf8 = _strict(data, "utf-8")
    # Valid UTF-8 with more than a few multi-byte characters is never an accident;
    # a short legacy text can be, so that is scored.
    if utf8 is not None and declared_codec in (None, "utf-8") and (
        len(data) - len(utf8) >= 16 or score(utf8, "utf-8", 400) >= 0.5
    ):
        return Decoded(utf8, "utf-8", True)
    if declared_codec is not None:
        text = _strict(data, declared_codec)
        if text is not None and score(text, declared_codec, 2000) >= 0.9:
            return Decoded(text, declared_codec, True)  # the label fits and reads well
    readings: dict[str, str] = {}
    for codec in dict.fromkeys([declared_codec, "utf-8", *CANDIDATES]):
        text = _strict(data, codec) if codec else None
        if text is not None:
            readings[codec] = text
    if not readings:
        # None of the usual suspects: charset-normalizer knows many more codecs.
        guessed = _guess(data)
        text = _strict(data, guessed) if guessed else None
        if text is not None:
            readings[guessed] = text
    if not readings:
        text = data.decode(declared_codec or "utf-8", errors="replace")
        return Decoded(
            text, declared_codec or "utf-8", False, "text is in an unknown encoding; unreadable bytes were replaced"
        )
    scores = {codec: score(text, codec) + (DECLARED_BONUS if codec == declared_codec else 0.0)
              for codec, text in readings.items()}
    if "utf-8" in scores:
        scores["utf-8"] += 0.5  # valid UTF-8 beyond ASCII is almost never an accident
    ranked = sorted(scores, key=scores.get, reverse=True)
    best = ranked[0]
    rivals = [scores[c] for c in ranked[1:] if readings[c] != readings[best]]
    margin = scores[best] - (rivals[0] if rivals else -1.0)
    if declared_codec is not None:
        # The label and the bytes agree, or they do not: then it is a guess, whatever the scores.
        confident = best == declared_codec
    else:
        confident = scores[best] >= CONFIDENT_SCORE and margin >= CONFIDENT_MARGIN
    return Decoded(readings[best], best, confident, _warning(declared_codec, declared_label, best, confident))


def score(text: str, codec: str, sample_chars: int = SAMPLE_CHARS) -> float:
    """Ordinary characters minus twice the implausible ones, per non-ASCII character.

    A Han character or CJK punctuation mark alone between ASCII characters
    ("18每21", "A 〞 B": dashes of English text in GB18030 read as CP950) counts half.
    """
    sample = text[:sample_chars]
    good = bad = total = 0.0
    japanese = codec in JAPANESE
    last = len(sample) - 1
    for index, ch in enumerate(sample):
        if ch < "\x80":
            continue
        total += 1
        kind = _kind(ch)
        alone = 0 < index < last and sample[index - 1].isascii() and sample[index + 1].isascii()
        if kind == "han":
            good += _common_han(ch) * (0.5 if alone else 1)
        elif kind == "cjk":
            good += 0.5 if alone else 1
        elif kind == "latin":
            # é in "café" is a letter of a word; "ËxóW" is Big5 read as Latin-1.
            before = sample[index - 1] if index else " "
            after = sample[index + 1] if index < last else " "
            good += (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha())
        elif kind == "kana":
            if japanese:
                good += 1
        elif kind == "good":
            good += 1
        elif kind == "bad":
            bad += 1
    if total == 0:
        return 1.0
    return (good - 2 * bad) / total


@lru_cache(maxsize=65536)
def _kind(ch: str) -> str:
    code = ord(ch)
    if 0x4E00 <= code <= 0x9FFF:
        return "han"
    if 0x3040 <= code <= 0x30FF:
        return "kana"
    if 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E:
        return "cjk"  # CJK punctuation, full-width forms
    if 0x00C0 <= code <= 0x024F and code not in (0x00D7, 0x00F7):
        return "latin"  # letters with accents: é, ñ, ü, ő
    if (
        0x2010 <= code <= 0x2027  # dashes, quotes, bullets, ellipsis
        or code >= 0x1F300  # emoji: only ever in a reading as UTF-8
    ):
        return "good"
    if (
        0xE000 <= code <= 0xF8FF  # private use: user-defined characters of a wrong codec
        or 0xFF61 <= code <= 0xFF9F  # half-width katakana: Shift-JIS single bytes read from Chinese
        or 0x0370 <= code <= 0x04FF  # Greek and Cyrillic: GB rows 6 and 7 read from Big5
        or 0x2500 <= code <= 0x257F  # box drawing
        or 0x80 <= code <= 0x9F  # C1 controls
        or code == 0xFFFD
        or 0x3400 <= code <= 0x4DBF  # rare Han (extension A)
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or unicodedata.category(ch) in ("Cn", "Co", "Cs")  # unassigned, private, surrogate
    ):
        return "bad"
    return "neutral"


@lru_cache(maxsize=65536)
def _common_han(ch: str) -> int:
    """1 for a Han character in level 1 of GB2312, Big5 or JIS X 0208 (the frequently used ones)."""
    try:
        gb = ch.encode("gb2312")
        if 0xB0 <= gb[0] <= 0xD7:
            return 1
    except UnicodeEncodeError:
        pass
    try:
        big5 = ch.encode("big5")
        if 0xA440 <= int.from_bytes(big5, "big") <= 0xC67E:
            return 1
    except UnicodeEncodeError:
        pass
    try:
        jis = ch.encode("euc_jp")
        if len(jis) == 2 and 0xB0 <= jis[0] <= 0xCF:
            return 1
    except UnicodeEncodeError:
        pass
    return 0


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _guess(data: bytes) -> str | None:
    """charset-normalizer's pick, as one more candidate (it knows codecs not listed above)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    if best is None:
        return None
    try:
        return codecs.lookup(best.encoding).name
    except LookupError:
        return None


def _warning(declared: str | None, label: str | None, used: str, confident: bool) -> str | None:
    from steward.util.text import one_line

    doubt = "" if confident else " (a guess; the original bytes are kept)"
    if label and not declared:
        return f"unknown charset {one_line(label)[:40]!r}; read as {used}{doubt}"
    if declared and used != declared:
        return f"text did not match its charset {one_line(label or declared)[:40]!r}; read as {used}{doubt}"
    if not declared and used != "utf-8":
        return f"no charset given; read as {used}{doubt}"
    if not confident:
        return f"text read as {used}{doubt}"
    return None
