"""The plugin API version: a plugin declares the range it supports, the core refuses the others."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

import pytest
from packaging.specifiers import SpecifierSet

from plugin_doubles import fake_distribution
from pmo_graph import PLUGIN_API_VERSION
from pmo_graph.plugins.loading import load_plugins
from pmo_graph.plugins.manager import PluginLoadError


def declaring(name: str, supported: str | None) -> ModuleType:
    """A plugin module that declares ``PLUGIN_API = supported`` (nothing when None)."""
    module = ModuleType(name)
    if supported is not None:
        module.PLUGIN_API = supported  # type: ignore[attr-defined]
    return module


def test_the_core_provides_plugin_api_1_2() -> None:
    # Plugins pin against this; changing it is a change to announce (1.1: the Manifest; 1.2:
    # the specs' SQLite forms).
    assert PLUGIN_API_VERSION == "1.3"


@pytest.mark.parametrize("supported", [">=1.0,<2", "~=1.0", "==1.*", None])
def test_a_plugin_that_supports_this_plugin_api_loads(supported: str | None) -> None:
    registry = load_plugins([declaring("fits", supported)], load_entrypoints=False)
    assert "fits" in [p.name for p in registry.plugins]


@pytest.mark.parametrize("supported", [">=2.0,<3", "<1.0", "==0.9"])
def test_a_plugin_for_another_plugin_api_is_refused_with_both_versions(supported: str) -> None:
    with pytest.raises(PluginLoadError) as refused:
        load_plugins([declaring("old_plugin", supported)], load_entrypoints=False)
    assert str(refused.value) == (
        f"plugin 'old_plugin' supports plugin API {supported}, but this pmo-graph provides "
        "plugin API 1.3; install a release of 'old_plugin' made for plugin API 1.3, "
        "or uninstall it"
    )
    assert refused.value.plugin == "old_plugin"


def test_a_range_that_is_not_a_range_is_refused() -> None:
    with pytest.raises(
        PluginLoadError,
        match=r"plugin 'sloppy' declares PLUGIN_API = 'one point oh', which is not a version range",
    ):
        load_plugins([declaring("sloppy", "one point oh")], load_entrypoints=False)


def test_the_first_party_tiers_support_the_current_plugin_api() -> None:
    found = {ep.name: ep.load() for ep in entry_points(group="pmo_graph")}
    for name in ("pso", "portfolio", "pmo"):
        assert SpecifierSet(found[name].PLUGIN_API).contains(PLUGIN_API_VERSION), name


def test_an_installed_plugin_for_another_api_stops_serve_with_one_line(tmp_path: Path) -> None:
    env = fake_distribution(tmp_path, 'PLUGIN_API = ">=2.0,<3"\n', version="3.1")
    result = subprocess.run(
        [sys.executable, "-m", "pmo_graph", "serve", "--port", "8999"],
        env={**env, "PMO_GRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "Error: plugin 'pmo-graph-broken' 3.1 supports plugin API >=2.0,<3, but this pmo-graph "
        "provides plugin API 1.3; install a release of 'pmo-graph-broken' made for plugin API "
        "1.3, or uninstall it\n"
    )
