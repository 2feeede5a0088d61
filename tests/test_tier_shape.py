"""Every tier package has the same shape: the same file for the same role (docs/writing_plugins.md,
"The shape of a plugin package"), so a reader who knows one tier finds their way in every other."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from pmo_graph.plugins import Manifest, Tier

REPO = Path(__file__).resolve().parent.parent

#: import name of each tier package, and its folder
PACKAGES = {
    "pmo_graph_pso": REPO / "plugins/pso/pmo_graph_pso",
    "pmo_graph_portfolio": REPO / "plugins/portfolio/pmo_graph_portfolio",
    "pmo_graph_pmo": REPO / "plugins/pmo/pmo_graph_pmo",
    "pmo_graph_lessons": REPO / "examples/pmo-graph-lessons/pmo_graph_lessons",
}

#: the class (or function) that declares a role's objects, and the only module that may call it
DECLARED_IN = {
    "Tier": "tier.py",
    "Standard": "standards.py",
    "EventType": "events.py",
    "UserErrorCodeSpec": "user_error_codes.py",
    "permission": "permissions.py",
    "Question": "maturity.py",
    "Measure": "maturity.py",
}

#: the hooks that do work, which plugin.py writes as functions beside its MANIFEST
WORKING_HOOKS = {"handle_event", "handle_event_in_transaction", "seed_demo"}

#: the layout table's rows: role file, what it holds (checked against the docs)
ROLE_FILES = (
    "tier.py",
    "models.py",
    "enums.py",
    "refs.py",
    "loaders.py",
    "permissions.py",
    "standards.py",
    "events.py",
    "user_error_codes.py",
    "subscriptions.py",
    "maturity.py",
    "demo.py",
    "plugin.py",
)


#: the first-party tiers, installed with pmo-graph's dev environment; the example is read, not
#: imported, since importing it would add its tables to the core's metadata
INSTALLED = ("pmo_graph_pso", "pmo_graph_portfolio", "pmo_graph_pmo")


def _tree(package: str, module: str) -> ast.Module:
    path = PACKAGES[package] / module
    return ast.parse(path.read_text(), filename=str(path))


def _assignments(tree: ast.Module) -> dict[str, ast.expr]:
    return {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _imported(tree: ast.Module) -> dict[str, str]:
    """Each name a module imports, and the module it comes from."""
    return {
        alias.asname or alias.name: node.module or ""
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def _called_names(path: Path) -> set[str]:
    """Names of the things a module calls: ``Tier(...)``, ``standards.Standard(...)``."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def _modules(folder: Path) -> list[Path]:
    """The package's modules, those of its sub-packages included, but not its migrations."""
    return sorted(
        p for p in folder.rglob("*.py") if "migrations" not in p.relative_to(folder).parts
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_has_tier_py_with_key_and_tier(package: str) -> None:
    assigned = _assignments(_tree(package, "tier.py"))
    key, tier = assigned["KEY"], assigned["TIER"]
    assert isinstance(key, ast.Constant)
    assert isinstance(key.value, str)
    assert isinstance(tier, ast.Call)
    assert ast.unparse(tier.func) == "Tier"
    assert [ast.unparse(k.value) for k in tier.keywords if k.arg == "key"] == ["KEY"]


@pytest.mark.parametrize("package", INSTALLED)
def test_an_installed_tiers_tier_key_is_its_key(package: str) -> None:
    tier = importlib.import_module(f"{package}.tier")
    assert isinstance(tier.TIER, Tier)
    assert tier.TIER.key == tier.KEY


@pytest.mark.parametrize("package", PACKAGES)
def test_each_role_is_declared_in_its_own_module_only(package: str) -> None:
    misplaced = [
        f"{path.name} calls {name}(...), which belongs in {home}"
        for path in _modules(PACKAGES[package])
        for name, home in DECLARED_IN.items()
        if path.name != home and name in _called_names(path)
    ]
    assert misplaced == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_keeps_a_tier_key_string_of_its_own(package: str) -> None:
    key = _assignments(_tree(package, "tier.py"))["KEY"]
    assert isinstance(key, ast.Constant)
    strays = [
        f"{path.name}: {name} = {key.value!r}"
        for path in _modules(PACKAGES[package])
        if path.name != "tier.py"
        for name, value in _assignments(ast.parse(path.read_text())).items()
        if isinstance(value, ast.Constant) and value.value == key.value
    ]
    assert strays == []


#: manifest field, the name plugin.py passes, and the role module that name comes from
MANIFEST_SOURCES = {
    "tiers": ("[TIER]", "tier"),
    "standards": ("STANDARDS", "standards"),
    "event_types": ("EVENT_TYPES", "events"),
    "user_error_codes": ("USER_ERROR_CODES", "user_error_codes"),
}


@pytest.mark.parametrize("package", PACKAGES)
def test_plugin_py_is_a_manifest_of_the_role_modules_and_the_working_hooks(package: str) -> None:
    tree = _tree(package, "plugin.py")
    manifest = _assignments(tree)["MANIFEST"]
    assert isinstance(manifest, ast.Call)
    assert ast.unparse(manifest.func) == "Manifest"
    given = {k.arg: ast.unparse(k.value) for k in manifest.keywords}
    imported = _imported(tree)
    for field, (value, module) in MANIFEST_SOURCES.items():
        if (PACKAGES[package] / f"{module}.py").exists():
            assert given[field] == value, field
            assert imported[value.strip("[]")] == f"{package}.{module}", field
    if (PACKAGES[package] / "maturity.py").exists():
        assert given["maturity_questions"] == "maturity.QUESTIONS"
        assert given["maturity_measures"] == "maturity.MEASURES"
    functions = [
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    assert set(functions) <= WORKING_HOOKS


@pytest.mark.parametrize("package", INSTALLED)
def test_an_installed_tiers_manifest_is_what_its_role_modules_declare(package: str) -> None:
    plugin = importlib.import_module(f"{package}.plugin")
    manifest = plugin.MANIFEST
    assert isinstance(manifest, Manifest)
    assert list(manifest.tiers or ()) == [importlib.import_module(f"{package}.tier").TIER]
    assert manifest.standards is importlib.import_module(f"{package}.standards").STANDARDS
    assert manifest.event_types is importlib.import_module(f"{package}.events").EVENT_TYPES
    hooks = {name for name in vars(plugin) if hasattr(getattr(plugin, name), "pmo_graph_impl")}
    assert hooks <= WORKING_HOOKS


def test_the_layout_table_names_every_role_file() -> None:
    text = (REPO / "docs/writing_plugins.md").read_text()
    section = text.split("### The shape of a plugin package\n", 1)[1].split("\n## ", 1)[0]
    rows = {
        line.split("|")[1].strip().strip("`")
        for line in section.splitlines()
        if line.startswith("| `")
    }
    assert rows == set(ROLE_FILES)
    for package, folder in PACKAGES.items():
        assert (folder / "tier.py").exists(), package
        assert (folder / "plugin.py").exists(), package
        assert (folder / "standards.py").exists(), package
        assert (folder / "events.py").exists(), package
