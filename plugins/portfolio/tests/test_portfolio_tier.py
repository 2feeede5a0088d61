"""With `portfolio` off every one of its fields and mutations answers TIER_NOT_ENABLED, its
standards stop applying and `pmo` cannot be enabled; on again, its data is all back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from portfolio_helpers import make_portfolio, make_project, organisation, risk

from pmo_graph.app_state import AppState
from pmo_graph.sdk import field_tier
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

#: Subscriptions, refused while the tier is off: tests/test_subscriptions.py checks every one.
SUBSCRIPTIONS = {"Subscription.riskChanged"}
READS = {
    "Project.risks": "query($project: ID!) { node(id: $project) { ... on Project { risks { score } } } }",
    "Project.issues": "query($project: ID!) { node(id: $project) { ... on Project { issues { title } } } }",
    "Project.scores": "query($project: ID!) { node(id: $project) { ... on Project { scores { score } } } }",
    "Portfolio.riskProfile": "query($portfolio: ID!) { node(id: $portfolio) { ... on Portfolio { riskProfile { totalExposure } } } }",
    "Portfolio.balance": "query($portfolio: ID!) { node(id: $portfolio) { ... on Portfolio { balance { category } } } }",
    "Portfolio.scenarios": "query($portfolio: ID!) { node(id: $portfolio) { ... on Portfolio { scenarios { nodes { name } } } } }",
    "Portfolio.commonIssues": "query($portfolio: ID!) { node(id: $portfolio) { ... on Portfolio { commonIssues { title } } } }",
    "Portfolio.criteria": "query($portfolio: ID!) { node(id: $portfolio) { ... on Portfolio { criteria { key } } } }",
    "Portfolio.ranking": "query($portfolio: ID!) { node(id: $portfolio) { ... on Portfolio { ranking { rank } } } }",
    "Portfolio.selection": 'query($portfolio: ID!) { node(id: $portfolio) { ... on Portfolio { selection(budget: "1000") { totalScore } } } }',
    "Person.capacity": "query($person: ID!) { node(id: $person) { ... on Person { capacity } } }",
    "Query.utilisation": '{ utilisation(from: "2027-01-01", to: "2027-01-31", granularity: MONTH) { capacity } }',
    "Query.overallocations": '{ overallocations(from: "2027-01-01", to: "2027-01-31") { peakAllocation } }',
}
WRITES = [
    "raiseRisk",
    "updateRisk",
    "setBalanceTargets",
    "setPersonCapacity",
    "createScenario",
    "addScenarioChange",
    "applyScenario",
    "raiseIssue",
    "linkIssue",
    "escalateIssue",
    "resolveIssue",
    "setPortfolioCriteria",
    "scoreProject",
]


def _without_throttle(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer less what is left of the token's budget, which refills with time."""
    answer.get("extensions", {}).get("cost", {}).pop("throttle", None)
    return answer


def test_every_portfolio_field_has_a_case(pmo_state: AppState) -> None:
    schema = pmo_state.built.schema
    converter = schema.config.name_converter
    gated = set()
    for name in schema._schema.type_map:
        for field in getattr(schema.get_type_by_name(name), "fields", None) or []:
            if field_tier(field) == "portfolio":
                gated.add(f"{name}.{converter.from_field(field)}")
    assert gated == set(READS) | {f"Mutation.{name}" for name in WRITES} | SUBSCRIPTIONS


async def test_portfolio_off_hides_everything_and_on_again_shows_it_all(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    client = org.admin
    portfolio = await make_portfolio(client, "Gated")
    project = await make_project(client, "G-1", portfolio, stage="ACTIVE")
    await risk(client, project, 4, 5)
    person = (
        await client.mutate(
            'mutation { createPerson(input: {name: "P"}) { person { id } userErrors { code } } }'
        )
    )["person"]["id"]
    ids = {"project": project, "portfolio": portfolio, "person": person}

    async def read_all() -> dict[str, Any]:
        return {
            key: _without_throttle(
                await client.execute(doc, {k: v for k, v in ids.items() if f"${k}" in doc})
            )
            for key, doc in READS.items()
        }

    before = await read_all()
    assert all("errors" not in r for r in before.values()), before
    standards = {s["key"] for s in (await client.query("{ standards { key } }"))["standards"]}
    assert {"RISKS_ASSESSED", "RISKS_OWNED"} <= standards
    await client.mutate(
        'mutation { disableTier(input: {key: "portfolio"}) { userErrors { code } } }'
    )
    for key, result in (await read_all()).items():
        assert [e["extensions"]["code"] for e in result["errors"]] == ["TIER_NOT_ENABLED"], key
    raise_risk = 'mutation($p: ID!) { raiseRisk(input: {projectId: $p, title: "x", probability: 1, impact: 1}) { userErrors { code } } }'
    assert (await client.errors(raise_risk, {"p": project}))[0]["extensions"][
        "code"
    ] == "TIER_NOT_ENABLED"
    standards = {s["key"] for s in (await client.query("{ standards { key } }"))["standards"]}
    assert not standards & {"RISKS_ASSESSED", "RISKS_OWNED"}
    refused = (
        await client.query(
            'mutation { enableTier(input: {key: "pmo"}) { userErrors { code message } } }'
        )
    )["enableTier"]
    assert refused["userErrors"][0]["code"] == "PREREQUISITE_NOT_MET"
    await client.mutate(
        'mutation { enableTier(input: {key: "portfolio"}) { userErrors { code } } }'
    )
    assert await read_all() == before
