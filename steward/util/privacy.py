"""Removing personal data from text meant for the public.

A public weekly summary is built from fields known to be safe (category,
route, counts) and shows free text only where it passed these checks: an
organization only when nothing in it points at a person, a subject only when a
steward approved it for publishing (tag ``public-ok``) and then with anything
personal masked. The checks look for e-mail addresses (also written ``(at)``,
`` at … dot ``, ``%40``), phone numbers (found by the ``phonenumbers``
library, in Taiwan's numbering, including Chinese-numeral and full-width
digits), messenger ids, street addresses, national ids, links to profiles,
names the inbox knows (senders and their given names, assignees) and names
that running text marks as names (``王小明的…``, ``Meeting with John Smith``).
They lean towards removing too much: a long number that could be a phone number
is removed even if it was an invoice number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
NAME_MARK = "[name]"
ID_MARK = "[id]"
ADDRESS_MARK = "[address]"
LINK_MARK = "[link]"
_MARKS = re.compile(r"\[(?:email|phone|name|id|address|link)\]")
# A steward's approval for a request's subject to appear in public summaries.
PUBLIC_OK_TAG = "public-ok"
MAX_ORGANIZATION = 200  # characters; longer is not a name
MAX_PUBLIC_SUBJECT = 300  # characters of an approved subject a public summary keeps

# Detection reads a folded copy of the text, one character for one so positions
# agree: full-width forms and Chinese-numeral digits as ASCII, "_" as "-".
_FOLD = str.maketrans({
    **{chr(0xFF01 + i): chr(0x21 + i) for i in range(0x5E)},  # full-width ASCII
    **dict(zip("〇零一二三四五六七八九", "00123456789")),
    "_": "-", "\u3000": " ", "。": ".", "、": ",",
})

# Python's \d also matches full-width digits (０-９), which people type in
# Chinese text; the few literal digits below get their full-width twins.
_ZERO = "[0０]"
_SEP = r"[ \t\u00a0\u3000.\-\u2010-\u2015\u2212－/]"  # one space, dot, slash or dash of any width
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
# What phonenumbers may take for a number but is a date: 2026-11-16, 16/11/2026, 2027–2028.
_DATE = re.compile(
    r"(?:19|20)\d\d\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d\d"
    r"|^\D*(?:19|20)\d\d\s*[-–—~/]\s*(?:19|20)\d\d\D*$"
)

# Local part: every character RFC 5322 allows unquoted, and letters of any script.
_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~\-]"
_LABEL = r"[\w\-]+"
# Starting only where a local part can start keeps these linear on long runs of letters.
_EMAIL = re.compile(
    rf"(?<!{_LOCAL})(?:mailto:)?{_LOCAL}+?\s*(?:@|%40)\s*{_LABEL}(?:\s*\.\s*{_LABEL})+",
    re.IGNORECASE,
)
# Written out so that harvesters miss it: wang(at)example.org, wang at example dot org.
_AT = r"(?:\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+|\.)"
_SPELLED_EMAIL = re.compile(rf"(?<!{_LOCAL}){_LOCAL}+{_AT}{_LABEL}(?:{_DOT}{_LABEL})+", re.IGNORECASE)

_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'）)\]]+"
    r"|(?<![\w.@-])(?:[a-z0-9-]+\.)+(?:com|org|net|tw|me|io|co|jp|hk|cn|edu|gov|info)(?:\.[a-z]{2})?/[^\s<>\"'）)\]]*",
    re.IGNORECASE,
)
# Messenger ids after their label (LINE ID: x, Line：@x, WeChat: x), and bare @handles.
_MESSENGER = re.compile(
    r"(?<![a-z])(?:line|賴|wechat|微信|telegram|whatsapp|ig|instagram|twitter|skype|signal|kakao(?:talk)?)"
    r"\s*(?:(?:id|帳號|號)\s*[:=]?\s*@?|[:=]\s*@?|@)\s*[\w.\-]{2,}"
    r"|(?<![\w@.])@[a-z0-9_][\w.]{2,}",
    re.IGNORECASE,
)
# Taiwan's national id and resident certificate numbers: A123456789, AB12345678, A812345678.
_NATIONAL_ID = re.compile(r"(?<![a-z0-9])[a-z][12a-d89]\d{8}(?!\d)", re.IGNORECASE)
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff"
_ADDRESS = re.compile(
    # 台北市大安區和平東路二段106號3樓, 文化路一段100巷5弄3號 (digits already folded).
    rf"(?:[{_HAN}]{{1,4}}[市縣])?(?:[{_HAN}]{{1,4}}[區鄉鎮市])?[{_HAN}\w]{{1,6}}?(?:路|街|大道)"
    rf"\s*(?:\d+\s*段)?\s*(?:\d+\s*巷)?\s*(?:\d+\s*弄)?\s*\d+(?:\s*[-之]\s*\d+)?\s*號(?:\s*\d+\s*[樓fF])?(?:\s*之\s*\d+)?"
    # No. 1, Sec. 4, Roosevelt Rd., Taipei; 123 Main Street
    r"|(?:No\.?\s*)?(?<!\d)\d+[a-z]?(?:-\d+)?\s*,?\s+(?:(?:Ln|Lane|Aly|Alley|Sec|Section)\.?\s*\d+\s*,?\s+)*"
    r"(?:[A-Z][\w'’]*\.?\s+){1,4}(?:Rd|Road|St|Street|Ave|Avenue|Blvd|Boulevard|Dr|Drive|Lane|Ln|Way|Hwy)\b\.?"
    r"(?:\s*,\s*[A-Z][\w'’.]*(?:\s+[A-Z][\w'’.]*)*)*",
)
# Names that running text marks as names, read on the unfolded text.
_SURNAMES = (
    "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高簡朱鍾施游詹沈彭胡余盧潘顏梁趙柯翁魏方孫"
    "戴范宋鄧杜侯曹薛傅丁溫紀蔣歐藍連唐馬董卓程姚康馮姜湯汪涂鄒巫尤龔嚴韓黎袁童陸邵石田白古"
)
# Each has a group "n": the name, which is masked; the cue around it stays.
_NAME_CUES = re.compile(
    rf"(?P<n>[{_SURNAMES}][{_HAN}]{{1,2}})(?=的|先生|小姐|女士|老師|教授|博士|同學|主任|經理|您好|你好|來信|來函|詢問|表示)"
    rf"|(?P<n2>[{_SURNAMES}])(?=先生|小姐|女士|老師|教授|博士)"
    rf"|(?:聯絡人|承辦人|負責人|聯繫人|寄件人)[:：\s]*(?P<n3>[{_HAN}]{{2,4}})"
    r"|\b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Dear|Attn)\.?\s+(?P<n4>[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*){0,2})"
    r"|\b(?:with|from|by|meet|call|thank|thanks|contact|cc)\s+(?P<n5>[A-Z][a-z'’\-]+(?:\s+[A-Z][a-z'’\-]+){1,2})"
    r"|(?P<n6>[A-Z][a-z]+\s+[A-Z][a-z]+)(?=['’]s\b)",
)
_NAME_GROUPS = ("n", "n2", "n3", "n4", "n5", "n6")

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
        # A Chinese name is often written by its given name alone: 林大華 signs 大華.
        cleaned |= {name[-2:] for name in cleaned if len(name) in (3, 4) and _is_han(name)}
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


def _is_han(text: str) -> bool:
    return all("\u3400" <= ch <= "\u9fff" for ch in text)


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def scrub(text: str, names: Iterable[str] | KnownNames = ()) -> str:
    """`text` with everything personal masked: contact details, ids, addresses, links and names.

    `names` are the exact strings the inbox knows as personal (sender names and
    addresses, assignees); pass a KnownNames to reuse them across many calls.
    """
    if not text:
        return ""
    known = names if isinstance(names, KnownNames) else KnownNames(names)
    # Addresses before names: "ray@example.org" goes whole, not as "[name]@example.org".
    return known.sub(_mask_contacts(text), NAME_MARK)


def safe_organization(text: str, names: Iterable[str] | KnownNames = ()) -> str | None:
    """`text` when it can be published whole as an organization's name, else None.

    Nothing personal may be in it: a field holding a phone number or a person's
    name is not an organization's name with a detail to mask but a field
    someone filled with something else, so it is left out entirely.
    """
    if not text or not text.strip() or len(text) > MAX_ORGANIZATION:
        return None  # a page of text in the organization field is not an organization's name
    known = names if isinstance(names, KnownNames) else KnownNames(names)
    if personal_data(text) or known.sub(text) != text:
        return None
    return text


_DETECTORS = (
    (_LINK, LINK_MARK),
    (_EMAIL, EMAIL_MARK),
    (_SPELLED_EMAIL, EMAIL_MARK),
    (_MESSENGER, ID_MARK),
    (_NATIONAL_ID, ID_MARK),
    (_ADDRESS, ADDRESS_MARK),
    (_PHONE, PHONE_MARK),
)


def personal_data(text: str) -> list[tuple[int, int, str]]:
    """(start, end, mark) of everything in `text` that looks personal, in order, not overlapping."""
    if not text:
        return []
    folded = text.translate(_FOLD)
    spans = [(m.start(), m.end(), mark) for pattern, mark in _DETECTORS for m in pattern.finditer(folded)]
    spans += [(start, end, PHONE_MARK) for start, end in _phone_numbers(folded)]
    for m in _NAME_CUES.finditer(text):
        group = next(g for g in _NAME_GROUPS if m.group(g) is not None)
        spans.append((m.start(group), m.end(group), NAME_MARK))
    merged: list[tuple[int, int, str]] = []
    for start, end, mark in sorted(s for s in spans if s[1] > s[0]):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, mark))
    return merged


def _phone_numbers(folded: str) -> list[tuple[int, int]]:
    """Where the phonenumbers library finds a number that could be dialled in Taiwan."""
    if sum(ch.isdigit() for ch in folded) < 7:
        return []  # no number to find: spare the import and the scan
    from phonenumbers import Leniency, PhoneNumberMatcher

    found = []
    for match in PhoneNumberMatcher(folded, "TW", leniency=Leniency.POSSIBLE):
        if not _DATE.search(match.raw_string):
            found.append((match.start, match.end))
    return found


def _mask_contacts(text: str) -> str:
    spans = personal_data(text)
    if not spans:
        return text
    out, done = [], 0
    for start, end, mark in spans:
        out += [text[done:start], mark]
        done = end
    return "".join(out) + text[done:]


def has_contact_details(text: str) -> bool:
    """Whether `text` still holds something personal: an address, number, id, profile link or marked name."""
    return bool(personal_data(text))
