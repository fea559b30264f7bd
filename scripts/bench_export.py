#!/usr/bin/env python3
"""How long `steward export` takes for one week of a big inbox (target: ≤ 1 s at 100k).

Builds synthetic inboxes with `steward demo --size N` (a year of requests
ending 2026-11-25), gives a share of them a history (triage, drafts sent with
a partly ticked checklist, closing, follow-ups) through the Store API with the
clock set to each request's own time, then times:

- build: `build_summary` for week 2026-W47, private and public;
- render: Markdown in both languages and the JSON;
- command: `steward export --week 2026-W47` as a user runs it (process start included).

Inboxes are kept in --workdir and reused on the next run. Building the 100k
inbox takes several minutes (the matcher runs on every request); timings take
seconds. Usage:

    python3 scripts/bench_export.py [--sizes 10000,100000] [--workdir DIR] [--activity 0.3]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

WEEK = "2026-W47"
TARGET_SECONDS = 1.0
CHECKLIST = ["naming", "licensing", "process", "giving-back", "budget"]
STEWARDS = ["Ada", "Bo", "Chen", "Dana", "Eli"]


def build_inbox(path: Path, size: int, activity: float) -> None:
    if path.exists():
        print(f"  reusing {path}")
        return
    started = time.perf_counter()
    subprocess.run(["steward", "demo", "--size", str(size), "--db", str(path)], check=True, stdout=subprocess.DEVNULL)
    print(f"  {size} requests written in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    changed = add_history(path, activity)
    print(f"  history for {changed} requests added in {time.perf_counter() - started:.0f} s")


def add_history(path: Path, share: float) -> int:
    """Give about `share` of the requests a plausible history, each event at its own time."""
    import steward.store.clock as core
    from steward.store import Store

    clock = {"now": datetime.now(timezone.utc)}
    core.utc_now = lambda: clock["now"]  # events land when they would have happened
    rnd = random.Random(47)
    store = Store.open(path, actor="bench")
    end = datetime(2026, 11, 25, tzinfo=timezone.utc)
    changed = 0
    try:
        for request_id in store.all_ids():
            if rnd.random() > share:
                continue
            request = store.get(request_id)
            start = request.received_at + timedelta(hours=1 + rnd.random() * 96)
            if start >= end:
                continue
            changed += 1
            clock["now"] = start
            roll = rnd.random()
            if roll < 0.6:
                store.set_checklist(request_id, rnd.sample(CHECKLIST, rnd.randint(0, 5)), True, known=CHECKLIST)
                draft = store.save_draft(request_id, "Thank you for writing to us.", template=None, language="en")
                store.mark_sent(request_id, draft.version)
                if rnd.random() < 0.5:
                    clock["now"] = start + timedelta(days=rnd.randint(1, 20))
                    store.set_status(request_id, "closed")
            elif roll < 0.75:
                store.set_status(request_id, rnd.choice(["declined", "spam"]))
            else:
                store.assign(request_id, rnd.choice(STEWARDS))
                store.set_follow_up(request_id, (start + timedelta(days=rnd.randint(3, 30))).date())
    finally:
        store.close()
    return changed


def best_of(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(path: Path, runs: int) -> dict:
    from steward.config.settings import Settings
    from steward.directory.entries import load_directory
    from steward.store import Store
    from steward.summary.data import Period, build_summary
    from steward.summary.markdown import render_markdown

    settings = Settings(steward_name="bench", language="zh-TW", timezone="Asia/Taipei", database=path)
    directory = load_directory(settings)
    period = Period.iso_week(WEEK)
    now = datetime(2026, 11, 25, 4, 0, tzinfo=timezone.utc)
    store = Store.open(path, actor="bench", tz=settings.tz)
    try:
        total = store.count()
        summary = build_summary(store, settings, period=period, now=now, directory=directory)
        result = {
            "requests": total,
            "in_week": summary.received,
            "build": best_of(runs, lambda: build_summary(store, settings, period=period, now=now, directory=directory)),
            "build_public": best_of(
                runs, lambda: build_summary(store, settings, period=period, now=now, directory=directory, public=True)
            ),
            "render": best_of(runs, lambda: (
                render_markdown(summary, lang="zh-TW"), render_markdown(summary, lang="en"),
                json.dumps(summary.as_json(), ensure_ascii=False),
            )),
        }
    finally:
        store.close()
    command = ["steward", "--db", str(path), "export", "--week", WEEK, "--public", "--out", str(path.with_suffix(".md"))]
    result["command"] = best_of(max(2, runs // 2), lambda: subprocess.run(command, check=True, capture_output=True))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/steward-bench"))
    parser.add_argument("--activity", type=float, default=0.3, help="share of requests given a history")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for size in sizes:
        path = args.workdir / f"inbox-{size}-{args.activity}.db"
        print(f"inbox of {size}:")
        build_inbox(path, size, args.activity)
        results[size] = measure(path, args.runs)

    print(f"\nexport {WEEK} (best of {args.runs}; seconds)")
    print(f"{'inbox':>8} {'in week':>8} {'build':>8} {'public':>8} {'render':>8} {'command':>8}")
    for size, r in results.items():
        print(f"{r['requests']:>8} {r['in_week']:>8} {r['build']:>8.3f} {r['build_public']:>8.3f} "
              f"{r['render']:>8.3f} {r['command']:>8.3f}")
    if len(sizes) > 1:
        small, big = results[sizes[0]], results[sizes[-1]]
        for key in ("build", "build_public", "render", "command"):
            print(f"growth {sizes[0]}→{sizes[-1]} {key}: ×{big[key] / small[key]:.1f}")
    slowest = results[sizes[-1]]["command"]
    verdict = "within" if slowest <= TARGET_SECONDS else "OVER"
    print(f"\n`steward export` at {sizes[-1]}: {slowest:.3f} s, {verdict} the {TARGET_SECONDS:.0f} s target")
    return 0 if slowest <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
