#!/usr/bin/env python3
"""How well does matching route labelled requests? Imports them into a temporary
inbox the way `steward import` does, then compares what was stored with the labels.

    python3 scripts/eval_matching.py FILE.jsonl [--config CONFIG] [--min-score N]
    python3 scripts/eval_matching.py FILE.jsonl --folds 5 [--nested] [--repeats 3] [--without-rules] [--extra MORE.jsonl]

With --folds K the category model and the route model are refitted on labelled
lines they are then NOT scored on, and the figures are printed next to each other: in-sample (fitted
on every line), K-fold (stratified by category, fixed seed) and, when the ids
say so, tuned on the s and d lines and tested on the e lines. --nested chooses
the model's regularization inside each training part by an inner 3-fold
cross-validation (as scripts/train_matching.py does on all lines) instead of
using the fixed options; slower, and the honest figure for the whole procedure.
--repeats N runs the K-fold N times over different fold seeds and reports the
mean and the spread: one split of 180 lines moves by about two points on its
own, more than most changes worth measuring. --without-rules fits and scores
the model without the features read from categories.toml (rule:, rulecat:,
handler:): those cue words were written while reading the s lines, so they leak
into any split that tests on s lines, and this shows how much rests on them.
--extra MORE.jsonl adds labelled lines to every training part without ever
scoring them (steward's own written requests): what more data gives, measured
on FILE's lines only.

Each line of FILE.jsonl is a request in steward's interchange format plus an
`expected` object: {"match": KEY or null, "also": [KEY…], "category": KEY}.
A route is a top-1 hit when the best match is `match` or one of `also` (for a
null label: when there is no match at all), a top-3 hit when any of the first
three is. Prints the figures overall and per detected language, then the misses.
Exits 1 when a target is missed: top-1 ≥ 0.90, top-3 ≥ 0.97, category ≥ 0.85,
and Chinese no worse than English.

Without --config only the shipped directory and rules are used, so your own
overrides do not change the figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from steward.config.settings import load_settings  # noqa: E402
from steward.intake import read_path  # noqa: E402
from steward.matching.matcher import build_matcher  # noqa: E402
from steward.models import NotFound, StewardError  # noqa: E402
from steward.store import Store  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_matching  # noqa: E402
import train_routing  # noqa: E402

# Issue 13's acceptance, for K-fold figures and for labelled requests the models never saw.
TARGETS = {"top1": 0.93, "top3": 0.98, "category": 0.88}
LANGUAGE_GAP = 0.03  # English no more than 3 points below Chinese


def missed_targets(by_group: dict[str, dict[str, float]]) -> list[str]:
    """What falls short: a figure below its target, or English more than the gap below Chinese."""
    # Four places: a mean of 0.9796 is short of 0.98 though it prints as 0.980.
    failed = [f"{k} {by_group['all'][k]:.4f} < {t}" for k, t in TARGETS.items() if by_group["all"][k] < t]
    if "zh" in by_group and "en" in by_group:
        failed += [
            f"English {k} {by_group['en'][k]:.3f} more than 3 points below Chinese {by_group['zh'][k]:.3f}"
            for k in TARGETS
            if by_group["en"][k] < by_group["zh"][k] - LANGUAGE_GAP
        ]
    return failed


def read_labels(path: Path) -> dict[str, dict]:
    """external_id -> expected, for every labelled line."""
    labels = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise StewardError(f"{path}:{n}: not JSON: {exc}") from None
            expected = record.get("expected") if isinstance(record, dict) else None
            if isinstance(expected, dict) and record.get("external_id"):
                labels[str(record["external_id"])] = expected
    return labels


@dataclasses.dataclass
class Outcome:
    external_id: str
    language: str
    expected: dict
    got: list[str]
    category: str
    top1: bool
    top3: bool
    category_ok: bool


def judge(external_id: str, expected: dict, language: str, got: list[str], category: str) -> Outcome:
    wanted = {expected.get("match"), *expected.get("also", [])} - {None}
    if expected.get("match") is None:
        top1 = top3 = not got
    else:
        top1 = bool(got) and got[0] in wanted
        top3 = bool(wanted & set(got[:3]))
    return Outcome(
        external_id, language, expected, got, category, top1, top3, category == expected.get("category")
    )


def evaluate(path: Path, settings) -> tuple[list[Outcome], list[str]]:
    labels = read_labels(path)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="steward-eval-") as tmp:
        store = Store.open(Path(tmp) / "eval.db", actor="eval")
        try:
            report = store.import_requests(read_path(path, tz=settings.tz), matcher=build_matcher(settings))
            problems += [str(e) for e in report.errors]
            outcomes = []
            for external_id, expected in labels.items():
                try:
                    request = store.get(external_id)
                except NotFound:
                    problems.append(f"{external_id}: not imported (a duplicate or a reply?)")
                    continue
                got = [m.key for m in store.matches(request.id)]
                outcomes.append(
                    judge(external_id, expected, request.language or "?", got, request.category or "")
                )
        finally:
            store.close()
    return outcomes, problems


def rates(outcomes: list[Outcome]) -> dict[str, float]:
    n = len(outcomes) or 1
    return {
        "top1": sum(o.top1 for o in outcomes) / n,
        "top3": sum(o.top3 for o in outcomes) / n,
        "category": sum(o.category_ok for o in outcomes) / n,
    }


def describe_miss(o: Outcome) -> list[str]:
    lines = []
    got = ", ".join(o.got[:3]) or "no match"
    if not o.top1:
        want = o.expected.get("match") or "no match"
        also = o.expected.get("also") or []
        want += f" (or {', '.join(also)})" if also else ""
        mark = "top-3 hit" if o.top3 else "top-3 miss"
        lines.append(f"  {o.external_id} [{o.language}] route: expected {want}; got {got} ({mark})")
    if not o.category_ok:
        lines.append(
            f"  {o.external_id} [{o.language}] category: expected {o.expected.get('category')}; got {o.category}"
        )
    return lines


def _outcome(matcher, row: dict) -> Outcome:
    result = matcher.match(
        subject=row.get("subject") or "", body=row.get("body") or "", organization=row.get("organization") or "",
        from_name=row.get("from_name") or "", from_email=row.get("from_email") or "", channel=row.get("channel") or "",
    )
    expected = row["expected"]
    category = result.category.key
    if category in train_matching.also_categories(expected):
        category = expected["category"]  # an equally right second category counts
    return judge(str(row["external_id"]), expected, result.language, [m.key for m in result.matches], category)


RULE_FEATURES = ("rule:", "rulecat:", "handler:")


def without_rules(values: dict[str, float]) -> dict[str, float]:
    """The features minus those read from categories.toml; a model fitted on these has
    no weight for them, so at prediction they count for nothing."""
    return {k: v for k, v in values.items() if not k.startswith(RULE_FEATURES)}


def held_out(matcher, rows, features, train_idx, test_idx, *, nested: bool, category_only=()) -> list[Outcome]:
    """Fit on train_idx only (the category model and, when the matcher has one, the route
    model; the rows of category_only teach the category model alone), score test_idx."""
    examples = [(features[i], rows[i]["expected"]["category"]) for i in [*train_idx, *category_only]]
    options = train_matching.choose_options(examples) if nested else None
    saved = matcher.model, matcher.route_model
    matcher.model = train_matching.fit(examples, options)
    matcher.model.meta["handled"] = train_matching.handled_rates([rows[i] for i in train_idx], matcher.rules)
    if matcher.route_model is not None:
        matcher.route_model = train_routing.train(
            [matcher], [rows[i] for i in train_idx], category_only=[rows[i] for i in category_only]
        )
    try:
        return [_outcome(matcher, rows[i]) for i in test_idx]
    finally:
        matcher.model, matcher.route_model = saved


FOLD_SEED = 13  # the first repeat uses the folds scripts/train_matching.py uses


def cross_validate(
    path: Path, settings, folds: int, nested: bool, *, repeats: int = 1, rules: bool = True,
    extra: list[Path] = (), extra_routes: bool = False, test_files: list[Path] = (),
) -> dict[str, list[Outcome]]:
    """In-sample, k-fold and s+d→e outcomes for the models refitted on each part.

    With repeats > 1 the k-fold runs once per fold seed, as "K-fold #1", "K-fold #2", …
    The lines of `extra` files are in every training part and never scored: more
    training data, measured on the lines of `path` only; they teach the category
    model, and the route model too with `extra_routes`. The lines of `test_files` are
    never trained on: scored as "held out" by the models fitted on everything else.
    """
    rows = train_matching.read_rows(path)
    scored = list(range(len(rows)))
    for more in extra:
        rows += train_matching.read_rows(more)
    always = list(range(len(scored), len(rows)))
    tests_start = len(rows)
    for more in test_files:
        rows += train_matching.read_rows(more)
    tests = list(range(tests_start, len(rows)))
    matcher = build_matcher(settings, model=False)
    features = [train_matching.row_features(matcher, r) for r in rows]
    if not rules:
        features = [without_rules(f) for f in features]
    labels = [rows[i]["expected"]["category"] for i in scored]
    routes_too, category_only = (always, []) if extra_routes else ([], always)

    def fitted_on(train: list[int], test: list[int], nested: bool) -> list[Outcome]:
        return held_out(matcher, rows, features, train + routes_too, test, nested=nested, category_only=category_only)

    runs: dict[str, list[Outcome]] = {"in-sample": fitted_on(scored, scored, False)}
    for repeat in range(repeats):
        kfold: list[Outcome] = []
        for fold in train_matching.stratified_folds(labels, folds, seed=FOLD_SEED + repeat):
            test = set(fold)
            kfold += fitted_on([i for i in scored if i not in test], fold, nested)
        runs[f"{folds}-fold" + (f" #{repeat + 1}" if repeats > 1 else "")] = kfold
    tune = [i for i in scored if str(rows[i]["external_id"])[:1] in ("s", "d")]
    test = [i for i in scored if str(rows[i]["external_id"])[:1] == "e"]
    if tune and test:
        runs["s+d→e"] = fitted_on(tune, test, nested)
    if tests:
        runs["held out"] = fitted_on(scored, tests, nested)
    return runs


def repeated_summary(runs: dict[str, list[Outcome]], folds: int) -> dict[str, dict[str, tuple[float, float, float]]]:
    """Per group of lines (language; d+e) and figure: (mean, lowest, highest) over the repeated K-fold runs."""
    repeats = [outcomes for name, outcomes in runs.items() if name.startswith(f"{folds}-fold #")]
    summary: dict[str, dict[str, tuple[float, float, float]]] = {}
    groups = {
        "all": lambda o: True, "zh": lambda o: o.language == "zh", "en": lambda o: o.language == "en",
        "mixed": lambda o: o.language == "mixed",
        # The cue words of categories.toml were written while reading the s lines; the
        # d and e lines are the k-fold figure those cue words never saw.
        "d+e": lambda o: o.external_id[:1] in ("d", "e"),
    }
    for group, member in groups.items():
        per_run = [rates([o for o in outcomes if member(o)]) for outcomes in repeats]
        if not per_run or not any(member(o) for o in repeats[0]):
            continue
        summary[group] = {
            figure: (sum(r[figure] for r in per_run) / len(per_run), min(r[figure] for r in per_run),
                     max(r[figure] for r in per_run))
            for figure in ("top1", "top3", "category")
        }
    return summary


def print_repeated(summary: dict[str, dict[str, tuple[float, float, float]]], folds: int, repeats: int) -> None:
    print(f"\n{folds}-fold × {repeats} seeds: mean (lowest–highest)")
    for group, figures in summary.items():
        cells = "  ".join(f"{name} {m:.3f} ({lo:.3f}–{hi:.3f})" for name, (m, lo, hi) in figures.items())
        print(f"  {group:6}{cells}")


def print_runs(runs: dict[str, list[Outcome]]) -> dict[str, dict[str, float]]:
    print(f"{'':12}{'':6}{'top-1':>8}{'top-3':>8}{'category':>10}{'n':>6}")
    found = {}
    for name, outcomes in runs.items():
        for lang in ("all", "zh", "en", "mixed"):
            group = outcomes if lang == "all" else [o for o in outcomes if o.language == lang]
            if not group:
                continue
            r = found[f"{name} {lang}"] = rates(group)
            print(f"{name:12}{lang:6}{r['top1']:8.3f}{r['top3']:8.3f}{r['category']:10.3f}{len(group):6d}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--config", help="use this config (and its directory and rule overrides)")
    parser.add_argument("--min-score", type=int, help="override matching.min_score")
    parser.add_argument("--folds", type=int, help="refit the category model: in-sample, K-fold and s+d→e figures")
    parser.add_argument("--nested", action="store_true", help="with --folds: choose options by inner CV")
    parser.add_argument("--misses", action="store_true", help="with --folds: list the K-fold misses")
    parser.add_argument("--repeats", type=int, default=1, help="with --folds: repeat the K-fold over N fold seeds")
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="with --folds: labelled lines added to every training part, never scored")
    parser.add_argument("--test", type=Path, action="append", default=[],
                        help="with --folds: labelled lines never trained on, scored by the models fitted on the rest")
    parser.add_argument("--extra-routes", action="store_true", help="with --extra: the route model learns from them too")
    parser.add_argument("--without-rules", action="store_true",
                        help="with --folds: leave out the features read from categories.toml (an ablation)")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="steward-eval-config-") as empty:
            settings = load_settings(args.config)
            if not args.config:
                settings = dataclasses.replace(settings, config_dir=Path(empty))
            if args.min_score is not None:
                settings = dataclasses.replace(
                    settings, matching=dataclasses.replace(settings.matching, min_score=args.min_score)
                )
            if args.folds:
                repeats = max(1, args.repeats)
                runs = cross_validate(args.file, settings, args.folds, args.nested, repeats=repeats,
                                      rules=not args.without_rules, extra=args.extra,
                                      extra_routes=args.extra_routes, test_files=args.test)
                found = print_runs(runs)
                key = f"{args.folds}-fold"
                if repeats > 1:
                    summary = repeated_summary(runs, args.folds)
                    print_repeated(summary, args.folds, repeats)
                    # The targets are judged on the mean over the seeds, not on a lucky split.
                    found.update({f"{key} {lang}": {k: m for k, (m, _, _) in figures.items()}
                                  for lang, figures in summary.items()})
                if args.misses:
                    print("\nK-fold misses" + (" (first seed)" if repeats > 1 else "") + ":")
                    first = runs[key if repeats == 1 else f"{key} #1"]
                    print("\n".join(line for o in first for line in describe_miss(o)))
                failed = missed_targets({lang: found[f"{key} {lang}"] for lang in ("all", "zh", "en")
                                         if f"{key} {lang}" in found})
                print("\ntargets:", "met" if not failed else "NOT met: " + "; ".join(failed))
                return 1 if failed else 0
            outcomes, problems = evaluate(args.file, settings)
    except StewardError as exc:
        print(f"eval_matching: {exc}", file=sys.stderr)
        return 2
    if not outcomes:
        print(f"eval_matching: {args.file}: no labelled requests", file=sys.stderr)
        return 2
    print(f"{args.file}: {len(outcomes)} labelled requests, min_score {settings.matching.min_score}")
    print(f"{'':10}{'top-1':>8}{'top-3':>8}{'category':>10}{'n':>6}")
    groups = [("all", outcomes)] + [
        (lang, [o for o in outcomes if o.language == lang]) for lang in ("zh", "en", "mixed")
    ]
    by_group = {}
    for name, group in groups:
        if not group:
            continue
        r = by_group[name] = rates(group)
        print(f"{name:10}{r['top1']:8.3f}{r['top3']:8.3f}{r['category']:10.3f}{len(group):6d}")
    misses = [line for o in outcomes for line in describe_miss(o)]
    if misses:
        print("\nmisses:")
        print("\n".join(misses))
    if problems:
        print("\nnot evaluated:")
        print("\n".join(f"  {p}" for p in problems))
    failed = missed_targets(by_group)
    print("\ntargets:", "met" if not failed else "NOT met: " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
