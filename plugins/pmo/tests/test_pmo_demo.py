"""The demo organisation gets a believable programme office."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from random import Random

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.demo import SEED
from pmo_graph.demo.core import seed_core
from pmo_graph.sdk import Organisation
from pmo_graph.testing import TestOrganisation
from pmo_graph_pmo.demo import seed_pmo
from pmo_graph_portfolio.demo import seed_portfolio
from pmo_graph_pso.demo import seed_pso

QUERY = """
{ programmes { nodes {
    name vision director { name }
    benefits { kind status measurements { totalCount } }
    objectives { name } tranches { name }
    synchronisation { inStep breaches { slackDays } }
    projects { nodes { sponsor { name } } }
} } }
"""


async def test_demo_data(
    make_org: Callable[..., Awaitable[TestOrganisation]], db_session: AsyncSession
) -> None:
    org = await make_org(tiers=["pso", "portfolio", "pmo"])
    organisation = await db_session.get(Organisation, org.id)
    assert organisation is not None
    rng = Random(SEED)
    for seed in (seed_core, seed_pso, seed_portfolio, seed_pmo):
        await seed(db_session, organisation, rng)
    await db_session.commit()
    programmes = (await org.admin.query(QUERY))["programmes"]["nodes"]
    assert len(programmes) == 2
    assert all(p["vision"] and p["director"] for p in programmes)
    benefits = [b for p in programmes for b in p["benefits"]]
    assert all(b["measurements"]["totalCount"] == 24 for b in benefits)
    assert [b["kind"] for b in benefits].count("DISBENEFIT") == 1
    statuses = {b["status"] for b in benefits if b["kind"] == "BENEFIT"}
    assert {"ON_TRACK", "AT_RISK", "ACHIEVED"} <= statuses
    assert all(p["objectives"] and len(p["tranches"]) == 2 for p in programmes)
    assert any(
        not p["synchronisation"]["inStep"] and p["synchronisation"]["breaches"] for p in programmes
    )
    for programme in programmes:
        assert {p["sponsor"]["name"] for p in programme["projects"]["nodes"]} == {
            programme["director"]["name"]
        }
