"""Helpers of the pso tier's tests: GraphQL documents and set-up through the API."""

from __future__ import annotations

from typing import Any

from pmo_graph.testing import GraphQLClient

CREATE_PROJECT = """
mutation($input: CreateProjectInput!) {
  createProject(input: $input) { project { id code } userErrors { field message code } }
}
"""
SUBMIT = """
mutation($input: SubmitStatusReportInput!) {
  submitStatusReport(input: $input) {
    statusReport { id periodEnding overall schedule cost scope resources summary submittedBy { email } project { code } }
    userErrors { field message code }
  }
}
"""
CREATE_MILESTONE = """
mutation($input: CreateMilestoneInput!) {
  createMilestone(input: $input) {
    milestone { id name baselineDate forecastDate actualDate slipDays version project { code } }
    userErrors { field message code }
  }
}
"""
UPDATE_MILESTONE = """
mutation($input: UpdateMilestoneInput!) {
  updateMilestone(input: $input) {
    milestone { id name baselineDate forecastDate actualDate slipDays version }
    userErrors { field message code }
  }
}
"""
CREATE_PERSON = """
mutation($input: CreatePersonInput!) { createPerson(input: $input) { person { id name } userErrors { code } } }
"""
ADD_SKILL = """
mutation($input: AddPersonSkillInput!) {
  addPersonSkill(input: $input) { person { name skills { skill level } } userErrors { field message code } }
}
"""
ASSIGN = """
mutation($input: AssignPersonInput!) {
  assignPerson(input: $input) {
    assignment { id role allocation startDate endDate person { name } project { code } }
    userErrors { field message code }
  }
}
"""


async def project(client: GraphQLClient, code: str, **fields: Any) -> str:
    """A new project's id."""
    payload = await client.mutate(CREATE_PROJECT, {"input": {"code": code, "name": code, **fields}})
    return str(payload["project"]["id"])


async def person(client: GraphQLClient, name: str) -> str:
    """A new person's id."""
    payload = await client.mutate(CREATE_PERSON, {"input": {"name": name}})
    return str(payload["person"]["id"])


async def report(
    client: GraphQLClient, project_id: str, period: str, overall: str, **fields: Any
) -> dict[str, Any]:
    """Submit a report that must succeed; its payload."""
    return await client.mutate(
        SUBMIT,
        {"input": {"projectId": project_id, "periodEnding": period, "overall": overall, **fields}},
    )
