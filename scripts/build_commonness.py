#!/usr/bin/env python3
"""Rebuild steward/matching/word_commonness.tsv: how common each word is in ordinary requests.

    python3 scripts/build_commonness.py [LABELLED.jsonl ...] [--out FILE]

Counts, for every Latin word and every 2–4 character Chinese piece, the
labelled requests it occurs in, leaving out a request when the word is part
of a name of the entry the request is labelled with (its `expected.match`
or `also`): "cofacts" in a request about Cofacts is the project's name, not
ordinary language, while 聯絡人 ("contact person") in letters about anything
is. Pieces found in fewer than --min requests are left out (rare is the
default). Default input: tests/data/labelled_requests.jsonl.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from steward.directory.entries import default_entries  # noqa: E402
from steward.matching.matcher import normalize  # noqa: E402
from steward.matching.specificity import Commonness, count_pieces  # noqa: E402


def read_requests(paths: list[Path], keep=lambda record: True) -> list[dict]:
    records = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            records += [r for r in (json.loads(line) for line in fh if line.strip()) if keep(r)]
    return records


def build(records: list[dict], entries: list[dict], *, minimum: int = 2) -> Commonness:
    names = {e["key"]: " ".join(normalize(n) for n in (e["name"], e.get("name_en", ""), *e.get("aliases", [])))
             for e in entries}

    def pairs():
        for record in records:
            expected = record.get("expected") or {}
            about = " ".join(names.get(k, "") for k in (expected.get("match"), *expected.get("also", [])) if k)
            yield normalize(" ".join(record.get(f) or "" for f in ("subject", "organization", "body"))), about

    return count_pieces(pairs(), minimum=minimum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=[ROOT / "tests/data/labelled_requests.jsonl"])
    parser.add_argument("--out", type=Path, default=ROOT / "steward/matching/word_commonness.tsv")
    parser.add_argument("--min", type=int, default=2, help="leave out pieces in fewer requests than this")
    args = parser.parse_args(argv)
    table = build(read_requests(args.files), default_entries(), minimum=args.min)
    args.out.write_text(table.dumps(), encoding="utf-8")
    print(f"{args.out}: {len(table.counts)} words and pieces from {table.documents} requests")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
