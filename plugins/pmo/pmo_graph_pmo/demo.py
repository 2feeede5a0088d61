"""The programme office's demo data: benefits with two years of measurements, objectives,
tranches and dependencies (one breached), and directors sponsoring their projects."""

from __future__ import annotations

from datetime import timedelta
from random import Random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import Organisation, Programme, Project, utcnow
from pmo_graph_pmo.enums import BenefitCategory, BenefitKind
from pmo_graph_pmo.models import (
    Benefit,
    BenefitContribution,
    BenefitMeasurement,
    BenefitObjective,
    Dependency,
    MilestoneTranche,
    Objective,
    Tranche,
)
from pmo_graph_pso.models import Milestone

# name, programme, kind, category, measure, unit, baseline, target, months to target,
# monthly drift as a share of (target - baseline), contributing projects with shares, objective
BENEFITS = [
    (
        "Fewer 'where is my order' calls",
        "Customer Experience",
        BenefitKind.BENEFIT,
        BenefitCategory.FINANCIAL,
        "Contact-centre cost per month",
        "GBP",
        420_000.0,
        300_000.0,
        6,
        0.04,
        [("DIG-001", 0.6), ("DIG-002", 0.4)],
        "Lower cost to serve",
    ),
    (
        "Online self-service rate",
        "Customer Experience",
        BenefitKind.BENEFIT,
        BenefitCategory.NON_FINANCIAL,
        "Share of changes made online",
        "%",
        18.0,
        60.0,
        10,
        0.025,
        [("DIG-003", 0.7), ("DIG-002", 0.3)],
        "Customers in control",
    ),
    (
        "Orders shipped per day",
        "Warehouse Modernisation",
        BenefitKind.BENEFIT,
        BenefitCategory.NON_FINANCIAL,
        "Orders shipped per day",
        "orders",
        12_000.0,
        15_600.0,
        -2,
        0.05,
        [("OPS-001", 0.5), ("OPS-002", 0.5)],
        "Ship more from the same space",
    ),
    (
        "Staff turnover in pilot depots",
        "Warehouse Modernisation",
        BenefitKind.DISBENEFIT,
        BenefitCategory.NON_FINANCIAL,
        "Annual staff turnover",
        "%",
        14.0,
        18.0,
        12,
        0.05,
        [("OPS-001", 1.0)],
        "Ship more from the same space",
    ),
]
TRANCHES = {
    "Customer Experience": [
        ("Tranche 1: foundations", -300, -60),
        ("Tranche 2: self-service", -59, 180),
    ],
    "Warehouse Modernisation": [
        ("Tranche 1: pilot depot", -300, 30),
        ("Tranche 2: roll-out", 31, 400),
    ],
}


async def seed_pmo(session: AsyncSession, organisation: Organisation, rng: Random) -> None:
    """Benefits, measurements, objectives, tranches, dependencies; directors sponsor."""
    org = organisation.id
    today = utcnow().date()
    programmes = {
        p.name: p
        for p in await session.scalars(select(Programme).where(Programme.organisation_id == org))
    }
    projects = {
        p.code: p
        for p in await session.scalars(select(Project).where(Project.organisation_id == org))
    }
    for project in projects.values():
        programme = next((p for p in programmes.values() if p.id == project.programme_id), None)
        if programme is not None and programme.director_id is not None:
            project.sponsor_id = programme.director_id

    objectives: dict[str, Objective] = {}
    for (
        name,
        programme_name,
        kind,
        category,
        measure,
        unit,
        baseline,
        target,
        months,
        drift,
        shares,
        objective_name,
    ) in BENEFITS:
        programme = programmes[programme_name]
        if objective_name not in objectives:
            objectives[objective_name] = Objective(
                organisation_id=org, programme_id=programme.id, name=objective_name
            )
            session.add(objectives[objective_name])
        benefit = Benefit(
            organisation_id=org,
            programme_id=programme.id,
            name=name,
            kind=kind,
            category=category,
            measure=measure,
            unit=unit,
            baseline=baseline,
            target=target,
            target_date=(today.replace(day=1) + timedelta(days=round(months * 30.4))),
            owner_id=programme.director_id,
        )
        session.add(benefit)
        await session.flush()
        for month in range(24, 0, -1):
            day = today - timedelta(days=round(month * 30.4))
            progress = max(0.0, (24 - month) * drift)
            noise = rng.uniform(-0.02, 0.02) * abs(target - baseline)
            session.add(
                BenefitMeasurement(
                    organisation_id=org,
                    benefit_id=benefit.id,
                    measured_on=day,
                    value=round(baseline + progress * (target - baseline) + noise, 2),
                )
            )
        for code, share in shares:
            session.add(
                BenefitContribution(
                    organisation_id=org,
                    benefit_id=benefit.id,
                    project_id=projects[code].id,
                    share=share,
                )
            )
        await session.flush()
        session.add(
            BenefitObjective(
                organisation_id=org,
                benefit_id=benefit.id,
                objective_id=objectives[objective_name].id,
            )
        )

    for programme_name, windows in TRANCHES.items():
        programme = programmes[programme_name]
        tranches = []
        for name, first, last in windows:
            tranche = Tranche(
                organisation_id=org,
                programme_id=programme.id,
                name=name,
                start_date=today + timedelta(days=first),
                end_date=today + timedelta(days=last),
            )
            session.add(tranche)
            tranches.append(tranche)
        await session.flush()
        members = [p for p in projects.values() if p.programme_id == programme.id]
        milestones = list(
            await session.scalars(
                select(Milestone)
                .where(Milestone.project_id.in_([p.id for p in members]))
                .order_by(Milestone.baseline_date, Milestone.id)
            )
        )
        for milestone in milestones:
            day = milestone.actual_date or milestone.forecast_date or milestone.baseline_date
            tranche = next((t for t in tranches if t.start_date <= day <= t.end_date), tranches[-1])
            if day > tranches[0].end_date and tranche is tranches[0]:
                tranche = tranches[-1]
            session.add(
                MilestoneTranche(
                    organisation_id=org, milestone_id=milestone.id, tranche_id=tranche.id
                )
            )
        await _dependencies(session, org, programme, milestones)
    await session.flush()


async def _dependencies(
    session: AsyncSession, org: int, programme: Programme, milestones: list[Milestone]
) -> None:
    """Each project's first milestone must come 14 days before the next project's last one;
    and the second project's last milestone waits on the first's longer than the plan allows
    (one breach to show)."""
    by_project: dict[int, list[Milestone]] = {}
    for milestone in milestones:
        by_project.setdefault(milestone.project_id, []).append(milestone)
    firsts = [ms[0] for ms in by_project.values() if ms]
    lasts = [ms[-1] for ms in by_project.values() if ms]
    links: dict[tuple[int, int], Dependency] = {}
    for index in range(len(lasts) - 1):
        link = Dependency(
            organisation_id=org,
            programme_id=programme.id,
            predecessor_id=firsts[index].id,
            successor_id=lasts[index + 1].id,
            lag_days=14,
        )
        links[(link.predecessor_id, link.successor_id)] = link
    if len(lasts) >= 2:
        first, second = lasts[0], lasts[1]
        day_first = first.actual_date or first.forecast_date or first.baseline_date
        day_second = second.actual_date or second.forecast_date or second.baseline_date
        lag = max((day_second - day_first).days, 0) + 21
        existing = links.get((first.id, second.id))
        if existing is not None:  # a one-milestone project: the chain already links the two
            existing.lag_days = lag
        else:
            links[(first.id, second.id)] = Dependency(
                organisation_id=org,
                programme_id=programme.id,
                predecessor_id=first.id,
                successor_id=second.id,
                lag_days=lag,
            )
    session.add_all(links.values())
