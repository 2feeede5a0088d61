"""The demo organisation gets lessons on its closed projects, and one closed project that owes
its lessons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from random import Random

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.demo import SEED
from pmo_graph.demo.core import seed_core
from pmo_graph.sdk import Organisation
from pmo_graph.testing import TestOrganisation
from pmo_graph_lessons import plugin
from pmo_graph_pso.demo import seed_pso

QUERY = """
{
  lessons(first: 50) { totalCount nodes { title createdAt project { code } } }
  lessonReviews { nodes { status overdue project { code } completedBy { title } } }
  complianceReport { projects { project { code stage } findings { standard { key } passed } } }
}
"""


async def test_demo_data(
    make_org: Callable[..., Awaitable[TestOrganisation]], db_session: AsyncSession
) -> None:
    org = await make_org(tiers=["pso", "lessons"])
    organisation = await db_session.get(Organisation, org.id)
    assert organisation is not None
    rng = Random(SEED)
    await seed_core(db_session, organisation, rng)
    await seed_pso(db_session, organisation, rng)
    await plugin.seed_demo(session=db_session, organisation=organisation)  # as serve --demo does
    await db_session.commit()

    data = await org.admin.query(QUERY)
    lessons = data["lessons"]
    assert lessons["totalCount"] == 7
    dates = [node["createdAt"] for node in lessons["nodes"]]
    assert dates == sorted(dates, reverse=True), "the log is newest first"
    assert max(datetime.fromisoformat(d) for d in dates) <= datetime.now(UTC)

    reviews = {r["project"]["code"]: r for r in data["lessonReviews"]["nodes"]}
    assert set(reviews) == {"DIG-006", "OPS-009", "REG-003", "REG-007"}
    assert reviews["REG-007"]["status"] == "OPEN"
    assert reviews["REG-007"]["overdue"] is True
    assert reviews["DIG-006"] == {
        "status": "COMPLETED",
        "overdue": False,
        "project": {"code": "DIG-006"},
        "completedBy": {"title": "Site owners were engaged too late"},
    }

    captured = {
        row["project"]["code"]: finding["passed"]
        for row in data["complianceReport"]["projects"]
        for finding in row["findings"]
        if finding["standard"]["key"] == "LESSONS_CAPTURED"
    }
    assert captured == {"DIG-006": True, "OPS-009": True, "REG-003": True, "REG-007": False}
