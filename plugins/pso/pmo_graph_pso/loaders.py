"""Batched reads of the project support office, shared by its fields and standards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from pmo_graph.sdk import Context
from pmo_graph_pso.models import Milestone, PersonCapacity, PsoSettings, StatusReport

DEFAULT_CADENCE_DAYS = 14
DEFAULT_CAPACITY = 1.0


async def reporting_cadence(context: Context) -> int:
    """Days within which an active project must have reported (the organisation's setting)."""

    async def load(keys: list[int]) -> list[int]:
        rows: Sequence[Any] = (
            await context.db.execute(
                select(PsoSettings.organisation_id, PsoSettings.reporting_cadence_days).where(
                    PsoSettings.organisation_id.in_(keys)
                )
            )
        ).all()
        found: dict[int, int] = {}
        for organisation_id, days in rows:
            found[organisation_id] = days
        return [found.get(key, DEFAULT_CADENCE_DAYS) for key in keys]

    loader = context.loaders.get(("pso", "cadence"), load)
    return await loader.load(context.viewer.organisation_id)


async def latest_reports(
    context: Context, project_ids: Sequence[int], as_of: date | None = None
) -> list[StatusReport | None]:
    """Each project's report with the latest ``periodEnding`` (on or before ``as_of``)."""

    async def load(keys: list[int]) -> list[StatusReport | None]:
        position = (
            func.row_number()
            .over(
                partition_by=StatusReport.project_id,
                order_by=(StatusReport.period_ending.desc(), StatusReport.id.desc()),
            )
            .label("position")
        )
        conditions = [
            StatusReport.project_id.in_(set(keys)),
            StatusReport.organisation_id == context.viewer.organisation_id,
        ]
        if as_of is not None:
            conditions.append(StatusReport.period_ending <= as_of)
        ranked = select(StatusReport, position).where(and_(*conditions)).subquery()
        report = aliased(StatusReport, ranked)
        rows = await context.db.scalars(select(report).where(ranked.c.position == 1))
        by_project = {row.project_id: row for row in rows}
        return [by_project.get(key) for key in keys]

    loader = context.loaders.get(("pso", "latest_report", as_of), load)
    return list(await loader.load_many(list(project_ids)))


async def milestones_of(context: Context, project_ids: Sequence[int]) -> list[list[Milestone]]:
    """Each project's milestones, by baseline date."""
    loader = context.loaders.children(
        Milestone, Milestone.project_id, order_by=(Milestone.baseline_date, Milestone.id)
    )
    return list(await loader.load_many(list(project_ids)))


async def capacities(context: Context, person_ids: Sequence[int]) -> list[float]:
    """Each person's capacity in FTE (1.0 unless set)."""

    async def load(keys: list[int]) -> list[float]:
        rows: Sequence[Any] = (
            await context.db.execute(
                select(PersonCapacity.person_id, PersonCapacity.capacity).where(
                    PersonCapacity.person_id.in_(set(keys)),
                    PersonCapacity.organisation_id == context.viewer.organisation_id,
                )
            )
        ).all()
        found: dict[int, float] = {}
        for person_id, capacity in rows:
            found[person_id] = capacity
        return [float(found.get(key, DEFAULT_CAPACITY)) for key in keys]

    loader = context.loaders.get(("pso", "capacity"), load)
    return list(await loader.load_many(list(person_ids)))
