#!/usr/bin/env python3
"""Fit the category model to labelled requests and write steward/matching/model.json (+ model.weights).

    python3 scripts/train_matching.py [LABELLED.jsonl ...] [--category-only MORE.jsonl] [--out PATH] [--no-routes]

Without files: the samples (tests/data/labelled_requests.jsonl), with
tests/data/written_requests.jsonl for the category model only.

Then the route model is refitted to the same lines (scripts/train_routing.py).

Each line is a request in steward's interchange format with an `expected`
object ({"category": KEY, …}); see tests/data/labelled_requests.jsonl. The
fitting is steward.matching.model.train: pure Python (multinomial logistic
regression by AdaGrad), the same code `steward train` runs on a steward's own
labels, so the app never needs numpy or scikit-learn. Regularization and the
number of passes are fixed in TrainOptions (chosen once by a rule, not tuned on
test folds); scripts/eval_matching.py measures what they give out of sample.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from steward.matching.model import SHIPPED, SHIPPED_WEIGHTS, CategoryModel, TrainOptions, train, write_shipped  # noqa: E402,E501
from steward.models import CATEGORIES  # noqa: E402

DEFAULT_DATA = [ROOT / "tests" / "data" / "labelled_requests.jsonl"]
# Requests steward's developers wrote and labelled themselves: more kinds of senders and
# wordings for the category model. Their route labels follow our reading of the
# directory, not the samples' labellers', so the route model learns from the samples only.
WRITTEN = ROOT / "tests" / "data" / "written_requests.jsonl"


def read_rows(path: Path) -> list[dict]:
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            if isinstance(record.get("expected"), dict) and record["expected"].get("category") in CATEGORIES:
                rows.append(record)
    return rows


def also_categories(expected: dict) -> set[str]:
    """The labels' equally right second categories: `also_category` is a key or a list of keys."""
    also = expected.get("also_category") or []
    return {also} if isinstance(also, str) else {a for a in also if isinstance(a, str)}


def shipped_matcher():
    """A rules-only matcher over the shipped directory and rules (the user's config left out)."""
    from steward.config.settings import load_settings
    from steward.matching.matcher import build_matcher

    with tempfile.TemporaryDirectory(prefix="steward-train-") as empty:
        settings = dataclasses.replace(load_settings(None), config_dir=Path(empty))
        return build_matcher(settings, model=False)


def row_features(matcher, row: dict) -> dict[str, float]:
    return matcher.category_features(
        row.get("subject") or "", row.get("body") or "", row.get("organization") or "",
        row.get("from_email") or "", row.get("channel") or "",
    ).values


def handled_rates(rows: list[dict], rules) -> dict[str, float]:
    """Per category, how often its `route_to` group was an acceptable first route in these
    labelled rows (Laplace-smoothed: one hit and one miss added); the matcher scales the
    category's lean towards that group by it."""
    rates = {}
    for key, rule in rules.rules.items():
        if not rule.route_to:
            continue
        seen = [r["expected"] for r in rows if r["expected"].get("category") == key]
        hits = sum(rule.route_to in {e.get("match"), *(e.get("also") or [])} for e in seen)
        rates[key] = round((hits + 1) / (len(seen) + 2), 3)
    return rates


def fit(examples: list[tuple[dict[str, float], str]], options: TrainOptions | None = None) -> CategoryModel:
    return train(examples, list(CATEGORIES), options)


# Candidate options; the one with the best inner cross-validated accuracy is used.
# Over five fold seeds, l2 1e-2 with the wording at 4× beat 0.5–2× and 8× on the
# d and e lines (those categories.toml was not written from) and kept English
# level with Chinese; gram_scale 2 scored as well on all lines only thanks to
# the s lines, so it is no longer a candidate.
GRID = [TrainOptions(l2=1e-2, gram_scale=4.0, designed_scale=designed) for designed in (1.0, 0.5)]


def choose_options(examples: list[tuple[dict[str, float], str]], k: int = 3, repeats: int = 1) -> TrainOptions:
    """The GRID entry with the best k-fold accuracy on these examples (ties: the first),
    summed over `repeats` fold seeds: one split of a few hundred lines is too noisy to choose by."""
    labels = [y for _, y in examples]
    folds = [fold for r in range(repeats) for fold in stratified_folds(labels, k, seed=13 + r)]
    best, best_score = GRID[0], -1.0
    for options in GRID:
        right = 0
        for fold in folds:
            test = set(fold)
            model = fit([e for i, e in enumerate(examples) if i not in test], options)
            for i in fold:
                probs = model.probabilities(examples[i][0])
                right += model.classes[max(range(len(probs)), key=probs.__getitem__)] == labels[i]
        if right > best_score:
            best, best_score = options, right
    return best


def stratified_folds(labels: list[str], k: int = 5, seed: int = 13) -> list[list[int]]:
    """k folds with each category spread evenly; the same seed gives the same folds."""
    by: dict[str, list[int]] = {}
    for i, y in enumerate(labels):
        by.setdefault(y, []).append(i)
    rng = random.Random(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    j = 0
    for y in sorted(by):
        idx = list(by[y])
        rng.shuffle(idx)
        for i in idx:
            folds[j % k].append(i)
            j += 1
    return folds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="*", default=DEFAULT_DATA,
                        help="labelled JSONL (default: the samples and steward's own written requests)")
    parser.add_argument("--out", type=Path, default=ROOT / "steward" / "matching",
                        help="the folder to write model.json and model.weights to")
    parser.add_argument("--category-only", type=Path, action="append", default=[],
                        help="labelled lines the category model learns from, but not the route model")
    parser.add_argument("--no-routes", action="store_true", help="leave the route model as it is")
    args = parser.parse_args(argv)
    if args.files is DEFAULT_DATA and not args.category_only:
        args.category_only = [WRITTEN]
    routed = [row for path in args.files for row in read_rows(path)]
    rows = routed + [row for path in args.category_only for row in read_rows(path)]
    matcher = shipped_matcher()
    examples = [(row_features(matcher, r), r["expected"]["category"]) for r in rows]
    options = choose_options(examples, k=5, repeats=3)
    print(f"chose l2={options.l2} gram_scale={options.gram_scale} designed_scale={options.designed_scale}"
          " by 5-fold cross-validation over 3 fold seeds")
    model = fit(examples, options)
    model.meta["handled"] = handled_rates(routed, matcher.rules)
    model.meta["trained_on"] = ", ".join(path.name for path in [*args.files, *args.category_only])
    write_shipped(model, args.out)
    print(f"wrote {args.out / SHIPPED} and {SHIPPED_WEIGHTS}: {len(model.weights)} features, {len(rows)} labelled requests")
    if not args.no_routes:
        # The route model weighs the category model's probabilities and its `handled`
        # rates: rebuilt after it, from the same lines.
        import train_routing

        train_routing.main([str(path) for path in args.files]
                           + [f"--category-only={path}" for path in args.category_only])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
