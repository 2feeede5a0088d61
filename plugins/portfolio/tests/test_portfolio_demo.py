"""The demo organisation gets believable portfolio-office data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from random import Random

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.demo import SEED
from pmo_graph.demo.core import seed_core
from pmo_graph.sdk import Organisation
from pmo_graph.testing import TestOrganisation
from pmo_graph_portfolio.demo import seed_portfolio
from pmo_graph_pso.demo import seed_pso

QUERY = """
query($from: Date!, $to: Date!) {
  portfolios(first: 10) { nodes {
    name
    riskProfile { openRisks high unassessed { code } }
    balance { category targetShare actualShare }
    scenarios(first: 3) { nodes { name changes { kind } impact { projects { project { code } } overallocationsBefore } } }
    commonIssues { title }
    ranking { rank }
  } }
  overallocations(from: $from, to: $to) { person { name } }
  complianceReport { standards { standard { key } failed } }
}
"""


async def test_demo_data(
    make_org: Callable[..., Awaitable[TestOrganisation]], db_session: AsyncSession
) -> None:
    org = await make_org(tiers=["pso", "portfolio"])
    organisation = await db_session.get(Organisation, org.id)
    assert organisation is not None
    rng = Random(SEED)
    await seed_core(db_session, organisation, rng)
    await seed_pso(db_session, organisation, rng)
    await seed_portfolio(db_session, organisation, rng)
    await db_session.commit()
    today = date.today()
    window = {"from": str(today - timedelta(days=365)), "to": str(today + timedelta(days=700))}
    data = await org.admin.query(QUERY, window)
    portfolios = {p["name"]: p for p in data["portfolios"]["nodes"]}
    assert len(portfolios) == 3
    assert all(p["riskProfile"]["openRisks"] > 0 for p in portfolios.values())
    assert sum(p["riskProfile"]["high"] for p in portfolios.values()) >= 3
    assert portfolios["Regulatory & Compliance"]["riskProfile"]["unassessed"] == [
        {"code": "REG-005"}
    ]
    assert all(len(p["balance"]) >= 2 for p in portfolios.values())
    digital = portfolios["Digital Transformation"]
    assert [len(s["changes"]) for s in digital["scenarios"]["nodes"]] == [2]
    assert {i["title"] for i in portfolios["Operations Excellence"]["commonIssues"]} == {
        "Logistics software supplier short of engineers",
        "Depot network outages during cut-overs",
    }
    assert all(p["ranking"] for p in portfolios.values())
    assert len(data["overallocations"]) >= 2
    failed = {s["standard"]["key"]: s["failed"] for s in data["complianceReport"]["standards"]}
    assert failed["RISKS_ASSESSED"] >= 1
    assert failed["RISKS_OWNED"] >= 1
