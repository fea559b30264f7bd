#!/usr/bin/env python3
"""Route accuracy with and without a big directory, in-sample and on a fair split.

    python3 scripts/eval_routing.py [LABELLED.jsonl] [--projects CSV]

Routing has numbers tuned by hand (steward.matching.matcher, steward.matching.specificity)
and a table learned from labelled requests (word_commonness.tsv). This prints
top-1 and top-3 route accuracy:

- in-sample: the commonness table built from every labelled request, scored on all;
- out-of-sample: the table built from the s and d requests only, scored on the e
  requests (written independently, never used for tuning);

each for the shipped directory alone and with the projects of --projects
(default: tests/data/awesome-g0v-projects.csv) imported, per language.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from build_commonness import build  # noqa: E402

from steward.config.settings import load_settings  # noqa: E402
from steward.directory.entries import default_entries, load_directory  # noqa: E402
from steward.directory.importing import import_directory  # noqa: E402
from steward.matching.matcher import Matcher  # noqa: E402
from steward.matching.rules import load_category_rules  # noqa: E402


def scores(matcher: Matcher, rows: list[dict]) -> dict[str, tuple[float, float, int]]:
    by: dict[str, list[tuple[bool, bool]]] = {}
    for row in rows:
        expected = row["expected"]
        result = matcher.match(subject=row.get("subject", ""), body=row.get("body", ""),
                               organization=row.get("organization", ""))
        got = [m.key for m in result.matches]
        wanted = {expected.get("match"), *expected.get("also", [])} - {None}
        if expected.get("match") is None:
            top1 = top3 = not got
        else:
            top1, top3 = bool(got) and got[0] in wanted, bool(wanted & set(got[:3]))
        for group in ("all", result.language):
            by.setdefault(group, []).append((top1, top3))
    return {g: (sum(a for a, _ in v) / len(v), sum(b for _, b in v) / len(v), len(v)) for g, v in by.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=ROOT / "tests/data/labelled_requests.jsonl")
    parser.add_argument("--projects", type=Path, default=ROOT / "tests/data/awesome-g0v-projects.csv")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    train = [r for r in rows if not r["external_id"].startswith("e")]
    test = [r for r in rows if r["external_id"].startswith("e")]
    entries = default_entries()
    tables = {"in-sample (all 180)": (build(rows, entries), rows),
              f"out-of-sample (table from s+d, scored on {len(test)} e)": (build(train, entries), test)}
    rules = load_category_rules()
    with tempfile.TemporaryDirectory(prefix="steward-eval-routing-") as tmp:
        (Path(tmp) / "config.toml").write_text("", encoding="utf-8")
        big = load_settings(Path(tmp) / "config.toml")
        report = import_directory(big, args.projects)
        directories = {
            "shipped directory": load_directory(SimpleNamespace(config_dir=Path(tmp) / "none")),
            f"+ {report.count} imported projects": load_directory(big),
        }
        print(f"{'':58}{'top-1':>7}{'top-3':>7}{'n':>5}")
        for label, (table, scored) in tables.items():
            print(label)
            for name, directory in directories.items():
                matcher = Matcher(directory, rules, commonness=table)
                for group, (t1, t3, n) in sorted(scores(matcher, scored).items(), key=lambda x: x[0] != "all"):
                    print(f"  {name:34} {group:21}{t1:7.3f}{t3:7.3f}{n:5d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
