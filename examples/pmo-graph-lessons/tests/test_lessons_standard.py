"""LESSONS_CAPTURED: a closed project has at least one lesson, judged through the compliance API
of the `pso` tier (Project.compliance, complianceReport) like every other standard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from lessons_helpers import DISABLE, project, record, set_stage
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

COMPLIANCE = """
query($id: ID!) { node(id: $id) { ... on Project { code
  compliance { compliant findings { standard { key severity tier } passed message } } } } }
"""
REPORT = """
{ complianceReport {
    compliantProjects nonCompliantProjects
    projects { project { code } compliant findings { standard { key } passed message } }
    standards { standard { key } passed failed }
} }
"""


def _lessons_finding(data: dict[str, object]) -> list[dict[str, object]]:
    node = data["node"]
    assert isinstance(node, dict)
    return [f for f in node["compliance"]["findings"] if f["standard"]["key"] == "LESSONS_CAPTURED"]


async def test_the_standard_is_listed_while_the_tier_is_on(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso", "lessons"])
    data = await org.admin.query("{ standards { key name description severity tier } }")
    by_key = {s["key"]: s for s in data["standards"]}
    assert by_key["LESSONS_CAPTURED"] == {
        "key": "LESSONS_CAPTURED",
        "name": "Lessons captured",
        "description": "Every closed project has at least one lesson learned recorded.",
        "severity": "MEDIUM",
        "tier": "lessons",
    }
    # after the four standards of pso, whose tier comes first
    assert list(by_key)[-1] == "LESSONS_CAPTURED"
    await org.admin.mutate(DISABLE, {"key": "lessons"})
    data = await org.admin.query("{ standards { key } }")
    assert "LESSONS_CAPTURED" not in [s["key"] for s in data["standards"]]


async def test_a_closed_project_without_lessons_is_not_compliant(org: TestOrganisation) -> None:
    project_id = await project(org.admin, "STD-1", stage="ACTIVE")
    await set_stage(org.admin, project_id, "CLOSED")

    data = await org.admin.query(COMPLIANCE, {"id": project_id})
    assert _lessons_finding(data) == [
        {
            "standard": {"key": "LESSONS_CAPTURED", "severity": "MEDIUM", "tier": "lessons"},
            "passed": False,
            "message": "No lessons recorded: record at least one with recordLesson.",
        }
    ]
    # The only standard that applies to a closed project, so it decides compliance.
    assert data["node"]["compliance"]["compliant"] is False
    assert len(data["node"]["compliance"]["findings"]) == 1


async def test_a_closed_project_with_a_lesson_is_compliant(org: TestOrganisation) -> None:
    project_id = await project(org.admin, "STD-2", stage="ACTIVE")
    await record(org.admin, project_id, "Recorded before closing counts too")
    await set_stage(org.admin, project_id, "CLOSED")
    await record(org.admin, project_id, "And after")

    data = await org.admin.query(COMPLIANCE, {"id": project_id})
    assert _lessons_finding(data) == [
        {
            "standard": {"key": "LESSONS_CAPTURED", "severity": "MEDIUM", "tier": "lessons"},
            "passed": True,
            "message": "2 lesson(s) recorded.",
        }
    ]
    assert data["node"]["compliance"]["compliant"] is True


async def test_open_projects_are_not_judged_by_it(org: TestOrganisation) -> None:
    for stage in ("PROPOSED", "APPROVED", "ACTIVE", "ON_HOLD", "CANCELLED"):
        project_id = await project(org.admin, f"OPEN-{stage}", stage=stage)
        assert _lessons_finding(await org.admin.query(COMPLIANCE, {"id": project_id})) == []


async def test_the_compliance_report_counts_it(org: TestOrganisation) -> None:
    with_lesson = await project(org.admin, "REP-1", stage="ACTIVE")
    without = await project(org.admin, "REP-2", stage="ACTIVE")
    for project_id in (with_lesson, without):
        await set_stage(org.admin, project_id, "CLOSED")
    await record(org.admin, with_lesson, "Captured")

    report = (await org.admin.query(REPORT))["complianceReport"]
    assert report["compliantProjects"] == 1
    assert report["nonCompliantProjects"] == 1
    assert [(p["project"]["code"], p["compliant"]) for p in report["projects"]] == [
        ("REP-1", True),
        ("REP-2", False),
    ]
    assert {"standard": {"key": "LESSONS_CAPTURED"}, "passed": 1, "failed": 1} in report[
        "standards"
    ]


async def test_the_standard_does_not_apply_while_the_tier_is_off(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso", "lessons"])
    project_id = await project(org.admin, "OFF-STD", stage="ACTIVE")
    await set_stage(org.admin, project_id, "CLOSED")
    await org.admin.mutate(DISABLE, {"key": "lessons"})
    data = await org.admin.query(COMPLIANCE, {"id": project_id})
    assert data["node"]["compliance"] == {"compliant": True, "findings": []}
