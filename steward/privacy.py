"""Removing personal data from text meant for the public.

A public weekly summary keeps organizations, subjects and counts but drops
anything that points at a person: e-mail addresses, phone numbers, and the
names and addresses the inbox knows (senders, assignees). The patterns lean
towards removing too much: a long number that looks like a Taiwanese phone
number is removed even if it was an invoice number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
NAME_MARK = "[name]"
_MARKS = re.compile(r"\[(?:email|phone|name)\]")

# Python's \d also matches full-width digits (０-９), which people type in
# Chinese text; the few literal digits below get their full-width twins.
_ZERO = "[0０]"
_SEP = r"[ \t\u00a0\u3000.\-\u2010-\u2015\u2212－]"  # one space, dot or dash of any width
_GAP = rf"(?:{_SEP}{{1,3}}|{_SEP}*[(（)）]{_SEP}*)?"  # between digit groups: " - ", ") ", …
# Bounded gaps: three unbounded \s* around optional parts backtrack quadratically
# ("0912345678x" + 20,000 spaces took 8.8 s).
_EXTENSION = r"(?:\s{0,3}(?:分機|轉|ext\.?|ex\.|x|#|＃)\s{0,3}[:：]?\s{0,3}\d{1,6})?"

_PHONE = re.compile(
    # International: +886 / 00886 / 886-, optional (0), then 8-9 more digits in any grouping.
    rf"(?<!\d)(?:(?:[+＋]|00){_GAP})?[8８][8８][6６]"
    rf"(?:{_GAP}[(（]?{_ZERO}[)）]?)?(?:{_GAP}\d){{8,9}}{_EXTENSION}"
    # National: 0, optionally inside parentheses with the area code, then 8-9 more digits:
    # 0912-345-678, 0912345678, (02)2345-6789, 02-2345-6789, (03)335-0912, 049-2345678.
    # Not after another digit, so dates such as 2026-11-16 10:10 are left alone.
    rf"|(?<!\d)(?:[(（]\s*)?{_ZERO}(?:{_GAP}\d){{8,9}}{_EXTENSION}",
    re.IGNORECASE,
)

# Local part: every character RFC 5322 allows unquoted, and letters of any script.
_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~\-]"
# Starting only where a local part can start keeps this linear on long runs of letters.
_EMAIL = re.compile(
    rf"(?<!{_LOCAL})(?:mailto:)?{_LOCAL}+\s?(?:@|＠)\s?[\w\-]+(?:\.[\w\-]+)+",
    re.IGNORECASE,
)


class KnownNames:
    """The exact names and addresses the inbox knows, found in text in one pass.

    A trie walk rather than one big regex alternation: a week's summary may
    check thousands of names against thousands of fields. Matching ignores
    case and treats any run of whitespace as one space. Latin names match
    only as whole words ("Ray" must not eat "Array"); Chinese names have no
    spaces to anchor on, so they match anywhere.
    """

    _END = ""  # trie key marking the end of a name; "" is never a character

    def __init__(self, names: Iterable[str]):
        cleaned = {" ".join(n.split()) for n in names if n and n.strip()}
        # scrub() removes addresses and numbers before names, so a "name" such as
        # "Lin 0912-345-678" is also looked for as "Lin [phone]".
        for name in list(cleaned):
            masked = _mask_contacts(name)
            if masked != name and len(_MARKS.sub("", masked).strip()) >= 2:
                cleaned.add(masked)
        self._trie: dict = {}
        self.count = 0
        for name in cleaned:
            if len(name) < 2:
                continue  # a one-letter "name" would blank every such letter
            node = self._trie
            for ch in _fold(name):
                node = node.setdefault(ch, {})
            node[self._END] = _is_word_char(name[-1])
            self.count += 1
        # Where a name could start: any first character, Latin ones only at a word start.
        latin = "".join(re.escape(c) for c in sorted(self._trie) if _is_word_char(c))
        other = "".join(re.escape(c) for c in sorted(self._trie) if not _is_word_char(c))
        starts = ([rf"(?<![a-z0-9])[{latin}]"] if latin else []) + ([f"[{other}]"] if other else [])
        self._starts = re.compile("|".join(starts)) if starts else None

    def _match_end(self, folded: str, start: int) -> int:
        """Where the longest known name starting at `start` ends, or -1."""
        node, i, end, n = self._trie, start, -1, len(folded)
        while True:
            needs_boundary = node.get(self._END)
            if needs_boundary is not None and not (needs_boundary and i < n and _is_word_char(folded[i])):
                end = i
            if i >= n:
                return end
            node = node.get(folded[i])
            if node is None:
                return end
            if folded[i] == " ":
                while i < n and folded[i] == " ":
                    i += 1
            else:
                i += 1

    def sub(self, text: str, mark: str = "[name]") -> str:
        if self._starts is None or not text:
            return text
        folded = _fold(text)
        out, done = [], 0
        for candidate in self._starts.finditer(folded):
            start = candidate.start()
            if start < done:
                continue  # inside a name already replaced
            end = self._match_end(folded, start)
            if end > start:
                out += [text[done:start], mark]
                done = end
        return "".join(out) + text[done:] if out else text


_SPACE = re.compile(r"\s")


def _fold(text: str) -> str:
    """Lower case, whitespace as spaces: one character for one, so positions agree."""
    lowered = text.lower()
    if len(lowered) != len(text):  # "İ" lowers to two characters; keep such ones as they are
        lowered = "".join(low if len(low := c.lower()) == 1 else c for c in text)
    return _SPACE.sub(" ", lowered)


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def scrub(text: str, names: Iterable[str] | KnownNames = ()) -> str:
    """`text` without e-mail addresses, phone numbers or any of `names`.

    `names` are the exact strings the inbox knows as personal (sender names and
    addresses, assignees); pass a KnownNames to reuse them across many calls.
    """
    if not text:
        return ""
    known = names if isinstance(names, KnownNames) else KnownNames(names)
    # Addresses before names: "ray@example.org" goes whole, not as "[name]@example.org".
    return known.sub(_mask_contacts(text), NAME_MARK)


def _mask_contacts(text: str) -> str:
    return _PHONE.sub(PHONE_MARK, _EMAIL.sub(EMAIL_MARK, text))


def has_contact_details(text: str) -> bool:
    """Whether `text` still holds something that looks like an address or phone number."""
    return bool(_EMAIL.search(text) or _PHONE.search(text))
