#!/usr/bin/env python3
"""The inbox at 100,000 requests: import rate, and `list --json --limit 50` latency.

Builds an inbox of N synthetic requests (steward's own generator) through
Store.import_requests, with and without matching, and reports requests/s. Then
times `steward --db BIG.db list --json --limit 50` as a user runs it (a new
process each time) next to a bare `python -c` that opens the same file with
sqlite3 and selects 50 rows; median of --runs. Target: steward <= 2x the bare one.

Usage: scripts/bench_store.py [--size 100000] [--runs 15] [--keep DIR]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import cached_bytecode_env, steward_command  # scripts/ is on sys.path when run

BARE = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
    "rows = c.execute('SELECT * FROM requests ORDER BY last_activity_at DESC, id DESC LIMIT 50').fetchall(); "
    "print(len(rows))"
)


def build(path: Path, size: int, *, match: bool) -> float:
    from steward.config.settings import load_settings
    from steward.demo.build import synthetic_requests
    from steward.matching.matcher import build_matcher
    from steward.store import Store

    settings = load_settings(database=path)
    store = Store.open(path, actor="bench")
    matcher = build_matcher(settings) if match else None
    started = time.perf_counter()
    report = store.import_requests(synthetic_requests(size), matcher=matcher, batch_size=2000)
    elapsed = time.perf_counter() - started
    store.close()
    assert report.imported == size, report.as_dict()
    return size / elapsed


def timed(cmd: list[str], runs: int) -> tuple[float, list[float]]:
    env = cached_bytecode_env()
    subprocess.run(cmd, check=True, capture_output=True, env=env)  # warm-up: writes the .pyc files
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="Build the inboxes here and keep them.")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="steward-bench-"))
    folder.mkdir(parents=True, exist_ok=True)

    plain, matched = folder / "plain.db", folder / "matched.db"
    for path in (plain, matched):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    rate_plain = build(plain, args.size, match=False)
    rate_matched = build(matched, args.size, match=True)
    print(f"import of {args.size:,} synthetic requests (one process, batches of 2,000)")
    print(f"  store only     : {rate_plain:8.0f} requests/s")
    print(f"  with matching  : {rate_matched:8.0f} requests/s")

    steward_ms, steward_runs = timed([steward_command(), "--db", str(matched), "list", "--json", "--limit", "50"], args.runs)
    bare_ms, bare_runs = timed([sys.executable, "-c", BARE, str(matched)], args.runs)
    print(f"list --json --limit 50 on {args.size:,} requests (new process each run, median of {args.runs})")
    print(f"  python -c sqlite3 : {bare_ms:6.1f} ms")
    print(f"  steward list      : {steward_ms:6.1f} ms")
    print(f"  ratio             : {steward_ms / bare_ms:6.2f}x  (target <= 2x)")
    if not args.keep:
        print(f"(inboxes left in {folder}; pass --keep DIR to choose where)")


if __name__ == "__main__":
    main()
