"""The core's layers: no import circle, the event bus without GraphQL, the old paths as shims."""

from __future__ import annotations

import subprocess
import sys

import grimp
import pytest

ROOT = "pmo_graph"


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
