"""Which project or working group a request concerns, what kind of request it is, and why.

Pure functions over text: no SQL, no UI, no I/O except `build_matcher`, which
reads the directory and the category rules (steward.matching.rules). Build
one `Matcher` and call it for every request; it precomputes normalized names
and an n-gram index so that a request costs a few milliseconds even against
thousands of entries.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from steward.matching.index import ASCII_ALNUM, CJK_CLASS, CJK_RUN, Hit, Prepared, Term, TermIndex, ngrams
from steward.matching.rules import CategoryRules, load_category_rules
from steward.models import CATEGORIES, CategoryGuess, Match, MatchResult
from steward.matching.routing import ENTRY_FEATURE, Evidence, RouteModel, shipped_route_model
from steward.matching.routing import features as route_features
from steward.matching.spam import spam_verdict

DEFAULT_MIN_SCORE = 60
# Once a route passes min_score, runners-up from this share of it are suggested too.
RUNNER_UP_SHARE = 0.5
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
SHORT_LATIN = 4  # aliases this short must stand alone as a word
SHORT_CJK = 2  # Chinese aliases this short must appear exactly
# Specificity (steward.matching.specificity) from which a name routes on its own,
# and from which a word of an entry backs up a weaker name of it.
STANDS_ALONE = 0.8
CORROBORATES = 0.6
CATEGORY_MIN_POINTS = 0.6  # below this no rule really fired
MODEL_UNSURE = 0.3  # the category model's best probability below which clear rule cues decide
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
_LATIN_LETTERS = re.compile(r"[a-zA-Z\u00c0-\u024f]+")
# How much of a field detect_language reads: the language of a request is
# plain from its first screenfuls, and a cap keeps a 2 MB field cheap.
LANGUAGE_SAMPLE_CHARS = 20_000


def normalize(text: str) -> str:
    """NFKC (folds full-width forms) + casefold + 臺→台, whitespace collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold().translate(_FOLD)
    return _WS.sub(" ", text).strip()


def detect_language(text: str) -> str:
    """"zh", "en" or "mixed", by the share of Chinese characters against Latin words.

    Reads the first LANGUAGE_SAMPLE_CHARS characters only. Addresses and links
    are not words: whitespace-separated tokens holding "@" or "://", or starting
    with "www.", are left out. (Tokens, not a regex such as \\S+@\\S+, which
    backtracks quadratically over a long run without "@".)
    """
    text = " ".join(word for word in (text or "")[:LANGUAGE_SAMPLE_CHARS].split() if not _urlish(word))
    han = len(re.findall(f"[{CJK_CLASS}]", text))
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


def _urlish(word: str) -> bool:
    return "@" in word or "://" in word or word[:4].lower() == "www."


# -- the matcher --------------------------------------------------------------


def _saturate(points: float) -> int:
    return max(0, min(100, round(100 * (1 - math.exp(-points / SCORE_SCALE)))))


def _short(term: str) -> bool:
    if all(c in ASCII_ALNUM or c in " -." for c in term):
        return len(term) <= SHORT_LATIN
    return len(term) <= SHORT_CJK and bool(CJK_RUN.fullmatch(term))


def _in(field: str) -> str:
    return f"in {field}"


class Matcher:
    """Built once from a directory and category rules; call it for each request."""

    def __init__(
        self, directory, rules: CategoryRules, *, min_score: int = DEFAULT_MIN_SCORE, commonness=None, model=None,
        language: str = "en", route_model: RouteModel | bool = True,
    ):
        self.entries = list(directory.entries)
        self.rules = rules
        # The fitted category model (steward.matching.model); None: the hand-set rules decide.
        self.model = model
        self.language = language  # which language the category's reasons are written in
        self.min_score = min_score
        # The fitted route model (steward.matching.routing); None: the hand-set points decide.
        self.route_model = _shipped_route_model() if route_model is True else (route_model or None)
        self._keys = {e.key: i for i, e in enumerate(self.entries)}
        terms: list[Term] = []
        for i, entry in enumerate(self.entries):
            seen: set[str] = set()
            names = [(n, "name") for n in (entry.name, entry.name_en)]
            for label, tag in [*names, *((a, "alias") for a in entry.aliases)]:
                text = normalize(label)
                if text and text not in seen and ngrams(text):
                    seen.add(text)
                    terms.append(Term(text, label, i, tag, not _short(text)))
            for label in entry.keywords:
                text = normalize(label)
                if text and text not in seen and ngrams(text):
                    seen.add(text)
                    terms.append(Term(text, label, i, "keyword", False))
        # A word many entries share says little about any one of them; but a
        # tag that ten imported projects carry should not silence the one
        # curated entry that has it as a keyword, so the share falls off as
        # 1/sqrt(df), not 1/df.
        df: dict[str, int] = {}
        for t in terms:
            df[t.text] = df.get(t.text, 0) + 1
        self._idf = [1.0 / df[t.text] ** 0.5 for t in terms]
        self._entry_index = TermIndex(terms)
        # Worked out when a request first needs it, so building a matcher stays cheap.
        self._commonness = commonness
        self._specific: dict[str, float] = {}
        self._url_ids = [_url_id(e.url) for e in self.entries]
        self._categories = [k for k in CATEGORIES if k in rules.rules]
        cues: list[Term] = []
        self._cue_weight: list[float] = []
        for ci, key in enumerate(self._categories):
            rule = rules.rules[key]
            listed = [(c, w, "cue") for c, w in rule.cues.items()]
            listed += [(p, rule.place_weight, "place") for p in rule.places]
            for label, weight, tag in listed:
                if ngrams(normalize(label)):
                    cues.append(Term(normalize(label), label, ci, tag, False))
                    self._cue_weight.append(weight)
        self._cue_index = TermIndex(cues)
        self._community = [normalize(t) for t in rules.community if normalize(t)]

    # The sender's name and address are accepted so a whole record can be
    # passed, but who writes says little about what the request is about.
    def match(
        self, subject: str = "", body: str = "", organization: str = "", from_name: str = "", from_email: str = "",
        channel: str = "",
    ) -> MatchResult:
        language, category, spam, found = self._read(subject, body, organization, from_name, from_email, channel)
        if found is None:
            return MatchResult(language, category, [], spam)
        if self.route_model is None:
            matches = self._hand_set_routes(found)
        else:
            scored = [
                (round(100 * self.route_model.probability(values)), i, why)
                for i, values, why in self._route_candidates(found)
            ]
            # Whether to route at all is the line's call; once a route passes it, close
            # runners-up are offered too (the route picker lists them second and third).
            best = max((score for score, _, _ in scored), default=0)
            line = self.min_score if best < self.min_score else self.min_score * RUNNER_UP_SHARE
            matches = [
                Match(self.entries[i].key, self.entries[i].name, self.entries[i].kind, score, why)
                for score, i, why in scored if score >= line
            ]
        matches.sort(key=lambda m: (-m.score, m.key))
        return MatchResult(language, category, matches, spam)

    def route_candidates(
        self, subject: str = "", body: str = "", organization: str = "", from_name: str = "", from_email: str = "",
        channel: str = "",
    ) -> list[tuple[str, dict[str, float]]]:
        """What the route model sees: (entry key, features) for every entry a request could go to.
        Empty for spam. scripts/train_routing.py fits the model to these."""
        found = self._read(subject, body, organization, from_name, from_email, channel)[3]
        return [] if found is None else [(self.entries[i].key, v) for i, v, _ in self._route_candidates(found)]

    def _read(self, subject, body, organization, from_name, from_email, channel):
        """Language, category, spam verdict and what the request says about each entry
        (None when it is not to be routed at all)."""
        fields = {"subject": normalize(subject), "organization": normalize(organization), "body": normalize(body)}
        fields = {k: v for k, v in fields.items() if v}
        language = detect_language(" ".join((subject or "", body or "")))
        prepared = Prepared(fields)
        weights, cue_weights = dict(FIELD_WEIGHTS), dict(CUE_FIELD_WEIGHTS)
        if "subject" not in fields:
            weights["body"] = cue_weights["body"] = BODY_WITHOUT_SUBJECT
        written = {"subject": subject or "", "organization": organization or "", "body": body or ""}
        points, reasons, named, evidence = self._score_entries(prepared, weights, written)
        from steward.matching.model import features as request_features

        # The request's own features, read once: the spam detector's wording model and
        # the category model both start from them.
        own = request_features(subject, body, organization, from_email, channel)
        spam = spam_verdict(subject, body, organization, from_name, from_email, channel, wording_values=own.values)
        if spam.likely:
            why = {"zh-TW": ["看起來是垃圾信或詐騙"], "en": ["looks like spam or a scam"]}
            guess = CategoryGuess("other", spam.score, why[_reason_language(self.language)], why)
            return language, guess, spam, None
        if self.model is not None:
            category, shares, off_topic = self._model_category(
                prepared, cue_weights, points, subject, body, organization, from_email, channel, own
            )
        else:
            category, shares = self._categorize(prepared, cue_weights, points)
            off_topic = category.score / 100 if category.key == "other" else 0.0
        if self.model is None and category.key == "other" and category.score > 0 and not named:
            # The rules' "other" fires on spam words; the model's "other" is off-topic
            # but not spam, and a directory entry that fits it (one a steward added
            # for such requests) still gets it. Spam returned above, unrouted.
            return language, category, spam, None
        return language, category, spam, _Found(fields, shares, off_topic, points, reasons, evidence)

    def match_request(self, record) -> MatchResult:
        return self.match(
            subject=record.subject or "",
            body=record.body or "",
            organization=record.organization or "",
            from_name=getattr(record, "from_name", "") or "",
            from_email=getattr(record, "from_email", "") or "",
            channel=getattr(record, "channel", "") or "",
        )

    __call__ = match_request

    def _score_entries(self, req: Prepared, weights: dict[str, float], written: dict[str, str] | None = None):
        """Points, reasons, named entries and route evidence per entry. `written`: the fields
        as the sender wrote them (capitals kept), to tell a common name used as part of
        another one ("Impact Tech Summit") from the entry's name."""
        terms = self._entry_index.terms
        best: dict[int, tuple[float, Hit]] = {}  # term -> its strongest hit
        per_field: dict[int, dict[str, float]] = {}
        for h in self._entry_index.find(req):
            w = weights[h.field] * (h.sim / 100) ** 2
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
        by_entry: dict[int, list[tuple[float, Term, Hit]]] = {}
        for ti, (w, h) in best.items():
            by_entry.setdefault(terms[ti].owner, []).append((w * self._idf[ti], terms[ti], h))
        evidence: dict[int, Evidence] = {}
        for i, found in by_entry.items():
            found.sort(key=lambda x: -x[0])
            names = [
                f for f in found if f[1].tag != "keyword"
                and not (written and self._ends_another_name(f[1], per_field[f[2].term], written))
            ]
            words = [f for f in found if f[1].tag == "keyword"]
            total = 0.0
            why = []
            ev = evidence[i] = Evidence()
            if names:
                w, term, hit = names[0]
                note = f" (fuzzy {hit.sim})" if hit.sim < 100 else ""
                backed, spec = self._name_backing(i, hit, found, per_field, req)
                ev.name, ev.name_backed, ev.name_specificity = w, backed, spec
                if not backed:
                    # An everyday word ("lost", 聯絡人) seen once in the body: not enough on its own.
                    w *= spec
                    note += " (a short or common name; nothing else of this entry backs it up)"
                total += NAME_POINTS * w + 0.25 * min(2, len(names) - 1)
                ev.name_reason = f"{term.tag} '{term.label}' {_in(hit.field)}{note}"
                why.append(ev.name_reason)
                named.add(i)
            if words:
                total += KEYWORD_POINTS * sum(w for w, _, _ in words)
                ev.keyword_reason = "keywords: " + ", ".join(t.label for _, t, _ in words[:6])
                why.append(ev.keyword_reason)
                ev.keywords = sum(w for w, _, _ in words)
                ev.telling_keywords = sum(w * self._specificity(h.term) for w, _, h in words)
            points[i] = total
            reasons[i] = why
        return points, reasons, named, evidence

    def _specificity(self, ti: int) -> float:
        return self._specificity_of(self._entry_index.terms[ti].text)

    def _specificity_of(self, text: str) -> float:
        from steward.matching.specificity import specificity

        spec = self._specific.get(text)
        if spec is None:
            spec = self._specific[text] = specificity(text, self._commonness)
        return spec

    def _ends_another_name(self, term: Term, fields_seen, written: dict[str, str]) -> bool:
        """Whether a common Latin name of an entry ("Summit") is, everywhere it is written,
        the last word of another capitalised name ("Taipei Impact Tech Summit"): then it
        names that, not the entry. A specific name ("vTaiwan") is never doubted."""
        if not term.text.isascii() or self._specificity_of(term.text) >= STANDS_ALONE:
            return False
        return all(
            _tail_of_capitalised_name(
                term.text, written.get(field, ""), self._community, title_case=field == "organization"
            )
            for field in fields_seen
        )

    def _name_backing(self, i: int, hit: Hit, found, per_field, req: Prepared) -> tuple[bool, float]:
        """Whether the entry's best name may count in full, and its specificity (0..1).

        A name short or common enough to turn up by chance counts in full only
        when something backs it up: it is in the subject, another telling word
        of the same entry is there, or the entry's address is.
        """
        if "subject" in per_field[hit.term]:
            return True, 1.0
        spec = self._specificity(hit.term)
        if spec >= STANDS_ALONE:
            return True, spec
        text = self._entry_index.terms[hit.term].text
        for _, other, h in found:
            if (
                other.text != text
                and other.text not in text
                and self._idf[h.term] >= 0.5
                and self._specificity(h.term) >= CORROBORATES
            ):
                return True, spec
        url = self._url_ids[i]
        return bool(url and url in req.joined), spec

    def _categorize(self, req: Prepared, cue_weights: dict[str, float], entry_points: dict[int, float]):
        cat_points, cues = self._cue_points(req, cue_weights)
        return self._rule_category(cat_points, cues, entry_points)

    def category_features(
        self, subject: str = "", body: str = "", organization: str = "", from_email: str = "", channel: str = "",
        *, prepared: Prepared | None = None, entry_points: dict[int, float] | None = None, own=None,
    ):
        """What the category model sees: the request's own features (`own`, when already read),
        plus how strongly the cue words of categories.toml point at each category and what kind
        of entry it matched."""
        from steward.matching.model import features

        if prepared is None or entry_points is None:
            fields = {"subject": normalize(subject), "organization": normalize(organization), "body": normalize(body)}
            fields = {k: v for k, v in fields.items() if v}
            prepared = Prepared(fields)
            weights = dict(FIELD_WEIGHTS)
            if "subject" not in fields:
                weights["body"] = BODY_WITHOUT_SUBJECT
            written = {"subject": subject or "", "organization": organization or "", "body": body or ""}
            entry_points = self._score_entries(prepared, weights, written)[0]
        cue_weights = dict(CUE_FIELD_WEIGHTS)
        if "subject" not in prepared.names:
            cue_weights["body"] = BODY_WITHOUT_SUBJECT
        top = sorted(entry_points.items(), key=lambda x: (-x[1], x[0]))[:1]
        entry = self.entries[top[0][0]] if top and _saturate(top[0][1]) >= self.min_score else None
        feats = features(subject, body, organization, from_email, channel, (entry.kind,) if entry else (), own=own)
        cat_points, cues = self._cue_points(prepared, cue_weights)
        for ci, key in enumerate(self._categories):
            if cat_points[ci] > 0:
                feats.values["rule:" + key] = 1 - math.exp(-cat_points[ci] / 1.5)
            if entry is not None and self.rules.rules[key].route_to == entry.key:
                feats.values["handler:" + key] = 1.0
        feats.cues = {key: [label for _, label in sorted(cues[ci], key=lambda x: -x[0])[:3]]
                      for ci, key in enumerate(self._categories) if cues[ci]}
        # What the hand-set rules alone would say; the model learns how far to trust it.
        ruled, _ = self._rule_category(list(cat_points), cues, entry_points)
        feats.values["rulecat:" + ruled.key] = 1.0
        return feats

    def _model_category(
        self, prepared, cue_weights, entry_points, subject, body, organization, from_email, channel, own=None
    ):
        feats = self.category_features(
            subject, body, organization, from_email, channel, prepared=prepared, entry_points=entry_points, own=own
        )
        prediction = self.model.predict(feats)
        lang = _reason_language(self.language)
        top = max(prediction.probabilities.values())
        if top < MODEL_UNSURE:
            # Too little to go on for the model (a line or two): the cue words of
            # categories.toml, the steward's own included, decide if they clearly can.
            rules_guess, rules_shares = self._categorize(prepared, cue_weights, entry_points)
            if rules_guess.score >= 30 and rules_guess.key != "other":
                why = {"zh-TW": ["模型沒把握，依類別規則的關鍵字判斷"],
                       "en": ["the model is unsure; decided by the cue words of the category rules"]}
                why = {k: v + rules_guess.reasons for k, v in why.items()}
                guess = CategoryGuess(rules_guess.key, rules_guess.score, why[lang], why)
                return guess, rules_shares, prediction.probabilities.get("other", 0.0)
        guess = CategoryGuess(prediction.key, prediction.score, prediction.reasons[lang], prediction.reasons)
        # Close runners-up keep a say in routing, as with the rules.
        shares = {
            key: p for key, p in sorted(prediction.probabilities.items(), key=lambda x: -x[1])[:3]
            if p >= 0.5 * top and key != "other"
        }
        return guess, shares, prediction.probabilities.get("other", 0.0)

    def _cue_points(self, req: Prepared, cue_weights: dict[str, float]):
        """Points per category from the cue words of categories.toml, and which cues gave them."""
        terms = self._cue_index.terms
        strongest: dict[int, float] = {}
        for h in self._cue_index.find(req):
            w = self._cue_weight[h.term] * cue_weights[h.field]
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
        return cat_points, cues

    def _rule_category(self, cat_points, cues, entry_points):
        """The hand-set rules' category: the answer without a model, and one of the model's features."""
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

    def _handled(self, key: str) -> float:
        """How far the category's group is the usual answer: 1 at even odds, up to 2 when
        the labelled requests of that category nearly always went to it (the model learned it)."""
        rate = ((self.model.meta.get("handled") or {}) if self.model is not None else {}).get(key)
        return 2.0 * rate if isinstance(rate, (int, float)) and 0 <= rate <= 1 else 1.0

    def _hand_set_routes(self, found: _Found) -> list[Match]:
        """The routes by the hand-set points (no route model): the category leans towards the
        group that handles it, and an entry is suggested from min_score on."""
        points, reasons = found.points, found.reasons
        mentions = self._mentions_community(found.fields)
        for key, share in found.shares.items():
            rule = self.rules.rules.get(key)
            target = self._keys.get(rule.route_to) if rule and rule.route_to else None
            if target is None:
                continue
            boost = self.rules.route_weight * share * (1.0 if mentions else 0.6) * self._handled(key)
            points[target] = points.get(target, 0.0) + boost
            reasons.setdefault(target, []).append(f"handles {key} requests")
        matches = []
        for i, p in points.items():
            score = _saturate(p)
            if score >= self.min_score:
                e = self.entries[i]
                matches.append(Match(e.key, e.name, e.kind, score, reasons[i]))
        return matches

    def _route_candidates(self, found: _Found):
        """(entry, route features, reasons) for every entry the request gives evidence for
        or whose group handles the request's category (steward.matching.routing)."""
        mentions = self._mentions_community(found.fields)
        leans: dict[int, tuple[float, float, str]] = {}  # entry -> (lean, handled rate, category)
        for key, share in found.shares.items():
            rule = self.rules.rules.get(key)
            target = self._keys.get(rule.route_to) if rule and rule.route_to else None
            if target is not None and share > leans.get(target, (0.0,))[0]:
                leans[target] = (share, self._handled_rate(key), key)
        evidence = found.evidence
        weights = self.route_model.weights if self.route_model is not None else {}
        for i in sorted(set(evidence) | set(leans)):
            ev = evidence.get(i) or Evidence()
            lean, handled, key = leans.get(i, (0.0, 0.0, ""))
            values = route_features(ev, lean, handled, mentions)
            if (habit := f"{ENTRY_FEATURE}{self.entries[i].key}") in weights:
                values[habit] = 1.0  # a steward's routes taught the user model this entry's habit
            said = {"name": ev.name_reason, "keywords": ev.keyword_reason, "lean": f"handles {key} requests"}
            # What weighed most comes first: the reasons name what decided the route.
            pushes = sorted(((values[f] * weights.get(f, 1.0), f) for f in said if f in values), key=lambda x: -x[0])
            yield i, values, [said[f] for _, f in pushes]

    def _mentions_community(self, fields) -> bool:
        return any(t in text for t in self._community for text in fields.values())

    def _handled_rate(self, key: str) -> float:
        """How often the labelled requests of a category went to its group (0..1; 0.5 unknown)."""
        return self._handled(key) / 2


@dataclass(slots=True)
class _Found:
    """What a request says about the directory, as the routing steps need it."""

    fields: dict[str, str]
    shares: dict[str, float]  # category -> how strongly the request is of it
    off_topic: float  # how far it looks like category "other"
    points: dict[int, float]  # entry -> hand-set points
    reasons: dict[int, list[str]]
    evidence: dict[int, Evidence]


# Words that may precede a name in capitals without being part of another name.
_NOT_A_NAME = frozenset({"the", "this", "that", "next", "last", "our", "your", "their", "upcoming", "a", "an"})
_LATIN_WORD = re.compile(r"[A-Za-z0-9][\w'&.-]*")


def _tail_of_capitalised_name(name: str, text: str, community: list[str], *, title_case: bool = False) -> bool:
    """Whether every time `name` (folded) is written in `text`, capitalised, it follows a
    capitalised word that starts no sentence: "Taipei Impact Tech Summit", not "the next
    Summit" or "g0v Summit". A sentence in title case ("Proposal For The Next Summit")
    says nothing either way and counts as no; `title_case`: the text is a name itself
    (an organization), where every word is capitalised."""
    words = [w for w in _LATIN_WORD.findall(text) if len(w) >= 3]
    if not words or (not title_case and sum(w[0].isupper() for w in words) >= 0.6 * len(words)):
        return False
    found = False
    for m in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text, re.IGNORECASE):
        if not m.group()[0].isupper():
            return False
        before = re.search(r"([A-Za-z0-9][\w'&.-]*)([ \t]+)$", text[: m.start()])
        if before is None:
            return False
        word = before.group(1)
        opens_sentence = re.search(r"(^|[.!?:;\n]\s*|[\"'(「『【]\s*)$", text[: before.start()]) is not None
        if not word[0].isupper() or opens_sentence or word.lower() in _NOT_A_NAME or word.lower() in community:
            return False
        found = True
    return found


def _url_id(url: str) -> str:
    """An entry's address as it would appear in a request: no scheme, no www, no trailing slash.

    Very short ones are left out: they would be found inside longer words.
    """
    ident = re.sub(r"^https?://(www\.)?", "", normalize(url)).rstrip("/")
    return ident if len(ident) >= 8 and "." in ident.split("/")[0] else ""


def _route_model_for(data_dir: Path | None) -> RouteModel | bool:
    from steward.matching.routing import load_route_model

    try:
        return load_route_model(data_dir)
    except (OSError, ValueError, KeyError, TypeError):
        return True  # as below: the shipped one, or the hand-set points if even that is broken


def _shipped_route_model() -> RouteModel | None:
    try:
        return shipped_route_model()
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a broken install still routes, by the hand-set points


def _reason_language(language: str) -> str:
    return "zh-TW" if (language or "").lower().startswith("zh") else "en"


def build_matcher(settings, *, model=True) -> Matcher:
    """A matcher over the user's directory and category rules, with the user's category and
    route models when `steward train` made them (else the shipped ones); model=False: rules only."""
    from steward.directory.entries import load_directory
    from steward.matching.model import load_model
    from steward.matching.specificity import with_user_table

    matching = getattr(settings, "matching", None)
    min_score = getattr(matching, "min_score", DEFAULT_MIN_SCORE)
    commonness = with_user_table(getattr(settings, "config_dir", None))
    route_model: RouteModel | bool = True
    if model is True:
        database = getattr(settings, "database", None)
        data_dir = Path(database).parent if database else None
        model = load_model(data_dir)
        route_model = _route_model_for(data_dir)
    return Matcher(
        load_directory(settings), load_category_rules(settings), min_score=min_score, commonness=commonness,
        model=model or None, language=getattr(settings, "language", "en") or "en", route_model=route_model,
    )


def rematch(store, matcher: Matcher, ids: Iterable[int]) -> int:
    """Match each request in `ids` again and store the result; returns how many changed route or category.

    A steward's own route and category stay (the store keeps manual choices).
    """
    changed = 0
    for request_id in ids:
        before = store.get(request_id)
        store.save_match_result(request_id, matcher.match_request(before))
        after = store.get(request_id)
        changed += (before.match, before.category) != (after.match, after.category)
    return changed
