"""What the benchmark scripts share: how to launch steward as a user would, and CPU time."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def cached_bytecode_env() -> dict[str, str]:
    """The environment with bytecode caching on, as on any installed machine, running this checkout.

    Some shells export PYTHONDONTWRITEBYTECODE=1; then every launch recompiles
    steward's modules, which is not what a steward's start-up costs. The console
    script of an editable install imports whichever checkout was installed; the
    benchmark measures the one it belongs to.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH", "")]))
    return env


def steward_command() -> str:
    """The installed console script itself, not a version-manager shim in front of it."""
    beside = Path(sys.executable).with_name("steward")
    return str(beside) if beside.exists() else "steward"


def run_with_cpu(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run `cmd` to its end: (wall ms, user+sys CPU ms of it and its children).

    On a loaded machine the wall time mostly measures the other processes; the CPU
    time is what the command itself costs.
    """
    import subprocess
    import time

    started = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = (time.perf_counter() - started) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd} failed")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def process_tree_cpu_ms(root: int) -> float:
    """CPU time so far (ms, from /proc schedstat, every thread) of `root` and its descendants; Linux only."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    total_ns, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                total_ns += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    return total_ns / 1e6
