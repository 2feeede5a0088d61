"""What-if scenarios: impact without writing, apply all or nothing, CONFLICT, worked by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from portfolio_helpers import assign, make_person, make_portfolio, make_project, organisation

from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

CREATE = "mutation($f: ID!, $n: String!) { createScenario(input: {portfolioId: $f, name: $n}) { scenario { id status } userErrors { code } } }"
ADD = """
mutation($i: AddScenarioChangeInput!) {
  addScenarioChange(input: $i) { scenario { id changes { kind amount days fromProject { code } toProject { code } } } userErrors { field message code } }
}
"""
APPLY = "mutation($s: ID!) { applyScenario(input: {scenarioId: $s}) { scenario { status appliedAt } userErrors { field message code } } }"
IMPACT = """
query($s: ID!) { node(id: $s) { ... on Scenario { impact {
  projects { project { code } budgetBefore budgetAfter startBefore startAfter endBefore endAfter }
  overallocationsBefore overallocationsAfter problems
} } } }
"""
STATE = """
query($f: ID!) { node(id: $f) { ... on Portfolio { projects { nodes { code budget startDate endDate version milestones { forecastDate } assignments { startDate endDate } } } } } }
"""


async def _world(org: TestOrganisation) -> dict[str, Any]:
    """S1 budget 1000 (Jan 1 to Jun 30), S2 budget 500, S3 (Feb 1 to Apr 30, milestone Mar 1),
    O in another portfolio. Q (capacity 1.0): 0.6 on S3 Feb 1 to Apr 30, 0.6 on S1 May 1 to
    Jun 29: never over, until S3 moves 60 days later."""
    client = org.admin
    portfolio = await make_portfolio(client, "What-if")
    other = await make_portfolio(client, "Elsewhere")
    ids: dict[str, Any] = {"portfolio": portfolio}
    ids["S1"] = await make_project(
        client, "S1", portfolio, budget="1000", startDate="2027-01-01", endDate="2027-06-30"
    )
    ids["S2"] = await make_project(client, "S2", portfolio, budget="500")
    ids["S3"] = await make_project(
        client, "S3", portfolio, startDate="2027-02-01", endDate="2027-04-30"
    )
    ids["O"] = await make_project(client, "O", other, budget="100")
    await client.mutate(
        'mutation($p: ID!) { createMilestone(input: {projectId: $p, name: "Gate", baselineDate: "2027-03-01"}) { userErrors { code } } }',
        {"p": ids["S3"]},
    )
    ids["Q"] = await make_person(client, "Quinn")
    ids["A1"] = await assign(client, ids["S3"], ids["Q"], 0.6, "2027-02-01", "2027-04-30")
    ids["A2"] = await assign(client, ids["S1"], ids["Q"], 0.6, "2027-05-01", "2027-06-29")
    return ids


async def _scenario(org: TestOrganisation, ids: dict[str, Any], *changes: dict[str, Any]) -> str:
    scenario = (await org.admin.mutate(CREATE, {"f": ids["portfolio"], "n": "Rob S1 to pay S2"}))[
        "scenario"
    ]["id"]
    for change in changes:
        await org.admin.mutate(ADD, {"i": {"scenarioId": scenario, **change}})
    return str(scenario)


async def test_impact_is_computed_without_writing(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    ids = await _world(org)
    before = await org.admin.query(STATE, {"f": ids["portfolio"]})
    scenario = await _scenario(
        org,
        ids,
        {
            "kind": "MOVE_BUDGET",
            "fromProjectId": ids["S1"],
            "toProjectId": ids["S2"],
            "amount": "300",
        },
        {"kind": "SHIFT_PROJECT", "fromProjectId": ids["S3"], "days": 60},
    )
    impact = (await org.admin.query(IMPACT, {"s": scenario}))["node"]["impact"]
    # Feb 1 + 60 days = Apr 2; Apr 30 + 60 days = Jun 29. Quinn's S3 work then overlaps S1's.
    assert impact == {
        "projects": [
            {
                "project": {"code": "S1"},
                "budgetBefore": "1000.00",
                "budgetAfter": "700.00",
                "startBefore": "2027-01-01",
                "startAfter": "2027-01-01",
                "endBefore": "2027-06-30",
                "endAfter": "2027-06-30",
            },
            {
                "project": {"code": "S2"},
                "budgetBefore": "500.00",
                "budgetAfter": "800.00",
                "startBefore": None,
                "startAfter": None,
                "endBefore": None,
                "endAfter": None,
            },
            {
                "project": {"code": "S3"},
                "budgetBefore": None,
                "budgetAfter": None,
                "startBefore": "2027-02-01",
                "startAfter": "2027-04-02",
                "endBefore": "2027-04-30",
                "endAfter": "2027-06-29",
            },
        ],
        "overallocationsBefore": 0,
        "overallocationsAfter": 1,
        "problems": [],
    }
    assert await org.admin.query(STATE, {"f": ids["portfolio"]}) == before


async def test_apply_writes_every_change(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    ids = await _world(org)
    scenario = await _scenario(
        org,
        ids,
        {
            "kind": "MOVE_BUDGET",
            "fromProjectId": ids["S1"],
            "toProjectId": ids["S2"],
            "amount": "300",
        },
        {"kind": "SHIFT_PROJECT", "fromProjectId": ids["S3"], "days": 60},
        {
            "kind": "MOVE_ALLOCATION",
            "assignmentId": ids["A2"],
            "toProjectId": ids["S2"],
            "allocation": 0.3,
        },
    )
    applied = await org.admin.mutate(APPLY, {"s": scenario})
    assert applied["scenario"]["status"] == "APPLIED"
    state = {
        p["code"]: p
        for p in (await org.admin.query(STATE, {"f": ids["portfolio"]}))["node"]["projects"][
            "nodes"
        ]
    }
    assert (state["S1"]["budget"], state["S2"]["budget"]) == ("700.00", "800.00")
    assert (state["S3"]["startDate"], state["S3"]["endDate"]) == ("2027-04-02", "2027-06-29")
    assert state["S3"]["milestones"] == [{"forecastDate": "2027-04-30"}]  # Mar 1 + 60 days
    assert state["S3"]["assignments"] == [{"startDate": "2027-04-02", "endDate": "2027-06-29"}]
    assert state["S1"]["assignments"] == []
    assert state["S2"]["assignments"] == [{"startDate": "2027-05-01", "endDate": "2027-06-29"}]
    again = (await org.admin.query(APPLY, {"s": scenario}))["applyScenario"]
    assert again["userErrors"][0]["code"] == "INVALID"


async def test_a_touched_project_that_changed_is_a_conflict_and_nothing_is_written(
    make_org: MakeOrg,
) -> None:
    org = await organisation(make_org)
    ids = await _world(org)
    scenario = await _scenario(
        org,
        ids,
        {
            "kind": "MOVE_BUDGET",
            "fromProjectId": ids["S1"],
            "toProjectId": ids["S2"],
            "amount": "300",
        },
        {"kind": "SHIFT_PROJECT", "fromProjectId": ids["S3"], "days": 10},
    )
    await org.admin.mutate(
        'mutation($p: ID!) { updateProject(input: {projectId: $p, name: "Renamed meanwhile"}) { userErrors { code } } }',
        {"p": ids["S3"]},
    )
    before = await org.admin.query(STATE, {"f": ids["portfolio"]})
    refused = (await org.admin.query(APPLY, {"s": scenario}))["applyScenario"]
    assert refused["scenario"] is None
    assert [e["code"] for e in refused["userErrors"]] == ["CONFLICT"]
    assert refused["userErrors"][0]["message"].startswith(
        "Project S3 changed since change 2 was added"
    )
    assert await org.admin.query(STATE, {"f": ids["portfolio"]}) == before  # not even change 1
    status = await org.admin.query(
        "query($s: ID!) { node(id: $s) { ... on Scenario { status } } }", {"s": scenario}
    )
    assert status["node"]["status"] == "DRAFT"


async def test_bad_changes_are_refused(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    ids = await _world(org)
    scenario = await _scenario(
        org,
        ids,
        {
            "kind": "MOVE_BUDGET",
            "fromProjectId": ids["S1"],
            "toProjectId": ids["S2"],
            "amount": "900",
        },
    )

    async def refused(change: dict[str, Any]) -> list[tuple[list[str], str]]:
        data = (await org.admin.query(ADD, {"i": {"scenarioId": scenario, **change}}))[
            "addScenarioChange"
        ]
        assert data["scenario"] is None
        return [(e["field"], e["code"]) for e in data["userErrors"]]

    assert await refused(
        {"kind": "MOVE_BUDGET", "fromProjectId": ids["O"], "toProjectId": ids["S2"], "amount": "10"}
    ) == [(["fromProjectId"], "INVALID")]
    # S1 has 100 left after the first change's 900
    assert await refused(
        {
            "kind": "MOVE_BUDGET",
            "fromProjectId": ids["S1"],
            "toProjectId": ids["S2"],
            "amount": "101",
        }
    ) == [(["amount"], "INVALID")]
    assert await refused({"kind": "MOVE_BUDGET", "fromProjectId": ids["S1"], "amount": "10"}) == [
        (["toProjectId"], "INVALID")
    ]
    assert await refused({"kind": "SHIFT_PROJECT", "fromProjectId": ids["S3"], "days": 0}) == [
        (["days"], "INVALID")
    ]
    assert await refused(
        {"kind": "SHIFT_PROJECT", "fromProjectId": ids["S3"], "days": 5, "allocation": 0.5}
    ) == [(["allocation"], "INVALID")]
    assert await refused(
        {"kind": "MOVE_ALLOCATION", "assignmentId": ids["A1"], "toProjectId": ids["O"]}
    ) == [(["toProjectId"], "INVALID")]
    changes = await org.admin.query(
        "query($s: ID!) { node(id: $s) { ... on Scenario { changes { kind amount } } } }",
        {"s": scenario},
    )
    assert changes["node"]["changes"] == [{"kind": "MOVE_BUDGET", "amount": "900.00"}]


async def test_an_applied_scenario_has_no_impact_left(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    ids = await _world(org)
    scenario = await _scenario(
        org,
        ids,
        {
            "kind": "MOVE_BUDGET",
            "fromProjectId": ids["S1"],
            "toProjectId": ids["S2"],
            "amount": "300",
        },
    )
    await org.admin.mutate(APPLY, {"s": scenario})
    impact = (await org.admin.query(IMPACT, {"s": scenario}))["node"]["impact"]
    assert impact["projects"] == []
    assert impact["problems"][0].startswith("The scenario was applied at")
