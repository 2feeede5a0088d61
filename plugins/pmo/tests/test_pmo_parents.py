"""A parent the database always keeps is answered non-null; optional references stay nullable."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pmo_helpers import TIERS, benefit, milestone, programme, project

from helpers import field_kinds
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

#: Each foreign key is NOT NULL, the parent is of the child's organisation and nothing (row
#: security, a tier, a permission, an archived parent) hides it from a reader of the child.
ALWAYS_THERE = {
    "Benefit.programme",
    "BenefitContribution.project",
    "BenefitContribution.benefit",
    "Objective.programme",
    "Tranche.programme",
    "Dependency.predecessor",
    "Dependency.successor",
}
#: An optional link, or an event's key that may outlive its row.
MAY_BE_NULL = {
    "Benefit.owner",
    "Milestone.tranche",
    "BenefitStatusChanged.benefit",
    "ProgrammeOutOfStep.programme",
}


async def test_parents_always_there_are_non_null_and_optional_links_nullable(
    make_org: MakeOrg,
) -> None:
    client = (await make_org(tiers=TIERS)).admin
    assert await field_kinds(client, ALWAYS_THERE) == dict.fromkeys(ALWAYS_THERE, "NON_NULL")
    assert await field_kinds(client, MAY_BE_NULL) == dict.fromkeys(MAY_BE_NULL, "OBJECT")


async def test_every_non_null_parent_answers_the_row_it_belongs_to(make_org: MakeOrg) -> None:
    client = (await make_org(tiers=TIERS)).admin
    g = await programme(client, "Warehouse renewal")
    p = await project(client, "WH-001", g)
    first = await milestone(client, p, "Design signed off", "2027-01-15")
    second = await milestone(client, p, "Live", "2027-03-01")
    b = await benefit(client, g, "Orders shipped per day", 12000, 16000, "2027-09-30")
    await client.mutate(
        "mutation($b: ID!, $p: ID!) { linkBenefitContribution(input: {benefitId: $b, projectId: $p, share: 0.5}) { userErrors { code } } }",
        {"b": b, "p": p},
    )
    objective = await client.mutate(
        'mutation($g: ID!) { createObjective(input: {programmeId: $g, name: "Ship more"}) { objective { programme { id } } userErrors { code } } }',
        {"g": g},
    )
    tranche = await client.mutate(
        'mutation($g: ID!) { createTranche(input: {programmeId: $g, name: "T1", startDate: "2026-09-01", endDate: "2027-02-28"}) { tranche { programme { id } } userErrors { code } } }',
        {"g": g},
    )
    dependency = await client.mutate(
        "mutation($p: ID!, $s: ID!) { addDependency(input: {predecessorId: $p, successorId: $s}) { dependency { predecessor { id } successor { id } } userErrors { code } } }",
        {"p": first, "s": second},
    )
    read = await client.query(
        "query($b: ID!) { node(id: $b) { ... on Benefit { programme { id } contributions { project { id } benefit { id } } } } }",
        {"b": b},
    )
    contributions = await client.query(
        "query($p: ID!) { node(id: $p) { ... on Project { benefitContributions { project { id } benefit { id } } } } }",
        {"p": p},
    )

    assert objective["objective"]["programme"] == {"id": g}
    assert tranche["tranche"]["programme"] == {"id": g}
    assert dependency["dependency"] == {"predecessor": {"id": first}, "successor": {"id": second}}
    assert read["node"] == {
        "programme": {"id": g},
        "contributions": [{"project": {"id": p}, "benefit": {"id": b}}],
    }
    assert contributions["node"]["benefitContributions"] == [
        {"project": {"id": p}, "benefit": {"id": b}}
    ]
