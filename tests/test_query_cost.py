"""Query cost (docs/security.md): counted before any resolver, refused over the limit, spent
from each token's budget, and reported in ``extensions.cost`` of every response."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import date

import httpx
import pytest

from helpers import parsed_operation
from pmo_graph.app_state import AppState
from pmo_graph.auth.roles import Role
from pmo_graph.graphql.budget import CostBudget
from pmo_graph.graphql.cost import (
    LIST_ESTIMATE,
    MUTATION_COST,
    CostCalculator,
    cost_variables_key,
)
from pmo_graph.testing import StatementCounter, TestOrganisation, access_statements

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
PAGE = 50  # the default page size of the test app


def cost_of(state: AppState, document: str, variables: dict[str, object] | None = None) -> int:
    operation, fragments, coerced = parsed_operation(state, document, variables)
    schema = state.built.schema._schema
    return CostCalculator(schema, fragments, coerced, PAGE, 500).operation(operation)


def test_the_cost_key_keeps_what_a_cost_depends_on_and_no_more() -> None:
    key = cost_variables_key
    # ids and other strings do not change a cost: one key for any of them
    assert key({"project": "UHJvamVjdDox", "n": 5}) == key({"n": 5, "project": "UHJvamVjdDoy"})
    # page sizes and the number of ids do
    assert key({"n": 5}) != key({"n": 6})
    assert key({"n": None}) != key({"n": 0})
    assert key({"ids": ["a", "b"]}) == key({"ids": ["c", "d"]})
    assert key({"ids": ["a", "b"]}) != key({"ids": ["a"]})
    # a variable left out is not one given as null
    assert key({}) != key({"n": None})


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("{ __typename viewer { user { name } } }", 1 + 1),
        # a connection: 1, plus first x (1 + what one item selects)
        ("{ projects(first: 7) { nodes { code manager { name } } } }", 1 + 7 * (1 + 1)),
        ("{ projects(first: 7) { edges { cursor node { code } } } }", 1 + 7 * (1 + 1)),
        # without first: the default page size; totalCount and pageInfo count once
        ("{ projects { totalCount pageInfo { hasNextPage } } }", 1 + 1),
        ("{ projects { nodes { code } } }", 1 + PAGE * 1),
        # nested: multiplied level by level
        (
            "{ portfolios(first: 3) { nodes { projects(first: 4) { nodes { code } } } } }",
            1 + 3 * (1 + (1 + 4 * 1)),
        ),
        # a plain list of objects is costed at its planned size
        (
            "{ projects(first: 2) { nodes { risks { title owner { name } } } } }",
            1 + 2 * (1 + LIST_ESTIMATE * (1 + 1)),
        ),
        # nodes(ids:) by the number of ids
        ('{ nodes(ids: ["UHJvamVjdDox", "UHJvamVjdDoy"]) { id } }', 2 * 1),
        # fragments as if written out; introspection is free
        (
            "query { projects(first: 5) { nodes { ...P } } } fragment P on Project { code }",
            1 + 5 * 1,
        ),
        ("{ __schema { types { name fields { name } } } }", 0),
        # a mutation: MUTATION_COST plus what its payload selects
        (
            'mutation { createPortfolio(input: {name: "x"}) { portfolio { name } } }',
            MUTATION_COST + 1 + 1,
        ),
    ],
)
def test_the_documented_cost_rules(pmo_state: AppState, document: str, expected: int) -> None:
    assert cost_of(pmo_state, document) == expected


def test_a_computing_field_is_charged_its_work(pmo_state: AppState) -> None:
    # Portfolio.selection: 1, plus its worst case over 36 candidates (2 x 2^18 subsets, one
    # point per 80), under node: 1
    selection = '{ node(id: "UG9ydGZvbGlvOjE=") { ... on Portfolio { selection(budget: "9") { totalScore } } } }'
    assert cost_of(pmo_state, selection) == 1 + (1 + 6_553)
    # utilisation: 365 days x 10 people (a list's estimate) / 10 person-days a point, plus
    # the list: 10 x (1 + person 1 + periods 10 x 1)
    utilisation = '{ utilisation(from: "2027-01-01", to: "2027-12-31", granularity: WEEK) { person { name } periods { allocation } } }'
    assert cost_of(pmo_state, utilisation) == 365 + LIST_ESTIMATE * (1 + 1 + LIST_ESTIMATE)
    # a window longer than the longest served costs the longest (the resolver refuses it)
    longest = '{ overallocations(from: "2027-01-01", to: "2099-12-31") { capacity } }'
    assert cost_of(pmo_state, longest) == 1099 + LIST_ESTIMATE * 1
    # the dates a charge reads are part of the cost key; other strings are not
    assert cost_variables_key({"from": date(2027, 1, 1)}) != cost_variables_key(
        {"from": date(2027, 1, 2)}
    )


async def test_a_computing_field_reports_its_charge(org: TestOrganisation) -> None:
    document = '{ portfolios(first: 2) { nodes { selection(budget: "100") { totalScore } } } }'
    result = await org.admin.execute(document)
    assert result["extensions"]["cost"]["requested"] == 1 + 2 * (1 + 1 + 6_553)


def test_a_page_over_the_largest_costs_the_largest(pmo_state: AppState) -> None:
    # the resolvers refuse it (BAD_USER_INPUT, with the reason); its cost must not hide that
    assert cost_of(pmo_state, "{ projects(first: 100000) { nodes { code } } }") == 1 + 500


def test_first_may_come_from_a_variable(pmo_state: AppState) -> None:
    document = "query($n: Int) { projects(first: $n) { nodes { code } } }"
    assert cost_of(pmo_state, document, {"n": 30}) == 1 + 30


def test_a_fragment_bomb_is_costed_in_linear_time(pmo_state: AppState) -> None:
    levels = 40
    fragments = "\n".join(
        f"fragment F{i} on Project {{ ...F{i + 1} ...F{i + 1} code }}" for i in range(levels)
    )
    document = (
        "{ projects(first: 1) { nodes { ...F0 } } }\n"
        f"{fragments}\nfragment F{levels} on Project {{ manager {{ name }} }}"
    )
    started = time.perf_counter()
    cost = cost_of(pmo_state, document)
    assert time.perf_counter() - started < 1.0  # 2**40 spreads if written out
    assert cost == 1 + (1 + 2**levels)


async def test_every_response_reports_its_cost(org: TestOrganisation) -> None:
    result = await org.admin.execute("{ projects(first: 7) { nodes { code manager { name } } } }")
    cost = result["extensions"]["cost"]
    assert cost["requested"] == 15
    assert cost["maximum"] == 250_000
    assert cost["throttle"]["capacity"] == 2_000_000
    assert cost["throttle"]["restoreRate"] == 20_000
    assert 0 < cost["throttle"]["available"] <= 2_000_000 - 15


async def test_a_document_over_the_limit_is_refused_before_any_resolver(
    org: TestOrganisation, count_statements: StatementCounter, pmo_state: AppState
) -> None:
    document = "{ portfolios(first: 500) { nodes { programmes(first: 500) { nodes { name } } } } }"
    await org.admin.query("{ __typename }")
    count_statements.reset()
    result = await org.admin.execute(document)
    (error,) = result["errors"]
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "cost",
        "cost": 1 + 500 * (1 + 1 + 500),
        "maximum": 250_000,
    }
    assert "data" not in result  # refused before execution
    # the token and the tiers were read (or kept from the last request); nothing of the
    # document ran
    assert count_statements.count == access_statements(pmo_state), count_statements.statements


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def small_budget(pmo_state: AppState) -> Iterator[Clock]:
    clock = Clock()
    before = pmo_state.budget
    pmo_state.budget = CostBudget(capacity=40, rate=10, clock=clock)
    try:
        yield clock
    finally:
        pmo_state.budget = before


async def test_a_token_over_its_budget_is_told_when_to_retry(
    make_org: MakeOrg, small_budget: Clock
) -> None:
    org = await make_org()
    document = "{ projects(first: 30) { nodes { code } } }"  # 31 points
    first = await org.admin.execute(document)
    assert "errors" not in first
    assert first["extensions"]["cost"]["throttle"]["available"] == 40 - 31

    refused = await org.admin.execute(document)
    (error,) = refused["errors"]
    assert refused["_status"] == 429
    assert error["extensions"] == {
        "code": "RATE_LIMITED",
        "cost": 31,
        "available": 9,
        "retryAfter": 3,  # (31 - 9) / 10 a second, rounded up
    }

    other = await org.client(Role.VIEWER).execute("{ __typename }")  # another user's token
    assert "errors" not in other

    small_budget.now += 3
    assert "errors" not in await org.admin.execute(document)


async def test_the_retry_after_header_matches(
    make_org: MakeOrg, small_budget: Clock, pmo_http: httpx.AsyncClient
) -> None:
    org = await make_org()
    body = {"query": "{ projects(first: 45) { nodes { code } } }"}
    response = await pmo_http.post("/graphql", json=body, headers=org.admin.headers())
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"  # (46 - 40) / 10, rounded up


def test_buckets_are_bounded_and_refill() -> None:
    clock = Clock()
    budget = CostBudget(capacity=10, rate=5, clock=clock)
    assert budget.spend(1, 10).allowed
    assert not budget.spend(1, 1).allowed
    clock.now += 1
    assert budget.spend(1, 5).allowed
    assert budget.spend(2, 10).allowed  # each token its own bucket
