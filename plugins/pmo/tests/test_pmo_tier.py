"""With `pmo` off every one of its fields and mutations answers TIER_NOT_ENABLED and its rules
stop; on again, its data is all back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pmo_helpers import TIERS, benefit, milestone, programme, project

from pmo_graph.app_state import AppState
from pmo_graph.sdk import field_tier
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

#: Subscriptions, refused while the tier is off: tests/test_subscriptions.py checks every one.
SUBSCRIPTIONS = {"Subscription.benefitStatusChanged", "Subscription.programmeOutOfStep"}
READS = {
    "Programme.benefits": "query($programme: ID!) { node(id: $programme) { ... on Programme { benefits { name } } } }",
    "Programme.benefitsSummary": "query($programme: ID!) { node(id: $programme) { ... on Programme { benefitsSummary { benefits } } } }",
    "Programme.benefitsMap": "query($programme: ID!) { node(id: $programme) { ... on Programme { benefitsMap { nodes { label } } } } }",
    "Programme.objectives": "query($programme: ID!) { node(id: $programme) { ... on Programme { objectives { name } } } }",
    "Programme.tranches": "query($programme: ID!) { node(id: $programme) { ... on Programme { tranches { name } } } }",
    "Programme.synchronisation": "query($programme: ID!) { node(id: $programme) { ... on Programme { synchronisation { inStep } } } }",
    "Programme.statusRollup": "query($programme: ID!) { node(id: $programme) { ... on Programme { statusRollup { unreported } } } }",
    "Project.benefitContributions": "query($project: ID!) { node(id: $project) { ... on Project { benefitContributions { share } } } }",
    "Milestone.tranche": "query($milestone: ID!) { node(id: $milestone) { ... on Milestone { tranche { name } } } }",
    "Milestone.dependencies": "query($milestone: ID!) { node(id: $milestone) { ... on Milestone { dependencies { lagDays } } } }",
}
WRITES = [
    "createBenefit",
    "recordBenefitMeasurement",
    "linkBenefitContribution",
    "createObjective",
    "linkBenefitObjective",
    "createTranche",
    "setMilestoneTranche",
    "addDependency",
    "removeDependency",
]


def _without_throttle(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer less what is left of the token's budget, which refills with time."""
    answer.get("extensions", {}).get("cost", {}).pop("throttle", None)
    return answer


def test_every_pmo_field_has_a_case(pmo_state: AppState) -> None:
    schema = pmo_state.built.schema
    converter = schema.config.name_converter
    gated = set()
    for name in schema._schema.type_map:
        for field in getattr(schema.get_type_by_name(name), "fields", None) or []:
            if field_tier(field) == "pmo":
                gated.add(f"{name}.{converter.from_field(field)}")
    assert gated == set(READS) | {f"Mutation.{name}" for name in WRITES} | SUBSCRIPTIONS


async def test_pmo_off_hides_everything_and_on_again_shows_it_all(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    client = org.admin
    g = await programme(client, "G")
    p = await project(client, "P", g)
    m = await milestone(client, p, "M", "2027-01-01")
    b = await benefit(client, g, "B", 0, 10, "2027-12-31", points=[("2026-01-01", 2)])
    await client.mutate(
        "mutation($b: ID!, $p: ID!) { linkBenefitContribution(input: {benefitId: $b, projectId: $p, share: 0.5}) { userErrors { code } } }",
        {"b": b, "p": p},
    )
    ids = {"programme": g, "project": p, "milestone": m}

    async def read_all() -> dict[str, Any]:
        return {
            key: _without_throttle(
                await client.execute(doc, {k: v for k, v in ids.items() if f"${k}" in doc})
            )
            for key, doc in READS.items()
        }

    before = await read_all()
    assert all("errors" not in r for r in before.values()), before
    await client.mutate('mutation { disableTier(input: {key: "pmo"}) { userErrors { code } } }')
    for key, result in (await read_all()).items():
        assert [e["extensions"]["code"] for e in result["errors"]] == ["TIER_NOT_ENABLED"], key
    node = await client.errors("query($b: ID!) { node(id: $b) { id } }", {"b": b})
    assert node[0]["extensions"]["code"] == "TIER_NOT_ENABLED"
    keys = {s["key"] for s in (await client.query("{ standards { key } }"))["standards"]}
    assert not keys & {"PROGRAMME_SPONSORSHIP", "BENEFITS_LINKED"}
    await client.mutate('mutation { enableTier(input: {key: "pmo"}) { userErrors { code } } }')
    assert await read_all() == before
