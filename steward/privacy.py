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

# Python's \d also matches full-width digits (０-９), which people type in
# Chinese text; the few literal digits below get their full-width twins.
_ZERO = "[0０]"
_SEP = r"[ \t\u00a0\u3000.\-\u2010-\u2015\u2212－]"  # one space, dot or dash of any width
_GAP = rf"(?:{_SEP}{{1,3}}|{_SEP}*[(（)）]{_SEP}*)?"  # between digit groups: " - ", ") ", …
_EXTENSION = r"(?:\s*(?:分機|轉|ext\.?|ex\.|x|#|＃)\s*[:：]?\s*\d{1,6})?"

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
_EMAIL = re.compile(
    r"(?:mailto:)?[\w.!#$%&'*+/=?^`{|}~\-]+\s?(?:@|＠)\s?[\w\-]+(?:\.[\w\-]+)+",
    re.IGNORECASE,
)


def _name_pattern(name: str) -> str:
    # Latin names only where a word starts and ends ("Ray" must not eat "Array");
    # Chinese names have no spaces to anchor on, so they match anywhere.
    escaped = r"\s+".join(re.escape(word) for word in name.split())
    if name[0].isascii() and name[0].isalnum():
        escaped = r"(?<![A-Za-z0-9])" + escaped
    if name[-1].isascii() and name[-1].isalnum():
        escaped += r"(?![A-Za-z0-9])"
    return escaped


def names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for all the given names, longest first; None when there are none."""
    cleaned = {" ".join(n.split()) for n in names if n}
    # A one-letter "name" would blank every such letter in the document.
    usable = sorted((n for n in cleaned if len(n) >= 2), key=len, reverse=True)
    if not usable:
        return None
    return re.compile("|".join(_name_pattern(n) for n in usable), re.IGNORECASE)


def scrub(text: str, names: Iterable[str] | re.Pattern[str] | None = ()) -> str:
    """`text` without e-mail addresses, phone numbers or any of `names`.

    `names` are the exact strings the inbox knows as personal (sender names and
    addresses, assignees); pass a pattern from `names_pattern` to reuse it
    across many calls.
    """
    if not text:
        return ""
    pattern = names if isinstance(names, re.Pattern) or names is None else names_pattern(names)
    # Known names and addresses first: an address is then gone whole, not half-masked.
    if pattern is not None:
        text = pattern.sub(NAME_MARK, text)
    text = _EMAIL.sub(EMAIL_MARK, text)
    return _PHONE.sub(PHONE_MARK, text)


def has_contact_details(text: str) -> bool:
    """Whether `text` still holds something that looks like an address or phone number."""
    return bool(_EMAIL.search(text) or _PHONE.search(text))
