"""The route model: how the evidence for each directory entry adds up to a route, learned.

For every entry a request gives any evidence for (a name or alias found, topic
keywords, or the lean of the request's category towards the group that
handles it), `steward.matching.matcher` sums that evidence into four numbers
(`features`). A logistic model weighs them into the probability that the entry
is a right route; the score a steward sees is that probability in percent, and
`matching.min_score` (60 by default) is the line from which an entry is
suggested. The training script moves the bias so that the line it learned
between "route" and "no route" falls at 60: a request whose every candidate
stays below gets no route. This replaces the hand-set NAME_POINTS,
KEYWORD_POINTS, SCORE_SCALE and route weight, which were set by eye on the
samples (they stay in steward.matching.matcher for a matcher built without
this model).

The weights ship as JSON (route_model.json, rebuilt by scripts/train_routing.py
from labelled requests), fitted by steward.matching.logistic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from steward.matching import logistic

SHIPPED = "route_model.json"
USER_FILE = "route_model.json"  # next to the inbox, written by `steward train`
MODEL_VERSION = 1
# A steward's labels barely move the shipped weights (each pulls as hard as fifty
# examples), while an entry's habit starts at 0 and is theirs to teach.
USER_L2 = 50.0
USER_ENTRY_L2 = 1.0
# A user model also learns how much a community favours each entry it routed to
# by hand ("to:KEY", 1 for that entry's candidacy): the shipped model has none.
ENTRY_FEATURE = "to:"


@dataclass(slots=True)
class Evidence:
    """What a request says about one directory entry, before any weighing."""

    name: float = 0.0  # the best name or alias found: field weight × similarity², shared out among entries carrying it
    name_backed: bool = False  # in the subject, specific enough, or another specific word or the address of the entry is there too
    name_specificity: float = 1.0  # steward.matching.specificity of that name
    keywords: float = 0.0  # the keywords found, weighed like names
    telling_keywords: float = 0.0  # the same, each times its specificity: a long or rare phrase tells more
    name_reason: str = ""  # what a steward reads about them in Match.reasons
    keyword_reason: str = ""


# A request that does not name the community leans less on the group that
# handles its kind; fixed, not learned: fitted separately it only added noise.
QUIET_LEAN = 0.6


def features(ev: Evidence | None, lean: float, handled: float, community: bool) -> dict[str, float]:
    """The kinds of evidence for one (request, entry) pair, each a sum the model weighs.

    - name: the best name or alias found (field weight × similarity², shared out
      among entries carrying it), times its specificity unless something backs it up;
    - keywords: the keywords of the entry found, weighed the same way;
    - telling_keywords: the same, each times its specificity (steward.matching.specificity):
      "申請政府資料" or "fiscal host" says more than "活動" or "logo";
    - lean: how strongly the request's category points at this entry as the group
      handling such requests, times how often labelled requests of that category
      went to it (`handled`, 0..1), less when the community is not mentioned.

    More features (the entry's kind, whether another entry is named, where the name
    was, how off-topic the request looks, …) were tried; on requests the model was
    not fitted on they did worse than these (scripts/eval_routing.py).
    """
    ev = ev or Evidence()
    f: dict[str, float] = {"bias": 1.0}
    if ev.name:
        f["name"] = ev.name * (1.0 if ev.name_backed else ev.name_specificity)
    if ev.keywords:
        f["keywords"] = ev.keywords
    if ev.telling_keywords:
        f["telling_keywords"] = ev.telling_keywords
    if lean:
        f["lean"] = lean * handled * (1.0 if community else QUIET_LEAN)
    return f


@dataclass
class RouteModel:
    weights: dict[str, float]
    meta: dict = field(default_factory=dict)

    def logit(self, values: dict[str, float]) -> float:
        w = self.weights
        return sum(v * w[k] for k, v in values.items() if k in w)

    def probability(self, values: dict[str, float]) -> float:
        return logistic.sigmoid(self.logit(values))

    def pushes(self, values: dict[str, float]) -> list[tuple[float, str]]:
        """Each feature's share of the logit, largest first (the bias left out)."""
        out = [(v * self.weights.get(k, 0.0), k) for k, v in values.items() if k != "bias"]
        return sorted(out, key=lambda x: (-x[0], x[1]))

    def as_json(self) -> dict:
        return {"version": MODEL_VERSION, "weights": {k: round(v, 6) for k, v in sorted(self.weights.items())},
                "meta": self.meta}

    @classmethod
    def from_json(cls, data: dict) -> RouteModel:
        if not isinstance(data, dict) or data.get("version") != MODEL_VERSION:
            raise ValueError("not a route model of this version")
        weights = {str(k): float(v) for k, v in data["weights"].items()}
        return cls(weights, dict(data.get("meta") or {}))


@lru_cache(maxsize=1)
def shipped_route_model() -> RouteModel:
    return RouteModel.from_json(json.loads((files(__package__) / SHIPPED).read_text(encoding="utf-8")))


def fit(
    examples: list[tuple[dict[str, float], bool]], *, l2: float = 1.0, prior: RouteModel | None = None,
    l2_for: dict[str, float] | None = None,
) -> RouteModel:
    """The route model fitted to (features, is a right route) examples (steward.matching.logistic);
    with a `prior`, pulled towards its weights rather than towards zero."""
    weights = logistic.fit(examples, l2=l2, prior=prior.weights if prior is not None else None, l2_for=l2_for)
    return RouteModel(weights, {**(prior.meta if prior is not None else {}), "examples": len(examples), "l2": l2})


def user_route_model_path(data_dir: Path) -> Path:
    return Path(data_dir) / USER_FILE


def load_route_model(data_dir: Path | None = None) -> RouteModel:
    """The route model `steward train` fitted to a steward's own routes when it reads back; else the shipped one."""
    from steward.util.files import read_model_or

    path = user_route_model_path(data_dir) if data_dir is not None else None
    return read_model_or(path, RouteModel.from_json, shipped_route_model)
