"""A deterministic organisation of a given size, loaded through pmo-graph's own tables.

Size M: 20 portfolios, 100 programmes, 2,000 projects, 24,000 status reports, 16,000 risks,
1,000 people, 12,000 assignments, 400 benefits, 8,000 contributions, 40,000 measurements (and
6,000 milestones, for the one-project query). Size L is ten times M. The same seed gives the same
rows, ids included, on every database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from random import Random
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from pmo_graph.auth.roles import Role
from pmo_graph.auth.tokens import IssuedToken, issue_token
from pmo_graph.organisations.models import Organisation
from pmo_graph.organisations.service import create_organisation, set_tiers
from pmo_graph.people.models import Person
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.programmes.models import Programme
from pmo_graph.projects.models import Project
from pmo_graph_pmo.models import Benefit, BenefitContribution, BenefitMeasurement
from pmo_graph_portfolio.models import Risk
from pmo_graph_pso.models import Assignment, Milestone, StatusReport

SEED = 20261125
#: The day the data is about: reports, measurements and bookings end here.
TODAY = date(2026, 11, 25)
SIZES = {"M": 1, "L": 10}
CHUNK = 5000


@dataclass(frozen=True)
class Shape:
    """How many of each thing, for a scale (1 for M)."""

    portfolios: int
    programmes_per_portfolio: int = 5
    projects_per_programme: int = 20
    people: int = 0
    reports_per_project: int = 12
    risks_per_project: int = 8
    assignments_per_project: int = 6
    milestones_per_project: int = 3
    benefits_per_programme: int = 4
    measurements_per_benefit: int = 100

    @classmethod
    def of(cls, size: str) -> Shape:
        scale = SIZES[size]
        return cls(portfolios=20 * scale, people=1000 * scale)

    @property
    def programmes(self) -> int:
        return self.portfolios * self.programmes_per_portfolio

    @property
    def projects(self) -> int:
        return self.programmes * self.projects_per_programme


@dataclass(frozen=True)
class Loaded:
    """What the benchmark needs to know of the loaded organisation."""

    organisation_id: int
    token: str
    portfolio_ids: list[int]
    project_ids: list[int]
    person_ids: list[int]


async def _insert(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Insert ``rows`` in chunks; their new ids, in the rows' order."""
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        result = await connection.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk
        )
        ids.extend(int(i) for i in result.scalars())
    return ids


async def _insert_plain(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    for start in range(0, len(rows), CHUNK):
        await connection.execute(insert(table), rows[start : start + CHUNK])


async def _bench_token(session: AsyncSession, organisation: Organisation) -> IssuedToken:
    """A new token of the benchmark's user (its organisation's admin, created if need be)."""
    return await issue_token(
        session, organisation, email="bench@bench.test", name="Bench", roles=[Role.ADMIN]
    )


async def new_token(sessionmaker: async_sessionmaker[AsyncSession], organisation_id: int) -> str:
    """A new token of the benchmark's user in the organisation ``organisation_id``."""
    async with sessionmaker() as session:
        organisation = await session.get(Organisation, organisation_id)
        if organisation is None:
            raise RuntimeError(f"the bench data has no organisation {organisation_id}")
        issued = await _bench_token(session, organisation)
        await session.commit()
        return issued.token


async def load(sessionmaker: async_sessionmaker[AsyncSession], size: str) -> Loaded:
    """Create organisation ``bench-<size>`` with every first-party tier on, and its data."""
    shape = Shape.of(size)
    rng = Random(SEED)
    async with sessionmaker() as session:
        organisation = await create_organisation(session, f"bench-{size.lower()}", f"Bench {size}")
        await set_tiers(session, organisation, ["pso", "portfolio", "pmo"])
        issued = await _bench_token(session, organisation)
        await session.commit()
        token, org = issued.token, organisation.id
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    async with sessionmaker() as session:
        connection = await session.connection()
        people = await _insert(
            connection,
            Person.__table__,  # type: ignore[arg-type]
            [
                {
                    "organisation_id": org,
                    "name": f"Person {i:05d}",
                    "title": "Analyst",
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(shape.people)
            ],
        )
        portfolios = await _insert(
            connection,
            Portfolio.__table__,  # type: ignore[arg-type]
            [
                {
                    "organisation_id": org,
                    "name": f"Portfolio {i:03d}",
                    "manager_id": rng.choice(people),
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(shape.portfolios)
            ],
        )
        programme_rows = []
        for p_index, portfolio in enumerate(portfolios):
            for g in range(shape.programmes_per_portfolio):
                programme_rows.append(
                    {
                        "organisation_id": org,
                        "name": f"Programme {p_index:03d}-{g}",
                        "portfolio_id": portfolio,
                        "director_id": rng.choice(people),
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        programmes = await _insert(connection, Programme.__table__, programme_rows)  # type: ignore[arg-type]
        stages = ["ACTIVE"] * 6 + ["PROPOSED", "APPROVED", "ON_HOLD", "CLOSED"]
        project_rows = []
        for g_index, programme in enumerate(programmes):
            director = programme_rows[g_index]["director_id"]
            for j in range(shape.projects_per_programme):
                start = TODAY - timedelta(days=rng.randrange(60, 400))
                project_rows.append(
                    {
                        "organisation_id": org,
                        "code": f"P{g_index:04d}-{j:02d}",
                        "name": f"Project {g_index:04d}-{j:02d}",
                        "stage": rng.choice(stages),
                        "start_date": start,
                        "end_date": start + timedelta(days=rng.randrange(200, 700)),
                        "budget": Decimal(rng.randrange(50, 5000) * 1000),
                        "manager_id": rng.choice(people),
                        "sponsor_id": director,
                        "portfolio_id": programme_rows[g_index]["portfolio_id"],
                        "programme_id": programme,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        projects = await _insert(connection, Project.__table__, project_rows)  # type: ignore[arg-type]
        await _insert_plain(
            connection,
            StatusReport.__table__,  # type: ignore[arg-type]
            [
                {
                    "organisation_id": org,
                    "project_id": project,
                    "period_ending": TODAY - timedelta(days=14 * k + rng.randrange(0, 14)),
                    "overall": rng.choice(["GREEN", "GREEN", "AMBER", "RED"]),
                    "summary": "On track.",
                    "submitted_at": now,
                    # as a real office's reports are: the client documents ask who submitted
                    "submitted_by_id": issued.user_id,
                }
                for project in projects
                for k in range(shape.reports_per_project)
            ],
        )
        await _insert_plain(
            connection,
            Risk.__table__,  # type: ignore[arg-type]
            [
                {
                    "organisation_id": org,
                    "project_id": project,
                    "title": f"Risk {k}",
                    "probability": rng.randint(1, 5),
                    "impact": rng.randint(1, 5),
                    "status": rng.choice(["OPEN", "OPEN", "OPEN", "CLOSED"]),
                    "owner_id": rng.choice([*people[:50], None]),
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for project in projects
                for k in range(shape.risks_per_project)
            ],
        )
        await _insert_plain(
            connection,
            Assignment.__table__,  # type: ignore[arg-type]
            [
                {
                    "organisation_id": org,
                    "project_id": project,
                    "person_id": rng.choice(people),
                    "role": "Analyst",
                    "allocation": rng.choice([0.2, 0.3, 0.5]),
                    "start_date": TODAY - timedelta(days=rng.randrange(0, 200)),
                    "end_date": TODAY + timedelta(days=rng.randrange(1, 300)),
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for project in projects
                for _ in range(shape.assignments_per_project)
            ],
        )
        await _insert_plain(
            connection,
            Milestone.__table__,  # type: ignore[arg-type]
            [
                {
                    "organisation_id": org,
                    "project_id": project,
                    "name": f"Milestone {k}",
                    "baseline_date": TODAY + timedelta(days=30 * k - 30),
                    "forecast_date": TODAY + timedelta(days=30 * k - 30 + rng.randrange(-5, 20)),
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for project in projects
                for k in range(shape.milestones_per_project)
            ],
        )
        benefit_rows = []
        baselines: list[float] = []
        for programme in programmes:
            for k in range(shape.benefits_per_programme):
                baseline = float(rng.randrange(100, 1000))
                baselines.append(baseline)
                benefit_rows.append(
                    {
                        "organisation_id": org,
                        "programme_id": programme,
                        "name": f"Benefit {k}",
                        "kind": "BENEFIT",
                        "category": rng.choice(["FINANCIAL", "NON_FINANCIAL"]),
                        "measure": "Saving",
                        "unit": "EUR",
                        "baseline": baseline,
                        "target": baseline * 2,
                        "target_date": TODAY + timedelta(days=365),
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        benefits = await _insert(connection, Benefit.__table__, benefit_rows)  # type: ignore[arg-type]
        per_programme = shape.projects_per_programme
        contribution_rows = []
        for b_index, benefit in enumerate(benefits):
            g_index = b_index // shape.benefits_per_programme
            for j in range(per_programme):
                contribution_rows.append(
                    {
                        "organisation_id": org,
                        "benefit_id": benefit,
                        "project_id": projects[g_index * per_programme + j],
                        "share": round(1 / per_programme, 6),
                    }
                )
        await _insert_plain(connection, BenefitContribution.__table__, contribution_rows)  # type: ignore[arg-type]
        await _insert_plain(
            connection,
            BenefitMeasurement.__table__,  # type: ignore[arg-type]
            [
                {
                    "organisation_id": org,
                    "benefit_id": benefit,
                    "measured_on": TODAY - timedelta(days=3 * (shape.measurements_per_benefit - k)),
                    "value": baseline * (1 + k / shape.measurements_per_benefit * rng.random()),
                    "recorded_at": now,
                }
                for benefit, baseline in zip(benefits, baselines, strict=True)
                for k in range(shape.measurements_per_benefit)
            ],
        )
        await session.commit()
    return Loaded(org, token, portfolios, projects, people)
