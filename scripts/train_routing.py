#!/usr/bin/env python3
"""Fit the route model to labelled requests and write steward/matching/route_model.json.

    python3 scripts/train_routing.py [LABELLED.jsonl ...] [--out PATH] [--l2 X]

Each line is a request in steward's interchange format with an `expected`
object ({"match": KEY or null, "also": [KEY…], "category": KEY}). For every
request the matcher lists the entries it could go to, with the features of
steward.matching.routing; an entry is a positive example when it is `match`
or one of `also`, every other candidate is a negative one (so a request
labelled null teaches when not to route at all).

The category model's probabilities are among those features. Fitted on the
same requests it would be right on all of them, and the route model would
learn to trust it more than it deserves on new mail; so each request's
features are read with a category model fitted on the other folds only
(cross-fitting, fixed folds). The commonness table (word_commonness.tsv) is
taken as given: build it from the same file with scripts/build_commonness.py.
Pure Python (steward.matching.routing.fit); scripts/eval_routing.py --folds
measures what it gives on requests it was not fitted on.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import train_matching  # noqa: E402

from steward.matching.routing import SHIPPED, RouteModel, fit  # noqa: E402

DEFAULT_DATA = ROOT / "tests" / "data" / "labelled_requests.jsonl"
L2 = 1.0  # fixed by rule (about one example's worth of pull towards 0), not tuned on test folds
INNER_FOLDS = 5


def wanted(expected: dict) -> set[str]:
    return {expected.get("match"), *(expected.get("also") or [])} - {None}


def candidates(matcher, row: dict) -> list[tuple[str, dict[str, float]]]:
    return matcher.route_candidates(
        subject=row.get("subject") or "", body=row.get("body") or "", organization=row.get("organization") or "",
        from_name=row.get("from_name") or "", from_email=row.get("from_email") or "",
        channel=row.get("channel") or "",
    )


def category_model(matcher, rows: list[dict]):
    """The category model fitted on these rows, with the route lean rates learned from them."""
    saved = matcher.model
    matcher.model = None  # the features are read by the rules, as train_matching does
    try:
        examples = [(train_matching.row_features(matcher, r), r["expected"]["category"]) for r in rows]
    finally:
        matcher.model = saved
    model = train_matching.fit(examples)
    model.meta["handled"] = train_matching.handled_rates(rows, matcher.rules)
    return model


def examples(matchers, rows: list[dict], *, folds: int = INNER_FOLDS, seed: int = 13, category_only=()):
    """Per row and matcher: (no route is right, [(features, is a right route)] for every candidate),
    read with a category model fitted without that row. `matchers`: one or more matchers (e.g. the
    shipped directory and a big one) that share rules; each adds its candidates. `category_only`:
    more labelled rows the category models learn from (never route examples)."""
    labels = [r["expected"]["category"] for r in rows]
    out: list[tuple[bool, list[tuple[dict[str, float], bool]]]] = []
    for fold in train_matching.stratified_folds(labels, folds, seed=seed):
        held = set(fold)
        model = category_model(matchers[0], [r for i, r in enumerate(rows) if i not in held] + list(category_only))
        for matcher in matchers:
            saved, matcher.model = matcher.model, model
            try:
                for i in fold:
                    right = wanted(rows[i]["expected"])
                    out.append((not right, [(values, key in right) for key, values in candidates(matcher, rows[i])]))
            finally:
                matcher.model = saved
    return out


def top1_hits(model: RouteModel, requests, line: float) -> int:
    """How many requests get a right first route (or rightly none) when `line` is the least probability suggested."""
    hits = 0
    for unrouted, found in requests:
        scored = [(model.probability(values), right) for values, right in found]
        best = max(scored, key=lambda x: x[0], default=(0.0, False))
        hits += (best[0] < line) if unrouted else (best[0] >= line and best[1])
    return hits


def decision_line(model: RouteModel, requests) -> float:
    """The least probability to suggest a route at, chosen for the most right first routes on these
    requests: the middle of the widest run of equally good lines, so it does not sit on one example."""
    probabilities = sorted({model.probability(v) for _, found in requests for v, _ in found} | {0.0, 1.0})
    lines = [(a + b) / 2 for a, b in zip(probabilities, probabilities[1:])]
    lines = [x for x in lines if 0.05 <= x <= 0.95] or [0.5]
    hits = [top1_hits(model, requests, x) for x in lines]
    best = max(hits)
    # The widest run of best lines, in logit space (where the model is linear).
    runs, start = [], None
    for n, h in enumerate(hits + [-1]):
        if h == best and start is None:
            start = n
        elif h != best and start is not None:
            runs.append((start, n - 1))
            start = None
    logit = lambda p: math.log(p / (1 - p))  # noqa: E731
    a, b = max(runs, key=lambda r: (logit(lines[r[1]]) - logit(lines[r[0]]), -r[0]))
    return 1 / (1 + math.exp(-(logit(lines[a]) + logit(lines[b])) / 2))


def train(matchers, rows: list[dict], *, l2: float = L2, min_score: int = 60, category_only=()) -> RouteModel:
    """Fit the weights, then move the bias so that the learned line between "route" and
    "no route" falls at min_score (what the matcher suggests from)."""
    requests = examples(matchers, rows, category_only=category_only)
    model = fit([example for _, found in requests for example in found], l2=l2)
    line = decision_line(model, requests)
    target = min_score / 100
    model.weights["bias"] = model.weights.get("bias", 0.0) + math.log(target / (1 - target)) - math.log(line / (1 - line))
    model.meta.update(trained_on=len(rows), decision_line=round(line, 4), min_score=min_score)
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="*", default=[DEFAULT_DATA])
    parser.add_argument("--out", type=Path, default=ROOT / "steward" / "matching" / SHIPPED)
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--category-only", type=Path, action="append", default=[],
                        help="labelled lines the category model learns from, but not the routes")
    args = parser.parse_args(argv)
    rows = [row for path in args.files for row in train_matching.read_rows(path)]
    matcher = train_matching.shipped_matcher()
    more = [row for path in args.category_only for row in train_matching.read_rows(path)]
    model = train([matcher], rows, l2=args.l2, category_only=more)
    model.meta["trained_on"] = ", ".join(path.name for path in args.files)
    args.out.write_text(json.dumps(model.as_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(model.weights)} weights from {len(rows)} labelled requests")
    for name, w in sorted(model.weights.items(), key=lambda x: -abs(x[1])):
        print(f"  {name:24}{w:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
