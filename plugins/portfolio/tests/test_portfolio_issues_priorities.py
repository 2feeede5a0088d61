"""Common issues, criteria, ranking and the exact best selection."""

from __future__ import annotations

import itertools
import random
from collections.abc import Awaitable, Callable

import pytest
from portfolio_helpers import make_portfolio, make_project, organisation

from pmo_graph.sdk import Role, to_global_id
from pmo_graph.testing import TestOrganisation
from pmo_graph_portfolio.selection import Candidate, best_subset

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

RAISE = "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { issue { id projects { code } status } userErrors { field message code } } }"
COMMON = "query($f: ID!) { node(id: $f) { ... on Portfolio { commonIssues { title } } } }"


async def test_common_issues(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    client = org.admin
    f1, f2 = await make_portfolio(client, "F1"), await make_portfolio(client, "F2")
    p1, p2 = await make_project(client, "P1", f1), await make_project(client, "P2", f1)
    p3 = await make_project(client, "P3", f2)

    async def raise_issue(title: str, *projects: str) -> str:
        payload = await client.mutate(
            RAISE, {"i": {"title": title, "severity": "HIGH", "projectIds": list(projects)}}
        )
        return str(payload["issue"]["id"])

    shared = await raise_issue("Shared", p1, p2)
    single = await raise_issue("Single", p1)
    across = await raise_issue("Across", p1, p3)
    assert (await client.query(COMMON, {"f": f1}))["node"]["commonIssues"] == [{"title": "Shared"}]
    assert (await client.query(COMMON, {"f": f2}))["node"]["commonIssues"] == []

    escalate = "mutation($i: ID!, $f: ID!) { escalateIssue(input: {issueId: $i, portfolioId: $f}) { issue { escalatedTo { name } } userErrors { code } } }"
    assert (await client.mutate(escalate, {"i": single, "f": f2}))["issue"]["escalatedTo"] == {
        "name": "F2"
    }
    assert (await client.query(COMMON, {"f": f2}))["node"]["commonIssues"] == [{"title": "Single"}]

    link = "mutation($i: ID!, $p: ID!) { linkIssue(input: {issueId: $i, projectId: $p}) { issue { projects { code } } userErrors { field code } } }"
    assert (await client.mutate(link, {"i": across, "p": p2}))["issue"]["projects"] == [
        {"code": "P1"},
        {"code": "P2"},
        {"code": "P3"},
    ]
    assert (await client.query(link, {"i": across, "p": p2}))["linkIssue"]["userErrors"] == [
        {"field": ["projectId"], "code": "DUPLICATE"}
    ]
    assert (await client.query(COMMON, {"f": f1}))["node"]["commonIssues"] == [
        {"title": "Across"},
        {"title": "Shared"},
    ]

    resolve = 'mutation($i: ID!) { resolveIssue(input: {issueId: $i, resolution: "Agreed a joint plan"}) { issue { status } userErrors { code } } }'
    assert (await client.mutate(resolve, {"i": shared}))["issue"]["status"] == "RESOLVED"
    assert (await client.query(COMMON, {"f": f1}))["node"]["commonIssues"] == [{"title": "Across"}]
    issues = await client.query(
        "query($p: ID!) { node(id: $p) { ... on Project { issues { title status } } } }", {"p": p1}
    )
    assert issues["node"]["issues"] == [
        {"title": "Across", "status": "OPEN"},
        {"title": "Single", "status": "OPEN"},
        {"title": "Shared", "status": "RESOLVED"},
    ]


async def test_issue_rules(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    client = org.admin
    own = await make_project(
        client, "OWN", managerId=to_global_id("Person", org.person_ids[Role.PROJECT_MANAGER])
    )
    other = await make_project(client, "OTHER")
    empty = (await client.query(RAISE, {"i": {"title": "x", "severity": "LOW", "projectIds": []}}))[
        "raiseIssue"
    ]
    assert empty["userErrors"] == [
        {
            "field": ["projectIds"],
            "message": "An issue touches at least one project.",
            "code": "INVALID",
        }
    ]
    twice = (
        await client.query(
            RAISE, {"i": {"title": "x", "severity": "LOW", "projectIds": [own, own]}}
        )
    )["raiseIssue"]
    assert [e["code"] for e in twice["userErrors"]] == ["DUPLICATE"]
    pm = org.client(Role.PROJECT_MANAGER)
    assert (
        await pm.mutate(RAISE, {"i": {"title": "Mine", "severity": "LOW", "projectIds": [own]}})
    )["issue"]["projects"] == [{"code": "OWN"}]
    refused = await pm.errors(
        RAISE, {"i": {"title": "Not only mine", "severity": "LOW", "projectIds": [own, other]}}
    )
    assert refused[0]["extensions"]["code"] == "FORBIDDEN"


CRITERIA = "mutation($f: ID!, $c: [CriterionInput!]!) { setPortfolioCriteria(input: {portfolioId: $f, criteria: $c}) { portfolio { criteria { key weight } } userErrors { field message code } } }"
SCORE = "mutation($p: ID!, $c: String!, $s: Float!) { scoreProject(input: {projectId: $p, criterion: $c, score: $s}) { project { scores { criterion score } } userErrors { field message code } } }"


async def _ranked(org: TestOrganisation) -> str:
    """value 0.6, risk 0.4. A: 8, 5 → 6.8; B: 9 → 5.4; C: 5, 10 → 7.0; E: 9 → 5.4; D: none;
    F (ACTIVE): 10, 10 → 10.0."""
    client = org.admin
    portfolio = await make_portfolio(client, "Ranked")
    await client.mutate(
        CRITERIA,
        {"f": portfolio, "c": [{"key": "value", "weight": 0.6}, {"key": "risk", "weight": 0.4}]},
    )
    scores = {
        "A": [("value", 8), ("risk", 5)],
        "B": [("value", 9)],
        "C": [("value", 5), ("risk", 10)],
        "D": [],
        "E": [("value", 9)],
        "F": [("value", 10), ("risk", 10)],
    }
    budgets = {"A": "500", "B": "300", "C": "400", "D": "100", "E": "200", "F": "100"}
    for code, marks in scores.items():
        project = await make_project(
            client,
            code,
            portfolio,
            budget=budgets[code],
            stage="ACTIVE" if code == "F" else "PROPOSED",
        )
        for criterion, score in marks:
            await client.mutate(SCORE, {"p": project, "c": criterion, "s": score})
    return portfolio


async def test_ranking(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    portfolio = await _ranked(org)
    ranking = (
        await org.admin.query(
            "query($f: ID!) { node(id: $f) { ... on Portfolio { ranking { project { code } score rank } } } }",
            {"f": portfolio},
        )
    )["node"]["ranking"]
    assert ranking == [
        {"project": {"code": "F"}, "score": 10.0, "rank": 1},
        {"project": {"code": "C"}, "score": 7.0, "rank": 2},
        {"project": {"code": "A"}, "score": 6.8, "rank": 3},
        {"project": {"code": "B"}, "score": 5.4, "rank": 4},
        {"project": {"code": "E"}, "score": 5.4, "rank": 4},
    ]


async def test_selection_is_exact(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    portfolio = await _ranked(org)
    query = "query($f: ID!, $b: Decimal!) { node(id: $f) { ... on Portfolio { selection(budget: $b) { projects { code } totalScore totalBudget } } } }"

    async def select(budget: str) -> dict[str, object]:
        return (await org.admin.query(query, {"f": portfolio, "b": budget}))["node"]["selection"]  # type: ignore[no-any-return]

    # Budget 700: C+B and C+E both score 12.4; C+E costs less. Greedy by density would take
    # E then B (10.8). F is ACTIVE, D has no score: neither is a candidate.
    assert await select("700") == {
        "projects": [{"code": "C"}, {"code": "E"}],
        "totalScore": 12.4,
        "totalBudget": "600.00",
    }
    assert await select("1400") == {
        "projects": [{"code": "A"}, {"code": "B"}, {"code": "C"}, {"code": "E"}],
        "totalScore": 24.6,
        "totalBudget": "1400.00",
    }
    assert await select("150") == {"projects": [], "totalScore": 0.0, "totalBudget": "0.00"}


async def test_criteria_and_score_rules(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    portfolio = await make_portfolio(org.admin, "Rules")
    bad = (
        await org.admin.query(
            CRITERIA,
            {"f": portfolio, "c": [{"key": "value", "weight": -1}, {"key": "value", "weight": 1}]},
        )
    )["setPortfolioCriteria"]
    assert [(e["field"], e["code"]) for e in bad["userErrors"]] == [
        (["criteria", "0", "weight"], "INVALID"),
        (["criteria", "1", "key"], "DUPLICATE"),
    ]
    await org.admin.mutate(CRITERIA, {"f": portfolio, "c": [{"key": "value", "weight": 1}]})
    project = await make_project(org.admin, "S", portfolio)
    unknown = (await org.admin.query(SCORE, {"p": project, "c": "beauty", "s": 5}))["scoreProject"]
    assert unknown["userErrors"] == [
        {
            "field": ["criterion"],
            "message": "'beauty' is not a criterion of the project's portfolio (value).",
            "code": "INVALID",
        }
    ]
    assert (await org.admin.query(SCORE, {"p": project, "c": "value", "s": 11}))["scoreProject"][
        "userErrors"
    ][0]["field"] == ["score"]
    loose = await make_project(org.admin, "LOOSE")
    assert (await org.admin.query(SCORE, {"p": loose, "c": "value", "s": 1}))["scoreProject"][
        "userErrors"
    ][0]["field"] == ["projectId"]
    rescored = await org.admin.mutate(SCORE, {"p": project, "c": "value", "s": 4})
    assert (await org.admin.mutate(SCORE, {"p": project, "c": "value", "s": 6}))["project"][
        "scores"
    ] == [{"criterion": "value", "score": 6.0}]
    assert rescored["project"]["scores"] == [{"criterion": "value", "score": 4.0}]


def _brute_force(candidates: list[Candidate], budget: int) -> float:
    best = 0.0
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            if sum(c.cost for c in subset) <= budget:
                best = max(best, sum(c.score for c in subset))
    return best


@pytest.mark.parametrize("seed", range(40))
def test_best_subset_matches_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    candidates = [
        Candidate(
            i, rng.randrange(0, 50) * 1000 + rng.choice([0, 1, 37]), round(rng.uniform(0, 10), 2)
        )
        for i in range(rng.randint(1, 12))
    ]
    budget = rng.randrange(0, 200_000)
    chosen = best_subset(candidates, budget)
    by_key = {c.key: c for c in candidates}
    assert sum(by_key[k].cost for k in chosen) <= budget
    assert abs(sum(by_key[k].score for k in chosen) - _brute_force(candidates, budget)) < 1e-6


def test_meet_in_the_middle_agrees_with_dynamic_programming() -> None:
    from pmo_graph_portfolio import selection

    rng = random.Random(7)
    for _ in range(10):
        candidates = [
            Candidate(i, rng.randrange(1, 400) * 500, round(rng.uniform(1, 10), 3))
            for i in range(40)
        ]
        budget = rng.randrange(10_000, 100_000)
        by_key = {c.key: c for c in candidates}
        dynamic = best_subset(candidates, budget)
        searched = selection._meet_in_the_middle(candidates, budget)
        assert (
            abs(sum(by_key[k].score for k in dynamic) - sum(by_key[k].score for k in searched))
            < 1e-6
        )


async def test_more_issue_rules(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    client = org.admin
    p1 = await make_project(client, "P1")
    missing = (
        await client.query(
            RAISE,
            {"i": {"title": "x", "severity": "LOW", "projectIds": [p1, "UHJvamVjdDo5OTk5OTk5"]}},
        )
    )["raiseIssue"]
    assert missing["userErrors"][0]["field"] == ["projectIds", "1"]
    issue = (
        await client.mutate(
            RAISE, {"i": {"title": "Done soon", "severity": "LOW", "projectIds": [p1]}}
        )
    )["issue"]["id"]
    await client.mutate(
        'mutation($i: ID!) { resolveIssue(input: {issueId: $i, resolution: "Fixed"}) { userErrors { code } } }',
        {"i": issue},
    )
    p2 = await make_project(client, "P2")
    late = (
        await client.query(
            "mutation($i: ID!, $p: ID!) { linkIssue(input: {issueId: $i, projectId: $p}) { userErrors { field code } } }",
            {"i": issue, "p": p2},
        )
    )["linkIssue"]
    assert late["userErrors"] == [{"field": ["issueId"], "code": "INVALID"}]
