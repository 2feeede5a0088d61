"""The portfolio office's demo data: registers, balance, capacity, a scenario, issues, scores."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from random import Random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import Organisation, Person, Portfolio, Project, ProjectStage, utcnow
from pmo_graph_portfolio.enums import (
    IssueSeverity,
    IssueStatus,
    RiskStatus,
    ScenarioChangeKind,
    ScenarioStatus,
)
from pmo_graph_portfolio.models import (
    BalanceTarget,
    Criterion,
    Issue,
    IssueProject,
    ProjectScore,
    Risk,
    Scenario,
    ScenarioChange,
)
from pmo_graph_pso.models import PersonCapacity

RISKS = [
    (
        "Key supplier fails to deliver on time",
        "Weekly supplier reviews; second supplier identified.",
    ),
    ("Data migration quality below acceptance", "Trial migrations with data owners."),
    (
        "Scarce specialists pulled to other work",
        "Ring-fence named staff with the portfolio office.",
    ),
    ("Regulatory requirements change mid-delivery", "Horizon scanning with Compliance."),
    ("Users do not adopt the new process", "Change champions in each depot."),
    ("Budget pressure from inflation", "Contingency held at portfolio level."),
    ("Integration with legacy systems harder than planned", "Early technical spike."),
]
BALANCE = {
    "Digital Transformation": [("Transform", 0.5), ("Grow", 0.3), ("Run", 0.2)],
    "Operations Excellence": [("Transform", 0.4), ("Run", 0.4), ("Grow", 0.2)],
    "Regulatory & Compliance": [("Mandatory", 0.8), ("Run", 0.2)],
}
CRITERIA = [("strategic_fit", 0.5), ("financial_return", 0.3), ("risk_reduction", 0.2)]
#: Active projects left with an empty register, for the unassessed list.
UNASSESSED = {"REG-005"}


async def seed_portfolio(session: AsyncSession, organisation: Organisation, rng: Random) -> None:
    """Risk registers, balance targets, part-timers, a draft scenario, issues and scores."""
    org = organisation.id
    projects = list(
        await session.scalars(
            select(Project).where(Project.organisation_id == org).order_by(Project.code)
        )
    )
    people = list(
        await session.scalars(
            select(Person).where(Person.organisation_id == org).order_by(Person.id)
        )
    )
    portfolios = {
        p.name: p
        for p in await session.scalars(select(Portfolio).where(Portfolio.organisation_id == org))
    }
    by_code = {p.code: p for p in projects}
    today = utcnow().date()

    for number, project in enumerate(projects):
        if (
            project.stage in {ProjectStage.CANCELLED, ProjectStage.PROPOSED}
            or project.code in UNASSESSED
        ):
            continue
        for index in range(1 + number % 4):
            title, response = RISKS[(number + index) % len(RISKS)]
            probability, impact = rng.randint(1, 5), rng.randint(1, 5)
            session.add(
                Risk(
                    organisation_id=org,
                    project_id=project.id,
                    title=title,
                    probability=probability,
                    impact=impact,
                    status=RiskStatus.CLOSED
                    if project.stage is ProjectStage.CLOSED
                    else RiskStatus.OPEN,
                    # a few high risks are left without an owner for RISKS_OWNED to find
                    owner_id=None if (number + index) % 6 == 0 else project.manager_id,
                    response=response,
                    proximity=today + timedelta(days=rng.randint(7, 180)),
                )
            )

    for name, targets in BALANCE.items():
        for category, share in targets:
            session.add(
                BalanceTarget(
                    organisation_id=org,
                    portfolio_id=portfolios[name].id,
                    category=category,
                    share=share,
                )
            )
        for key, weight in CRITERIA:
            session.add(
                Criterion(
                    organisation_id=org, portfolio_id=portfolios[name].id, key=key, weight=weight
                )
            )

    for project in projects:
        if project.stage in {ProjectStage.PROPOSED, ProjectStage.APPROVED, ProjectStage.ACTIVE}:
            for key, _ in CRITERIA:
                session.add(
                    ProjectScore(
                        organisation_id=org,
                        project_id=project.id,
                        criterion=key,
                        score=float(rng.randint(3, 9)),
                    )
                )

    for person, capacity in ((people[17], 0.6), (people[22], 0.8)):
        session.add(PersonCapacity(organisation_id=org, person_id=person.id, capacity=capacity))

    scenario = Scenario(
        organisation_id=org,
        portfolio_id=portfolios["Digital Transformation"].id,
        name="Rob Peter to pay Paul: fund the tracking portal from the offers engine",
        status=ScenarioStatus.DRAFT,
    )
    session.add(scenario)
    await session.flush()
    session.add_all(
        [
            ScenarioChange(
                organisation_id=org,
                scenario_id=scenario.id,
                position=0,
                kind=ScenarioChangeKind.MOVE_BUDGET,
                from_project_id=by_code["DIG-009"].id,
                to_project_id=by_code["DIG-001"].id,
                amount=Decimal("150000.00"),
                from_project_version=by_code["DIG-009"].version,
                to_project_version=by_code["DIG-001"].version,
            ),
            ScenarioChange(
                organisation_id=org,
                scenario_id=scenario.id,
                position=1,
                kind=ScenarioChangeKind.SHIFT_PROJECT,
                from_project_id=by_code["DIG-005"].id,
                days=60,
                from_project_version=by_code["DIG-005"].version,
            ),
        ]
    )

    supplier = Issue(
        organisation_id=org,
        title="Logistics software supplier short of engineers",
        description="The supplier shared by several projects cannot staff them all this quarter.",
        severity=IssueSeverity.HIGH,
        status=IssueStatus.OPEN,
        owner_id=people[4].id,
    )
    escalated = Issue(
        organisation_id=org,
        title="Depot network outages during cut-overs",
        severity=IssueSeverity.CRITICAL,
        status=IssueStatus.OPEN,
        owner_id=people[1].id,
        escalated_to_id=portfolios["Operations Excellence"].id,
    )
    resolved = Issue(
        organisation_id=org,
        title="Test environments booked twice",
        severity=IssueSeverity.MEDIUM,
        status=IssueStatus.RESOLVED,
        resolution="Shared booking calendar run by the PMO.",
        resolved_at=utcnow() - timedelta(days=20),
    )
    session.add_all([supplier, escalated, resolved])
    await session.flush()
    for issue, codes in (
        (supplier, ["OPS-001", "OPS-002", "OPS-003"]),
        (escalated, ["OPS-006"]),
        (resolved, ["DIG-001", "DIG-002"]),
    ):
        for code in codes:
            session.add(
                IssueProject(organisation_id=org, issue_id=issue.id, project_id=by_code[code].id)
            )
    await session.flush()
