"""The lessons log's demo data: lessons of the demo's closed projects and their reviews.

Nothing here draws from the shared random generator, so installing this plugin does not change
the demo data of the plugins seeded after it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import Organisation, Project, ProjectStage, utcnow
from pmo_graph_lessons.enums import LessonCategory
from pmo_graph_lessons.models import Lesson, LessonReview, search_key
from pmo_graph_lessons.reviews import REVIEW_DAYS

C = LessonCategory

#: project code → (days after the closing it was recorded, category, title, what happened,
#: recommendation). Codes of active projects record lessons while they run (days before today).
LESSONS: dict[str, list[tuple[int, LessonCategory, str, str, str]]] = {
    "DIG-006": [
        (
            3,
            C.STAKEHOLDERS,
            "Site owners were engaged too late",
            "Content owners heard about the migration a month before go-live; 40% of pages were "
            "migrated unreviewed and had to be withdrawn.",
            "Name a content owner per section at initiation and agree the review calendar in the "
            "first stage.",
        ),
        (
            5,
            C.SUPPLIERS,
            "Fixed-price contract hid the search licence",
            "Enterprise search was priced per document above 100,000; the overrun came in month 7.",
            "Ask suppliers for every volume-based price in the tender and model the real volumes.",
        ),
    ],
    "OPS-009": [
        (
            2,
            C.TECHNICAL,
            "Sensors lost signal inside the chillers",
            "Metal-lined cold rooms blocked the wireless sensors; two weeks of readings were lost.",
            "Survey radio coverage on site before choosing wireless monitoring.",
        ),
        (
            9,
            C.ESTIMATING,
            "Installation estimated per depot, not per room",
            "Depots have between 2 and 11 cold rooms; the per-depot estimate was 60% short.",
            "Estimate installations from an asset register, not from the number of sites.",
        ),
    ],
    "REG-003": [
        (
            6,
            C.GOVERNANCE,
            "DPIAs stalled waiting for legal sign-off",
            "Every assessment went to the one data-protection lawyer; the queue reached 9 weeks.",
            "Agree delegated sign-off for low-risk assessments in the terms of reference.",
        ),
    ],
    # REG-007 closed with no lesson: its review is open and overdue, and it fails
    # LESSONS_CAPTURED.
    "DIG-003": [
        (
            -40,
            C.RESOURCING,
            "Identity specialists shared with the data warehouse project",
            "Two specialists split between DIG-003 and DIG-007 became the critical path of both.",
            "Ring-fence scarce specialists in the portfolio plan, not project by project.",
        ),
    ],
    "OPS-002": [
        (
            -21,
            C.PLANNING,
            "Cut-over planned over the peak season",
            "The first cut-over date fell in the November peak and was refused by operations.",
            "Check the operations calendar before baselining any go-live date.",
        ),
    ],
}


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


async def seed_lessons(session: AsyncSession, organisation: Organisation) -> None:
    """Lessons on the closed and some active demo projects; a review for each closed one."""
    today = utcnow().date()
    projects = list(
        await session.scalars(
            select(Project).where(Project.organisation_id == organisation.id).order_by(Project.code)
        )
    )
    closings = {
        project.id: min(project.end_date or today, today)
        for project in projects
        if project.stage is ProjectStage.CLOSED
    }
    lessons: list[Lesson] = []
    for project in projects:
        closed_on = closings.get(project.id)
        for offset, category, title, what_happened, recommendation in LESSONS.get(project.code, []):
            day = (closed_on or today) + timedelta(days=offset)
            lessons.append(
                Lesson(
                    organisation_id=organisation.id,
                    project_id=project.id,
                    title=title,
                    what_happened=what_happened,
                    recommendation=recommendation,
                    category=category,
                    search_key=search_key(title, what_happened, recommendation),
                    created_at=_at(min(day, today)),
                    updated_at=_at(min(day, today)),
                )
            )
    # In the order they were recorded, so that ids (the log's order) agree with the dates.
    lessons.sort(key=lambda lesson: lesson.created_at)
    session.add_all(lessons)
    await session.flush()
    for project_id, closed_on in closings.items():
        first = next((lesson for lesson in lessons if lesson.project_id == project_id), None)
        session.add(
            LessonReview(
                organisation_id=organisation.id,
                project_id=project_id,
                opened_on=closed_on,
                due_on=closed_on + timedelta(days=REVIEW_DAYS),
                completed_at=first.created_at if first else None,
                completed_by_lesson_id=first.id if first else None,
                created_at=_at(closed_on),
                updated_at=first.created_at if first else _at(closed_on),
            )
        )
    await session.flush()
