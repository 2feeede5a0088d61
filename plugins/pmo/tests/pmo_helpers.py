"""Helpers of the pmo tier's tests."""

from __future__ import annotations

from typing import Any

from pmo_graph.testing import GraphQLClient

TIERS = ["pso", "portfolio", "pmo"]


async def programme(client: GraphQLClient, name: str, director: str | None = None) -> str:
    payload = await client.mutate(
        "mutation($n: String!, $d: ID) { createProgramme(input: {name: $n, directorId: $d}) { programme { id } userErrors { code } } }",
        {"n": name, "d": director},
    )
    return str(payload["programme"]["id"])


async def project(
    client: GraphQLClient, code: str, programme_id: str | None = None, **fields: Any
) -> str:
    payload = await client.mutate(
        "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } userErrors { field message code } } }",
        {"i": {"code": code, "name": code, **fields}},
    )
    project_id = str(payload["project"]["id"])
    if programme_id is not None:
        await client.mutate(
            "mutation($p: ID!, $g: ID) { setProjectProgramme(input: {projectId: $p, programmeId: $g}) { userErrors { code } } }",
            {"p": project_id, "g": programme_id},
        )
    return project_id


async def person(client: GraphQLClient, name: str) -> str:
    payload = await client.mutate(
        "mutation($n: String!) { createPerson(input: {name: $n}) { person { id } userErrors { code } } }",
        {"n": name},
    )
    return str(payload["person"]["id"])


async def milestone(
    client: GraphQLClient,
    project_id: str,
    name: str,
    baseline: str,
    forecast: str | None = None,
    actual: str | None = None,
) -> str:
    payload = await client.mutate(
        "mutation($i: CreateMilestoneInput!) { createMilestone(input: $i) { milestone { id } userErrors { field message code } } }",
        {
            "i": {
                "projectId": project_id,
                "name": name,
                "baselineDate": baseline,
                "forecastDate": forecast,
            }
        },
    )
    milestone_id = str(payload["milestone"]["id"])
    if actual is not None:
        await client.mutate(
            "mutation($i: UpdateMilestoneInput!) { updateMilestone(input: $i) { userErrors { code } } }",
            {"i": {"milestoneId": milestone_id, "actualDate": actual}},
        )
    return milestone_id


CREATE_BENEFIT = """
mutation($i: CreateBenefitInput!) { createBenefit(input: $i) { benefit { id name } userErrors { field message code } } }
"""
MEASURE = """
mutation($i: RecordBenefitMeasurementInput!) {
  recordBenefitMeasurement(input: $i) { benefit { id } userErrors { field message code } }
}
"""
ADD_DEPENDENCY = """
mutation($p: ID!, $s: ID!, $lag: Int!) {
  addDependency(input: {predecessorId: $p, successorId: $s, lagDays: $lag}) {
    dependency { id lagDays } userErrors { field message code }
  }
}
"""


async def benefit(
    client: GraphQLClient,
    programme_id: str,
    name: str,
    baseline: float,
    target: float,
    target_date: str,
    *,
    kind: str = "BENEFIT",
    category: str = "FINANCIAL",
    points: list[tuple[str, float]] = (),
) -> str:  # type: ignore[assignment]
    payload = await client.mutate(
        CREATE_BENEFIT,
        {
            "i": {
                "programmeId": programme_id,
                "name": name,
                "kind": kind,
                "category": category,
                "measure": name,
                "baseline": baseline,
                "target": target,
                "targetDate": target_date,
            }
        },
    )
    benefit_id = str(payload["benefit"]["id"])
    for day, value in points:
        await client.mutate(
            MEASURE, {"i": {"benefitId": benefit_id, "measuredOn": day, "value": value}}
        )
    return benefit_id
