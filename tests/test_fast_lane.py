"""The fast lane (PostgreSQL; the first test on SQLite too): a query the compiled path answered
is answered again without strawberry's pipeline, with the same response, and steps aside for
anything it does not know or that deserves an error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from helpers import add_projects
from pmo_graph.app_state import AppState
from pmo_graph.graphql.budget import CostBudget
from pmo_graph.graphql.compiled.compiler import Compiled, Param
from pmo_graph.testing import StatementCounter, TestOrganisation, access_statements

pytestmark = pytest.mark.pmo_backends("postgresql")

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
PAGE = "query Lane($n: Int) { projects(first: $n) { totalCount nodes { code name stage } } }"


def _without_budget_level(response: dict[str, Any]) -> dict[str, Any]:
    """The response with the budget's level left out: it moves with every request."""
    cost = dict(response["extensions"]["cost"])
    cost["throttle"] = {k: v for k, v in cost["throttle"].items() if k != "available"}
    return {**response, "extensions": {**response["extensions"], "cost": cost}}


@pytest.mark.pmo_backends("sqlite", "postgresql")
async def test_a_query_asked_again_gets_the_same_answer_from_the_lane(
    make_org: MakeOrg,
    db_session: AsyncSession,
    pmo_state: AppState,
    count_statements: StatementCounter,
) -> None:
    org = await make_org()
    await add_projects(db_session, org.id, 4)
    lane = pmo_state.fast_lane
    first = await org.admin.execute(PAGE, {"n": 3})
    answered = lane.answered
    count_statements.reset()
    again = await org.admin.execute(PAGE, {"n": 3})
    assert lane.answered == answered + 1
    # the compiled statement, after the token and tiers where the process keeps none (SQLite)
    assert count_statements.count == access_statements(pmo_state) + 1, count_statements.statements
    assert _without_budget_level(again) == _without_budget_level(first)
    other_page = await org.admin.execute(PAGE, {"n": 2})
    assert lane.answered == answered + 2  # another page size, the same plan
    assert len(other_page["data"]["projects"]["nodes"]) == 2


async def test_the_lane_costs_each_page_size_as_the_pipeline_does(
    make_org: MakeOrg, db_session: AsyncSession, pmo_state: AppState
) -> None:
    org = await make_org()
    await add_projects(db_session, org.id, 4)
    lane = pmo_state.fast_lane
    await org.admin.query(PAGE, {"n": 3})
    answered = lane.answered
    costs = set()
    for spaces, n in enumerate((3, 2, 3, 4, 2), start=1):
        from_lane = await org.admin.execute(PAGE, {"n": n})
        # The document with more spaces has not been asked before: the pipeline costs it.
        from_pipeline = await org.admin.execute(PAGE + " " * spaces, {"n": n})
        cost = from_lane["extensions"]["cost"]["requested"]
        assert cost == from_pipeline["extensions"]["cost"]["requested"], n
        costs.add(cost)
    assert lane.answered == answered + 5
    assert len(costs) == 3


async def test_the_lane_steps_aside_for_what_deserves_an_error(
    make_org: MakeOrg, db_session: AsyncSession, pmo_state: AppState
) -> None:
    org = await make_org(tiers=["sample"])
    await add_projects(db_session, org.id, 2)
    lane = pmo_state.fast_lane
    await org.admin.query(PAGE, {"n": 2})
    await org.admin.query(PAGE, {"n": 2})
    answered = lane.answered
    assert answered > 0

    (bad,) = await org.admin.errors(PAGE, {"n": "two"})
    assert bad["extensions"]["code"] == "BAD_USER_INPUT"
    (unknown,) = await org.client().__class__(org.http, "pmo_unknown").errors(PAGE, {"n": 2})
    assert unknown["extensions"]["code"] == "UNAUTHENTICATED"
    too_large = pmo_state.settings.max_page_size + 1
    (page,) = await org.admin.errors(PAGE, {"n": too_large})
    assert page["extensions"]["code"] == "BAD_USER_INPUT"
    assert lane.answered == answered


async def test_a_budget_that_refuses_is_refused_by_the_pipeline(
    make_org: MakeOrg, db_session: AsyncSession, pmo_state: AppState
) -> None:
    org = await make_org()
    await add_projects(db_session, org.id, 2)
    before = pmo_state.budget
    pmo_state.budget = CostBudget(capacity=14, rate=0)
    try:
        await org.admin.query(PAGE, {"n": 5})  # 7 points (5 rows, a page, a count): the pipeline
        await org.admin.query(PAGE, {"n": 5})  # 7 more: the lane, leaving nothing
        refused = await org.admin.execute(PAGE, {"n": 5})
    finally:
        pmo_state.budget = before
    assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert refused["_status"] == 429


async def test_a_tier_switched_off_is_seen_by_the_lane_at_once(
    make_org: MakeOrg, db_session: AsyncSession, pmo_state: AppState
) -> None:
    org = await make_org(tiers=["pso"])
    await add_projects(db_session, org.id, 1)
    query = "query Latest { projects(first: 2) { nodes { code latestStatus { overall } } } }"
    await org.admin.query(query)
    answered = pmo_state.fast_lane.answered
    await org.admin.query(query)
    assert pmo_state.fast_lane.answered == answered + 1
    await org.admin.mutate('mutation { disableTier(input: {key: "pso"}) { userErrors { code } } }')
    (error,) = await org.admin.errors(query)
    assert error["extensions"] == {"code": "TIER_NOT_ENABLED", "tier": "pso"}


async def test_a_statement_that_fails_in_the_lane_costs_its_points_once(
    make_org: MakeOrg, db_session: AsyncSession, pmo_state: AppState
) -> None:
    org = await make_org()
    await add_projects(db_session, org.id, 3)
    query = "query Broken($n: Int) { projects(first: $n) { nodes { code } } }"
    before = pmo_state.budget
    pmo_state.budget = CostBudget(capacity=100, rate=0)
    plans = pmo_state.compiled_plans._plans
    try:
        first = await org.admin.execute(query, {"n": 5})  # 6 points
        (key,) = [k for k in plans if isinstance(k, tuple) and k[0] == query]
        plans[key] = Compiled("SELECT no_such_function()", ())  # as a wrong plan would
        answered = pmo_state.fast_lane.answered
        again = await org.admin.execute(query, {"n": 5})
    finally:
        pmo_state.budget = before
    assert pmo_state.fast_lane.answered == answered  # it stepped aside
    assert again["data"] == first["data"]  # the resolvers answered
    assert again["extensions"]["cost"]["throttle"]["available"] == 100 - 6 - 6


async def test_the_lane_steps_aside_for_a_variable_out_of_range(
    make_org: MakeOrg, db_session: AsyncSession, pmo_state: AppState
) -> None:
    """A document the pipeline checked once is answered by the lane with new variables; one
    out of range goes to the pipeline, which refuses it. The compiler reads no text argument
    yet, so the test keeps a plan for one, as a compiler that read filters would: a statement
    that answers with the search text (a control character PostgreSQL would take)."""
    org = await make_org()
    await add_projects(db_session, org.id, 1)
    lane = pmo_state.fast_lane
    query = "query Echo($s: String) { projects(filter: {search: $s}) { totalCount } }"
    plans = pmo_state.compiled_plans._plans
    await org.admin.query(query, {"s": "P-"})  # not compiled: the resolvers answer
    (key,) = [k for k in plans if isinstance(k, tuple) and k[0] == query]
    plans[key] = Compiled(
        "SELECT json_build_object('projects', "
        "json_build_object('totalCount', length($1::text)))::text",
        (Param(("variable", "s", None), "text"),),
    )
    await org.admin.query(query, {"s": "P-"})  # the kept plan answers, and the lane learns it
    answered = lane.answered
    assert await org.admin.query(query, {"s": "P-0"}) == {"projects": {"totalCount": 3}}
    assert lane.answered == answered + 1
    (refused,) = await org.admin.errors(query, {"s": "P-\x07"})
    assert refused["extensions"] == {"code": "BAD_USER_INPUT", "argument": "filter.search"}
    assert lane.answered == answered + 1
