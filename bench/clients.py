"""The real client documents (``bench/frontend/documents``: relay-compiler's and Apollo Client's
output) as benchmark cases, their variables filled from the bench data.

Each document's ``.json`` says what its variables must be (``bench/frontend/README.md``): a
node of some type, a fixed value, or a second page's cursor. A cursor is the peer's own (every
server writes its own): the bench asks the peer the first page and reads it from the answer
(``Bench.resolve``), so a ``Request`` here leaves it as an ``After`` to fill.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench.cases import Case, Request
from bench.database import POSTGRES, STATE, BenchDatabase
from pmo_graph.ids import to_global_id

DOCUMENTS = Path(__file__).resolve().parent / "frontend" / "documents"

#: The table behind each type a document's variable names.
TABLES = {
    "Portfolio": "portfolios",
    "Programme": "programmes",
    "Project": "projects",
    "Benefit": "benefits",
    "Person": "people",
    "User": "users",
}

#: How many different requests a client case makes (each with other nodes): few enough that
#: the second pages' cursors are all read before timing starts.
VARIANTS = 4


@dataclass(frozen=True)
class After:
    """A second page's cursor: the one at ``path`` of the answer to ``document`` (the first
    page), asked with the same values of the variables both declare."""

    document: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class ClientDocument:
    """One document of the fixture: its operation's name and text, the screen it serves, the
    tool that wrote it, and what each variable must be."""

    name: str
    text: str
    screen: str
    tool: str
    variables: dict[str, dict[str, Any]]

    @property
    def node_types(self) -> dict[str, str]:
        """The variables that take a node's global id, and the node's type."""
        return {n: spec["node"] for n, spec in self.variables.items() if "node" in spec}

    @property
    def after(self) -> dict[str, After]:
        """The variables that take a cursor of an earlier page."""
        return {
            n: After(spec["endCursor"]["document"], tuple(spec["endCursor"]["path"]))
            for n, spec in self.variables.items()
            if "endCursor" in spec
        }

    def request(self, ids: Mapping[str, Sequence[int]], i: int) -> Request:
        """The ``i``-th request (one of ``VARIANTS``): nodes picked from ``ids`` (keys by type),
        values as given, cursors left as ``After`` for the bench to fill."""
        variant = i % VARIANTS
        variables: dict[str, Any] = {}
        keys: dict[str, int] = {}
        for name, spec in self.variables.items():
            if "node" in spec:
                of_type = ids[spec["node"]]
                keys[name] = of_type[(variant * 7919) % len(of_type)]
                variables[name] = to_global_id(spec["node"], keys[name])
            elif "value" in spec:
                variables[name] = spec["value"]
            else:
                variables[name] = self.after[name]
        # The signed-in user (the bench's token is the organisation's first user's), for
        # peers that have no viewer.
        keys["viewer"] = ids["User"][0]
        return Request(self.text, variables, keys)


def documents(folder: Path = DOCUMENTS) -> list[ClientDocument]:
    """The fixture's documents, by name."""
    found = []
    for path in sorted(folder.glob("*.graphql")):
        meta = json.loads(path.with_suffix(".json").read_text())
        found.append(
            ClientDocument(
                path.stem, path.read_text(), meta["screen"], meta["tool"], meta["variables"]
            )
        )
    return found


DOCUMENT_BY_NAME = {d.name: d for d in documents()}

#: One case per document, named after it; ``Case.make`` is unused (``ClientDocument.request``
#: needs the ids of more types than the loaded data lists).
CLIENT_CASES = [
    Case(d.name, d.screen, lambda _data, _i: Request("", {}, {}), client=True)
    for d in DOCUMENT_BY_NAME.values()
]


def first_page(request: Request, document: ClientDocument, after: After) -> Request:
    """The request for the first page ``after`` names, with ``request``'s values of the
    variables both documents declare."""
    first = DOCUMENT_BY_NAME[after.document]
    variables = {n: v for n, v in request.variables.items() if n in first.variables}
    keys = {n: k for n, k in request.keys.items() if n in first.variables}
    missing = set(first.variables) - set(variables)
    if missing:
        raise ValueError(f"{document.name}: {after.document} also takes {sorted(missing)}")
    return Request(first.text, variables, keys)


def at(value: Any, path: Sequence[str]) -> Any:
    """The value at ``path`` of an answer's data."""
    for step in path:
        value = value[step]
    return value


async def _pg_ids(database: BenchDatabase) -> dict[str, list[int]]:
    connection = await asyncpg.connect(f"postgresql://{POSTGRES}/{database.name}")
    try:
        return {
            type_name: [
                row["id"]
                for row in await connection.fetch(
                    f"SELECT id FROM {table} WHERE organisation_id = $1 ORDER BY id",
                    database.data.organisation_id,
                )
            ]
            for type_name, table in TABLES.items()
        }
    finally:
        await connection.close()


def node_ids(database: BenchDatabase) -> dict[str, list[int]]:
    """The keys of the organisation's rows of each type in ``TABLES``, in order."""
    if database.kind == "postgresql":
        return asyncio.run(_pg_ids(database))
    with sqlite3.connect(STATE / f"{database.name}.sqlite3") as connection:
        return {
            type_name: [
                row[0]
                for row in connection.execute(
                    f"SELECT id FROM {table} WHERE organisation_id = ? ORDER BY id",
                    (database.data.organisation_id,),
                )
            ]
            for type_name, table in TABLES.items()
        }
