"""Milestones and slipDays, worked out by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pso_helpers import CREATE_MILESTONE, UPDATE_MILESTONE, project

from pmo_graph.sdk import Role, to_global_id
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]


async def _milestone(
    org: TestOrganisation, project_id: str, name: str, baseline: str, forecast: str | None = None
) -> dict[str, object]:
    payload = await org.admin.mutate(
        CREATE_MILESTONE,
        {
            "input": {
                "projectId": project_id,
                "name": name,
                "baselineDate": baseline,
                "forecastDate": forecast,
            }
        },
    )
    return payload["milestone"]  # type: ignore[no-any-return]


async def test_slip_days(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    project_id = await project(org.admin, "MS-1")
    on_plan = await _milestone(org, project_id, "On plan", "2026-12-01")
    late = await _milestone(org, project_id, "Late", "2026-12-01", "2026-12-11")
    early = await _milestone(org, project_id, "Early", "2026-12-01", "2026-11-24")
    done = await _milestone(org, project_id, "Done", "2026-12-01", "2026-12-11")
    assert (on_plan["slipDays"], late["slipDays"], early["slipDays"]) == (0, 10, -7)
    # the actual date wins over the forecast: 11-28 is 3 days before the baseline
    reached = await org.admin.mutate(
        UPDATE_MILESTONE, {"input": {"milestoneId": done["id"], "actualDate": "2026-11-28"}}
    )
    assert reached["milestone"]["slipDays"] == -3
    assert reached["milestone"]["forecastDate"] == "2026-12-11"

    moved = await org.admin.mutate(
        UPDATE_MILESTONE,
        {
            "input": {
                "milestoneId": on_plan["id"],
                "expectedVersion": 1,
                "forecastDate": "2026-12-15",
            }
        },
    )
    assert (moved["milestone"]["slipDays"], moved["milestone"]["version"]) == (14, 2)
    stale = await org.admin.query(
        UPDATE_MILESTONE,
        {
            "input": {
                "milestoneId": on_plan["id"],
                "expectedVersion": 1,
                "forecastDate": "2026-12-20",
            }
        },
    )
    assert stale["updateMilestone"]["userErrors"][0]["code"] == "CONFLICT"
    cleared = await org.admin.mutate(
        UPDATE_MILESTONE, {"input": {"milestoneId": on_plan["id"], "forecastDate": None}}
    )
    assert cleared["milestone"]["slipDays"] == 0

    listed = await org.admin.query(
        "query($id: ID!) { node(id: $id) { ... on Project { milestones { name slipDays } } } }",
        {"id": project_id},
    )
    # by baseline date, then by creation
    assert listed["node"]["milestones"] == [
        {"name": "On plan", "slipDays": 0},
        {"name": "Late", "slipDays": 10},
        {"name": "Early", "slipDays": -7},
        {"name": "Done", "slipDays": -3},
    ]


async def test_a_milestone_of_another_project_is_refused(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    first = await project(org.admin, "MS-A")
    second = await project(org.admin, "MS-B")
    milestone = await _milestone(org, first, "Go-live", "2027-01-15")
    wrong = await org.admin.query(
        UPDATE_MILESTONE,
        {
            "input": {
                "milestoneId": milestone["id"],
                "projectId": second,
                "forecastDate": "2027-02-01",
            }
        },
    )
    errors = wrong["updateMilestone"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["projectId"], "INVALID")]
    assert errors[0]["message"].startswith("The milestone belongs to project MS-A")
    right = await org.admin.mutate(
        UPDATE_MILESTONE,
        {
            "input": {
                "milestoneId": milestone["id"],
                "projectId": first,
                "forecastDate": "2027-02-01",
            }
        },
    )
    assert right["milestone"]["slipDays"] == 17
    missing = await org.admin.query(
        CREATE_MILESTONE,
        {
            "input": {
                "projectId": to_global_id("Project", 99999999),
                "name": "x",
                "baselineDate": "2027-01-01",
            }
        },
    )
    assert missing["createMilestone"]["userErrors"][0]["code"] == "NOT_FOUND"
    blank = await org.admin.query(
        CREATE_MILESTONE, {"input": {"projectId": first, "name": " ", "baselineDate": "2027-01-01"}}
    )
    assert blank["createMilestone"]["userErrors"] == [
        {"field": ["name"], "message": "name must not be blank.", "code": "INVALID"}
    ]


async def test_project_managers_plan_their_own_projects(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    own = await project(
        org.admin, "OWN", managerId=to_global_id("Person", org.person_ids[Role.PROJECT_MANAGER])
    )
    other = await project(org.admin, "OTHER")
    pm = org.client(Role.PROJECT_MANAGER)
    created = await pm.mutate(
        CREATE_MILESTONE,
        {"input": {"projectId": own, "name": "Mine", "baselineDate": "2027-01-01"}},
    )
    assert created["milestone"]["project"] == {"code": "OWN"}
    refused = await pm.errors(
        CREATE_MILESTONE,
        {"input": {"projectId": other, "name": "Theirs", "baselineDate": "2027-01-01"}},
    )
    assert refused[0]["extensions"]["code"] == "FORBIDDEN"
    theirs = await _milestone(org, other, "Theirs", "2027-01-01")
    refused = await pm.errors(
        UPDATE_MILESTONE, {"input": {"milestoneId": theirs["id"], "forecastDate": "2027-01-05"}}
    )
    assert refused[0]["extensions"]["code"] == "FORBIDDEN"
    viewer = await org.client(Role.VIEWER).errors(
        UPDATE_MILESTONE, {"input": {"milestoneId": theirs["id"], "forecastDate": "2027-01-05"}}
    )
    assert viewer[0]["extensions"]["code"] == "FORBIDDEN"
