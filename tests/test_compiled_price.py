"""The compiled price (pmo_graph.graphql.compiled.price, docs/security.md#query-cost): an
operation a compiled plan answers costs what its one statement reads, worked out here by hand;
one that falls back keeps the resolvers' price; the budget spends the price that applied."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bench.cases import Q1, Q2, Q3, Q4
from helpers import add_projects, parsed_operation
from pmo_graph.app_state import AppState
from pmo_graph.graphql.budget import CostBudget
from pmo_graph.graphql.compiled.compiler import Scope, compile_operation
from pmo_graph.graphql.compiled.price import PAGE_RUN, ROW, CompiledPrice
from pmo_graph.graphql.compiled.selections import MAX_WRITTEN_FIELDS, written_fields
from pmo_graph.graphql.cost import LIST_ESTIMATE, CostCalculator
from pmo_graph.ids import to_global_id
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
PAGE = 50  # the default page size of the test app
PROJECT = to_global_id("Project", 7)


def scalar_bomb(levels: int) -> str:
    """A fragment bomb of scalars: each fragment spreads the next twice, the last selects code."""
    fragments = " ".join(
        f"fragment F{i} on Project {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return (
        "{ projects(first: 1) { nodes { ...F0 } } } "
        f"{fragments} fragment F{levels} on Project {{ code }}"
    )


def prices(
    state: AppState, document: str, variables: dict[str, object] | None = None
) -> tuple[int, int]:
    """The compiled price and the resolvers' price of ``document``."""
    schema = state.built.schema._schema
    operation, fragments, coerced = parsed_operation(state, document, variables)
    compiled = CompiledPrice(schema, fragments, coerced, PAGE, 500)
    resolvers = CostCalculator(schema, fragments, coerced, PAGE, 500)
    return compiled.operation(operation), resolvers.operation(operation)


@pytest.mark.parametrize(
    ("document", "compiled", "resolvers"),
    [
        # a page: 1, and a row per item with the row of its manager
        (
            "{ projects(first: 7) { nodes { code manager { name } } } }",
            PAGE_RUN + 7 * (ROW + ROW),
            1 + 7 * (1 + 1),
        ),
        # an edge and its node are one row; the cursor is read from it; pageInfo is one more,
        # and so is totalCount (its count(*) runs as often as the page's subquery)
        (
            "{ projects(first: 7) { totalCount pageInfo { hasNextPage } "
            "edges { cursor node { code manager { name } } } } }",
            PAGE_RUN + PAGE_RUN + PAGE_RUN + 7 * (ROW + ROW),
            1 + 1 + 7 * (1 + (1 + 1)),
        ),
        # a count under each row of its parent runs once per parent row
        (
            "{ portfolios(first: 3) { nodes { programmes { totalCount } } } }",
            PAGE_RUN + 3 * (ROW + PAGE_RUN + PAGE_RUN),
            1 + 3 * (1 + 1),
        ),
        # nodes and edges read the page's rows once; what each selects on a row is its own
        (
            "{ projects(first: 7) { nodes { code manager { name } } "
            "edges { cursor node { code } } } }",
            PAGE_RUN + 7 * (ROW + ROW),
            1 + 7 * (1 + 1) + 7 * (1 + 1),
        ),
        (
            "{ projects(first: 7) { a: nodes { manager { name } } b: nodes { sponsor { name } } "
            "edges { node { manager { id } } } } }",
            PAGE_RUN + 7 * (ROW + ROW + ROW + ROW),
            1 + 7 * (1 + 1) + 7 * (1 + 1) + 7 * (1 + 1 + 1),
        ),
        # a plain list: LIST_ESTIMATE rows
        (
            "{ projects(first: 2) { nodes { risks { title owner { name } } } } }",
            PAGE_RUN + 2 * (ROW + LIST_ESTIMATE * (ROW + ROW)),
            1 + 2 * (1 + LIST_ESTIMATE * (1 + 1)),
        ),
        # a nested page runs once per parent row: the product of the firsts counts every row
        (
            "{ portfolios(first: 3) { nodes { programmes(first: 4) { nodes { name } } } } }",
            PAGE_RUN + 3 * (ROW + PAGE_RUN + 4 * ROW),
            1 + 3 * (1 + 1 + 4 * 1),
        ),
        # the same key twice is one field (CollectFields), as the statement reads it once
        (
            "{ projects(first: 3) { nodes { id manager { name } manager { id } } } }",
            PAGE_RUN + 3 * (ROW + ROW),
            1 + 3 * (1 + 1 + 1),
        ),
        # node(id:) reads one row of the id's type: the fragments on other types read nothing
        (
            f'{{ node(id: "{PROJECT}") {{ ... on Project {{ code manager {{ name }} }} '
            "... on Programme { projects { nodes { code } } } } }",
            ROW + ROW,
            1 + 1 + (1 + PAGE * 1),
        ),
        # without first: the default page size; over the largest page, the largest
        ("{ projects { nodes { code } } }", PAGE_RUN + PAGE * ROW, 1 + PAGE),
        ("{ projects(first: 100000) { nodes { code } } }", PAGE_RUN + 500 * ROW, 1 + 500),
        # a statement that reads no table
        ("{ __typename }", 0, 0),
    ],
)
def test_the_compiled_price_by_hand(
    pmo_state: AppState, document: str, compiled: int, resolvers: int
) -> None:
    assert prices(pmo_state, document) == (compiled, resolvers)


@pytest.mark.parametrize(
    ("document", "pages", "counts", "price"),
    [
        (
            "{ projects(first: 7) { nodes { code } edges { cursor node { code } } } }",
            1,
            0,
            PAGE_RUN + 7 * ROW,
        ),
        (
            "{ projects(first: 7) { a: nodes { code } b: nodes { name } } }",
            1,
            0,
            PAGE_RUN + 7 * ROW,
        ),
        # programmes selects no rows: its subquery holds the count alone, once per portfolio
        (
            "{ portfolios(first: 3) { nodes { programmes { totalCount } } } }",
            1,
            1,
            PAGE_RUN + 3 * (ROW + PAGE_RUN + PAGE_RUN),
        ),
    ],
)
def test_the_price_counts_the_subqueries_the_statement_runs(
    pmo_state: AppState, document: str, pages: int, counts: int, price: int
) -> None:
    """What is priced above is the statement's: one page subquery (its LIMIT) however many
    keys show the page's rows, and a count(*) subquery for totalCount."""
    schema = pmo_state.built.schema._schema
    operation, fragments, coerced = parsed_operation(pmo_state, document)
    scope = Scope(1, 1, frozenset({"pso", "portfolio", "pmo"}), {}, date(2026, 12, 7), PAGE, 500)
    sql = compile_operation(schema, operation, fragments.values(), coerced, scope).sql
    assert (sql.count(" LIMIT "), sql.count("count(*)")) == (pages, counts), sql
    assert CompiledPrice(schema, fragments, coerced, PAGE, 500).operation(operation) == price


def test_the_benchmark_queries_cost_no_more_compiled(pmo_state: AppState) -> None:
    """Q1 asks its 100 projects as edges: 100 points fewer; the others ask nodes and lists."""
    ids: dict[str, object] = {"portfolio": to_global_id("Portfolio", 1), "project": PROJECT}
    assert prices(pmo_state, Q1, ids) == (6_202, 6_302)
    assert prices(pmo_state, Q2, ids) == (90, 90)
    assert prices(pmo_state, Q3) == (501, 501)
    assert prices(pmo_state, Q4) == (42_241, 42_241)


def test_skip_and_include_are_priced_by_their_values(pmo_state: AppState) -> None:
    include = (
        "query($s: Boolean!) { projects(first: 4) { nodes { manager @include(if: $s) { name } } } }"
    )
    skip = include.replace("@include", "@skip")
    assert prices(pmo_state, include, {"s": True})[0] == PAGE_RUN + 4 * (ROW + ROW)
    assert prices(pmo_state, include, {"s": False})[0] == PAGE_RUN + 4 * ROW
    assert prices(pmo_state, skip, {"s": True})[0] == PAGE_RUN + 4 * ROW


def test_the_hostile_cost_documents_cost_the_same_compiled(pmo_state: AppState) -> None:
    """The hostile suite's cost probes and the refused 500 x 500 are compiled on PostgreSQL: a
    product of firsts costs every row it multiplies to, so they stay at, and over, the limit."""
    for people in (497, 498, 499):
        probe = (
            "{ portfolios(first: 500) { nodes { programmes(first: 497) { nodes { name } } } } "
            f"people(first: {people}) {{ nodes {{ name }} }} }}"
        )
        assert prices(pmo_state, probe) == (249_502 + people, 249_502 + people)
    square = "{ portfolios(first: 500) { nodes { programmes(first: 500) { nodes { name } } } } }"
    assert prices(pmo_state, square) == (251_001, 251_001)


def test_a_fragment_bomb_is_not_compiled(pmo_state: AppState) -> None:
    """Compiling writes every spread out, so the fields are counted first, each fragment once."""
    levels = 40
    operation, fragment_nodes, _ = parsed_operation(pmo_state, scalar_bomb(levels))
    assert written_fields(operation, fragment_nodes) == 2 + 2**levels > MAX_WRITTEN_FIELDS


EDGES = "{ projects(first: 7) { edges { node { code manager { name } } } } }"
EDGES_COMPILED = PAGE_RUN + 7 * (ROW + ROW)  # 15
EDGES_RESOLVERS = 1 + 7 * (1 + 1 + 1)  # 22


@pytest.fixture
def budget_of_20(pmo_state: AppState) -> Iterator[None]:
    before = pmo_state.budget
    pmo_state.budget = CostBudget(capacity=20, rate=0)
    try:
        yield
    finally:
        pmo_state.budget = before


async def test_the_budget_spends_the_price_that_applied(
    make_org: MakeOrg, db_session: AsyncSession, budget_of_20: None
) -> None:
    org = await make_org()
    await add_projects(db_session, org.id, 2)
    result = await org.admin.execute(EDGES)
    # a compiled plan answers, on either database: 15 of the 20 points, where the resolvers'
    # 22 would be more than the bucket holds
    cost = result["extensions"]["cost"]
    assert "errors" not in result
    assert cost["path"] == "compiled"
    assert cost["requested"] == EDGES_COMPILED < 20 < EDGES_RESOLVERS
    assert cost["throttle"]["available"] == 20 - EDGES_COMPILED


async def test_a_document_that_falls_back_keeps_the_resolvers_price(
    make_org: MakeOrg, db_session: AsyncSession, pmo_state: AppState
) -> None:
    # risks(status:) is an argument the spec does not read: the resolvers answer, on either
    # database, at the price they charge with the compiled path off
    org = await make_org(tiers=["pso", "portfolio"])
    await add_projects(db_session, org.id, 2)
    document = EDGES.replace("code", "code risks(status: OPEN) { title }")
    result = await org.admin.execute(document)
    assert "errors" not in result
    fell_back = result["extensions"]["cost"]
    pmo_state.compiled_queries = False
    try:
        off = (await org.admin.execute(document))["extensions"]["cost"]
    finally:
        pmo_state.compiled_queries = True
    assert fell_back["path"] == off["path"] == "resolvers"
    assert fell_back["requested"] == off["requested"] > EDGES_RESOLVERS


@pytest.mark.pmo_backends("postgresql")
async def test_a_cheap_fragment_bomb_is_answered_without_compiling_it(
    make_org: MakeOrg, db_session: AsyncSession, pmo_state: AppState
) -> None:
    """Scalars cost nothing, so a bomb of scalar fields is cheap by either price and passes
    every limit; the compiler, which writes every spread out, would take 2**24 steps on it (2**40
    at the depth the hostile suite tries). It is not compiled: the resolvers, which collect each
    fragment once, answer it."""
    org = await make_org()
    await add_projects(db_session, org.id, 1)
    document = scalar_bomb(24)
    result = await org.admin.execute(document)
    assert result["data"] == {"projects": {"nodes": [{"code": "P-0000"}]}}
    assert result["extensions"]["cost"]["path"] == "resolvers"
    (plan,) = [p for k, p in pmo_state.compiled_plans._plans.items() if k[0] == document]  # type: ignore[index]
    assert str(plan) == "too many fields with the fragments written out"


@pytest.mark.pmo_backends("postgresql")
async def test_the_lane_prices_node_by_the_type_its_id_names(
    make_org: MakeOrg, db_session: AsyncSession, pmo_state: AppState
) -> None:
    """The lane keeps an operation's cost by its variables' cost key: a global id's type is part
    of it, since node(id:) reads a row of that type."""
    org = await make_org()
    (project,) = await add_projects(db_session, org.id, 1)
    assert project.manager_id is not None
    ids = {
        "Project": to_global_id("Project", project.id),
        "Person": to_global_id("Person", project.manager_id),
    }
    document = (
        "query One($id: ID!) { node(id: $id) { "
        "... on Project { code manager { name } sponsor { name } } ... on Person { name } } }"
    )
    expected = {"Project": ROW + ROW + ROW, "Person": ROW}
    lane = pmo_state.fast_lane
    for kind in ("Project", "Person", "Project"):
        from_pipeline_or_lane = await org.admin.execute(document, {"id": ids[kind]})
        answered = lane.answered
        from_lane = await org.admin.execute(document, {"id": ids[kind]})
        assert lane.answered == answered + 1
        for response in (from_pipeline_or_lane, from_lane):
            cost = response["extensions"]["cost"]
            assert (cost["path"], cost["requested"]) == ("compiled", expected[kind]), kind
