#!/usr/bin/env python3
"""Route accuracy with and without a big directory, in-sample and on requests nothing was fitted on.

    python3 scripts/eval_routing.py [LABELLED.jsonl] [--projects CSV] [--folds K] [--repeats R] [--misses]

Three things in routing are learned from labelled requests: the commonness
table (word_commonness.tsv: how everyday a word is), the category model (its
probabilities lean a request towards the group that handles its kind, scaled
by the `handled` rates) and the route model (route_model.json: how the
evidence for an entry adds up). Each run below refits all three on its
training part only and scores the rest:

- in-sample: fitted on every labelled request, scored on all (optimistic);
- K-fold: folds stratified by the labelled route, repeated R times with other
  seeds; mean and range over the repeats;
- s+d→e: fitted on the s and d requests, scored on the e requests (written
  independently).

Each is shown for the hand-set points (what steward did before the route
model) and for the route model, over the shipped directory alone and with the
projects of --projects (default: tests/data/awesome-g0v-projects.csv)
imported, per language. The directory's own keywords and aliases are not
refitted: they were written by people who had read some of these requests,
so every figure here is somewhat optimistic for a directory nobody tuned.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import train_matching  # noqa: E402
import train_routing  # noqa: E402
from build_commonness import build  # noqa: E402

from steward.config.settings import load_settings  # noqa: E402
from steward.directory.entries import default_entries, load_directory  # noqa: E402
from steward.directory.importing import import_directory  # noqa: E402
from steward.matching.matcher import Matcher  # noqa: E402
from steward.matching.rules import load_category_rules  # noqa: E402

GROUPS = ("all", "zh", "en", "mixed")
ROUTINGS = ("hand-set", "route model")


def outcome(matcher: Matcher, row: dict) -> tuple[str, bool, bool, list[str]]:
    """(language, top-1 hit, top-3 hit, keys suggested) for one labelled request."""
    expected = row["expected"]
    result = matcher.match(
        subject=row.get("subject") or "", body=row.get("body") or "", organization=row.get("organization") or "",
        from_name=row.get("from_name") or "", from_email=row.get("from_email") or "", channel=row.get("channel") or "",
    )
    got = [m.key for m in result.matches]
    wanted = train_routing.wanted(expected)
    if expected.get("match") is None:
        top1 = top3 = not got
    else:
        top1, top3 = bool(got) and got[0] in wanted, bool(wanted & set(got[:3]))
    return result.language, top1, top3, got


def fit_and_score(train: list[dict], test: list[dict], directories: dict, rules) -> dict:
    """Refit table, category model and route model on `train`; outcomes on `test` per
    (directory, routing)."""
    table = build(train, default_entries())
    matchers = {name: Matcher(d, rules, commonness=table, route_model=False) for name, d in directories.items()}
    first = next(iter(matchers.values()))
    category = train_routing.category_model(first, train)
    route = train_routing.train([first], train)
    out = {}
    for name, matcher in matchers.items():
        matcher.model = category
        for routing in ROUTINGS:
            matcher.route_model = route if routing == "route model" else None
            out[(name, routing)] = [(row["external_id"], *outcome(matcher, row)) for row in test]
    return out


def rates(outcomes) -> dict[str, tuple[float, float, int]]:
    by: dict[str, list[tuple[bool, bool]]] = {}
    for _, language, top1, top3, _ in outcomes:
        for group in ("all", language):
            by.setdefault(group, []).append((top1, top3))
    return {g: (sum(a for a, _ in v) / len(v), sum(b for _, b in v) / len(v), len(v)) for g, v in by.items()}


def print_run(label: str, runs: list[dict]) -> None:
    """One line per directory, routing and language; with several runs, the mean and [min–max]."""
    print(label)
    for key in runs[0]:
        per_run = [rates(run[key]) for run in runs]
        for group in GROUPS:
            if group not in per_run[0]:
                continue
            t1 = [r[group][0] for r in per_run]
            t3 = [r[group][1] for r in per_run]
            line = f"  {key[0]:24} {key[1]:12} {group:6}{statistics.mean(t1):7.3f}{statistics.mean(t3):7.3f}"
            if len(runs) > 1:
                line += f"   [{min(t1):.3f}–{max(t1):.3f}] [{min(t3):.3f}–{max(t3):.3f}]"
            print(line + f"{per_run[0][group][2]:5d}")


def print_misses(label: str, run: dict, rows: dict) -> None:
    for (directory, routing), outcomes in run.items():
        if routing != "route model":
            continue
        print(f"\n{label} misses, route model, {directory}:")
        for external_id, language, top1, _, got in outcomes:
            if not top1:
                e = rows[external_id]["expected"]
                want = " | ".join(sorted(train_routing.wanted(e))) or "no route"
                print(f"  {external_id} [{language}] expected {want}; got {', '.join(got[:3]) or 'no route'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=ROOT / "tests/data/labelled_requests.jsonl")
    parser.add_argument("--projects", type=Path, default=ROOT / "tests/data/awesome-g0v-projects.csv")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1, help="repeat the K-fold split with other seeds")
    parser.add_argument("--no-big", action="store_true", help="the shipped directory only (faster)")
    parser.add_argument("--misses", action="store_true", help="list the route model's K-fold top-1 misses")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_id = {r["external_id"]: r for r in rows}
    rules = load_category_rules()
    with tempfile.TemporaryDirectory(prefix="steward-eval-routing-") as tmp:
        (Path(tmp) / "config.toml").write_text("", encoding="utf-8")
        directories = {"shipped directory": load_directory(SimpleNamespace(config_dir=Path(tmp) / "none"))}
        if not args.no_big:
            big = load_settings(Path(tmp) / "config.toml")
            report = import_directory(big, args.projects)
            directories[f"+ {report.count} projects"] = load_directory(big)
        print(f"{'':52}{'top-1':>7}{'top-3':>7}" + ("   top-1 range    top-3 range" if args.repeats > 1 else "") + "    n")
        print_run(f"in-sample (fitted on all {len(rows)})", [fit_and_score(rows, rows, directories, rules)])
        labels = [r["expected"].get("match") or "(none)" for r in rows]
        runs = []
        for repeat in range(args.repeats):
            run: dict = {}
            for fold in train_matching.stratified_folds(labels, args.folds, seed=13 + repeat):
                held = set(fold)
                scored = fit_and_score([r for i, r in enumerate(rows) if i not in held],
                                       [rows[i] for i in fold], directories, rules)
                for key, outcomes in scored.items():
                    run.setdefault(key, []).extend(outcomes)
            runs.append(run)
        print_run(f"{args.folds}-fold × {args.repeats} (stratified by route)", runs)
        tune = [r for r in rows if r["external_id"][:1] in "sd"]
        test = [r for r in rows if r["external_id"][:1] == "e"]
        if tune and test:
            e_run = fit_and_score(tune, test, directories, rules)
            print_run(f"s+d→e (fitted on {len(tune)}, scored on {len(test)})", [e_run])
        if args.misses:
            print_misses(f"{args.folds}-fold (first repeat)", runs[0], by_id)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
