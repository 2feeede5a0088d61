"""The demo organisation gets a believable year of project support office data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from random import Random

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.demo import SEED
from pmo_graph.demo.core import seed_core
from pmo_graph.sdk import Organisation
from pmo_graph.testing import TestOrganisation
from pmo_graph_pso.demo import seed_pso

QUERY = """
{
  statusSummary { activeProjects green amber red unreported stale { code } }
  projects(first: 100) { nodes { code stage statusReports { totalCount } milestones { slipDays } } }
  people(first: 100) { nodes { name skills { skill } assignments { allocation startDate endDate } supportReceived { totalCount } } }
  projectTemplates { nodes { name milestones { name } } }
}
"""


async def test_demo_data(
    make_org: Callable[..., Awaitable[TestOrganisation]], db_session: AsyncSession
) -> None:
    org = await make_org(tiers=["pso"])
    organisation = await db_session.get(Organisation, org.id)
    assert organisation is not None
    rng = Random(SEED)
    await seed_core(db_session, organisation, rng)
    await seed_pso(db_session, organisation, rng)
    await db_session.commit()
    data = await org.admin.query(QUERY)

    reports = {p["code"]: p["statusReports"]["totalCount"] for p in data["projects"]["nodes"]}
    assert max(reports.values()) >= 24, "a year of fortnightly reports for a long-running project"
    summary = data["statusSummary"]
    assert summary["activeProjects"] == 13
    assert summary["unreported"] >= 1
    assert len(summary["stale"]) >= 2
    assert summary["green"] + summary["amber"] + summary["red"] + summary["unreported"] == 13
    slips = [m["slipDays"] for p in data["projects"]["nodes"] for m in p["milestones"]]
    assert sum(1 for s in slips if s > 0) >= 10
    assert sum(1 for s in slips if s == 0) >= 10

    today = date.today()
    overbooked = []
    for person in data["people"]["nodes"]:
        load = sum(
            a["allocation"]
            for a in person["assignments"]
            if date.fromisoformat(a["startDate"])
            <= today + timedelta(days=7)
            <= date.fromisoformat(a["endDate"])
        )
        if load > 1:
            overbooked.append(person["name"])
    assert 1 <= len(overbooked) <= 4, overbooked
    assert sum(1 for p in data["people"]["nodes"] if p["skills"]) >= 20
    assert sum(p["supportReceived"]["totalCount"] for p in data["people"]["nodes"]) >= 10
    assert [t["name"] for t in data["projectTemplates"]["nodes"]] == [
        "Regulatory change",
        "Standard delivery project",
    ]
