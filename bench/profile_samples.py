"""Reading py-spy's collapsed stacks: which library a server's busy samples end in.

Apart from ``bench.mutation_profile`` so that it imports nothing of the bench's extras (aiohttp),
and the test suite can check it without them.
"""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_LIBRARY = re.compile(r"\(([^/()]+)/")


def libraries(collapsed: Path) -> list[tuple[str, float]]:
    """The share of ``collapsed``'s busy samples (py-spy's raw format) whose innermost frame
    is in each library, largest first; samples waiting in the event loop's poll are idle."""
    counts: collections.Counter[str] = collections.Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        leaf = stack.rsplit(";", 1)[-1]
        if "selectors" in leaf or "epoll" in leaf or "select (" in leaf:
            continue
        found = _LIBRARY.search(leaf)
        counts[found.group(1) if found else leaf[:40]] += int(count)
    total = sum(counts.values()) or 1
    return [(name, count / total) for name, count in counts.most_common()]


def profile_run(
    process: Any,
    py_spy: Path | None,
    seconds: float,
    run: Callable[[], tuple[float, int]],
    what: str,
    clients: int,
) -> None:
    """Time ``run`` (it answers its rate a second and how many it sent) against the server
    ``process`` (psutil's), recorded meanwhile by py-spy into ``py_spy`` when given, and print
    the server's CPU per ``what`` and where its busy samples end, by library."""
    recorder = None
    if py_spy is not None:
        command = shutil.which("py-spy") or "py-spy"
        recorder = subprocess.Popen(
            [
                *(command, "record", "--nonblocking", "--format", "raw", "--rate", "200"),
                *("--duration", str(round(seconds)), "--output", str(py_spy)),
                *("--pid", str(process.pid)),
            ]
        )
        time.sleep(1.0)  # py-spy attaches before the timed requests start
    before = process.cpu_times()
    rate, done = run()
    after = process.cpu_times()
    if recorder is not None:
        recorder.wait()
    user = (after.user - before.user) * 1000 / done
    system = (after.system - before.system) * 1000 / done
    print(
        f"{done} {what}s, {rate:.0f} a second with {clients} clients; server CPU "
        f"{user + system:.2f} ms a {what} (user {user:.2f}, system {system:.2f})"
    )
    if py_spy is not None and py_spy.exists():
        for library, share in libraries(py_spy)[:15]:
            print(f"{share:6.1%}  {library}")
