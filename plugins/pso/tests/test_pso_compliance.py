"""Standards and compliance findings, each worked out by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pso_helpers import CREATE_MILESTONE, project, report

from pmo_graph.sdk import Role
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

COMPLIANCE = """
query($id: ID!) { node(id: $id) { ... on Project { compliance(asOf: "2026-11-20") {
  compliant findings { standard { key } passed message } } } } }
"""
REPORT = """
query($portfolio: ID) { complianceReport(asOf: "2026-11-20", portfolioId: $portfolio) {
  asOf compliantProjects nonCompliantProjects
  projects { project { code } compliant findings { standard { key } passed } }
  standards { standard { key severity } passed failed }
} }
"""


async def _world(org: TestOrganisation) -> dict[str, str]:
    """C1 all good; C2 ACTIVE with nothing; C3 APPROVED without milestones; C4 CLOSED;
    C5 ACTIVE whose last report (2026-10-01) is stale on 2026-11-20."""
    client = org.admin
    person = (
        await client.mutate(
            'mutation { createPerson(input: {name: "Mo"}) { person { id } userErrors { code } } }'
        )
    )["person"]["id"]
    staffed = {"managerId": person, "sponsorId": person}
    ids = {
        "C1": await project(client, "C1", stage="ACTIVE", **staffed),
        "C2": await project(client, "C2", stage="ACTIVE"),
        "C3": await project(client, "C3", stage="APPROVED", **staffed),
        "C4": await project(client, "C4", stage="CLOSED"),
        "C5": await project(client, "C5", stage="ACTIVE", **staffed),
    }
    for code in ("C1", "C5"):
        await client.mutate(
            CREATE_MILESTONE,
            {"input": {"projectId": ids[code], "name": "M", "baselineDate": "2027-01-01"}},
        )
    await report(org.client(Role.OFFICE), ids["C1"], "2026-11-14", "GREEN")
    await report(org.client(Role.OFFICE), ids["C5"], "2026-10-01", "AMBER")
    return ids


def _keys(findings: list[dict[str, Any]]) -> dict[str, bool]:
    return {f["standard"]["key"]: f["passed"] for f in findings}


async def test_the_four_standards_of_the_tier(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    standards = (await org.admin.query("{ standards { key name severity tier } }"))["standards"]
    assert standards == [
        {"key": "HAS_MANAGER", "name": "Has a project manager", "severity": "HIGH", "tier": "pso"},
        {"key": "HAS_SPONSOR", "name": "Has a sponsor", "severity": "MEDIUM", "tier": "pso"},
        {
            "key": "STATUS_REPORT_CURRENT",
            "name": "Status report current",
            "severity": "MEDIUM",
            "tier": "pso",
        },
        {"key": "HAS_MILESTONES", "name": "Has milestones", "severity": "LOW", "tier": "pso"},
    ]


async def test_findings_per_project(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    ids = await _world(org)

    async def compliance(code: str) -> dict[str, Any]:
        return (await org.admin.query(COMPLIANCE, {"id": ids[code]}))["node"]["compliance"]  # type: ignore[no-any-return]

    good = await compliance("C1")
    assert good["compliant"] is True
    assert good["findings"] == [
        {"standard": {"key": "HAS_MANAGER"}, "passed": True, "message": "Has a project manager."},
        {"standard": {"key": "HAS_SPONSOR"}, "passed": True, "message": "Has a sponsor."},
        {
            "standard": {"key": "STATUS_REPORT_CURRENT"},
            "passed": True,
            "message": "Reported for the period ending 2026-11-14 (6 days ago).",
        },
        {
            "standard": {"key": "HAS_MILESTONES"},
            "passed": True,
            "message": "1 milestone(s) planned.",
        },
    ]
    bad = await compliance("C2")
    assert bad["compliant"] is False
    assert bad["findings"] == [
        {
            "standard": {"key": "HAS_MANAGER"},
            "passed": False,
            "message": "No project manager: name one with updateProject(managerId).",
        },
        {
            "standard": {"key": "HAS_SPONSOR"},
            "passed": False,
            "message": "No sponsor: name one with updateProject(sponsorId).",
        },
        {
            "standard": {"key": "STATUS_REPORT_CURRENT"},
            "passed": False,
            "message": "Never reported: submit a status report.",
        },
        {
            "standard": {"key": "HAS_MILESTONES"},
            "passed": False,
            "message": "No milestones: plan at least one with createMilestone.",
        },
    ]
    # APPROVED: nothing to report yet, but it should be planned
    assert _keys((await compliance("C3"))["findings"]) == {
        "HAS_MANAGER": True,
        "HAS_SPONSOR": True,
        "HAS_MILESTONES": False,
    }
    closed = await compliance("C4")
    assert closed == {"compliant": True, "findings": []}
    stale = await compliance("C5")
    assert stale["findings"][2] == {
        "standard": {"key": "STATUS_REPORT_CURRENT"},
        "passed": False,
        "message": "Last report is for the period ending 2026-10-01, 50 days before 2026-11-20; reports are due every 14 days.",
    }


async def test_the_compliance_report(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    await _world(org)
    data = (await org.admin.query(REPORT))["complianceReport"]
    assert data["asOf"] == "2026-11-20"
    assert [p["project"]["code"] for p in data["projects"]] == [
        "C1",
        "C2",
        "C3",
        "C5",
    ]  # C4: nothing applies
    assert (data["compliantProjects"], data["nonCompliantProjects"]) == (1, 3)
    assert data["standards"] == [
        {"standard": {"key": "HAS_MANAGER", "severity": "HIGH"}, "passed": 3, "failed": 1},
        {"standard": {"key": "HAS_SPONSOR", "severity": "MEDIUM"}, "passed": 3, "failed": 1},
        {
            "standard": {"key": "STATUS_REPORT_CURRENT", "severity": "MEDIUM"},
            "passed": 1,
            "failed": 2,
        },
        {"standard": {"key": "HAS_MILESTONES", "severity": "LOW"}, "passed": 2, "failed": 2},
    ]
    empty = (await org.admin.query(REPORT, {"portfolio": "UG9ydGZvbGlvOjk5OTk5OTk="}))[
        "complianceReport"
    ]
    assert (empty["projects"], empty["compliantProjects"]) == ([], 0)


async def test_another_tiers_standard_applies_only_while_it_is_on(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso", "sample"])
    target = await project(org.admin, "N1", stage="CLOSED")
    findings = (await org.admin.query(COMPLIANCE, {"id": target}))["node"]["compliance"]["findings"]
    assert _keys(findings) == {"SAMPLE_NOTED": False}
    await org.admin.mutate(
        'mutation { disableTier(input: {key: "sample"}) { tier { key } userErrors { code } } }'
    )
    assert (await org.admin.query(COMPLIANCE, {"id": target}))["node"]["compliance"][
        "findings"
    ] == []
