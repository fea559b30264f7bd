#!/usr/bin/env python3
"""How fast the inbox feels: start-up to first rows, and filter keystroke to repaint.

1. Launch -> first inbox rows on screen, for `steward --db BIG.db` and for a bare
   Textual app (Header, Static, Footer), each run in a detached tmux pane of a
   fixed size and timed until a given text shows (median of --runs). Target:
   steward <= 1.3x the bare app. The CPU time the
   pane's processes had used by then is reported too: on a loaded machine it is
   the steadier figure.
2. Filter keystroke -> repaint at 100k requests, in-process with Textual's
   headless driver: each key typed into the filter, timed until the list has
   applied the new query and the screen has refreshed. Target: <= 50 ms.

Usage: scripts/bench_tui.py [--db BIG.db] [--size 100000] [--runs 11]
The inbox is built with `steward demo --size N --db PATH` when it does not exist.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchlib import cached_bytecode_env, process_tree_cpu_ms, steward_command  # scripts/ is on sys.path when run

BARE_APP = '''
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("bare app ready")
        yield Footer()

Bare().run()
'''


def first_paint_ms(command: str, text: str, size: str = "120x35", timeout: float = 30.0) -> tuple[float, float]:
    """Launch `command` in tmux: (wall ms until `text` is in the pane, CPU ms the pane's processes had used by then)."""
    name = "bench" + uuid.uuid4().hex[:8]
    width, height = size.split("x")
    # A running tmux server hands a new pane its own environment, not ours: say it in the command.
    env = cached_bytecode_env()
    command = f"env -u PYTHONDONTWRITEBYTECODE PYTHONPATH={shlex.quote(env['PYTHONPATH'])} {command}"
    for attempt in range(5):
        started = time.perf_counter()
        launched = subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", width, "-y", height, command], env=env)
        if launched.returncode == 0:
            break
        time.sleep(0.5)  # the previous tmux server may still be shutting down
    else:
        raise SystemExit("tmux could not start a session")
    try:
        while time.perf_counter() - started < timeout:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
            if text in screen:
                wall = (time.perf_counter() - started) * 1000
                pane = subprocess.run(["tmux", "display", "-p", "-t", name, "#{pane_pid}"], capture_output=True, text=True)
                return wall, process_tree_cpu_ms(int(pane.stdout.strip()))
            time.sleep(0.005)
        raise SystemExit(f"'{text}' never appeared; last screen:\n{screen}")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def newest_subject_marker(db: Path) -> str:
    """A few characters of the first row, as the inbox list will draw them."""
    out = subprocess.run(
        [steward_command(), "--db", str(db), "list", "--limit", "1", "--json"],
        capture_output=True, text=True, check=True, env=cached_bytecode_env(),
    ).stdout
    row = json.loads(out)[0]
    words = (row["subject"] or "").split()
    return " ".join(words)[:6] if words else (row["organization"] or row["from_name"])[:6]


async def filter_latencies(db: Path, queries: list[str]) -> list[float]:
    """Per keystroke: from the key event to the first line drawn from the new rows."""
    from textual import events
    from textual.keys import _character_to_key

    from steward.config.settings import load_settings
    from steward.tui.app import StewardApp
    from steward.tui.inbox.request_list import InboxList

    painted: dict[int, float] = {}
    original = InboxList.render_line

    def spy(self, y):  # the first line drawn after a query's rows arrived
        painted.setdefault(self.applied_generation, time.perf_counter())
        return original(self, y)

    InboxList.render_line = spy
    settings = load_settings(database=db)
    app = StewardApp(settings=settings, database=db)
    latencies: list[float] = []
    async with app.run_test(size=(120, 35)) as pilot:
        await _settle(app, pilot)
        await pilot.press("7")  # the All tab: the whole inbox
        await _settle(app, pilot)
        inbox = app.screen.inbox
        for query in queries:
            await pilot.press("slash")
            for key in query:
                before = inbox.generation
                started = time.perf_counter()
                # What the terminal driver does with a keystroke; pilot.press would
                # also wait for the count query, which the screen does not wait for.
                name = key if key.isalnum() else _character_to_key(key)
                app._driver.send_message(events.Key(name, key))
                while inbox.generation == before and time.perf_counter() - started < 1:
                    await asyncio.sleep(0.0005)
                if inbox.generation == before:
                    continue  # a half-typed token ("status:n"): the list rightly stays as it is
                while inbox.applied_generation != inbox.generation or inbox.applied_generation not in painted:
                    if time.perf_counter() - started > 10:
                        raise SystemExit(f"no repaint after typing {key!r} into {query!r}")
                    await asyncio.sleep(0.0005)
                latencies.append((painted[inbox.applied_generation] - started) * 1000)
                await _settle(app, pilot)
            await pilot.press("escape")
            await _settle(app, pilot)
    InboxList.render_line = original
    return latencies


async def _settle(app, pilot) -> None:
    from textual.worker import WorkerCancelled

    for _ in range(3):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        await pilot.pause(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "steward-bench-100k.db")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--startup-only", action="store_true", help="Skip the filter measurement.")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed for the start-up measurement")
    if not args.db.exists():
        print(f"building {args.size} requests in {args.db} …", flush=True)
        subprocess.run([steward_command(), "demo", "--size", str(args.size), "--db", str(args.db)], check=True)

    marker = newest_subject_marker(args.db)
    steward = f"{shlex.quote(steward_command())} --db {shlex.quote(str(args.db))}"
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        bare_command = f"{shlex.quote(sys.executable)} {bare}"
        first_paint_ms(bare_command, "bare app ready"), first_paint_ms(steward, marker)  # warm-up: .pyc files, OS cache
        # In turns, so a burst of load on a shared machine falls on both alike.
        pairs = [(first_paint_ms(bare_command, "bare app ready"), first_paint_ms(steward, marker)) for _ in range(args.runs)]
    bare_runs, bare_cpu_runs = [p[0][0] for p in pairs], [p[0][1] for p in pairs]
    steward_runs, steward_cpu_runs = [p[1][0] for p in pairs], [p[1][1] for p in pairs]
    bare_ms, bare_cpu = statistics.median(bare_runs), statistics.median(bare_cpu_runs)
    steward_ms, steward_cpu = statistics.median(steward_runs), statistics.median(steward_cpu_runs)
    print(f"start-up, launch -> first rows (median of {args.runs}, 120x35 tmux pane)")
    print(f"  bare Textual app : {bare_ms:7.0f} ms  {[round(t) for t in bare_runs]}")
    print(f"  steward, {args.size:,} : {steward_ms:7.0f} ms  {[round(t) for t in steward_runs]}")
    print(f"  ratio            : {steward_ms / bare_ms:7.2f}x  (target <= 1.3x)")
    print(f"CPU time (user+sys, every thread) used by first rows, median of {args.runs}")
    print(f"  bare Textual app : {bare_cpu:7.0f} ms  {[round(t) for t in bare_cpu_runs]}")
    print(f"  steward, {args.size:,} : {steward_cpu:7.0f} ms  {[round(t) for t in steward_cpu_runs]}")
    print(f"  ratio            : {steward_cpu / bare_cpu:7.2f}x")

    if args.startup_only:
        return
    queries = ["cofacts", "status:new 萌典", "g0v 資料", "lang:en grant"]
    latencies = asyncio.run(filter_latencies(args.db, queries))
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    print(f"filter keystroke -> repaint at {args.size:,} requests ({len(latencies)} keystrokes)")
    print(f"  p50 {p50:.1f} ms   p95 {p95:.1f} ms   max {latencies[-1]:.1f} ms  (target <= 50 ms)")


if __name__ == "__main__":
    main()
