"""The portfolio's computations under their bounds: the budget refused before anything runs,
the candidate bound, the equal-density worst case answered exactly, the time limit, and the
computing fields going through ``compute`` (off the event loop)."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from types import ModuleType
from typing import Any

import httpx
import pytest
import pytest_asyncio
from portfolio_helpers import assign, make_person, make_portfolio, make_project, organisation
from starlette.applications import Starlette

from pmo_graph.app import create_app
from pmo_graph.app_state import AppState
from pmo_graph.plugins.manager import EntryPointSelection
from pmo_graph.sdk import Role
from pmo_graph.settings import Settings
from pmo_graph.testing import GraphQLClient, StatementCounter, TestOrganisation, access_statements

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

CRITERIA = 'mutation($f: ID!, $w: Float!) { setPortfolioCriteria(input: {portfolioId: $f, criteria: [{key: "value", weight: $w}]}) { userErrors { code } } }'
SCORE = 'mutation($p: ID!, $s: Float!) { scoreProject(input: {projectId: $p, criterion: "value", score: $s}) { userErrors { field message code } } }'
SELECT = "query($f: ID!, $b: Decimal!) { sibling: node(id: $f) { ... on Portfolio { name } } node(id: $f) { ... on Portfolio { name selection(budget: $b) { projects { code } totalScore totalBudget } } } }"


async def _candidates(
    client: GraphQLClient, projects: Sequence[tuple[str, str, float]], weight: float = 1.0
) -> str:
    """A portfolio whose PROPOSED projects (code, budget, score on one criterion) are the
    candidates of its selection."""
    portfolio = await make_portfolio(client, "Candidates")
    await client.mutate(CRITERIA, {"f": portfolio, "w": weight})
    for code, budget, score in projects:
        project = await make_project(client, code, portfolio, budget=budget, stage="PROPOSED")
        await client.mutate(SCORE, {"p": project, "s": score})
    return portfolio


async def _select_with(
    make_org: MakeOrg,
    count_statements: StatementCounter,
    pmo_state: AppState,
    budget: str,
) -> tuple[dict[str, Any], int]:
    """A viewer's selection of one candidate within ``budget``: the response, and how many
    statements it ran; no computation may have started."""
    org = await organisation(make_org)
    portfolio = await _candidates(org.admin, [("A", "100", 5.0)])
    viewer = org.client(Role.VIEWER)
    await viewer.query("{ viewer { user { id } } }")
    started = pmo_state.computations.started
    count_statements.reset()
    result = await viewer.execute(SELECT, {"f": portfolio, "b": budget})
    assert pmo_state.computations.started == started
    (error,) = result["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "budget"}
    assert "`budget`" in error["message"]
    return result, count_statements.count


@pytest.mark.parametrize("budget", ["1e900000", "NaN", "1" * 40])
async def test_a_budget_outside_every_amount_refuses_the_request_before_anything_runs(
    make_org: MakeOrg,
    count_statements: StatementCounter,
    pmo_state: AppState,
    budget: str,
) -> None:
    """No Decimal input may be infinite, NaN or past 1e15 (the input check of every request):
    the request is refused whole, before any field is read or any selection computed."""
    result, statements = await _select_with(make_org, count_statements, pmo_state, budget)
    assert result.get("data") is None
    assert statements == access_statements(pmo_state)  # the token and the tiers only


@pytest.mark.parametrize("budget", ["1e-900000", "-1", "0.001"])
async def test_a_budget_no_selection_can_weigh_is_refused_before_it_computes(
    make_org: MakeOrg,
    count_statements: StatementCounter,
    pmo_state: AppState,
    budget: str,
) -> None:
    """A budget that is an amount but not one a selection weighs (negative, or finer than a
    penny) refuses the field, before the ranking is read or anything computed."""
    result, statements = await _select_with(make_org, count_statements, pmo_state, budget)
    # the error nulls the portfolio (selection is non-null); its sibling is answered
    assert result["data"] == {"sibling": {"name": "Candidates"}, "node": None}
    # the token, the tiers and the portfolio itself; no ranking read
    assert statements == access_statements(pmo_state) + 1


async def test_a_selection_weighs_at_most_36_candidates(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    projects = [(f"P{i:02}", f"{i}.00", 1.0) for i in range(1, 38)]
    portfolio = await _candidates(org.admin, projects)
    refused = await org.admin.execute(SELECT, {"f": portfolio, "b": "1000"})
    (error,) = refused["errors"]
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "limit": "candidates",
        "candidates": 37,
        "maximum": 36,
    }
    # Within 36.99 only 36 are candidates: the eight cheapest fit (36.00) and score most.
    chosen = (await org.admin.query(SELECT, {"f": portfolio, "b": "36.99"}))["node"]["selection"]
    assert chosen == {
        "projects": [{"code": f"P{i:02}"} for i in range(1, 9)],
        "totalScore": 8.0,
        "totalBudget": "36.00",
    }


def _reference(projects: Sequence[tuple[str, int, int]], budget: int) -> list[str]:
    """Brute force over every subset (code, cost in cents, score in millionths; codes in
    creation order): the greatest score, then the cheaper, then the earlier projects."""
    best: tuple[int, int, tuple[int, ...]] | None = None
    for size in range(len(projects) + 1):
        for subset in itertools.combinations(range(len(projects)), size):
            cost = sum(projects[i][1] for i in subset)
            if cost <= budget:
                key = (-sum(projects[i][2] for i in subset), cost, subset)
                best = key if best is None or key < best else best
    assert best is not None
    return [projects[i][0] for i in best[2]]


@pytest.mark.parametrize("seed", range(3))
async def test_the_selection_matches_brute_force(make_org: MakeOrg, seed: int) -> None:
    rng = random.Random(seed)
    org = await organisation(make_org)
    # few distinct costs and scores, so that ties are frequent
    projects = [
        (
            f"R{i:02}",
            rng.choice([125_00, 250_00, 375_00, 99_99]),
            rng.choice([2, 3, 4, 6]) * 250_000,
        )
        for i in range(10)
    ]
    portfolio = await _candidates(
        org.admin, [(code, f"{cost / 100:.2f}", score / 1e6) for code, cost, score in projects]
    )
    for budget in (rng.randrange(0, 2000_00), rng.randrange(0, 2000_00)):
        found = await org.admin.query(SELECT, {"f": portfolio, "b": f"{budget / 100:.2f}"})
        chosen = [p["code"] for p in found["node"]["selection"]["projects"]]
        assert chosen == sorted(_reference(projects, budget)), budget


#: Equal density: each project's score is its cost (cents, in millionths of a point). Costs
#: are BASE + 2^i cents, so twelve of them fit in 12 x BASE + SLACK only if their powers of two
#: add up to at most SLACK, and thirteen never fit: the optimum is the largest number up to
#: SLACK with twelve bits set. Nothing prunes; branch and bound took 5.2 s for it on the loop.
BASE, SLACK = 20_000_000, 0b1011_0110_1101_1011_0110_1101


async def test_the_equal_density_worst_case_answers_the_optimum(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    costs = [BASE + (1 << i) for i in range(24)]
    portfolio = await _candidates(
        org.admin,
        [(f"E{i:02}", f"{cost / 100:.2f}", cost / 1e7) for i, cost in enumerate(costs)],
        weight=10.0,
    )
    budget = 12 * BASE + SLACK
    best = next(m for m in range(SLACK, -1, -1) if bin(m).count("1") == 12)
    expected = [f"E{i:02}" for i in range(24) if best >> i & 1]
    found = (await org.admin.query(SELECT, {"f": portfolio, "b": f"{budget / 100:.2f}"}))["node"]
    assert [p["code"] for p in found["selection"]["projects"]] == expected
    assert found["selection"]["totalBudget"] == f"{(12 * BASE + best) / 100:.2f}"


@pytest_asyncio.fixture
async def hasty_app(
    pmo_settings: Settings,
    pmo_plugins: Sequence[ModuleType],
    pmo_load_entrypoints: EntryPointSelection,
) -> AsyncIterator[Starlette]:
    """The app on the same database with a computation time limit of a tenth of a second."""
    settings = pmo_settings.model_copy(update={"computation_seconds": 0.1})
    app = create_app(
        settings, extra_plugins=pmo_plugins, load_entrypoints=pmo_load_entrypoints, prepare=False
    )
    async with app.router.lifespan_context(app):
        yield app


async def test_a_hard_selection_past_the_limit_answers_the_coded_error(
    make_org: MakeOrg, hasty_app: Starlette
) -> None:
    org = await organisation(make_org)
    rng = random.Random(40)
    # 36 costs with no common divisor and a budget of millions of cents: meet in the middle,
    # 2 x 2^18 subsets, several times a tenth of a second
    hard = await _candidates(
        org.admin,
        [(f"H{i:02}", f"{rng.randrange(1_000_000, 2_000_000) + 0.01:.2f}", 5.0) for i in range(36)],
    )
    easy = await _candidates(org.admin, [("EASY", "100.00", 5.0)])
    transport = httpx.ASGITransport(app=hasty_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hasty") as http:
        viewer = GraphQLClient(http, org.tokens[Role.VIEWER])
        result = await viewer.execute(SELECT, {"f": hard, "b": "30000000"})
        (error,) = result["errors"]
        assert error["extensions"] == {"code": "COMPUTATION_TIME_LIMIT", "limitSeconds": 0.1}
        assert error["path"] == ["node", "selection"]
        assert result["data"] == {"sibling": {"name": "Candidates"}, "node": None}
        # the next request works, computation included
        again = await viewer.query(SELECT, {"f": easy, "b": "100"})
        assert again["node"]["selection"]["projects"] == [{"code": "EASY"}]


async def _computations_of(
    state: AppState, client: GraphQLClient, document: str, variables: dict[str, Any]
) -> int:
    before = state.computations.started
    await client.query(document, variables)
    return state.computations.started - before


async def test_the_computing_fields_run_through_compute(
    make_org: MakeOrg, pmo_state: AppState
) -> None:
    org = await organisation(make_org)
    client = org.admin
    portfolio = await _candidates(client, [("A", "100", 5.0), ("B", "200", 4.0)])
    person = await make_person(client, "Ada")
    project = await make_project(client, "C", portfolio)
    await assign(client, project, person, 0.8, "2027-01-04", "2027-03-31")
    scenario = (
        await client.mutate(
            'mutation($f: ID!) { createScenario(input: {portfolioId: $f, name: "What if"}) { scenario { id } userErrors { code } } }',
            {"f": portfolio},
        )
    )["scenario"]["id"]
    window = {"from": "2027-01-01", "to": "2027-06-30"}
    cases = [
        (SELECT, {"f": portfolio, "b": "300"}),
        (
            "query($s: ID!) { node(id: $s) { ... on Scenario { impact { overallocationsAfter } } } }",
            {"s": scenario},
        ),
        (
            "query($from: Date!, $to: Date!) { utilisation(from: $from, to: $to, granularity: WEEK) { capacity } }",
            window,
        ),
        (
            "query($from: Date!, $to: Date!) { overallocations(from: $from, to: $to) { capacity } }",
            window,
        ),
        ("{ maturity { overall } }", {}),
    ]
    assert [await _computations_of(pmo_state, client, d, v) for d, v in cases] == [1, 1, 1, 1, 1]


async def test_utilisation_over_the_longest_window_is_refused(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    query = "query($from: Date!, $to: Date!) { utilisation(from: $from, to: $to, granularity: MONTH) { capacity } }"
    longest = await org.admin.execute(query, {"from": "2027-01-01", "to": "2030-01-03"})
    assert "errors" not in longest
    (error,) = await org.admin.errors(query, {"from": "2027-01-01", "to": "2030-01-04"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "to"}
    assert error["message"] == "Ask for at most 1098 days at a time."
