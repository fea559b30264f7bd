"""Which project or working group a request concerns, what kind of request it is, and why.

Pure functions over text: no SQL, no UI, no I/O except `build_matcher` and
`load_category_rules`, which read configuration. Build one `Matcher` and call
it for every request; it precomputes normalized names and an n-gram index so
that a request costs a few milliseconds even against thousands of entries.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from steward.models import CATEGORIES, CategoryGuess, ConfigError, Match, MatchResult

DEFAULT_MIN_SCORE = 45
# Where a word appears says how much it means: the subject and the sender's
# organization are chosen words, the body is mostly context.
FIELD_WEIGHTS = {"subject": 1.0, "organization": 0.8, "body": 0.6}
NAME_POINTS = 3.0  # a project named outright
KEYWORD_POINTS = 1.0
SCORE_SCALE = 2.0  # points -> 0..100 saturates around 3 * SCALE
FUZZY_MIN = 90  # rapidfuzz partial_ratio needed for a name with a typo
SHORT_LATIN = 4  # aliases this short must stand alone as a word
SHORT_CJK = 2  # Chinese aliases this short must appear exactly
CATEGORY_MIN_POINTS = 0.8  # below this no rule really fired
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


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@dataclass(slots=True)
class _Term:
    text: str  # normalized
    label: str  # as written in the config, for reasons
    owner: int
    tag: str  # entries: "name" | "alias" | "keyword"; categories: tier
    fuzzy: bool
    need: int  # grams that must be present before verifying


@dataclass(slots=True)
class _Hit:
    term: int
    field: str
    sim: int  # 100 for an exact hit
    start: int
    end: int


class _TermIndex:
    def __init__(self, terms: list[_Term]):
        self.terms = terms
        self.postings: dict[str, list[int]] = {}
        for i, term in enumerate(terms):
            grams = _grams(term.text)
            for g in grams:
                self.postings.setdefault(g, []).append(i)
            term.need = len(grams) if not term.fuzzy else max(1, math.ceil(len(grams) * 0.5))

    def find(self, fields: dict[str, str]) -> list[_Hit]:
        from rapidfuzz import fuzz

        counts: dict[int, int] = {}
        grams = set()
        for text in fields.values():
            grams |= _grams(text, for_text=True)
        for g in grams:
            for i in self.postings.get(g, ()):
                counts[i] = counts.get(i, 0) + 1
        hits: list[_Hit] = []
        for i, n in counts.items():
            term = self.terms[i]
            if n < term.need:
                continue
            for name, text in fields.items():
                exact = _exact_spans(term.text, text)
                if exact:
                    hits.extend(_Hit(i, name, 100, s, e) for s, e in exact)
                elif term.fuzzy:
                    al = fuzz.partial_ratio_alignment(term.text, text, score_cutoff=FUZZY_MIN)
                    if al is not None and _fuzzy_ok(term.text, text, al.dest_start, al.dest_end):
                        hits.append(_Hit(i, name, int(al.score), al.dest_start, al.dest_end))
        return _drop_nested(hits, self.terms)


def _exact_spans(term: str, text: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(term)
    check_left, check_right = _is_latin(term[0]), _is_latin(term[-1])
    while start >= 0:
        end = start + len(term)
        left_ok = not check_left or start == 0 or not _is_latin(text[start - 1])
        if left_ok and check_right:
            # Allow English plurals: "hackathon" finds "hackathons".
            for suffix in ("", "s", "es"):
                if text.startswith(suffix, end) and (
                    end + len(suffix) == len(text) or not _is_latin(text[end + len(suffix)])
                ):
                    spans.append((start, end + len(suffix)))
                    break
        elif left_ok:
            spans.append((start, end))
        start = text.find(term, start + 1)
    return spans


def _fuzzy_ok(term: str, text: str, start: int, end: int) -> bool:
    """A near-miss must line up with a word edge, so 'vtaiwan' never fires on 'to taiwan'."""
    if end - start < len(term) - 1:
        return False
    at_left = start == 0 or not _is_latin(text[start - 1])
    at_right = end >= len(text) or not _is_latin(text[end])
    return at_left and at_right if _is_latin(term[0]) else True


def _drop_nested(hits: list[_Hit], terms: list[_Term]) -> list[_Hit]:
    """The longest phrase wins: "開源" inside "開源貢獻者" is not a second topic."""
    kept = []
    for h in hits:
        owner = terms[h.term].owner
        if not any(
            o.field == h.field
            and terms[o.term].owner != owner
            and o.start <= h.start
            and h.end <= o.end
            and (o.end - o.start) > (h.end - h.start)
            for o in hits
        ):
            kept.append(h)
    return kept


# -- category rules -----------------------------------------------------------


@dataclass
class CategoryRule:
    key: str
    route_to: str | None = None
    cues: dict[str, float] = field(default_factory=dict)  # cue as written -> weight


@dataclass
class CategoryRules:
    rules: dict[str, CategoryRule]
    kinds: dict[str, dict[str, float]] = field(default_factory=dict)
    community: list[str] = field(default_factory=list)
    entry_weight: float = 1.2
    route_weight: float = 1.6


_TIERS = ("strong", "zh", "en", "weak")
_RULE_KEYS = {"route_to", *_TIERS}


def parse_category_rules(data: dict, where: str, base: CategoryRules | None = None) -> CategoryRules:
    """Rules from a categories.toml table; `base` supplies what the file leaves out."""
    for top in data:
        if top not in {"weights", "community", "kinds", "category"}:
            raise ConfigError(f"{where}: unknown key '{top}'")
    weights = {"strong": 2.0, "normal": 1.0, "weak": 0.4, "entry": 1.2, "route": 1.6}
    for name, value in data.get("weights", {}).items():
        if name not in weights:
            raise ConfigError(f"{where}: [weights]: unknown key '{name}'")
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{where}: [weights]: '{name}' must be a number ≥ 0")
        weights[name] = float(value)
    rules = dict(base.rules) if base else {}
    for key, table in data.get("category", {}).items():
        if key not in CATEGORIES:
            raise ConfigError(f"{where}: unknown category '{key}' (one of {', '.join(CATEGORIES)})")
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: [category.{key}] must be a table")
        cues: dict[str, float] = {}
        for name, value in table.items():
            if name not in _RULE_KEYS:
                raise ConfigError(f"{where}: [category.{key}]: unknown key '{name}'")
            if name == "route_to":
                continue
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: [category.{key}]: '{name}' must be a list of strings")
            weight = weights["normal"] if name in ("zh", "en") else weights[name]
            for cue in value:
                cues.setdefault(cue, weight)
        route = table.get("route_to")
        if route is not None and not isinstance(route, str):
            raise ConfigError(f"{where}: [category.{key}]: 'route_to' must be a string")
        rules[key] = CategoryRule(key, route or None, cues)
    kinds = dict(base.kinds) if base else {}
    for kind, leans in data.get("kinds", {}).items():
        if not isinstance(leans, dict) or not all(
            k in CATEGORIES and isinstance(v, int | float) for k, v in leans.items()
        ):
            raise ConfigError(f"{where}: [kinds]: '{kind}' must map categories to numbers")
        kinds[kind] = {k: float(v) for k, v in leans.items()}
    community = data.get("community", {}).get("terms", base.community if base else [])
    if not isinstance(community, list) or not all(isinstance(t, str) for t in community):
        raise ConfigError(f"{where}: [community]: 'terms' must be a list of strings")
    return CategoryRules(rules, kinds, list(community), weights["entry"], weights["route"])


def load_category_rules(settings=None) -> CategoryRules:
    """The shipped rules, with the user's `categories.toml` (if any) merged over them."""
    text = (files("steward.defaults") / "categories.toml").read_text(encoding="utf-8")
    rules = parse_category_rules(tomllib.loads(text), "default categories.toml")
    config_dir = getattr(settings, "config_dir", None)
    user = Path(config_dir) / "categories.toml" if config_dir else None
    if user is not None and user.exists():
        try:
            data = tomllib.loads(user.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{user}: cannot read: {exc}") from None
        rules = parse_category_rules(data, str(user), base=rules)
    return rules


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
                    terms.append(_Term(text, label, i, tag, not _short(text), 0))
            for label in entry.keywords:
                text = normalize(label)
                if text and text not in seen and _grams(text):
                    seen.add(text)
                    terms.append(_Term(text, label, i, "keyword", False, 0))
        # A word many entries share says little about any one of them.
        df: dict[str, int] = {}
        for t in terms:
            df[t.text] = df.get(t.text, 0) + 1
        self._idf = [1.0 / df[t.text] for t in terms]
        self._entry_index = _TermIndex(terms)
        self._categories = [k for k in CATEGORIES if k in rules.rules]
        cues = [
            _Term(normalize(cue), cue, ci, str(weight), False, 0)
            for ci, key in enumerate(self._categories)
            for cue, weight in rules.rules[key].cues.items()
            if _grams(normalize(cue))
        ]
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
        points, reasons, named = self._score_entries(fields)
        category = self._categorize(fields, points)
        if category.key == "other" and category.score > 0 and not named:
            return MatchResult(language, category, [])  # spam or off-topic: nothing to route
        self._route_prior(fields, category, points, reasons)
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

    def _score_entries(self, fields: dict[str, str]):
        terms = self._entry_index.terms
        best: dict[int, tuple[float, _Hit]] = {}  # term -> its strongest hit
        for h in self._entry_index.find(fields):
            w = FIELD_WEIGHTS[h.field] * (h.sim / 100) ** 2
            if h.term not in best or w > best[h.term][0]:
                best[h.term] = (w, h)
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

    def _categorize(self, fields: dict[str, str], entry_points: dict[int, float]) -> CategoryGuess:
        terms = self._cue_index.terms
        strongest: dict[int, float] = {}
        for h in self._cue_index.find(fields):
            w = float(terms[h.term].tag) * FIELD_WEIGHTS[h.field]
            strongest[h.term] = max(w, strongest.get(h.term, 0.0))
        cat_points = [0.0] * len(self._categories)
        cues: list[list[tuple[float, str]]] = [[] for _ in self._categories]
        for ti, w in strongest.items():
            cat_points[terms[ti].owner] += w
            cues[terms[ti].owner].append((w, terms[ti].label))
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
                    lean += 1.0
                if lean:
                    cat_points[ci] += self.rules.entry_weight * lean * strength
                    leaning[ci].append(f"{entry.key} ({entry.kind.replace('_', ' ')})")
        if "other" in self._categories and entry_points:
            # Off-topic cues count for less once a real project is in play.
            cat_points[self._categories.index("other")] *= 0.5
        ranked = sorted(range(len(self._categories)), key=lambda c: -cat_points[c])
        best = ranked[0] if ranked else None
        if best is None or cat_points[best] < CATEGORY_MIN_POINTS:
            fallback = "collaboration" if top and _saturate(top[0][1]) >= self.min_score else "other"
            why = "a project matched but no request-type cues" if fallback != "other" else (
                "no request-type cues and nothing in the directory matched"
            )
            return CategoryGuess(fallback, 0 if fallback == "other" else 30, [why])
        p = cat_points[best]
        runner_up = cat_points[ranked[1]] if len(ranked) > 1 else 0.0
        confidence = (1 - math.exp(-p / 2.0)) * (0.5 + 0.5 * p / (p + runner_up))
        why = []
        if cues[best]:
            labels = [label for _, label in sorted(cues[best], key=lambda x: -x[0])[:6]]
            why.append("cues: " + ", ".join(labels))
        if leaning[best]:
            why.append("matched " + ", ".join(leaning[best]))
        return CategoryGuess(self._categories[best], round(100 * confidence), why)

    def _route_prior(self, fields, category: CategoryGuess, points, reasons) -> None:
        """With no project named, lean towards the group that handles this kind of request."""
        rule = self.rules.rules.get(category.key)
        target = self._keys.get(rule.route_to) if rule and rule.route_to else None
        if target is None or category.score <= 0:
            return
        mentions = any(t in text for t in self._community for text in fields.values())
        boost = self.rules.route_weight * category.score / 100 * (1.0 if mentions else 0.6)
        points[target] = points.get(target, 0.0) + boost
        reasons.setdefault(target, []).append(f"handles {category.key} requests")


def build_matcher(settings) -> Matcher:
    """A matcher over the user's directory and category rules."""
    from steward.directory import load_directory

    matching = getattr(settings, "matching", None)
    min_score = getattr(matching, "min_score", DEFAULT_MIN_SCORE)
    return Matcher(load_directory(settings), load_category_rules(settings), min_score=min_score)
