"""Computations a test holds until it lets go, for tests of ``compute``: each marks that it
started with a file, then waits for another (the test's events, across processes)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pmo_graph.deadlines import checkpoint


def held(folder: str) -> str:
    """Touch ``folder/started``, then wait for ``folder/release``, checking the deadline."""
    Path(folder, "started").touch()
    while not Path(folder, "release").exists():
        checkpoint()
        time.sleep(0.002)
    return "released"


def stubborn(folder: str) -> str:
    """Like ``held``, but never checks its deadline: only killing its process stops it."""
    Path(folder, "started").touch()
    while not Path(folder, "release").exists():
        time.sleep(0.002)
    return "released"


def imported(names: list[str]) -> list[str]:
    """Those of ``names`` the process that runs this had imported before it ran."""
    return [name for name in names if name in sys.modules]
