"""The tier's reads cost a fixed number of statements, however many projects and lessons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.app_state import AppState
from pmo_graph.sdk import Project, ProjectStage, User
from pmo_graph.testing import StatementCounter, TestOrganisation, access_statements
from pmo_graph_lessons.enums import LessonCategory
from pmo_graph_lessons.models import Lesson, LessonReview, search_key

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

LOG = """
{ lessons(first: 50) { totalCount nodes { title category project { code } recordedBy { email } } } }
"""
#: After the token and tiers (``access_statements``): the page, its total, the page's projects, their recorders.
LOG_STATEMENTS = 4

DASHBOARD = """
{ projects(first: 100) { nodes {
    code
    lessons(first: 2) { totalCount nodes { title recordedBy { email } } }
    lessonReview { status dueOn completedBy { title } }
    compliance { findings { standard { key } passed } }
} } }
"""
#: After the token and tiers: the page of projects; the first lessons of every project, their totals, their
#: recorders; every project's reviews and the lessons that completed them; for compliance, pso's
#: reporting cadence, latest reports and milestones, and the lesson counts of LESSONS_CAPTURED.
DASHBOARD_STATEMENTS = 10


async def _populate(session: AsyncSession, organisation_id: int, projects: int) -> None:
    user = await session.scalar(
        select(User.id).where(User.organisation_id == organisation_id).order_by(User.id).limit(1)
    )
    for i in range(projects):
        project = Project(
            organisation_id=organisation_id,
            code=f"ST-{i:03d}",
            name=f"Statements {i}",
            stage=ProjectStage.CLOSED if i % 2 else ProjectStage.ACTIVE,
        )
        session.add(project)
        await session.flush()
        lessons = [
            Lesson(
                organisation_id=organisation_id,
                project_id=project.id,
                title=f"Lesson {i}-{n}",
                category=LessonCategory.PLANNING,
                recorded_by_id=user,
                search_key=search_key(f"Lesson {i}-{n}"),
            )
            for n in range(3)
        ]
        session.add_all(lessons)
        await session.flush()
        if i % 2:
            session.add(
                LessonReview(
                    organisation_id=organisation_id,
                    project_id=project.id,
                    opened_on=date(2026, 11, 1),
                    due_on=date(2026, 11, 15),
                    completed_at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
                    completed_by_lesson_id=lessons[0].id,
                )
            )
    await session.commit()


async def test_the_log_and_a_dashboard_cost_the_same_for_ten_projects_as_for_forty(
    make_org: MakeOrg,
    db_session: AsyncSession,
    count_statements: StatementCounter,
    pmo_state: AppState,
) -> None:
    counts = []
    for size in (10, 40):
        org = await make_org(tiers=["pso", "lessons"])
        await _populate(db_session, org.id, size)
        await org.admin.query("{ viewer { user { id } } }")  # the token's first use writes

        count_statements.reset()
        log = await org.admin.query(LOG)
        assert log["lessons"]["totalCount"] == size * 3
        assert len(log["lessons"]["nodes"]) == min(50, size * 3)
        assert log["lessons"]["nodes"][0]["project"] == {"code": f"ST-{size - 1:03d}"}
        log_count = count_statements.count

        count_statements.reset()
        data = await org.admin.query(DASHBOARD)
        nodes = data["projects"]["nodes"]
        assert len(nodes) == size
        assert nodes[1]["lessons"]["totalCount"] == 3
        assert [n["title"] for n in nodes[1]["lessons"]["nodes"]] == ["Lesson 1-2", "Lesson 1-1"]
        assert nodes[1]["lessonReview"] == {
            "status": "COMPLETED",
            "dueOn": "2026-11-15",
            "completedBy": {"title": "Lesson 1-0"},
        }
        assert nodes[0]["lessonReview"] is None
        assert {"standard": {"key": "LESSONS_CAPTURED"}, "passed": True} in nodes[1]["compliance"][
            "findings"
        ]
        counts.append((log_count, count_statements.count))
    access = access_statements(pmo_state)
    expected = (access + LOG_STATEMENTS, access + DASHBOARD_STATEMENTS)
    assert counts == [expected] * 2, count_statements.statements
