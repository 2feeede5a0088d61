"""Helpers of the portfolio tier's tests: set-up through the API."""

from __future__ import annotations

from typing import Any

from pmo_graph.testing import GraphQLClient, TestOrganisation

TIERS = ["pso", "portfolio"]


async def make_portfolio(client: GraphQLClient, name: str) -> str:
    payload = await client.mutate(
        "mutation($n: String!) { createPortfolio(input: {name: $n}) { portfolio { id } userErrors { code } } }",
        {"n": name},
    )
    return str(payload["portfolio"]["id"])


async def make_project(
    client: GraphQLClient, code: str, portfolio: str | None = None, **fields: Any
) -> str:
    payload = await client.mutate(
        "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } userErrors { field message code } } }",
        {"i": {"code": code, "name": code, **fields}},
    )
    project_id = str(payload["project"]["id"])
    if portfolio is not None:
        await client.mutate(
            "mutation($p: ID!, $f: ID) { setProjectPortfolio(input: {projectId: $p, portfolioId: $f}) { userErrors { code } } }",
            {"p": project_id, "f": portfolio},
        )
    return project_id


async def make_person(client: GraphQLClient, name: str) -> str:
    payload = await client.mutate(
        "mutation($n: String!) { createPerson(input: {name: $n}) { person { id } userErrors { code } } }",
        {"n": name},
    )
    return str(payload["person"]["id"])


async def assign(
    client: GraphQLClient, project: str, person: str, allocation: float, start: str, end: str
) -> str:
    payload = await client.mutate(
        "mutation($i: AssignPersonInput!) { assignPerson(input: $i) { assignment { id } userErrors { field message code } } }",
        {
            "i": {
                "projectId": project,
                "personId": person,
                "role": "Engineer",
                "allocation": allocation,
                "startDate": start,
                "endDate": end,
            }
        },
    )
    return str(payload["assignment"]["id"])


RAISE_RISK = """
mutation($i: RaiseRiskInput!) {
  raiseRisk(input: $i) {
    risk { id title probability impact score rating status owner { name } project { code } version }
    userErrors { field message code }
  }
}
"""


async def risk(
    client: GraphQLClient,
    project: str,
    probability: int,
    impact: int,
    title: str = "Risk",
    **fields: Any,
) -> dict[str, Any]:
    payload = await client.mutate(
        RAISE_RISK,
        {
            "i": {
                "projectId": project,
                "title": title,
                "probability": probability,
                "impact": impact,
                **fields,
            }
        },
    )
    return payload["risk"]  # type: ignore[no-any-return]


async def organisation(make_org: Any) -> TestOrganisation:
    """A fresh organisation with pso and portfolio on."""
    return await make_org(tiers=TIERS)  # type: ignore[no-any-return]
