"""A plugin that imports the core past the SDK loads, and is told, at its own lines, what to
import instead (pmo_graph.plugins.core_imports)."""

from __future__ import annotations

import importlib
import logging
import warnings
from pathlib import Path

import pytest

from pmo_graph.plugins.loading import load_plugins

PLUGIN = '''"""A plugin written against the 1.0 docs."""

from pmo_graph.projects.models import Project
from pmo_graph.audit.models import AuditEvent
from pmo_graph.sdk import hookimpl

ROWS = (Project, AuditEvent, hookimpl)
'''


def test_an_import_past_the_sdk_warns_at_the_plugins_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    package = tmp_path / "legacy_reader_plugin"
    package.mkdir()
    (package / "__init__.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("legacy_reader_plugin")

    with (
        pytest.warns(DeprecationWarning, match="past the plugin SDK") as warned,
        caplog.at_level(logging.WARNING, logger="pmo_graph.plugins"),
    ):
        load_plugins([module], load_entrypoints=False)

    ours = [w for w in warned if "legacy_reader_plugin" in str(w.message)]
    assert [(Path(w.filename), w.lineno) for w in ours] == [
        (package / "__init__.py", 3),
        (package / "__init__.py", 4),
    ]
    assert str(ours[0].message) == (
        "plugin 'legacy_reader_plugin' imports Project from pmo_graph.projects.models, past the "
        "plugin SDK: import Project from pmo_graph.sdk (only the SDK's names are the plugin API; "
        "moved paths go in pmo-graph 0.3)"
    )
    assert "AuditEvent is not part of the plugin API and may change" in str(ours[1].message)
    assert "imports the core past pmo_graph.sdk in 2 places" in caplog.text


def test_the_tiers_import_the_core_only_through_the_sdk() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        registry = load_plugins()
    assert {"pso", "portfolio", "pmo"} <= set(registry.tiers)
    assert [str(w.message) for w in caught if "past the plugin SDK" in str(w.message)] == []
