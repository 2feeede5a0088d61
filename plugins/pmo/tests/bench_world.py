"""A small organisation shaped like the benchmark's data (bench/data.py): two portfolios, each
with a programme, a benefit with measurements and ``projects_per_programme`` projects that
have reports, risks, assignments, milestones and a benefit contribution."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import Person, Portfolio, Programme, Project, ProjectStage
from pmo_graph_pmo.enums import BenefitCategory, BenefitKind
from pmo_graph_pmo.models import Benefit, BenefitContribution, BenefitMeasurement
from pmo_graph_portfolio.enums import RiskStatus
from pmo_graph_portfolio.models import Risk
from pmo_graph_pso.enums import Rag
from pmo_graph_pso.models import Assignment, Milestone, StatusReport

TODAY = date(2026, 11, 1)


async def build_bench_world(
    session: AsyncSession, org: int, projects_per_programme: int
) -> dict[str, int]:
    """Adds the organisation's rows; the keys of the first portfolio and project."""
    people = [Person(organisation_id=org, name=f"P{i}") for i in range(6)]
    session.add_all(people)
    await session.flush()
    first_project = 0
    first_portfolio = 0
    for f in range(2):
        portfolio = Portfolio(organisation_id=org, name=f"F{f}")
        session.add(portfolio)
        await session.flush()
        first_portfolio = first_portfolio or portfolio.id
        programme = Programme(
            organisation_id=org, name=f"G{f}", portfolio_id=portfolio.id, director_id=people[0].id
        )
        session.add(programme)
        await session.flush()
        benefit = Benefit(
            organisation_id=org,
            programme_id=programme.id,
            name="B",
            kind=BenefitKind.BENEFIT,
            category=BenefitCategory.FINANCIAL,
            measure="m",
            baseline=10.0,
            target=20.0,
            target_date=TODAY + timedelta(days=100),
        )
        session.add(benefit)
        await session.flush()
        session.add_all(
            BenefitMeasurement(
                organisation_id=org,
                benefit_id=benefit.id,
                measured_on=TODAY - timedelta(days=k),
                value=11.0 + k,
                recorded_at=datetime(2026, 11, 1, tzinfo=UTC),
            )
            for k in range(3)
        )
        for j in range(projects_per_programme):
            project = Project(
                organisation_id=org,
                code=f"F{f}-{j:03d}",
                name="p",
                stage=ProjectStage.ACTIVE,
                budget=Decimal("1000.00"),
                portfolio_id=portfolio.id,
                programme_id=programme.id,
                manager_id=people[1].id,
                sponsor_id=people[0].id,
            )
            session.add(project)
            await session.flush()
            first_project = first_project or project.id
            session.add_all(
                [
                    *(
                        StatusReport(
                            organisation_id=org,
                            project_id=project.id,
                            period_ending=TODAY - timedelta(days=14 * k),
                            overall=Rag.GREEN,
                        )
                        for k in range(3)
                    ),
                    *(
                        Risk(
                            organisation_id=org,
                            project_id=project.id,
                            title=f"R{k}",
                            probability=k + 2,
                            impact=3,
                            status=RiskStatus.OPEN,
                            owner_id=people[2 + k].id if k else None,
                        )
                        for k in range(2)
                    ),
                    *(
                        Assignment(
                            organisation_id=org,
                            project_id=project.id,
                            person_id=people[3 + k].id,
                            role="r",
                            allocation=0.2,
                            start_date=TODAY,
                            end_date=TODAY + timedelta(days=30),
                        )
                        for k in range(2)
                    ),
                    *(
                        Milestone(
                            organisation_id=org,
                            project_id=project.id,
                            name=f"M{k}",
                            baseline_date=TODAY + timedelta(days=k),
                        )
                        for k in range(2)
                    ),
                    BenefitContribution(
                        organisation_id=org,
                        benefit_id=benefit.id,
                        project_id=project.id,
                        share=0.01,
                    ),
                ]
            )
    await session.commit()
    return {"portfolio": first_portfolio, "project": first_project}
