"""Documents in the shape real clients send (relay-compiler's output: ``id`` and ``__typename``
beside every spread, ``edges { cursor node { __typename … } }``, ``pageInfo``, fragments, variables
with defaults) take the compiled path on PostgreSQL and SQLite: one statement, the resolvers' data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from test_pmo_compiled import _both, built_json, world  # noqa: F401 - the world fixture

from pmo_graph.app_state import AppState
from pmo_graph.sdk import Project
from pmo_graph.testing import StatementCounter, access_statements

CARD = """
fragment ProjectCard_project on Project {
  id code name stage budget updatedAt createdAt
  manager { id name }
  latestStatus { id overall periodEnding submittedAt submittedBy { id name email } }
}
"""

PROJECTS_PAGE = (
    """
query ProjectsPageQuery($count: Int = 3, $cursor: String, $filter: ProjectFilter = {}) {
  ...ProjectsPage_query
}
fragment ProjectsPage_query on Query {
  projects(first: $count, after: $cursor, filter: $filter) {
    edges { node { id ...ProjectCard_project __typename } cursor }
    pageInfo { endCursor hasNextPage }
  }
  viewer { __typename user { id name email roles person { id name } } organisation { id name slug } }
}
"""
    + CARD
)

BACKWARDS = """
query ProjectsBackQuery($last: Int = 2, $before: String) {
  projects(last: $last, before: $before) {
    __typename totalCount
    edges { __typename cursor node { __typename id code } }
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

REFETCH = (
    """
query ProjectCardRefetchQuery($id: ID!) {
  node(id: $id) { __typename ...ProjectCard_project id }
}
"""
    + CARD
)

SEVERAL_TYPES = """
query NodesQuery($a: ID!, $b: ID!, $ids: [ID!]!) {
  a: node(id: $a) { __typename id ...Thing }
  b: node(id: $b) { __typename id ...Thing }
  nodes(ids: $ids) { __typename id ...Thing }
}
fragment Thing on Node {
  __typename
  ... on Project { code portfolio { id name } }
  ... on Portfolio { name projects(first: 2) { totalCount edges { cursor node { id code } } } }
}
"""

PORTFOLIO_PAGE = """
query PortfolioPageQuery($id: ID!, $count: Int = 2, $cursor: String) {
  node(id: $id) {
    __typename id
    ... on Portfolio {
      name manager { id name } createdAt
      projects(first: $count, after: $cursor) {
        totalCount
        edges { cursor node { __typename id code stage } }
        pageInfo { endCursor hasNextPage hasPreviousPage startCursor }
      }
      programmes(first: 5) { edges { cursor node { id name } } pageInfo { endCursor hasNextPage } }
    }
  }
}
"""

HISTORY = """
query StatusHistoryQuery($id: ID!, $count: Int = 2, $cursor: String) {
  node(id: $id) {
    __typename id
    ...StatusHistory_project
  }
}
fragment StatusHistory_project on Project {
  id
  statusReports(first: $count, after: $cursor) {
    edges { cursor node { __typename id periodEnding overall summary submittedAt
      submittedBy { id name } } }
    pageInfo { endCursor hasNextPage }
  }
  benefitContributions { share benefit { id name owner { name } programme { id name }
    measurements(first: $count) {
      totalCount edges { cursor node { measuredOn value recordedAt } }
      pageInfo { endCursor hasNextPage } } } }
}
"""

FILTERED = """
query FilteredQuery($stages: [ProjectStage!], $search: String, $portfolio: ID) {
  projects(first: 10, filter: {stage: $stages, search: $search, portfolioId: $portfolio}) {
    totalCount edges { cursor node { id code stage } } pageInfo { hasNextPage endCursor }
  }
  empty: projects(filter: {}) { totalCount }
  people(first: 2, search: "p") { totalCount nodes { name } }
}
"""

DIRECTIVES = """
query DirectivesQuery($withManager: Boolean!, $bare: Boolean = false) {
  projects(first: 3) {
    edges { node { id code manager @include(if: $withManager) { name }
      ... @skip(if: $bare) { name stage } } }
  }
  viewer @skip(if: true) { user { id } }
}
"""

Case = tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]

#: Each document, with its variables in the world (``test_pmo_compiled.world``).
CASES: dict[str, Case] = {
    "projects page": (PROJECTS_PAGE, lambda w: {}),
    "projects page, filtered": (
        PROJECTS_PAGE,
        lambda w: {"count": 2, "filter": {"stage": ["ACTIVE", "PROPOSED"], "search": " P "}},
    ),
    "backwards": (BACKWARDS, lambda w: {}),
    "refetch": (REFETCH, lambda w: {"id": w["project"]}),
    "refetch, no report": (REFETCH, lambda w: {"id": w["bare"]}),
    "several types": (
        SEVERAL_TYPES,
        lambda w: {
            "a": w["project"],
            "b": w["portfolio"],
            "ids": [w["portfolio"], w["foreign"], w["project"]],
        },
    ),
    "portfolio page": (PORTFOLIO_PAGE, lambda w: {"id": w["portfolio"]}),
    "status history": (HISTORY, lambda w: {"id": w["project"]}),
    "filtered": (
        FILTERED,
        lambda w: {"stages": ["ACTIVE"], "search": "p", "portfolio": w["portfolio"]},
    ),
    "filtered, nulls": (FILTERED, lambda w: {"search": "   "}),
    "directives on": (DIRECTIVES, lambda w: {"withManager": True}),
    "directives off": (DIRECTIVES, lambda w: {"withManager": False, "bare": True}),
}


async def _one_statement(
    world: dict[str, Any],  # noqa: F811
    state: AppState,
    counter: StatementCounter,
    document: str,
    variables: dict[str, Any],
) -> dict[str, Any]:
    """The compiled data, after checking it is the resolvers' and one statement."""
    compiled, resolved, statements = await _both(world["org"], state, counter, document, variables)
    assert compiled == resolved
    assert statements == access_statements(state) + 1, counter.statements
    assert built_json(counter.statements[statements - 1])  # not a resolver's
    return compiled


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
async def test_client_documents_are_one_statement_with_the_resolvers_data(
    world: dict[str, Any],  # noqa: F811
    pmo_state: AppState,
    count_statements: StatementCounter,
    case: str,
) -> None:
    document, variables = CASES[case]
    await _one_statement(world, pmo_state, count_statements, document, variables(world))


async def test_second_pages_and_backwards_pages_follow_the_cursors(
    world: dict[str, Any],  # noqa: F811
    pmo_state: AppState,
    count_statements: StatementCounter,
) -> None:
    """Page by page forwards (``after`` each ``endCursor``) and back (``before`` each
    ``startCursor``), every page one statement with the resolvers' cursors."""
    args = (world, pmo_state, count_statements)
    seen: list[str] = []
    cursor = None
    while True:
        data = await _one_statement(*args, PROJECTS_PAGE, {"count": 2, "cursor": cursor})
        page = data["projects"]
        seen += [edge["node"]["code"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    assert len(seen) == 7
    assert seen == sorted(seen)
    back: list[str] = []
    before = None
    while True:
        data = await _one_statement(*args, BACKWARDS, {"last": 3, "before": before})
        page = data["projects"]
        back = [edge["node"]["code"] for edge in page["edges"]] + back
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert back == seen
    history = await _one_statement(*args, HISTORY, {"id": world["project"], "count": 1})
    reports = history["node"]["statusReports"]
    assert reports["pageInfo"]["hasNextPage"]
    await _one_statement(
        *args,
        HISTORY,
        {"id": world["project"], "count": 1, "cursor": reports["pageInfo"]["endCursor"]},
    )
    portfolio = await _one_statement(*args, PORTFOLIO_PAGE, {"id": world["portfolio"], "count": 1})
    projects = portfolio["node"]["projects"]
    variables = {"id": world["portfolio"], "count": 1, "cursor": projects["pageInfo"]["endCursor"]}
    await _one_statement(*args, PORTFOLIO_PAGE, variables)


async def test_timestamps_print_as_the_resolvers_print_them(
    world: dict[str, Any],  # noqa: F811
    pmo_state: AppState,
    count_statements: StatementCounter,
    db_session: AsyncSession,
) -> None:
    """With and without microseconds, the compiled text is ``isoformat()``'s."""
    moments = [
        datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC),
        datetime(2026, 11, 2, 3, 4, 5, 120, tzinfo=UTC),
        datetime(1999, 1, 9, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    ids = []
    for moment in moments:
        project = Project(organisation_id=world["org"].id, code=f"T{moment.microsecond}", name="T")
        db_session.add(project)
        await db_session.flush()
        await db_session.execute(
            update(Project).where(Project.id == project.id).values(updated_at=moment)
        )
        ids.append(project.id)
    await db_session.commit()
    data = await _one_statement(
        world,
        pmo_state,
        count_statements,
        '{ projects(first: 20, filter: {search: "T"}) { nodes { code updatedAt } } }',
        {},
    )
    printed = {node["code"]: node["updatedAt"] for node in data["projects"]["nodes"]}
    assert [printed[f"T{m.microsecond}"] for m in moments] == [m.isoformat() for m in moments]
    assert printed["T0"] == "2026-11-02T03:04:05+00:00"


async def test_cursors_of_any_text_are_the_resolvers(
    world: dict[str, Any],  # noqa: F811
    pmo_state: AppState,
    count_statements: StatementCounter,
    db_session: AsyncSession,
) -> None:
    """A code with quotes, backslashes, control characters and emoji: the same cursor string."""
    for code in ['A"q\\b', "A\ttab\u0001", "Aé😀", "A'"]:
        db_session.add(Project(organisation_id=world["org"].id, code=code, name="odd"))
    await db_session.commit()
    data = await _one_statement(world, pmo_state, count_statements, BACKWARDS, {"last": 20})
    assert len(data["projects"]["edges"]) == 11  # the world's 7 and these 4
    after = data["projects"]["edges"][2]["cursor"]
    await _one_statement(world, pmo_state, count_statements, PROJECTS_PAGE, {"cursor": after})


@pytest.mark.parametrize(
    ("document", "variables", "argument"),
    [
        (PROJECTS_PAGE, {"cursor": "not a cursor"}, "after"),
        (PROJECTS_PAGE, {"cursor": "WyJhIl0="}, "after"),  # ["a"]: one value of two
        (BACKWARDS, {"before": "WzEsMl0="}, "before"),  # [1, 2]: a number for the code
        (PROJECTS_PAGE, {"filter": {"portfolioId": "bm9uc2Vuc2U="}}, "portfolioId"),
    ],
)
async def test_a_malformed_cursor_or_filter_gets_the_resolvers_coded_error(
    world: dict[str, Any],  # noqa: F811
    pmo_state: AppState,
    document: str,
    variables: dict[str, Any],
    argument: str,
) -> None:
    org = world["org"]
    await org.admin.query(document, {})  # the plan of this shape is kept and compiled
    errors = await org.admin.errors(document, variables)
    assert [(e["extensions"]["code"], e["extensions"].get("argument")) for e in errors] == [
        ("BAD_USER_INPUT", argument)
    ]
    await org.admin.query(document, {})  # and still serves good values


async def test_include_and_skip_choose_the_plan(
    world: dict[str, Any],  # noqa: F811
    pmo_state: AppState,
) -> None:
    org = world["org"]
    shown = await org.admin.query(DIRECTIVES, {"withManager": True})
    hidden = await org.admin.query(DIRECTIVES, {"withManager": False, "bare": True})
    assert "manager" in shown["projects"]["edges"][0]["node"]
    assert set(hidden["projects"]["edges"][0]["node"]) == {"id", "code"}
    assert "viewer" not in shown
