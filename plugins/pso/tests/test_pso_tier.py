"""With `pso` off every one of its fields and mutations answers TIER_NOT_ENABLED; on again, its
data is all back. The cases are checked against the schema, so a new field needs one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pso_helpers import ADD_SKILL, ASSIGN, CREATE_MILESTONE, person, project, report

from pmo_graph.app_state import AppState
from pmo_graph.sdk import field_tier
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

#: type.field → a document that reads it ($project and $person are filled in).
#: Subscriptions, refused while the tier is off: tests/test_subscriptions.py checks every one.
SUBSCRIPTIONS = {"Subscription.statusReportSubmitted"}
READS = {
    "Project.statusReports": "query($project: ID!) { node(id: $project) { ... on Project { statusReports { totalCount } } } }",
    "Project.latestStatus": "query($project: ID!) { node(id: $project) { ... on Project { latestStatus { overall } } } }",
    "Project.milestones": "query($project: ID!) { node(id: $project) { ... on Project { milestones { slipDays } } } }",
    "Project.assignments": "query($project: ID!) { node(id: $project) { ... on Project { assignments { role } } } }",
    "Project.compliance": 'query($project: ID!) { node(id: $project) { ... on Project { compliance(asOf: "2026-11-20") { compliant } } } }',
    "Project.supportEngagements": "query($project: ID!) { node(id: $project) { ... on Project { supportEngagements { nodes { kind } } } } }",
    "Person.skills": "query($person: ID!) { node(id: $person) { ... on Person { skills { skill } } } }",
    "Person.assignments": "query($person: ID!) { node(id: $person) { ... on Person { assignments { role } } } }",
    "Person.supportReceived": "query($person: ID!) { node(id: $person) { ... on Person { supportReceived { nodes { kind } } } } }",
    "Organisation.reportingCadenceDays": "{ viewer { organisation { reportingCadenceDays } } }",
    "Query.statusSummary": '{ statusSummary(asOf: "2026-11-20") { activeProjects red } }',
    "Query.suggestStaff": 'query($project: ID!) { suggestStaff(projectId: $project, skill: "Testing", allocation: 0.5, startDate: "2027-01-01", endDate: "2027-01-31") { skillLevel } }',
    "Query.projectTemplates": "{ projectTemplates { totalCount } }",
    "Query.complianceReport": '{ complianceReport(asOf: "2026-11-20") { compliantProjects } }',
}
WRITES = {
    "submitStatusReport": (
        "SubmitStatusReportInput",
        lambda ids: {"projectId": ids["project"], "periodEnding": "2026-11-13", "overall": "RED"},
    ),
    "createMilestone": (
        "CreateMilestoneInput",
        lambda ids: {"projectId": ids["project"], "name": "M", "baselineDate": "2027-01-01"},
    ),
    "updateMilestone": (
        "UpdateMilestoneInput",
        lambda ids: {"milestoneId": ids["milestone"], "forecastDate": "2027-01-09"},
    ),
    "addPersonSkill": (
        "AddPersonSkillInput",
        lambda ids: {"personId": ids["person"], "skill": "Python", "level": 2},
    ),
    "removePersonSkill": (
        "RemovePersonSkillInput",
        lambda ids: {"personId": ids["person"], "skill": "Testing"},
    ),
    "assignPerson": (
        "AssignPersonInput",
        lambda ids: {
            "projectId": ids["project"],
            "personId": ids["person"],
            "role": "R",
            "allocation": 0.1,
            "startDate": "2027-01-01",
            "endDate": "2027-01-02",
        },
    ),
    "releaseAssignment": (
        "ReleaseAssignmentInput",
        lambda ids: {"assignmentId": ids["assignment"]},
    ),
    "createProjectTemplate": ("CreateProjectTemplateInput", lambda ids: {"name": "T"}),
    "createProjectFromTemplate": (
        "CreateProjectFromTemplateInput",
        lambda ids: {
            "templateId": "UHJvamVjdFRlbXBsYXRlOjE=",
            "code": "T-1",
            "name": "T",
            "startDate": "2027-01-01",
        },
    ),
    "recordSupportEngagement": (
        "RecordSupportEngagementInput",
        lambda ids: {
            "kind": "COACHING",
            "recipientId": ids["person"],
            "date": "2026-11-01",
            "hours": "1",
        },
    ),
    "setReportingCadence": ("SetReportingCadenceInput", lambda ids: {"days": 7}),
}


def _without_throttle(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer less what is left of the token's budget, which refills with time."""
    answer.get("extensions", {}).get("cost", {}).pop("throttle", None)
    return answer


def test_every_pso_field_has_a_case(pmo_state: AppState) -> None:
    schema = pmo_state.built.schema
    gated: set[str] = set()
    converter = schema.config.name_converter
    for name in schema._schema.type_map:
        definition = schema.get_type_by_name(name)
        for field in getattr(definition, "fields", None) or []:
            if field_tier(field) == "pso":
                gated.add(f"{name}.{converter.from_field(field)}")
    writes = {f"Mutation.{name}" for name in WRITES}
    assert gated == {f"{key}" for key in READS} | writes | SUBSCRIPTIONS


async def test_pso_off_hides_everything_and_on_again_shows_it_all(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    client = org.admin
    ids = {
        "project": await project(client, "GATED", stage="ACTIVE"),
        "person": await person(client, "Gated Person"),
    }
    await report(client, ids["project"], "2026-11-06", "AMBER")
    ids["milestone"] = (
        await client.mutate(
            CREATE_MILESTONE,
            {"input": {"projectId": ids["project"], "name": "M1", "baselineDate": "2027-01-01"}},
        )
    )["milestone"]["id"]
    await client.mutate(
        ADD_SKILL, {"input": {"personId": ids["person"], "skill": "Testing", "level": 4}}
    )
    ids["assignment"] = (
        await client.mutate(
            ASSIGN,
            {
                "input": {
                    "projectId": ids["project"],
                    "personId": ids["person"],
                    "role": "Tester",
                    "allocation": 0.5,
                    "startDate": "2026-11-01",
                    "endDate": "2027-03-31",
                }
            },
        )
    )["assignment"]["id"]

    async def read_all() -> dict[str, Any]:
        return {
            key: _without_throttle(
                await client.execute(
                    document, {k: v for k, v in ids.items() if f"${k}" in document}
                )
            )
            for key, document in READS.items()
        }

    before = await read_all()
    assert all("errors" not in result for result in before.values()), before
    await client.mutate(
        'mutation { disableTier(input: {key: "pso"}) { tier { enabled } userErrors { code } } }'
    )

    for key, result in (await read_all()).items():
        codes = [e["extensions"]["code"] for e in result["errors"]]
        assert codes == ["TIER_NOT_ENABLED"], (key, result)
    for name, (input_type, make) in WRITES.items():
        document = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ userErrors {{ code }} }} }}"
        result = await client.execute(document, {"input": make(ids)})
        assert [e["extensions"]["code"] for e in result["errors"]] == ["TIER_NOT_ENABLED"], name
    assert [s["key"] for s in (await client.query("{ standards { key } }"))["standards"]] == []

    await client.mutate(
        'mutation { enableTier(input: {key: "pso"}) { tier { enabled } userErrors { code } } }'
    )
    after = await read_all()
    assert after == before
    assert after["Project.latestStatus"]["data"]["node"]["latestStatus"] == {"overall": "AMBER"}
    assert after["Person.skills"]["data"]["node"]["skills"] == [{"skill": "Testing"}]
