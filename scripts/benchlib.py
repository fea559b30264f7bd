"""What the benchmark scripts share: how to launch steward as a user would."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cached_bytecode_env() -> dict[str, str]:
    """The environment with bytecode caching on, as on any installed machine.

    Some shells export PYTHONDONTWRITEBYTECODE=1; then every launch recompiles
    steward's modules, which is not what a steward's start-up costs.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def steward_command() -> str:
    """The installed console script itself, not a version-manager shim in front of it."""
    beside = Path(sys.executable).with_name("steward")
    return str(beside) if beside.exists() else "steward"
