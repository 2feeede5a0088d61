"""The PSO dashboard costs the same statements for 10 projects as for 100."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.app_state import AppState
from pmo_graph.sdk import Person, Project, ProjectStage
from pmo_graph.testing import StatementCounter, TestOrganisation, access_statements
from pmo_graph_pso.enums import Rag
from pmo_graph_pso.models import Assignment, Milestone, StatusReport

DASHBOARD = """
{ projects(first: 100) { edges { node {
    latestStatus { overall periodEnding }
    milestones { slipDays }
    assignments { person { name } }
    compliance { compliant }
} } } }
"""

#: After the token and tiers (``access_statements``): the page, latest reports, milestones, assignments, people, the reporting
#: cadence, latest reports as of today (for STATUS_REPORT_CURRENT).
#: These pin the resolvers' batching; the compiled path has its own counts.
pytestmark = pytest.mark.usefixtures("resolvers_only")

DASHBOARD_STATEMENTS = 7


async def _populate(session: AsyncSession, organisation_id: int, count: int) -> None:
    for i in range(count):
        person = Person(organisation_id=organisation_id, name=f"Staff {i}")
        project = Project(
            organisation_id=organisation_id,
            code=f"D-{i:03d}",
            name=f"D {i}",
            stage=ProjectStage.ACTIVE,
            manager_id=None,
        )
        session.add_all([person, project])
        await session.flush()
        session.add_all(
            [
                StatusReport(
                    organisation_id=organisation_id,
                    project_id=project.id,
                    period_ending=date(2026, 11, 6),
                    overall=Rag.GREEN,
                ),
                StatusReport(
                    organisation_id=organisation_id,
                    project_id=project.id,
                    period_ending=date(2026, 11, 20),
                    overall=Rag.AMBER,
                ),
                Milestone(
                    organisation_id=organisation_id,
                    project_id=project.id,
                    name="M",
                    baseline_date=date(2027, 1, 1),
                    forecast_date=date(2027, 1, 8),
                ),
                Assignment(
                    organisation_id=organisation_id,
                    project_id=project.id,
                    person_id=person.id,
                    role="R",
                    allocation=0.5,
                    start_date=date(2026, 1, 1),
                    end_date=date(2027, 1, 1),
                ),
            ]
        )
    await session.commit()


async def test_dashboard_statements_do_not_grow_with_the_page(
    make_org: Callable[..., Awaitable[TestOrganisation]],
    db_session: AsyncSession,
    count_statements: StatementCounter,
    pmo_state: AppState,
) -> None:
    counts = []
    for size in (10, 100):
        org = await make_org(tiers=["pso"])
        await _populate(db_session, org.id, size)
        await org.admin.query("{ viewer { user { id } } }")
        count_statements.reset()
        data = await org.admin.query(DASHBOARD)
        nodes = [edge["node"] for edge in data["projects"]["edges"]]
        assert len(nodes) == size
        assert nodes[0]["latestStatus"] == {"overall": "AMBER", "periodEnding": "2026-11-20"}
        assert nodes[0]["milestones"] == [{"slipDays": 7}]
        assert nodes[0]["assignments"] == [{"person": {"name": "Staff 0"}}]
        assert nodes[0]["compliance"] == {"compliant": False}  # no manager, no sponsor
        counts.append(count_statements.count)
    expected = access_statements(pmo_state) + DASHBOARD_STATEMENTS
    assert counts == [expected, expected], count_statements.statements
