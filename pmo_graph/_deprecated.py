"""Old import paths that keep working for one minor version, with a ``DeprecationWarning``.

When a name moves to another module, the module it left builds its PEP 562 ``__getattr__``
here::

    __getattr__ = moved(__name__, {"Context": "pmo_graph.request.context"})

``from pmo_graph.graphql.context import Context`` then returns the very object
``pmo_graph.request.context.Context`` and warns that the old path goes in pmo-graph 0.3. The new
module is imported only when an old name is asked for, so a shim adds no import edge to the
core's graph (``tests/test_layers.py`` checks that no core module uses an old path).
"""

from __future__ import annotations

import ast
import functools
import importlib
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

#: The version from which the old paths are gone.
REMOVED_IN = "0.3"
#: Where a plugin imports every moved name from once the SDK exists.
REPLACEMENT = "pmo_graph.sdk"

#: Every shim's moves, by old module: name -> the module that defines it now.
MOVES: dict[str, Mapping[str, str]] = {}


@functools.cache
def sdk_names() -> frozenset[str]:
    """The names ``pmo_graph.sdk`` exports, read from its ``__all__`` without importing it (the
    SDK is the top layer: no module of the core may import it)."""
    tree = ast.parse(Path(__file__).with_name("sdk.py").read_text())
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "__all__"
        ):
            return frozenset(ast.literal_eval(node.value))
    raise LookupError("pmo_graph/sdk.py has no __all__")


def message(old_module: str, name: str, new_module: str) -> str:
    """The warning for ``name`` imported from ``old_module``: import it from the SDK when the SDK
    has it (what a plugin should do), else from ``new_module``."""
    replacement = REPLACEMENT if name in sdk_names() else new_module
    return (
        f"{old_module}.{name} is deprecated: import {name} from {replacement} "
        f"(the old path works until pmo-graph {REMOVED_IN})"
    )


def moved(old_module: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``old_module``, whose ``names`` (name -> new module) moved.

    It returns the object from its new module and warns (``DeprecationWarning``, pointing at
    the importing line); any other name raises ``AttributeError`` as a module would.
    """
    MOVES[old_module] = dict(names)

    def __getattr__(name: str) -> Any:
        new_module = names.get(name)
        if new_module is None:
            raise AttributeError(f"module {old_module!r} has no attribute {name!r}")
        warnings.warn(message(old_module, name, new_module), DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(new_module), name)

    return __getattr__
