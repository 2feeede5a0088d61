"""What a computation worker process imports before it takes work: the plugins' modules.

A worker that first imported a computation's module when handed it spent that import (most of
a second for a plugin that reaches ``pmo_graph.sdk``) inside the computation's time limit.
``pmo_graph.computations`` gives the installed plugins' modules to the forkserver to preload
(so every worker forked from it starts with them) and to each worker as its initializer (for a
forkserver started earlier with other modules).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable


def import_modules(names: Iterable[str]) -> None:
    """Import each of ``names`` that can be imported here, and skip the others.

    A plugin made at run time (a test's double) has a module no other process can import; the
    forkserver skips such a name the same way.
    """
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
