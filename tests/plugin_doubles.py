"""Plugins made up by tests: modules implementing chosen hooks, and installed-looking
distributions in a temporary folder."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from pmo_graph.plugins import Manifest, hookimpl


def plugin(name: str, **hooks: Callable[..., Any]) -> ModuleType:
    """A plugin module named ``name`` implementing ``hooks``."""
    module = ModuleType(name)
    for hook_name, function in hooks.items():
        function.__name__ = hook_name
        setattr(module, hook_name, hookimpl(function))
    return module


def manifest_plugin(name: str, manifest: Manifest, **hooks: Callable[..., Any]) -> ModuleType:
    """A plugin module named ``name`` declaring ``manifest`` and implementing ``hooks`` as
    functions."""
    module = plugin(name, **hooks)
    module.MANIFEST = manifest  # type: ignore[attr-defined]
    return module


def fake_distribution(
    folder: Path,
    module_source: str,
    *,
    entry_point: str = "broken",
    distribution: str = "pmo-graph-broken",
    version: str = "0.1",
) -> dict[str, str]:
    """The environment of a process that sees a plugin distribution installed from ``folder``.

    The distribution's entry point (group ``pmo_graph``) names module ``<entry_point>_plugin``,
    whose source is ``module_source``.
    """
    module = f"{entry_point}_plugin"
    (folder / f"{module}.py").write_text(textwrap.dedent(module_source))
    info = folder / f"{distribution.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
    )
    (info / "entry_points.txt").write_text(f"[pmo_graph]\n{entry_point} = {module}\n")
    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}
