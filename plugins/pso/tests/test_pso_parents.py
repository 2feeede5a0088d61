"""A parent the database always keeps is answered non-null, on the resolvers and on the compiled
path; optional references and an event's keys stay nullable."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pso_helpers import ASSIGN, CREATE_MILESTONE, person, project, report

from helpers import field_kinds
from pmo_graph.app_state import AppState
from pmo_graph.graphql.compiled.compiler import Compiled
from pmo_graph.testing import GraphQLClient, TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

#: Each foreign key is NOT NULL with ON DELETE CASCADE, the parent is of the child's
#: organisation, and nothing (row security, a tier, a permission, an archived parent) hides it
#: from a reader of the child.
ALWAYS_THERE = {
    "StatusReport.project",
    "Milestone.project",
    "Assignment.project",
    "Assignment.person",
    "SupportEngagement.recipient",
}
#: An optional link (its key is nullable), or an event's key, which no foreign key holds.
MAY_BE_NULL = {
    "StatusReport.submittedBy",
    "SupportEngagement.project",
    "SupportEngagement.facilitator",
    "StatusReportSubmitted.statusReport",
    "StatusReportSubmitted.project",
}

#: Every non-null parent but the engagement's, in a query the compiled path can answer.
PARENTS = """
{
  projects(first: 5) { nodes {
    id
    statusReports { nodes { project { id } } }
    latestStatus { project { id } }
    milestones { project { id } }
    assignments { project { id } person { id } }
  } }
}
"""
RECORD = """
mutation($input: RecordSupportEngagementInput!) {
  recordSupportEngagement(input: $input) {
    supportEngagement { recipient { id } project { id } facilitator { id } }
    userErrors { code }
  }
}
"""
RECIPIENTS = """
query($person: ID!) { node(id: $person) { ... on Person {
  supportReceived(first: 5) { nodes { recipient { id } } }
} } }
"""


async def test_parents_always_there_are_non_null_and_optional_links_nullable(
    make_org: MakeOrg,
) -> None:
    client = (await make_org(tiers=["pso"])).admin
    assert await field_kinds(client, ALWAYS_THERE) == dict.fromkeys(ALWAYS_THERE, "NON_NULL")
    assert await field_kinds(client, MAY_BE_NULL) == dict.fromkeys(MAY_BE_NULL, "OBJECT")


async def _read_parents(pmo_state: AppState, client: GraphQLClient) -> list[Any]:
    """The answer of PARENTS by the compiled path and by the resolvers; both must be the same."""
    answers = []
    for compiled in (True, False):
        before = pmo_state.compiled_queries
        pmo_state.compiled_queries = compiled and before
        plans = dict(pmo_state.compiled_plans._plans)
        try:
            answers.append((await client.query(PARENTS))["projects"]["nodes"])
        finally:
            pmo_state.compiled_queries = before
        if compiled and before:  # one statement answered, not the resolvers
            (plan,) = [v for k, v in pmo_state.compiled_plans._plans.items() if k not in plans]
            assert isinstance(plan, Compiled), plan
    assert answers[0] == answers[1]
    return list(answers[0])


async def test_every_non_null_parent_answers_the_row_it_belongs_to(
    make_org: MakeOrg, pmo_state: AppState
) -> None:
    client = (await make_org(tiers=["pso"])).admin
    p = await project(client, "PARENT-1", stage="ACTIVE")
    ann = await person(client, "Ann Parent")
    await report(client, p, "2026-11-06", "GREEN")
    await client.mutate(
        CREATE_MILESTONE,
        {"input": {"projectId": p, "name": "Design signed off", "baselineDate": "2027-01-15"}},
    )
    assigned = {
        "projectId": p,
        "personId": ann,
        "role": "Data engineer",
        "allocation": 0.5,
        "startDate": "2026-12-01",
        "endDate": "2027-01-31",
    }
    await client.mutate(ASSIGN, {"input": assigned})
    recorded = await client.mutate(
        RECORD,
        {"input": {"kind": "WORKSHOP", "recipientId": ann, "date": "2026-11-10", "hours": "2"}},
    )

    assert await _read_parents(pmo_state, client) == [
        {
            "id": p,
            "statusReports": {"nodes": [{"project": {"id": p}}]},
            "latestStatus": {"project": {"id": p}},
            "milestones": [{"project": {"id": p}}],
            "assignments": [{"project": {"id": p}, "person": {"id": ann}}],
        }
    ]
    assert recorded["supportEngagement"] == {
        "recipient": {"id": ann},
        "project": None,
        "facilitator": None,
    }
    received = await client.query(RECIPIENTS, {"person": ann})
    assert received["node"]["supportReceived"]["nodes"] == [{"recipient": {"id": ann}}]
