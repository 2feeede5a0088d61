"""Every document of the benchmark's real-client fixture (bench/frontend/documents: what
relay-compiler and Apollo Client send) is answered on PostgreSQL and SQLite by one compiled statement with
the resolvers' data, second pages included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from test_pmo_compiled import _both, built_json, world  # noqa: F401 - the world fixture

from pmo_graph.app_state import AppState
from pmo_graph.sdk import to_global_id
from pmo_graph.testing import StatementCounter, access_statements
from pmo_graph_pmo.models import Benefit

DOCUMENTS = Path(__file__).resolve().parents[3] / "bench" / "frontend" / "documents"


def _documents() -> list[Path]:
    return sorted(DOCUMENTS.glob("*.graphql"))


#: Each document's text and what its variables must be, by its name.
TEXTS = {path.stem: path.read_text() for path in _documents()}
METAS = {path.stem: json.loads(path.with_suffix(".json").read_text()) for path in _documents()}


async def _variables(
    world: dict[str, Any],  # noqa: F811
    db_session: AsyncSession,
    name: str,
) -> dict[str, Any]:
    """The document's variables as its ``.json`` says, in the world: an object of the type,
    a value, or the end cursor of the first page's answer (asked by the resolvers)."""
    meta = METAS[name]
    benefit = await db_session.scalar(
        select(Benefit.id).where(Benefit.organisation_id == world["org"].id).order_by(Benefit.id)
    )
    ids = {
        "Portfolio": world["portfolio"],
        "Project": world["project"],
        "Benefit": to_global_id("Benefit", benefit),
    }
    variables: dict[str, Any] = {}
    for name, spec in meta["variables"].items():
        if "node" in spec:
            variables[name] = ids[spec["node"]]
        elif "value" in spec:
            variables[name] = spec["value"]
    for name, spec in meta["variables"].items():
        if "endCursor" in spec:
            first = DOCUMENTS / f"{spec['endCursor']['document']}.graphql"
            shared = {
                key: value for key, value in variables.items() if f"${key}" in first.read_text()
            }
            answer: Any = await world["org"].admin.query(first.read_text(), shared)
            for step in spec["endCursor"]["path"]:
                answer = answer[step]
            assert isinstance(answer, str), f"no end cursor at {spec['endCursor']['path']}"
            variables[name] = answer
    return variables


@pytest.mark.parametrize("name", list(TEXTS))
async def test_every_fixture_document_is_one_statement_with_the_resolvers_data(
    world: dict[str, Any],  # noqa: F811
    pmo_state: AppState,
    count_statements: StatementCounter,
    db_session: AsyncSession,
    name: str,
) -> None:
    variables = await _variables(world, db_session, name)
    compiled, resolved, statements = await _both(
        world["org"], pmo_state, count_statements, TEXTS[name], variables
    )
    assert compiled == resolved
    assert statements == access_statements(pmo_state) + 1, count_statements.statements
    assert built_json(count_statements.statements[statements - 1])
    # asked again, the fast lane answers it with the kept plan, the values bound again
    answered = pmo_state.fast_lane.answered
    assert await world["org"].admin.query(TEXTS[name], variables) == resolved
    assert pmo_state.fast_lane.answered == answered + 1


def test_the_fixture_is_there() -> None:
    assert len(TEXTS) >= 12
