"""The project support office's demo data: a year of status history and everyday office work."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from random import Random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import Organisation, Person, Project, ProjectStage, utcnow
from pmo_graph_pso.enums import Rag, SupportKind
from pmo_graph_pso.models import (
    Assignment,
    Milestone,
    PersonSkill,
    ProjectTemplate,
    StatusReport,
    SupportEngagement,
    TemplateMilestone,
)
from pmo_graph_pso.staffing import skill_key

REPORTING_DAYS = 14
#: Active demo projects whose reporting the office should chase.
NEVER_REPORTED = {"REG-010"}
STALE_REPORTERS = {"OPS-006", "DIG-007"}
SKILLS_BY_TITLE = {
    "Project Manager": [
        ("Project management", 4),
        ("Stakeholder engagement", 3),
        ("Risk management", 3),
    ],
    "Senior Project Manager": [
        ("Project management", 5),
        ("Stakeholder engagement", 4),
        ("Risk management", 4),
    ],
    "Business Analyst": [
        ("Business analysis", 4),
        ("Process mapping", 4),
        ("Stakeholder engagement", 3),
    ],
    "Solution Architect": [("Solution architecture", 5), ("Data engineering", 3)],
    "Data Engineer": [("Data engineering", 5), ("Python", 4)],
    "Change Manager": [("Change management", 5), ("Stakeholder engagement", 4)],
    "Finance Business Partner": [("Financial control", 5), ("Business case", 4)],
    "PMO Analyst": [("Planning", 4), ("Reporting", 5), ("Risk management", 3)],
    "Scrum Master": [("Agile delivery", 5), ("Project management", 3)],
    "Test Lead": [("Testing", 5), ("Agile delivery", 3)],
    "Procurement Lead": [("Procurement", 5), ("Financial control", 3)],
    "Head of Portfolio Office": [("Portfolio management", 5), ("Coaching", 5), ("Reporting", 4)],
    "Portfolio Manager": [("Portfolio management", 4), ("Business case", 4)],
    "Programme Director": [("Programme management", 5), ("Stakeholder engagement", 5)],
}
ROLES = {
    "Business Analyst": "Business analyst",
    "Solution Architect": "Architect",
    "Data Engineer": "Data engineer",
    "Change Manager": "Change lead",
    "Finance Business Partner": "Finance",
    "Scrum Master": "Scrum master",
    "Test Lead": "Test lead",
    "Procurement Lead": "Procurement",
    "PMO Analyst": "Project support",
}
TEMPLATES = [
    (
        "Standard delivery project",
        "Initiation to closure for a business change delivered by one team.",
        [
            ("Project initiated", 0),
            ("Business case approved", 30),
            ("Design complete", 90),
            ("Build complete", 180),
            ("Go-live", 240),
            ("Project closed", 270),
        ],
    ),
    (
        "Regulatory change",
        "A mandatory change with a fixed compliance date.",
        [
            ("Impact assessment complete", 0),
            ("Policy signed off", 45),
            ("Controls implemented", 120),
            ("Audit passed", 150),
        ],
    ),
]
SUMMARIES = {
    Rag.GREEN: [
        "On plan.",
        "Milestones met; no new issues.",
        "Delivery on track, budget within tolerance.",
    ],
    Rag.AMBER: [
        "Supplier delay under review.",
        "Two key staff on leave; recovery plan agreed.",
        "Scope change request pending the board.",
    ],
    Rag.RED: [
        "Critical path slipped; escalated to the sponsor.",
        "Budget overrun forecast; re-plan needed.",
    ],
}


def _next_rag(rng: Random, current: Rag, trouble: float) -> Rag:
    roll = rng.random()
    if current is Rag.GREEN:
        return Rag.AMBER if roll < trouble else Rag.GREEN
    if current is Rag.AMBER:
        return Rag.RED if roll < trouble / 2 else Rag.GREEN if roll > 0.7 else Rag.AMBER
    return Rag.AMBER if roll < 0.5 else Rag.RED


async def seed_pso(session: AsyncSession, organisation: Organisation, rng: Random) -> None:
    """Status history, milestones, skills, assignments, templates and coaching for the demo."""
    today = utcnow().date()
    projects = list(
        await session.scalars(
            select(Project).where(Project.organisation_id == organisation.id).order_by(Project.code)
        )
    )
    people = list(
        await session.scalars(
            select(Person).where(Person.organisation_id == organisation.id).order_by(Person.id)
        )
    )
    _seed_skills(session, organisation, people)
    await _seed_templates(session, organisation)
    for index, project in enumerate(projects):
        _seed_milestones(session, organisation, project, rng, today)
        _seed_reports(session, organisation, project, rng, today, index)
    _seed_assignments(session, organisation, projects, people, rng, today)
    _seed_support(session, organisation, projects, people, rng, today)
    await session.flush()


def _seed_skills(session: AsyncSession, organisation: Organisation, people: list[Person]) -> None:
    for person in people:
        for skill, level in SKILLS_BY_TITLE.get(person.title or "", []):
            session.add(
                PersonSkill(
                    organisation_id=organisation.id,
                    person_id=person.id,
                    skill=skill,
                    skill_key=skill_key(skill),
                    level=level,
                )
            )


async def _seed_templates(session: AsyncSession, organisation: Organisation) -> None:
    for name, description, milestones in TEMPLATES:
        template = ProjectTemplate(
            organisation_id=organisation.id, name=name, description=description
        )
        session.add(template)
        await session.flush()
        session.add_all(
            TemplateMilestone(
                organisation_id=organisation.id,
                template_id=template.id,
                position=position,
                name=milestone,
                offset_days=offset,
            )
            for position, (milestone, offset) in enumerate(milestones)
        )


def _seed_milestones(
    session: AsyncSession, organisation: Organisation, project: Project, rng: Random, today: date
) -> None:
    if project.start_date is None or project.end_date is None:
        return
    if project.stage is ProjectStage.PROPOSED:
        return
    span = (project.end_date - project.start_date).days
    names = [
        "Initiation complete",
        "Design signed off",
        "Build complete",
        "User acceptance",
        "Go-live",
    ]
    for position, name in enumerate(names):
        baseline = project.start_date + timedelta(
            days=round(span * (position + 1) / (len(names) + 1))
        )
        slip = 0 if rng.random() < 0.55 else rng.choice([3, 7, 10, 14, 21, 30, 45])
        forecast = baseline + timedelta(days=slip)
        actual = (
            forecast if forecast <= today and project.stage is not ProjectStage.CANCELLED else None
        )
        session.add(
            Milestone(
                organisation_id=organisation.id,
                project_id=project.id,
                name=name,
                baseline_date=baseline,
                forecast_date=forecast,
                actual_date=actual,
            )
        )


def _seed_reports(
    session: AsyncSession,
    organisation: Organisation,
    project: Project,
    rng: Random,
    today: date,
    index: int,
) -> None:
    if project.stage not in {ProjectStage.ACTIVE, ProjectStage.ON_HOLD, ProjectStage.CLOSED}:
        return
    if project.start_date is None:
        return
    if project.code in NEVER_REPORTED:
        return  # the office should chase it
    last = min(today, project.end_date or today)
    if project.code in STALE_REPORTERS:
        last = today - timedelta(days=40)
    first = max(project.start_date, today - timedelta(days=365))
    trouble = 0.08 + (index % 5) * 0.05
    rag = Rag.GREEN
    period = first + timedelta(days=REPORTING_DAYS - 1)
    while period <= last:
        rag = _next_rag(rng, rag, trouble)
        session.add(
            StatusReport(
                organisation_id=organisation.id,
                project_id=project.id,
                period_ending=period,
                overall=rag,
                schedule=rag if rng.random() < 0.6 else Rag.GREEN,
                cost=Rag.GREEN if rng.random() < 0.7 else rag,
                scope=Rag.GREEN,
                resources=rag if rng.random() < 0.4 else Rag.GREEN,
                summary=rng.choice(SUMMARIES[rag]),
            )
        )
        period += timedelta(days=REPORTING_DAYS)


def _seed_assignments(
    session: AsyncSession,
    organisation: Organisation,
    projects: list[Project],
    people: list[Person],
    rng: Random,
    today: date,
) -> None:
    staff = [p for p in people if (p.title or "") in ROLES]
    active = [p for p in projects if p.stage is ProjectStage.ACTIVE]
    load = {person.id: 0.0 for person in staff}
    for number, project in enumerate(active):
        start = max(project.start_date or today, today - timedelta(days=120))
        end = max(project.end_date or today, today + timedelta(days=30))
        for k in range(3):
            person = staff[(number * 2 + k) % len(staff)]
            allocation = min(rng.choice([0.2, 0.3, 0.4]), round(1.0 - load[person.id], 1))
            if allocation < 0.1:
                continue  # fully booked: the office staffs within capacity
            load[person.id] += allocation
            session.add(
                Assignment(
                    organisation_id=organisation.id,
                    project_id=project.id,
                    person_id=person.id,
                    role=ROLES[person.title or ""],
                    allocation=allocation,
                    start_date=start,
                    end_date=end,
                )
            )
    # Two people are asked for more than they have: the office's over-allocation problem.
    for person, extra in ((staff[0], 0.6), (staff[2], 0.7)):
        for project in active[:2]:
            session.add(
                Assignment(
                    organisation_id=organisation.id,
                    project_id=project.id,
                    person_id=person.id,
                    role="Specialist support",
                    allocation=extra,
                    start_date=today - timedelta(days=14),
                    end_date=today + timedelta(days=60),
                )
            )


def _seed_support(
    session: AsyncSession,
    organisation: Organisation,
    projects: list[Project],
    people: list[Person],
    rng: Random,
    today: date,
) -> None:
    coach = people[0]
    managers = {p.manager_id: p for p in projects if p.manager_id is not None}
    kinds = [
        SupportKind.COACHING,
        SupportKind.COACHING,
        SupportKind.WORKSHOP,
        SupportKind.GUIDANCE,
        SupportKind.ASSURANCE_REVIEW,
    ]
    for number in range(12):
        manager_id = list(managers)[number % len(managers)]
        session.add(
            SupportEngagement(
                organisation_id=organisation.id,
                kind=kinds[number % len(kinds)],
                project_id=managers[manager_id].id,
                recipient_id=manager_id,
                facilitator_id=coach.id,
                held_on=today - timedelta(days=7 + number * 23),
                hours=Decimal(rng.choice(["1.00", "1.50", "2.00", "3.00", "6.00"])),
                notes="Planning and reporting practice."
                if number % 2
                else "Risk workshop with the team.",
            )
        )
