"""The core's layers (docs/architecture.md): written down as an import-linter contract and kept.

No module imports itself through others (``TYPE_CHECKING`` imports included), every module has
a layer, the event bus loads without GraphQL, and the server's ``AppState`` is every ``App``
protocol a lower layer sees it as.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import subprocess
import sys
import tomllib
import typing
import warnings
from pathlib import Path

import grimp
import pytest
from starlette.applications import Starlette

import pmo_graph.sdk as sdk
from pmo_graph import _deprecated
from pmo_graph.app_state import AppState
from pmo_graph.computations import ComputingApp
from pmo_graph.graphql.authentication import AccessApp
from pmo_graph.graphql.compiled.extension import CompilingApp
from pmo_graph.graphql.compiled.fast_lane import LaneApp
from pmo_graph.graphql.cost_limits import BudgetedApp
from pmo_graph.graphql.mutations import CodesApp
from pmo_graph.installation.queries import InstalledApp
from pmo_graph.maturity.registry import MaturityApp
from pmo_graph.realtime.publish import BusApp
from pmo_graph.request.app import App
from pmo_graph.standards import StandardsApp
from pmo_graph.webhooks.mutations import WebhooksApp
from pmo_graph.webhooks.outbox import OutboxApp

ROOT = "pmo_graph"
REPOSITORY = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    """Every import between pmo_graph's modules, ``TYPE_CHECKING`` and function-local ones
    included (grimp's default)."""
    return grimp.build_graph(ROOT, include_external_packages=False)


def circles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """One shortest circle through each import that closes one, as its modules in order."""
    found: set[tuple[str, ...]] = set()
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                circle = (importer, *back[:-1])
                start = circle.index(min(circle))
                found.add(circle[start:] + circle[:start])
    return sorted(found)


def test_no_module_imports_itself_through_others(graph: grimp.ImportGraph) -> None:
    assert circles(graph) == []


def test_circles_are_found() -> None:
    """The check above would see a circle, a TYPE_CHECKING one included."""
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b", line_number=1, line_contents="import p.b")
    graph.add_import(importer="p.b", imported="p.c", line_number=1, line_contents="import p.c")
    graph.add_import(importer="p.c", imported="p.a", line_number=9, line_contents="import p.a")
    assert circles(graph) == [("p.a", "p.b", "p.c")]


def test_the_event_bus_loads_without_the_graphql_libraries() -> None:
    """A worker that only fans out events (``realtime.bus``) loads neither strawberry nor
    graphql-core: the bus sits below the GraphQL layer."""
    probe = (
        "import sys, pmo_graph.realtime.bus; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'strawberry', 'graphql'}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def layer_contract() -> dict[str, typing.Any]:
    """The ``layers`` contract of pyproject.toml."""
    config = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    assert isinstance(contract, dict)
    return contract


def placed_modules(contract: dict[str, typing.Any]) -> set[str]:
    """Every module (or package) a layer of ``contract`` names, in full."""
    (container,) = contract["containers"]
    names = set()
    for layer in contract["layers"]:
        for separator in ("|", ":"):
            layer = layer.replace(separator, "\n")
        names |= {f"{container}.{name.strip()}" for name in layer.split() if name.strip()}
    return names


def is_docstring_or_shim(module: str) -> bool:
    """Whether ``module``'s own code is a docstring, or a deprecation shim (``moved``)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None
    assert spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text())
    body = [
        n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
    ]
    return not body or "moved(" in ast.unparse(tree)


def test_every_module_has_a_layer(graph: grimp.ImportGraph) -> None:
    """No module escapes the contract: each is named by a layer or sits in a package that is.
    The exceptions import nothing of their own: the root package, and the ``__init__`` of a
    package whose modules sit in different layers (a docstring, or the shim of the names it
    used to re-export)."""
    placed = placed_modules(layer_contract())
    unplaced = {
        module
        for module in graph.modules
        if not any(module == p or module.startswith(p + ".") for p in placed)
    }
    split_packages = {m for m in unplaced if m != ROOT and graph.find_children(m)}
    assert unplaced - split_packages == {ROOT}
    assert {p for p in split_packages if not is_docstring_or_shim(p)} == set()
    # The root holds the version and the plugin API version, and imports none of its modules.
    assert graph.find_modules_directly_imported_by(ROOT) == set()


def test_the_layer_check_sees_a_module_left_out() -> None:
    """``placed_modules`` reads the layers as import-linter does: ``:`` joins modules."""
    contract = {"containers": ["p"], "layers": ["a : b.c\n: d", "e"]}
    assert placed_modules(contract) == {"p.a", "p.b.c", "p.d", "p.e"}


def app_protocols() -> list[type]:
    """Every protocol of pmo_graph that extends ``App``: how a layer sees ``Context.app``."""
    graph = grimp.build_graph(ROOT, include_external_packages=False)
    found: set[type] = {App}
    for name in sorted(graph.modules - {f"{ROOT}.__main__"}):
        module = importlib.import_module(name)
        for value in list(vars(module).values()):
            if (
                isinstance(value, type)
                and getattr(value, "_is_protocol", False)
                and App in value.__mro__
            ):
                found.add(value)
    return sorted(found, key=lambda p: f"{p.__module__}.{p.__qualname__}")


def protocol_members(protocol: type) -> set[str]:
    """The attributes and methods ``protocol`` (and the protocols it extends) declares."""
    names: set[str] = set()
    for base in protocol.__mro__:
        if base is typing.Protocol or not getattr(base, "_is_protocol", False):
            continue
        names |= {n for n in vars(base) if not n.startswith("_")}
        names |= set(getattr(base, "__annotations__", {}))
    return names


@pytest.mark.pmo_backends("sqlite")
def test_the_app_state_is_every_app_protocol(pmo_app: Starlette) -> None:
    """Below the server nothing names ``AppState``: each layer reads ``Context.app`` through a
    protocol (``cast`` where it needs more than ``App``). The running app has every member
    each one declares (the type checker proves the types, in ``_as_protocols``)."""
    state: AppState = pmo_app.state.pmo
    protocols = app_protocols()
    assert len(protocols) > 5  # the protocols are found: App and the layers' own
    missing = {
        f"{p.__module__}.{p.__qualname__}.{member}"
        for p in protocols
        for member in protocol_members(p)
        if not hasattr(state, member)
    }
    assert missing == set()
    assert _as_protocols(state)


def _as_protocols(state: AppState) -> tuple[object, ...]:
    """``state`` as each ``App`` protocol; mypy checks that AppState satisfies every one."""
    app: App = state
    access: AccessApp = state
    budgeted: BudgetedApp = state
    bus: BusApp = state
    codes: CodesApp = state
    compiling: CompilingApp = state
    computing: ComputingApp = state
    installed: InstalledApp = state
    lane: LaneApp = state
    maturity: MaturityApp = state
    outbox: OutboxApp = state
    standards: StandardsApp = state
    webhooks: WebhooksApp = state
    return (
        app,
        access,
        budgeted,
        bus,
        codes,
        compiling,
        computing,
        installed,
        lane,
        maturity,
        outbox,
        standards,
        webhooks,
    )


def shim_modules() -> list[str]:
    """Every module that keeps old import paths working (``_deprecated.moved``)."""
    graph = grimp.build_graph(ROOT, include_external_packages=False)
    return sorted(m for m in graph.modules if m != f"{ROOT}.__main__" and _is_shim(m))


def _is_shim(module: str) -> bool:
    spec = importlib.util.find_spec(module)
    assert spec is not None
    assert spec.origin is not None
    return "__getattr__ = moved(" in Path(spec.origin).read_text()


def old_paths() -> list[tuple[str, str, str]]:
    """``(old module, name, new module)`` of every name that moved."""
    for module in shim_modules():
        importlib.import_module(module)
    return sorted(
        (old, name, new) for old, names in _deprecated.MOVES.items() for name, new in names.items()
    )


@pytest.mark.parametrize(("old", "name", "new"), old_paths())
def test_an_old_path_warns_and_gives_the_very_object(old: str, name: str, new: str) -> None:
    module = importlib.import_module(old)
    with pytest.warns(DeprecationWarning, match=" is deprecated: ") as warned:
        value = getattr(module, name)
    assert value is getattr(importlib.import_module(new), name)
    replacement = "pmo_graph.sdk" if name in sdk.__all__ else new
    assert [str(w.message) for w in warned] == [
        f"{old}.{name} is deprecated: import {name} from {replacement} "
        "(the old path works until pmo-graph 0.3)"
    ]
    assert warned[0].filename == __file__  # the warning points at the line that asked


def test_an_old_from_import_warns_at_the_importing_line() -> None:
    """``from old import name`` warns at that line (compiled here, since no file of the core
    may hold an old import)."""
    statement = compile("from pmo_graph.graphql.context import Context", __file__, "exec")
    with pytest.warns(
        DeprecationWarning, match=r"pmo_graph\.graphql\.context\.Context is"
    ) as warned:
        exec(statement, {})
    assert warned[0].filename == __file__


def test_a_name_that_never_was_is_no_attribute() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nothing'"):
        importlib.import_module("pmo_graph.graphql.context").Nothing  # noqa: B018


def test_every_import_of_the_plugins_resolves() -> None:
    """What the first-party tiers and the example plugin import from the core today is found,
    through a shim where it moved."""
    sources = [
        *REPOSITORY.glob("plugins/*/pmo_graph_*/**/*.py"),
        *REPOSITORY.glob("plugins/*/tests/**/*.py"),
        *REPOSITORY.glob("examples/*/pmo_graph_*/**/*.py"),
        *REPOSITORY.glob("examples/*/tests/**/*.py"),
    ]
    imported = {
        (node.module, alias.name)
        for path in sources
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module and _in_core(node.module)
        for alias in node.names
    }
    assert len(imported) > 50  # the plugins' imports are found
    unresolved = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for module_name, name in sorted(imported):
            module = importlib.import_module(module_name)
            if (
                not hasattr(module, name)
                and importlib.util.find_spec(f"{module_name}.{name}") is None
            ):
                unresolved.append(f"{module_name}.{name}")
    assert unresolved == []


def _in_core(module: str) -> bool:
    return module == ROOT or module.startswith(ROOT + ".")


def core_sources() -> list[Path]:
    """The files of the core and what ships with it: package, tests, bench, scripts, alembic."""
    return sorted(
        path
        for folder in ("pmo_graph", "tests", "bench", "scripts", "alembic")
        for path in (REPOSITORY / folder).rglob("*.py")
        # the example plugin as the 1.0 docs wrote it, kept to prove the old paths still work
        if (REPOSITORY / "tests" / "fixtures") not in path.parents
    )


def test_no_core_file_imports_through_an_old_path() -> None:
    """The core, its tests, bench, scripts and migrations import every moved name from its new
    module: the shims serve plugins only."""
    moved = {(old, name) for old, name, _new in old_paths()}
    assert moved  # the old paths are found
    through_shims = [
        f"{path.relative_to(REPOSITORY)}:{node.lineno} {node.module}.{alias.name}"
        for path in core_sources()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
        if (node.module, alias.name) in moved
    ]
    assert through_shims == []


def pure_shims() -> list[str]:
    """The shims that define nothing of their own: every name they answer moved."""
    return [m for m in shim_modules() if not _defines_anything(m)]


def _defines_anything(module: str) -> bool:
    spec = importlib.util.find_spec(module)
    assert spec is not None
    assert spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text())
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return any(isinstance(node, definitions) for node in tree.body)


def test_no_core_module_imports_a_shim_module(graph: grimp.ImportGraph) -> None:
    """As the import graph has it: no module imports a shim that only answers moved names."""
    shims = pure_shims()
    assert f"{ROOT}.graphql.context" in shims  # the shims are found
    importers = {m: sorted(graph.find_modules_that_directly_import(m)) for m in shims}
    assert {m: found for m, found in importers.items() if found} == {}


def test_a_core_module_importing_through_an_old_path_fails_the_suite() -> None:
    """pyproject.toml's ``filterwarnings`` turns the shims' warning into an error when a module
    of pmo_graph asks for an old path, at run time as well (a plugin's module only warns)."""
    statement = compile("from pmo_graph.graphql.ids import to_global_id", __file__, "exec")
    with pytest.raises(DeprecationWarning, match=r"pmo_graph\.graphql\.ids\.to_global_id is"):
        exec(statement, {"__name__": "pmo_graph.some_core_module"})
    with pytest.warns(DeprecationWarning, match=r"pmo_graph\.graphql\.ids\.to_global_id is"):
        exec(statement, {"__name__": "pmo_graph_some_plugin.module"})
