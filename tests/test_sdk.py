"""The plugin SDK: docs/plugin_hooks.md documents every name of ``pmo_graph.sdk`` with the signature
it has, and plugins import the core only through it (import-linter and scripts/sdk_imports.py)."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sdk_reference import COLUMN, END, ENTRY, START, column_entry, entries, public_columns

import pmo_graph
from pmo_graph import sdk

REPO = Path(__file__).resolve().parent.parent
PLUGINS = ["plugins/pso", "plugins/portfolio", "plugins/pmo", "examples/pmo-graph-lessons"]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

#: What a plugin's tests may import from the core besides pmo_graph.sdk and pmo_graph.testing:
#: the app, its settings and state, clients and fixtures' helpers that a test drives the app with.
TEST_SUPPORT = frozenset(
    {
        "pmo_graph.app",
        "pmo_graph.app_state",
        "pmo_graph.db",  # migrations
        "pmo_graph.db.session",
        "pmo_graph.demo",
        "pmo_graph.demo.core",
        "pmo_graph.graphql.compiled",
        "pmo_graph.graphql.compiled.compiler",
        "pmo_graph.graphql.description_audit",
        "pmo_graph.graphql.schema",
        "pmo_graph.maturity.models",
        "pmo_graph.plugins.manager",
        "pmo_graph.races",
        "pmo_graph.settings",
        "pmo_graph.subscription_client",
        "pmo_graph.webhooks.models",
    }
)


def sdk_imports() -> ModuleType:
    """scripts/sdk_imports.py, imported."""
    spec = importlib.util.spec_from_file_location(
        "sdk_imports", REPO / "scripts" / "sdk_imports.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["sdk_imports"] = module
    spec.loader.exec_module(module)
    return module


def reference() -> list[str]:
    """The lines of the SDK reference in docs/plugin_hooks.md."""
    page = (REPO / "docs" / "plugin_hooks.md").read_text()
    assert START in page, "docs/plugin_hooks.md has no SDK reference"
    assert END in page, "the SDK reference of docs/plugin_hooks.md has no end"
    return page.split(START)[1].split(END)[0].splitlines()


def test_the_sdk_provides_the_plugin_api_version() -> None:
    assert sdk.PLUGIN_API == pmo_graph.PLUGIN_API_VERSION


def test_every_sdk_name_is_documented_with_its_signature() -> None:
    expected = entries()
    assert len(expected) >= 100
    documented: dict[str, tuple[str, str]] = {}
    for line in reference():
        if line.startswith("- `"):
            match = ENTRY.match(line)
            assert match, f"not an SDK entry (- `name` · kind · `signature` — meaning): {line}"
            assert match["name"] not in documented, f"documented twice: {match['name']}"
            documented[match["name"]] = (match["kind"], match["signature"])
    wrong = [
        f"- `{name}` · {kind} · `{signature}` — …"
        for name, (kind, signature) in expected.items()
        if documented.get(name) != (kind, signature)
    ]
    assert wrong == [], "document these SDK names in docs/plugin_hooks.md:\n" + "\n".join(wrong)
    assert sorted(documented) == sorted(expected), (
        "docs/plugin_hooks.md documents names the SDK does not export: "
        f"{sorted(set(documented) - set(expected))}"
    )
    addresses = [name for name, (_, signature) in expected.items() if " at 0x" in signature]
    assert addresses == [], "a signature prints an object's address, which changes every run"


def test_every_column_of_every_core_row_is_documented() -> None:
    lines = reference()
    tables: dict[str, dict[str, tuple[str, str]]] = {}
    current: dict[str, tuple[str, str]] | None = None
    for line in lines:
        if line.startswith("`") and line.endswith(":") and "(table `" in line:
            current = tables.setdefault(line.split("`")[1], {})
        elif line.startswith("| `") and current is not None:
            match = COLUMN.match(line)
            assert match, f"not a column row (| `name` | `type` | yes/no | meaning |): {line}"
            current[match["name"]] = (match["type"], match["null"])
    assert [model.__name__ for model in sdk.ROW_MODELS] == list(tables)
    for model in sdk.ROW_MODELS:
        expected = {column.key: column_entry(column) for column in public_columns(model)}
        assert tables[model.__name__] == expected, f"the columns of {model.__name__}"


def test_the_row_models_include_the_core_rows_plugins_read() -> None:
    names = {model.__name__ for model in sdk.ROW_MODELS}
    assert {"Project", "Person", "Portfolio", "Programme", "Organisation", "User"} <= names


def lint_imports(
    cwd: Path, *args: str, path: Sequence[Path] = ()
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in path)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_lint_imports_keeps_every_contract() -> None:
    result = lint_imports(REPO, path=[REPO / "examples" / "pmo-graph-lessons"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Plugins import only pmo_graph.sdk of the core KEPT" in result.stdout
    assert (
        "The core's layers: kernel, models, request, services, graphql, assembly, server KEPT"
        in (result.stdout)
    )


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_lint_imports_refuses_a_plugin_that_imports_a_core_module(tmp_path: Path) -> None:
    """The repository's own contract, pointed at a plugin that imports ``pmo_graph.graphql.ids``."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["id"] == "plugins-import-the-sdk"]
    rogue: Mapping[str, Any] = {
        **contract,
        "source_modules": ["rogue_plugin"],
        "ignore_imports": ["rogue_plugin.** -> pmo_graph.sdk"],
    }
    package = tmp_path / "rogue_plugin"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "good.py").write_text("from pmo_graph.sdk import to_global_id\n")
    (package / "bad.py").write_text("from pmo_graph.graphql.ids import to_global_id\n")
    body = "".join(f"{key} = {toml_value(value)}\n" for key, value in rogue.items())
    (tmp_path / "pyproject.toml").write_text(
        '[tool.importlinter]\nroot_packages = ["pmo_graph", "rogue_plugin"]\n\n'
        f"[[tool.importlinter.contracts]]\n{body}"
    )
    result = lint_imports(tmp_path, path=[tmp_path])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "rogue_plugin.bad -> pmo_graph.graphql.ids" in result.stdout
    assert "rogue_plugin.good" not in result.stdout
    (package / "bad.py").write_text("from pmo_graph.sdk import parse_pk\n")
    assert lint_imports(tmp_path, path=[tmp_path]).returncode == 0


def test_plugins_and_their_tests_import_the_core_only_through_the_sdk() -> None:
    """Packages: only the SDK (and lint-imports agrees). Tests: the SDK, pmo_graph.testing and the
    test support above; nothing the SDK has is imported from anywhere else."""
    script = sdk_imports()
    names = script.sdk_names()
    due: list[str] = []
    support: set[str] = set()
    for plugin in PLUGINS:
        for path in script.python_files([REPO / plugin]):
            result = script.rewrite(path, names)
            due += [f"{path}:{line}" for line in result.rewritten]
            for item in result.unmapped:
                assert "/tests/" in str(path), f"a plugin package reaches past the SDK: {item}"
                support.add(item.module)
    assert due == [], "run scripts/sdk_imports.py on these:\n" + "\n".join(due)
    assert support <= TEST_SUPPORT, sorted(support - TEST_SUPPORT)


def test_the_docs_samples_import_the_core_only_through_the_sdk() -> None:
    script = sdk_imports()
    names = script.sdk_names()
    for page in ("plugin_hooks.md", "writing_plugins.md"):
        result = script.rewrite(REPO / "docs" / page, names)
        assert result.rewritten == [], f"run scripts/sdk_imports.py docs/{page}"
        assert {item.module for item in result.unmapped} <= TEST_SUPPORT, page


def test_the_script_points_core_imports_at_the_sdk(tmp_path: Path) -> None:
    script = sdk_imports()
    path = tmp_path / "plugin.py"
    path.write_text(
        "from pmo_graph import PLUGIN_API_VERSION\n"
        "from pmo_graph.app_state import AppState\n"
        "from pmo_graph.graphql.ids import to_global_id\n"
        "from pmo_graph.db.types import utcnow as now\n"
        "from pmo_graph.testing import GraphQLClient\n"
        "from my_plugin.models import Note\n"
        "from pmo_graph.sdk import hookimpl\n"
        "\n"
        "\n"
        "def later() -> None:\n"
        "    from pmo_graph.graphql.context import get_context\n"
    )
    result = script.rewrite(path, script.sdk_names())
    assert result.text == (
        "from pmo_graph.sdk import PLUGIN_API as PLUGIN_API_VERSION, hookimpl, to_global_id, "
        "utcnow as now\n"
        "from pmo_graph.app_state import AppState\n"
        "from pmo_graph.testing import GraphQLClient\n"
        "from my_plugin.models import Note\n"
        "\n"
        "\n"
        "def later() -> None:\n"
        "    from pmo_graph.sdk import get_context\n"
    )
    assert [(u.module, u.names) for u in result.unmapped] == [
        ("pmo_graph.app_state", ("AppState",))
    ]


def test_the_script_rewrites_markdown_code_and_checks_without_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = sdk_imports()
    page = tmp_path / "README.md"
    original = (
        "Use it:\n\n```python\nfrom pmo_graph.plugins import Tier, hookimpl\n```\n\n"
        "```python\nfrom pmo_graph.graphql.ids import parse_pk\n```\n"
    )
    page.write_text(original)
    assert script.main(["--check", str(page)]) == 1
    assert page.read_text() == original
    assert f"{page}: would rewrite lines 4, 8" in capsys.readouterr().out
    assert script.main([str(page)]) == 0
    assert page.read_text() == (
        "Use it:\n\n```python\nfrom pmo_graph.sdk import Tier, hookimpl\n```\n\n"
        "```python\nfrom pmo_graph.sdk import parse_pk\n```\n"
    )
    assert script.main(["--check", str(page)]) == 0


def test_no_plugin_reaches_into_the_app() -> None:
    """``context.app`` is the core's: a plugin asks the SDK (``authorize``, ``permission_for``,
    ``list_size``, ``page_args``, ...) for what it needs of it."""
    packages = [
        REPO / "plugins" / "pso" / "pmo_graph_pso",
        REPO / "plugins" / "portfolio" / "pmo_graph_portfolio",
        REPO / "plugins" / "pmo" / "pmo_graph_pmo",
        REPO / "examples" / "pmo-graph-lessons" / "pmo_graph_lessons",
    ]
    reaches = [
        f"{path.relative_to(REPO)}:{node.lineno}"
        for package in packages
        for path in sorted(package.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr == "app"
    ]
    assert reaches == []
