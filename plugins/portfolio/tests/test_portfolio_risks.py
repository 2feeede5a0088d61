"""Risk registers and the portfolio risk profile, worked out by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from portfolio_helpers import (
    RAISE_RISK,
    make_person,
    make_portfolio,
    make_project,
    organisation,
    risk,
)

from pmo_graph.sdk import Role, to_global_id
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

UPDATE_RISK = """
mutation($i: UpdateRiskInput!) {
  updateRisk(input: $i) { risk { score rating status response version owner { name } } userErrors { field message code } }
}
"""
PROFILE = """
query($f: ID!) { node(id: $f) { ... on Portfolio { riskProfile {
  heatmap openRisks totalExposure low medium high unassessed { code }
} } } }
"""


async def test_score_and_rating(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    project = await make_project(org.admin, "R-1")
    expected = {
        (2, 2): (4, "LOW"),
        (1, 5): (5, "MEDIUM"),
        (3, 4): (12, "MEDIUM"),
        (3, 5): (15, "HIGH"),
        (5, 5): (25, "HIGH"),
    }
    for (p, i), (score, rating) in expected.items():
        created = await risk(org.admin, project, p, i)
        assert (created["score"], created["rating"], created["status"]) == (score, rating, "OPEN")
    listed = await org.admin.query(
        "query($p: ID!) { node(id: $p) { ... on Project { risks { score } } } }", {"p": project}
    )
    assert [r["score"] for r in listed["node"]["risks"]] == [25, 15, 12, 5, 4]


async def test_bad_risks_are_refused(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    project = await make_project(org.admin, "R-2")
    for p, i, fields in (
        (0, 3, ["probability"]),
        (3, 6, ["impact"]),
        (6, 0, ["probability", "impact"]),
    ):
        refused = (
            await org.admin.query(
                RAISE_RISK,
                {"i": {"projectId": project, "title": "x", "probability": p, "impact": i}},
            )
        )["raiseRisk"]
        assert refused["risk"] is None
        assert [e["field"][0] for e in refused["userErrors"]] == fields
    blank = (
        await org.admin.query(
            RAISE_RISK, {"i": {"projectId": project, "title": " ", "probability": 1, "impact": 1}}
        )
    )["raiseRisk"]
    assert blank["userErrors"][0]["field"] == ["title"]


async def test_updating_and_closing_a_risk(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    project = await make_project(org.admin, "R-3")
    owner = await make_person(org.admin, "Owen Owner")
    created = await risk(org.admin, project, 4, 4)
    assert created["rating"] == "HIGH"
    updated = await org.admin.mutate(
        UPDATE_RISK,
        {
            "i": {
                "riskId": created["id"],
                "expectedVersion": 1,
                "probability": 2,
                "response": "Mitigated",
                "ownerId": owner,
            }
        },
    )
    assert updated["risk"] == {
        "score": 8,
        "rating": "MEDIUM",
        "status": "OPEN",
        "response": "Mitigated",
        "version": 2,
        "owner": {"name": "Owen Owner"},
    }
    stale = (
        await org.admin.query(
            UPDATE_RISK, {"i": {"riskId": created["id"], "expectedVersion": 1, "status": "CLOSED"}}
        )
    )["updateRisk"]
    assert stale["userErrors"][0]["code"] == "CONFLICT"
    closed = await org.admin.mutate(
        UPDATE_RISK, {"i": {"riskId": created["id"], "status": "CLOSED"}}
    )
    assert closed["risk"]["status"] == "CLOSED"
    by_status = await org.admin.query(
        "query($p: ID!) { node(id: $p) { ... on Project { open: risks(status: OPEN) { score } closed: risks(status: CLOSED) { score } } } }",
        {"p": project},
    )
    assert by_status["node"] == {"open": [], "closed": [{"score": 8}]}
    bad = (await org.admin.query(UPDATE_RISK, {"i": {"riskId": created["id"], "impact": 9}}))[
        "updateRisk"
    ]
    assert bad["userErrors"] == [
        {"field": ["impact"], "message": "impact must be from 1 to 5.", "code": "INVALID"}
    ]


async def test_project_managers_manage_their_own_registers(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    own = await make_project(
        org.admin, "OWN", managerId=to_global_id("Person", org.person_ids[Role.PROJECT_MANAGER])
    )
    other = await make_project(org.admin, "OTHER")
    pm = org.client(Role.PROJECT_MANAGER)
    assert (await risk(pm, own, 1, 1))["project"] == {"code": "OWN"}
    refused = await pm.errors(
        RAISE_RISK, {"i": {"projectId": other, "title": "x", "probability": 1, "impact": 1}}
    )
    assert refused[0]["extensions"]["code"] == "FORBIDDEN"
    theirs = await risk(org.admin, other, 2, 2)
    assert (await pm.errors(UPDATE_RISK, {"i": {"riskId": theirs["id"], "status": "CLOSED"}}))[0][
        "extensions"
    ]["code"] == "FORBIDDEN"
    assert (
        await org.client(Role.VIEWER).errors(
            UPDATE_RISK, {"i": {"riskId": theirs["id"], "status": "CLOSED"}}
        )
    )[0]["extensions"]["code"] == "FORBIDDEN"


async def test_risk_profile(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    portfolio = await make_portfolio(org.admin, "P")
    a = await make_project(org.admin, "A", portfolio, stage="ACTIVE")
    b = await make_project(org.admin, "B", portfolio, stage="ACTIVE")
    await make_project(org.admin, "C", portfolio, stage="ACTIVE")  # nothing recorded
    d = await make_project(org.admin, "D", portfolio, stage="ACTIVE")
    await make_project(org.admin, "E", portfolio, stage="PROPOSED")  # not active: not counted
    elsewhere = await make_project(org.admin, "Z", stage="ACTIVE")
    await risk(org.admin, a, 2, 2)  # 4 LOW     → heatmap[1][1]
    await risk(org.admin, a, 3, 5)  # 15 HIGH   → heatmap[4][2]
    await risk(org.admin, b, 3, 5)  # 15 HIGH   → heatmap[4][2]
    await risk(org.admin, b, 4, 3)  # 12 MEDIUM → heatmap[2][3]
    closed = await risk(org.admin, d, 5, 5)
    await org.admin.mutate(UPDATE_RISK, {"i": {"riskId": closed["id"], "status": "CLOSED"}})
    await risk(org.admin, elsewhere, 5, 5)  # another portfolio's (none): not counted
    profile = (await org.admin.query(PROFILE, {"f": portfolio}))["node"]["riskProfile"]
    assert profile == {
        "heatmap": [
            [0, 0, 0, 0, 0],
            [0, 1, 0, 0, 0],
            [0, 0, 0, 1, 0],
            [0, 0, 0, 0, 0],
            [0, 0, 2, 0, 0],
        ],
        "openRisks": 4,
        "totalExposure": 46,
        "low": 1,
        "medium": 1,
        "high": 2,
        "unassessed": [{"code": "C"}],  # D recorded a risk, even if it is closed
    }
    empty = await make_portfolio(org.admin, "Empty")
    nothing = (await org.admin.query(PROFILE, {"f": empty}))["node"]["riskProfile"]
    assert (nothing["openRisks"], nothing["totalExposure"], nothing["unassessed"]) == (0, 0, [])


AUDIT = """
query($r: ID!) { auditLog(first: 10, entityId: $r) { nodes { action changes } } }
"""


async def test_the_audit_log_records_a_risks_new_description_and_proximity(
    make_org: MakeOrg,
) -> None:
    org = await organisation(make_org)
    project = await make_project(org.admin, "R-6")
    created = await risk(org.admin, project, 2, 3, description="Old words", proximity="2027-03-15")
    await org.admin.mutate(
        UPDATE_RISK,
        {"i": {"riskId": created["id"], "description": "New words", "proximity": None}},
    )
    log = (await org.admin.query(AUDIT, {"r": created["id"]}))["auditLog"]["nodes"]
    updates = [event["changes"] for event in log if event["action"] == "updateRisk"]
    assert updates == [
        {
            "description": {"from": "Old words", "to": "New words"},
            "proximity": {"from": "2027-03-15", "to": None},
        }
    ]
    raised = [event["changes"] for event in log if event["action"] == "raiseRisk"]
    assert raised[0]["description"] == "Old words"
    assert raised[0]["proximity"] == "2027-03-15"
