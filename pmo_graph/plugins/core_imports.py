"""Plugins that import the core past the SDK: found when they load, and warned about.

A plugin written against the 1.0 docs imports helpers from the core's modules
(``pmo_graph.graphql.validation``, ``pmo_graph.projects.models``, ...). Those paths keep working
for the 1.x plugin API, but they are the core's internals: each such import gets a
``DeprecationWarning`` pointing at the plugin's own line and naming its replacement in
``pmo_graph.sdk``, and the operator's log says once per plugin how many there are.
"""

from __future__ import annotations

import ast
import functools
import logging
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from pmo_graph._deprecated import REMOVED_IN, sdk_names

log = logging.getLogger("pmo_graph.plugins")

#: What a plugin may import of the core: the SDK, and the pytest plugin in its tests.
PUBLIC_MODULES = frozenset({"pmo_graph.sdk", "pmo_graph.testing"})


@dataclass(frozen=True)
class CoreImport:
    """One ``from pmo_graph.<module> import <names>`` in a plugin's source."""

    path: Path
    line: int
    module: str
    names: tuple[str, ...]

    def advice(self) -> str:
        """What to import instead: the names the SDK has from it, the others as they are."""
        in_sdk = [n for n in self.names if n in sdk_names()]
        elsewhere = [n for n in self.names if n not in sdk_names()]
        parts = []
        if in_sdk:
            parts.append(f"import {', '.join(in_sdk)} from pmo_graph.sdk")
        if elsewhere:
            parts.append(
                f"{', '.join(elsewhere)} {'is' if len(elsewhere) == 1 else 'are'} not part of the "
                "plugin API and may change in any release"
            )
        return "; ".join(parts)


def _sources(module: ModuleType) -> list[Path]:
    """The plugin's own Python files: its whole top-level package (tests folders aside), or the
    module's one file."""
    # a plugin built in memory (a test's double) has no package to read: only its own file, if any
    top = sys.modules.get(module.__name__.partition(".")[0], module)
    locations = getattr(top, "__path__", None)
    if locations is None:
        file = getattr(top, "__file__", None)
        return [Path(file)] if file else []
    return sorted(
        path
        for location in locations
        for path in Path(location).rglob("*.py")
        if "tests" not in path.relative_to(location).parts
    )


def core_imports(module: ModuleType) -> list[CoreImport]:
    """Every import of a core module other than the SDK in the package of ``module``."""
    found: list[CoreImport] = []
    for path in _sources(module):
        try:
            found.extend(_file_imports(path, path.stat().st_mtime_ns))
        except OSError:
            continue  # the import itself already succeeded; this is advice, not a check
    return found


@functools.lru_cache(maxsize=4096)
def _file_imports(path: Path, mtime_ns: int) -> tuple[CoreImport, ...]:
    """The core imports of one file (cached by its modification time: every app of a process,
    and every test, loads the same plugins)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return ()
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module is not None
            and (node.module == "pmo_graph" or node.module.startswith("pmo_graph."))
            and node.module not in PUBLIC_MODULES
        ):
            names = tuple(alias.name for alias in node.names)
            found.append(CoreImport(path, node.lineno, node.module, names))
    return tuple(found)


def warn_core_imports(module: ModuleType, label: str) -> list[CoreImport]:
    """Warn (``DeprecationWarning`` at the plugin's line) of each core import past the SDK in the
    plugin ``label``, log their count once, and return them."""
    found = core_imports(module)
    for item in found:
        warnings.warn_explicit(
            f"plugin {label!r} imports {', '.join(item.names)} from {item.module}, past the "
            f"plugin SDK: {item.advice()} (only the SDK's names are the plugin API; moved paths "
            f"go in pmo-graph {REMOVED_IN})",
            DeprecationWarning,
            filename=str(item.path),
            lineno=item.line,
            module=module.__name__,
        )
    if found:
        log.warning(
            "plugin %r imports the core past pmo_graph.sdk in %d places; run "
            "scripts/sdk_imports.py on it (docs/writing_plugins.md, Imports)",
            label,
            len(found),
        )
    return found
