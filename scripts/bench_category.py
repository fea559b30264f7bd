#!/usr/bin/env python3
"""How long the category model takes: loading the shipped weights, and per request
the model's own features + prediction + reasons, and the spam check.

    python3 scripts/bench_category.py [tests/data/labelled_requests.jsonl] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))] * 1000  # noqa: E731
    return f"p50 {pick(0.5):.3f} ms  p95 {pick(0.95):.3f} ms  max {samples[-1] * 1000:.3f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, nargs="?", default=ROOT / "tests" / "data" / "labelled_requests.jsonl")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]

    started = time.perf_counter()
    from steward.matching.model import features, shipped_model

    model = shipped_model()
    print(f"import + load weights: {(time.perf_counter() - started) * 1000:.1f} ms ({len(model.weights)} features)")
    from steward.matching.spam import spam_verdict

    predict, whole, spam = [], [], []
    for _ in range(args.rounds):
        for r in rows:
            t0 = time.perf_counter()
            f = features(r["subject"], r["body"], r["organization"], r["from_email"], r["channel"])
            t1 = time.perf_counter()
            model.predict(f)
            t2 = time.perf_counter()
            spam_verdict(r["subject"], r["body"])
            t3 = time.perf_counter()
            predict.append(t2 - t1)
            whole.append(t2 - t0)
            spam.append(t3 - t2)
    print(f"predict + reasons:       {percentiles(predict)}")
    print(f"features + predict:      {percentiles(whole)}")
    print(f"spam check:              {percentiles(spam)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
