"""Which project or working group a request concerns, what kind of request it is, and why.

Pure functions over text: no SQL, no UI, no I/O except `build_matcher`, which
reads the directory and the category rules (steward.matching_rules). Build
one `Matcher` and call it for every request; it precomputes normalized names
and an n-gram index so that a request costs a few milliseconds even against
thousands of entries.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import chain

from steward.matching_rules import CategoryRules, load_category_rules
from steward.models import CATEGORIES, CategoryGuess, Match, MatchResult

DEFAULT_MIN_SCORE = 60
# Where a word appears says how much it means: the subject and the sender's
# organization are chosen words, the body is mostly context.
FIELD_WEIGHTS = {"subject": 1.0, "organization": 0.8, "body": 0.6}
# For the kind of request the organization counts little: "Open Data Collective"
# says who writes, not what they ask.
CUE_FIELD_WEIGHTS = {"subject": 1.0, "organization": 0.3, "body": 0.6}
# A message with no subject (chat, forms) states its point in the body.
BODY_WITHOUT_SUBJECT = 0.8
NAME_POINTS = 3.0  # a project named outright
KEYWORD_POINTS = 1.0
SCORE_SCALE = 1.3  # points -> 0..100: a name in the body ≈ 75, one keyword in the body ≈ 37
FUZZY_MIN = 88  # similarity (rapidfuzz ratio over whole words) for a name with a typo
FUZZY_LOCATE = 80  # partial_ratio that is worth a closer look
SHORT_LATIN = 4  # aliases this short must stand alone as a word
SHORT_CJK = 2  # Chinese aliases this short must appear exactly
CATEGORY_MIN_POINTS = 0.6  # below this no rule really fired
MAX_CHARS = 20_000  # quoted threads and signatures beyond this say nothing new

_FOLD = str.maketrans(
    {
        "臺": "台",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\ufeff": None,
        **{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"},
    }
)
_WS = re.compile(r"\s+")
_CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_RUN = re.compile(f"[{_CJK_CLASS}]+")
_WORD = re.compile(r"[a-z0-9]+")
_LATIN_LETTERS = re.compile(r"[a-zA-Z\u00c0-\u024f]+")
_URLISH = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")


def normalize(text: str) -> str:
    """NFKC (folds full-width forms) + casefold + 臺→台, whitespace collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold().translate(_FOLD)
    return _WS.sub(" ", text).strip()


def detect_language(text: str) -> str:
    """"zh", "en" or "mixed", by the share of Chinese characters against Latin words."""
    text = _URLISH.sub(" ", text or "")
    han = len(re.findall(f"[{_CJK_CLASS}]", text))
    words = len(_LATIN_LETTERS.findall(text))
    zh_units = han / 1.5  # about one and a half characters to a Chinese word
    total = zh_units + words
    if total == 0:
        return "en"
    share = zh_units / total
    if share >= 0.75:
        return "zh"
    if share <= 0.25:
        return "en"
    return "mixed"


# -- the term index -----------------------------------------------------------


def _grams(text: str, *, for_text: bool = False) -> set[str]:
    """CJK character bigrams and Latin trigrams; short pieces stand for themselves."""
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        if for_text or len(run) == 1:
            out.update(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    for word in _WORD.findall(text):
        if len(word) < 3:
            out.add("#" + word)
        else:
            out.update(word[i : i + 3] for i in range(len(word) - 2))
    return out


_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _is_latin(ch: str) -> bool:
    return ch in _ASCII_ALNUM


@dataclass(slots=True)
class _Term:
    text: str  # normalized
    label: str  # as written in the config, for reasons
    owner: int
    tag: str  # entries: "name" | "alias" | "keyword"; cues: "cue" | "place"
    fuzzy: bool  # may match with a typo


@dataclass(slots=True)
class _Hit:
    term: int
    field: str
    sim: int  # 100 for an exact hit
    start: int
    end: int


class _Prepared:
    """A request's fields joined into one string (so each term is searched once) and its n-grams."""

    def __init__(self, fields: dict[str, str]):
        self.names, self.starts, self.parts = list(fields), [], list(fields.values())
        self.weights, self.cue_weights = dict(FIELD_WEIGHTS), dict(CUE_FIELD_WEIGHTS)
        if "subject" not in fields:
            self.weights["body"] = self.cue_weights["body"] = BODY_WITHOUT_SUBJECT
        offset = 0
        for text in self.parts:
            self.starts.append(offset)
            offset += len(text) + 1
        # "\n" keeps a phrase from running across two fields.
        self.joined = "\n".join(self.parts)
        self.grams = _grams(self.joined, for_text=True)


class _TermIndex:
    """Finds which of many terms occur in a text without trying each one.

    Terms with the same text are tried once. A text that must appear exactly is
    filed under its rarest n-gram, so only requests containing that n-gram try
    it; a fuzzy one is filed under all its n-grams and compared when enough of
    them are present.
    """

    def __init__(self, terms: list[_Term]):
        self.terms = terms
        by_text: dict[str, list[int]] = {}
        for i, term in enumerate(terms):
            by_text.setdefault(term.text, []).append(i)
        self.texts = list(by_text)
        self.members = list(by_text.values())
        self.is_fuzzy = [any(terms[i].fuzzy for i in m) for m in self.members]
        text_grams = [_grams(t) for t in self.texts]
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

    def find(self, req: _Prepared) -> list[_Hit]:
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
                    hits.append(_Hit(i, field, sim, s, e))
        return _drop_nested(hits)


def _exact_spans(term: str, text: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(term)
    check_left, check_right = term[0] in _ASCII_ALNUM, term[-1] in _ASCII_ALNUM
    size, length = len(term), len(text)
    while start >= 0:
        end = start + size
        if not check_left or start == 0 or text[start - 1] not in _ASCII_ALNUM:
            if not check_right:
                spans.append((start, end))
            else:
                # Allow English inflections: "hackathon" finds "hackathons", "interview" "interviewing".
                for suffix in _SUFFIXES:
                    stop = end + len(suffix)
                    if text.startswith(suffix, end) and (stop == length or text[stop] not in _ASCII_ALNUM):
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
    if term[0] in _ASCII_ALNUM:
        while start > 0 and text[start - 1] in _ASCII_ALNUM:
            start -= 1
        while end < len(text) and text[end] in _ASCII_ALNUM:
            end += 1
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    if end <= start or text[start] != term[0] or text[end - 1] != term[-1]:
        return None
    sim = int(fuzz.ratio(term, text[start:end]))
    return (sim, start, end) if sim >= FUZZY_MIN else None


def _drop_nested(hits: list[_Hit]) -> list[_Hit]:
    """The longest phrase wins: "開源" inside "開源貢獻者" is not a second topic."""
    kept = []
    hits.sort(key=lambda h: (h.field, h.start, -h.end))
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


# -- the matcher --------------------------------------------------------------


def _saturate(points: float) -> int:
    return max(0, min(100, round(100 * (1 - math.exp(-points / SCORE_SCALE)))))


def _short(term: str) -> bool:
    if all(_is_latin(c) or c in " -." for c in term):
        return len(term) <= SHORT_LATIN
    return len(term) <= SHORT_CJK and bool(_CJK_RUN.fullmatch(term))


def _in(field: str) -> str:
    return f"in {field}"


class Matcher:
    """Built once from a directory and category rules; call it for each request."""

    def __init__(self, directory, rules: CategoryRules, *, min_score: int = DEFAULT_MIN_SCORE):
        self.entries = list(directory.entries)
        self.rules = rules
        self.min_score = min_score
        self._keys = {e.key: i for i, e in enumerate(self.entries)}
        terms: list[_Term] = []
        for i, entry in enumerate(self.entries):
            seen: set[str] = set()
            names = [(n, "name") for n in (entry.name, entry.name_en)]
            for label, tag in [*names, *((a, "alias") for a in entry.aliases)]:
                text = normalize(label)
                if text and text not in seen and _grams(text):
                    seen.add(text)
                    terms.append(_Term(text, label, i, tag, not _short(text)))
            for label in entry.keywords:
                text = normalize(label)
                if text and text not in seen and _grams(text):
                    seen.add(text)
                    terms.append(_Term(text, label, i, "keyword", False))
        # A word many entries share says little about any one of them.
        df: dict[str, int] = {}
        for t in terms:
            df[t.text] = df.get(t.text, 0) + 1
        self._idf = [1.0 / df[t.text] for t in terms]
        self._entry_index = _TermIndex(terms)
        self._categories = [k for k in CATEGORIES if k in rules.rules]
        cues: list[_Term] = []
        self._cue_weight: list[float] = []
        for ci, key in enumerate(self._categories):
            rule = rules.rules[key]
            listed = [(c, w, "cue") for c, w in rule.cues.items()]
            listed += [(p, rule.place_weight, "place") for p in rule.places]
            for label, weight, tag in listed:
                if _grams(normalize(label)):
                    cues.append(_Term(normalize(label), label, ci, tag, False))
                    self._cue_weight.append(weight)
        self._cue_index = _TermIndex(cues)
        self._community = [normalize(t) for t in rules.community if normalize(t)]

    # The sender's name and address are accepted so a whole record can be
    # passed, but who writes says little about what the request is about.
    def match(
        self, subject: str = "", body: str = "", organization: str = "", from_name: str = "", from_email: str = ""
    ) -> MatchResult:
        fields = {"subject": normalize(subject), "organization": normalize(organization), "body": normalize(body)}
        fields = {k: v for k, v in fields.items() if v}
        language = detect_language(" ".join((subject or "", body or "")))
        prepared = _Prepared(fields)
        points, reasons, named = self._score_entries(prepared)
        category, shares = self._categorize(prepared, points)
        if category.key == "other" and category.score > 0 and not named:
            return MatchResult(language, category, [])  # spam or off-topic: nothing to route
        self._route_prior(fields, shares, points, reasons)
        matches = []
        for i, p in points.items():
            score = _saturate(p)
            if score >= self.min_score:
                e = self.entries[i]
                matches.append(Match(e.key, e.name, e.kind, score, reasons[i]))
        matches.sort(key=lambda m: (-m.score, m.key))
        return MatchResult(language, category, matches)

    def match_request(self, record) -> MatchResult:
        return self.match(
            subject=record.subject or "",
            body=record.body or "",
            organization=record.organization or "",
            from_name=getattr(record, "from_name", "") or "",
            from_email=getattr(record, "from_email", "") or "",
        )

    __call__ = match_request

    def _score_entries(self, req: _Prepared):
        terms = self._entry_index.terms
        best: dict[int, tuple[float, _Hit]] = {}  # term -> its strongest hit
        per_field: dict[int, dict[str, float]] = {}
        for h in self._entry_index.find(req):
            w = req.weights[h.field] * (h.sim / 100) ** 2
            seen = per_field.setdefault(h.term, {})
            seen[h.field] = max(w, seen.get(h.field, 0.0))
            if h.term not in best or w > best[h.term][0]:
                best[h.term] = (w, h)
        for ti, seen in per_field.items():
            # Said in the subject and again in the body means a little more.
            w, h = best[ti]
            best[ti] = (w + 0.25 * (sum(seen.values()) - w), h)
        points: dict[int, float] = {}
        reasons: dict[int, list[str]] = {}
        named: set[int] = set()
        by_entry: dict[int, list[tuple[float, _Term, _Hit]]] = {}
        for ti, (w, h) in best.items():
            by_entry.setdefault(terms[ti].owner, []).append((w * self._idf[ti], terms[ti], h))
        for i, found in by_entry.items():
            found.sort(key=lambda x: -x[0])
            names = [f for f in found if f[1].tag != "keyword"]
            words = [f for f in found if f[1].tag == "keyword"]
            total = 0.0
            why = []
            if names:
                w, term, hit = names[0]
                total += NAME_POINTS * w + 0.25 * min(2, len(names) - 1)
                fuzzy = f" (fuzzy {hit.sim})" if hit.sim < 100 else ""
                why.append(f"{term.tag} '{term.label}' {_in(hit.field)}{fuzzy}")
                named.add(i)
            if words:
                total += KEYWORD_POINTS * sum(w for w, _, _ in words)
                why.append("keywords: " + ", ".join(t.label for _, t, _ in words[:6]))
            points[i] = total
            reasons[i] = why
        return points, reasons, named

    def _categorize(self, req: _Prepared, entry_points: dict[int, float]):
        terms = self._cue_index.terms
        strongest: dict[int, float] = {}
        for h in self._cue_index.find(req):
            w = self._cue_weight[h.term] * req.cue_weights[h.field]
            strongest[h.term] = max(w, strongest.get(h.term, 0.0))
        cat_points = [0.0] * len(self._categories)
        cues: list[list[tuple[float, str]]] = [[] for _ in self._categories]
        best_place: dict[int, tuple[float, str]] = {}
        for ti, w in strongest.items():
            owner = terms[ti].owner
            if terms[ti].tag == "place":
                if w > best_place.get(owner, (0.0, ""))[0]:
                    best_place[owner] = (w, terms[ti].label)
                continue
            cat_points[owner] += w
            cues[owner].append((w, terms[ti].label))
        for owner, (w, label) in best_place.items():
            cat_points[owner] += w
            cues[owner].append((w, label))
            for other, share in self.rules.rules[self._categories[owner]].absorbs.items():
                if other in self._categories:
                    moved = cat_points[self._categories.index(other)] * share
                    cat_points[self._categories.index(other)] -= moved
                    cat_points[owner] += moved
        leaning: list[list[str]] = [[] for _ in self._categories]
        top = sorted(entry_points.items(), key=lambda x: -x[1])[:3]
        for i, p in top:
            strength = _saturate(p) / 100
            if strength * 100 < self.min_score:
                continue
            entry = self.entries[i]
            for ci, key in enumerate(self._categories):
                lean = self.rules.kinds.get(entry.kind, {}).get(key, 0.0)
                if self.rules.rules[key].route_to == entry.key:
                    lean += 0.6
                if lean:
                    # A weak match leans much less than a clear one.
                    cat_points[ci] += self.rules.entry_weight * lean * strength**2
                    leaning[ci].append(f"{entry.key} ({entry.kind.replace('_', ' ')})")
        if "other" in self._categories and any(_saturate(p) >= self.min_score for p in entry_points.values()):
            # Off-topic cues count for less once a real project is in play.
            cat_points[self._categories.index("other")] *= 0.5
        ranked = sorted(range(len(self._categories)), key=lambda c: -cat_points[c])
        best = ranked[0] if ranked else None
        if best is None or cat_points[best] < CATEGORY_MIN_POINTS:
            if not (top and _saturate(top[0][1]) >= self.min_score):
                why = "no request-type cues and nothing in the directory matched"
                return CategoryGuess("other", 0, [why]), {}
            # Something in the directory fits: take the faint lean, else "working together".
            key = self._categories[best] if cat_points[best] > 0 else "collaboration"
            key = "collaboration" if key == "other" else key
            return CategoryGuess(key, 20, ["a project matched but there are few request-type cues"]), {}
        p = cat_points[best]
        runner_up = cat_points[ranked[1]] if len(ranked) > 1 else 0.0
        confidence = (1 - math.exp(-p / 2.0)) * (0.5 + 0.5 * p / (p + runner_up))
        why = []
        if cues[best]:
            labels = [label for _, label in sorted(cues[best], key=lambda x: -x[0])[:6]]
            why.append("cues: " + ", ".join(labels))
        if leaning[best]:
            why.append("matched " + ", ".join(leaning[best]))
        # Close runners-up keep a say in routing (a tender that names g0v is
        # about money and about the name): strength of each one's own evidence.
        shares = {
            self._categories[c]: 1 - math.exp(-cat_points[c] / 1.5)
            for c in ranked[:3]
            if cat_points[c] >= 0.5 * p
        }
        return CategoryGuess(self._categories[best], round(100 * confidence), why), shares

    def _route_prior(self, fields, shares, points, reasons) -> None:
        """Lean towards the group that handles this kind of request; it wins when no project is named."""
        mentions = any(t in text for t in self._community for text in fields.values())
        for key, share in shares.items():
            rule = self.rules.rules.get(key)
            target = self._keys.get(rule.route_to) if rule and rule.route_to else None
            if target is None:
                continue
            boost = self.rules.route_weight * share * (1.0 if mentions else 0.6)
            points[target] = points.get(target, 0.0) + boost
            reasons.setdefault(target, []).append(f"handles {key} requests")


def build_matcher(settings) -> Matcher:
    """A matcher over the user's directory and category rules."""
    from steward.directory import load_directory

    matching = getattr(settings, "matching", None)
    min_score = getattr(matching, "min_score", DEFAULT_MIN_SCORE)
    return Matcher(load_directory(settings), load_category_rules(settings), min_score=min_score)
