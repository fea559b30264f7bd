"""The term index behind `steward.matching.matcher`: which of many terms occur in a text.

Terms are normalized strings (see `steward.matching.matcher.normalize`). The index
files each one under n-grams so a request only tries the terms that can
possibly occur in it; exact terms must appear whole, fuzzy ones may carry a
typo. Nothing here knows about scores or categories.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import chain

FUZZY_MIN = 88  # similarity (rapidfuzz ratio over whole words) for a name with a typo
FUZZY_LOCATE = 80  # partial_ratio that is worth a closer look

CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_WORD = re.compile(r"[a-z0-9]+")


def ngrams(text: str, *, for_text: bool = False) -> set[str]:
    """CJK character bigrams and Latin trigrams; short pieces stand for themselves."""
    out: set[str] = set()
    for run in CJK_RUN.findall(text):
        if for_text or len(run) == 1:
            out.update(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    for word in _WORD.findall(text):
        if len(word) < 3:
            out.add("#" + word)
        else:
            out.update(word[i : i + 3] for i in range(len(word) - 2))
    return out


@dataclass(slots=True)
class Term:
    text: str  # normalized
    label: str  # as written in the config, for reasons
    owner: int
    tag: str  # entries: "name" | "alias" | "keyword"; cues: "cue" | "place"
    fuzzy: bool  # may match with a typo


@dataclass(slots=True)
class Hit:
    term: int
    field: str
    sim: int  # 100 for an exact hit
    start: int
    end: int


class Prepared:
    """A request's fields joined into one string (so each term is searched once) and its n-grams."""

    def __init__(self, fields: dict[str, str]):
        self.names, self.starts, self.parts = list(fields), [], list(fields.values())
        offset = 0
        for text in self.parts:
            self.starts.append(offset)
            offset += len(text) + 1
        # "\n" keeps a phrase from running across two fields.
        self.joined = "\n".join(self.parts)
        self.grams = ngrams(self.joined, for_text=True)


class TermIndex:
    """Finds which of many terms occur in a text without trying each one.

    Terms with the same text are tried once. A text that must appear exactly is
    filed under its rarest n-gram, so only requests containing that n-gram try
    it; a fuzzy one is filed under all its n-grams and compared when enough of
    them are present.
    """

    def __init__(self, terms: list[Term]):
        self.terms = terms
        by_text: dict[str, list[int]] = {}
        for i, term in enumerate(terms):
            by_text.setdefault(term.text, []).append(i)
        self.texts = list(by_text)
        self.members = list(by_text.values())
        self.is_fuzzy = [any(terms[i].fuzzy for i in m) for m in self.members]
        text_grams = [ngrams(t) for t in self.texts]
        freq = Counter(chain.from_iterable(text_grams))
        self.exact: dict[str, list[int]] = {}
        self.fuzzy: dict[str, list[int]] = {}
        self.need: list[int] = []
        for t, grams in enumerate(text_grams):
            self.need.append(max(1, math.ceil(len(grams) * 0.5)))
            if self.is_fuzzy[t]:
                for g in grams:
                    self.fuzzy.setdefault(g, []).append(t)
            elif grams:
                self.exact.setdefault(min(grams, key=lambda g: (freq[g], g)), []).append(t)

    def find(self, req: Prepared) -> list[Hit]:
        names, starts, parts, joined, grams = req.names, req.starts, req.parts, req.joined, req.grams
        found: list[tuple[int, int, int, int]] = []  # text id, sim, start, end
        candidates = chain.from_iterable(self.exact[g] for g in grams if g in self.exact)
        counts = Counter(chain.from_iterable(self.fuzzy[g] for g in grams if g in self.fuzzy))
        fuzzy_candidates = (t for t, n in counts.items() if n >= self.need[t])
        for t in chain(candidates, fuzzy_candidates):
            text = self.texts[t]
            if text in joined:
                found.extend((t, 100, s, e) for s, e in _exact_spans(text, joined))
            elif self.is_fuzzy[t]:
                for f, part in enumerate(parts):
                    near = _fuzzy_span(text, part)
                    if near is not None:
                        found.append((t, near[0], starts[f] + near[1], starts[f] + near[2]))
        hits = []
        for t, sim, s, e in found:
            field = names[bisect_right(starts, s) - 1]
            for i in self.members[t]:
                if sim == 100 or self.terms[i].fuzzy:
                    hits.append(Hit(i, field, sim, s, e))
        return _drop_nested(hits)


def _exact_spans(term: str, text: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(term)
    check_left, check_right = term[0] in ASCII_ALNUM, term[-1] in ASCII_ALNUM
    size, length = len(term), len(text)
    while start >= 0:
        end = start + size
        if not check_left or start == 0 or text[start - 1] not in ASCII_ALNUM:
            if not check_right:
                spans.append((start, end))
            else:
                # Allow English inflections: "hackathon" finds "hackathons", "interview" "interviewing".
                for suffix in _SUFFIXES:
                    stop = end + len(suffix)
                    if text.startswith(suffix, end) and (stop == length or text[stop] not in ASCII_ALNUM):
                        spans.append((start, stop))
                        break
        start = text.find(term, start + 1)
    return spans


_SUFFIXES = ("", "s", "es", "d", "ed", "ing")


def _fuzzy_span(term: str, text: str) -> tuple[int, int, int] | None:
    """Where `term` appears in `text` with a typo: (similarity, start, end) or None.

    partial_ratio finds the spot; the spot is then widened to whole words and
    compared as a whole, so 'vtaiwn' finds vTaiwan while plain 'taiwan' (which
    lacks the name's first letter) never does.
    """
    from rapidfuzz import fuzz

    al = fuzz.partial_ratio_alignment(term, text, score_cutoff=FUZZY_LOCATE)
    if al is None:
        return None
    start, end = al.dest_start, al.dest_end
    if term[0] in ASCII_ALNUM:
        while start > 0 and text[start - 1] in ASCII_ALNUM:
            start -= 1
        while end < len(text) and text[end] in ASCII_ALNUM:
            end += 1
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    if end <= start or text[start] != term[0] or text[end - 1] != term[-1]:
        return None
    sim = int(fuzz.ratio(term, text[start:end]))
    return (sim, start, end) if sim >= FUZZY_MIN else None


def _drop_nested(hits: list[Hit]) -> list[Hit]:
    """The longest phrase wins: "開源" inside "開源貢獻者" is not a second topic."""
    kept = []
    # The term breaks ties: hits come out of sets, whose order changes with the hash seed.
    hits.sort(key=lambda h: (h.field, h.start, -h.end, h.term))
    field, reach, span = None, -1, None  # reach: furthest end of an earlier, different span
    for h in hits:
        if h.field != field:
            field, reach, span = h.field, -1, None
        if (h.start, h.end) != span:
            if span is not None:
                reach = max(reach, span[1])
            span = (h.start, h.end)
        if reach < h.end:  # no earlier (hence longer) span covers this one
            kept.append(h)
    return kept
