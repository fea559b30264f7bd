"""How specific a directory name is: may it route a request on its own?

With a long project list many names are everyday words: 聯絡人 ("contact
person"), "lost", "PTT", 菜價, "Taiwan Online". Such a name found once in the
body of a request is weak evidence that the request is about that project.
`specificity(term)` gives a number in 0..1 from two things:

- length: three Latin letters or one Chinese character occur by chance; a
  long name does not;
- how common its words are in ordinary requests, from `word_commonness.tsv`,
  document frequencies computed offline (scripts/build_commonness.py) over
  labelled requests, counting only requests that are not about a project
  with that word in its name (so "cofacts" in Cofacts requests does not make
  "cofacts" common, while 聯絡人 in every formal letter does).

The matcher lets a name below 1 count in full only with corroboration: it is
in the subject, or another specific word of the same entry is there too, or
its address is. Pure functions and one small data file; no I/O beyond that.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from importlib.resources import files

DATA_FILE = "word_commonness.tsv"
# A word in this share of ordinary requests is common; at RARE or below it is not.
COMMON = 0.05
RARE = 0.01
_UNIT = re.compile(r"[a-z0-9]+|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")
_LATIN = re.compile(r"[a-z0-9]+")
# Length: SHORT letters or fewer occur by chance, LONG or more do not; a
# Chinese character counts as CJK_LETTERS letters.
SHORT, LONG, CJK_LETTERS = 2.0, 7.0, 2.5
MAX_CJK_GRAM = 4  # longer Chinese runs are looked up by their 4-character pieces


class Commonness:
    """Share of ordinary requests each word (Latin) or 2–4 character piece (Chinese) occurs in."""

    def __init__(self, counts: dict[str, int], documents: int):
        self.counts = counts
        self.documents = max(1, documents)

    def share(self, unit: str) -> float:
        return self.counts.get(unit, 0) / self.documents

    @classmethod
    def parse(cls, text: str) -> Commonness:
        documents = 0
        counts: dict[str, int] = {}
        for line in text.split("\n"):
            if not line:
                continue
            if line[0] == "#":
                m = re.match(r"#\s*documents\s*=\s*(\d+)", line)
                documents = int(m.group(1)) if m else documents
                continue
            unit, _, n = line.partition("\t")
            if n.isdigit():
                counts[unit] = int(n)
        return cls(counts, documents)

    def __add__(self, other: Commonness) -> Commonness:
        counts = dict(self.counts)
        for unit, n in other.counts.items():
            counts[unit] = counts.get(unit, 0) + n
        return Commonness(counts, self.documents + other.documents)

    def dumps(self, written_by: str = "scripts/build_commonness.py") -> str:
        rows = sorted(self.counts.items(), key=lambda x: (-x[1], x[0]))
        head = (
            "# How many ordinary requests each word or Chinese piece occurs in.\n"
            f"# Written by {written_by}; do not edit by hand.\n"
            f"# documents = {self.documents}\n"
        )
        return head + "".join(f"{u}\t{n}\n" for u, n in rows)


@lru_cache(maxsize=1)
def shipped() -> Commonness:
    return Commonness.parse((files(__package__) / DATA_FILE).read_text(encoding="utf-8"))


def with_user_table(config_dir) -> Commonness | None:
    """The shipped table plus the one `steward directory commonness` wrote from the inbox, if any."""
    from pathlib import Path

    path = Path(config_dir) / DATA_FILE if config_dir else None
    if path is None or not path.exists():
        return None  # the shipped table, loaded when first needed
    try:
        return shipped() + Commonness.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def pieces(text: str) -> set[str]:
    """What the table counts in a normalized text: Latin words and 2–4 character Chinese pieces."""
    out = set()
    for unit in units(text):
        if _LATIN.fullmatch(unit):
            out.add(unit)
            continue
        for size in range(2, MAX_CJK_GRAM + 1):
            out.update(unit[i : i + size] for i in range(len(unit) - size + 1))
    return out


def count_pieces(requests, *, minimum: int = 2) -> Commonness:
    """A table from (normalized text, normalized names of the entry it is about) pairs.

    A piece that is part of those names is not counted for that request:
    "cofacts" in a request about Cofacts is the project's name, not ordinary
    language. Pieces in fewer than `minimum` requests are left out.
    """
    counts: dict[str, int] = {}
    documents = 0
    for text, about in requests:
        documents += 1
        for piece in pieces(text):
            if piece not in about:
                counts[piece] = counts.get(piece, 0) + 1
    return Commonness({u: n for u, n in counts.items() if n >= minimum}, documents)


def units(text: str) -> list[str]:
    """Latin words and Chinese runs of a normalized text."""
    return _UNIT.findall(text)


def length_score(text: str) -> float:
    """0..1: how unlikely a string this long is to turn up by chance."""
    letters = sum(len(u) for u in _LATIN.findall(text))
    cjk = sum(len(u) for u in units(text) if not _LATIN.fullmatch(u))
    size = letters + CJK_LETTERS * cjk
    return min(1.0, max(0.0, (size - SHORT) / (LONG - SHORT)))


def _unit_share(unit: str, table: Commonness) -> float:
    if _LATIN.fullmatch(unit):
        return table.share(unit)
    if len(unit) <= MAX_CJK_GRAM:
        return table.share(unit)
    # A long run is as common as its rarest piece.
    return min(table.share(unit[i : i + MAX_CJK_GRAM]) for i in range(len(unit) - MAX_CJK_GRAM + 1))


def _rarity(share: float) -> float:
    """0 for a word in COMMON or more of requests, 1 at RARE or less, log-linear between."""
    if share <= RARE:
        return 1.0
    if share >= COMMON:
        return 0.0
    return math.log(COMMON / share) / math.log(COMMON / RARE)


def specificity(text: str, table: Commonness | None = None) -> float:
    """0..1 for a normalized name: 1 may stand alone, near 0 needs corroboration."""
    table = shipped() if table is None else table
    parts = units(text)
    if not parts:
        return 0.0
    # A phrase is as telling as its rarest word: "taiwan online" is two common words.
    telling = [u for u in parts if len(u) > 1 or not _LATIN.fullmatch(u)]
    rarity = max((_rarity(_unit_share(u, table)) for u in telling), default=0.0)
    return round(min(length_score(text), rarity), 3)


def inbox_commonness(store, directory, *, page: int = 500) -> Commonness:
    """A table from every request in the inbox, each about the entry it is routed to."""
    from steward.matching.matcher import normalize

    names = {e.key: " ".join(normalize(n) for n in (e.name, e.name_en, *e.aliases)) for e in directory.entries}

    def pairs():
        offset = 0
        while True:
            batch = store.list_requests(limit=page, offset=offset)
            for r in batch:
                text = normalize(" ".join((r.subject or "", r.organization or "", r.body or "")))
                yield text, names.get(r.match or "", "")
            if len(batch) < page:
                return
            offset += page

    return count_pieces(pairs())
