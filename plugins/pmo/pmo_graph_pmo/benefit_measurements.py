"""The one reader of benefit measurements: which of them count on a day, their least-squares
sums and latest value, for the resolvers (batched by a loader), for the mutations (in their
transaction) and, as an SQL template derived from the same declaration, for the compiled path.

A measurement counts on ``as_of`` when it is the organisation's and was taken on or before that
day: a measurement dated later (an import, a clock ahead) is not measured yet. The latest is the
one of the latest day, and of several on that day the last recorded (the highest id).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Float, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import Context, Ordering, Reader, day_number
from pmo_graph_pmo.enums import BenefitStatus
from pmo_graph_pmo.measure import Measurements, rounded_sql, rounded_sqlite, status
from pmo_graph_pmo.models import Benefit, BenefitMeasurement
from pmo_graph_pmo.scope import today

#: Newest first: by the day measured, then the last recorded first.
MEASUREMENT_ORDER = Ordering(
    (BenefitMeasurement.measured_on, BenefitMeasurement.id), descending=True
)


def counted(organisation_id: int, as_of: date) -> tuple[ColumnElement[bool], ...]:
    """The conditions of the measurements that count on ``as_of``: the organisation's, taken
    on or before that day."""
    return (
        BenefitMeasurement.organisation_id == organisation_id,
        BenefitMeasurement.measured_on <= as_of,
    )


async def measurements_up_to(
    db: AsyncSession | Reader,
    organisation_id: int,
    benefit_ids: Collection[int],
    as_of: date,
) -> dict[int, Measurements]:
    """Each benefit's sums and latest value over the measurements that count on ``as_of``
    (``counted``), in one statement; a benefit without any is left out."""
    position = (
        func.row_number()
        .over(
            partition_by=BenefitMeasurement.benefit_id,
            order_by=MEASUREMENT_ORDER.order_by(reverse=False),
        )
        .label("position")
    )
    ranked = (
        select(
            BenefitMeasurement.benefit_id,
            cast(day_number(BenefitMeasurement.measured_on), Float).label("x"),
            BenefitMeasurement.value.label("y"),
            position,
        )
        .where(
            BenefitMeasurement.benefit_id.in_(set(benefit_ids)), *counted(organisation_id, as_of)
        )
        .subquery()
    )
    x, y = ranked.c.x, ranked.c.y
    rows: Sequence[Any] = (
        await db.execute(
            select(
                ranked.c.benefit_id,
                func.count(),
                func.sum(x),
                func.sum(y),
                func.sum(x * y),
                func.sum(x * x),
                func.max(case((ranked.c.position == 1, y))),
            ).group_by(ranked.c.benefit_id)
        )
    ).all()
    return {
        benefit_id: Measurements(
            int(n), float(sx), float(sy), float(sxy), float(sxx), float(latest)
        )
        for benefit_id, n, sx, sy, sxy, sxx, latest in rows
    }


async def measurements_of(
    db: AsyncSession | Reader, organisation_id: int, benefit_id: int, as_of: date
) -> Measurements:
    """``measurements_up_to`` of one benefit, unbatched (a mutation reads in its transaction)."""
    found = await measurements_up_to(db, organisation_id, [benefit_id], as_of)
    return found.get(benefit_id, Measurements())


async def measurement_sums(
    context: Context, benefit_ids: Sequence[int], as_of: date | None = None
) -> list[Measurements]:
    """``measurements_up_to`` for the request's viewer, batched by a loader per day: each
    benefit's sums on ``as_of`` (default today), in the order of ``benefit_ids``."""
    day = as_of or today()

    async def load(keys: list[int]) -> list[Measurements]:
        found = await measurements_up_to(context.db, context.viewer.organisation_id, keys, day)
        return [found.get(key, Measurements()) for key in keys]

    loader = context.loaders.get(("pmo", "measurements", day), load)
    return list(await loader.load_many(list(benefit_ids)))


async def benefit_status(context: Context, benefit: Benefit, as_of: date) -> BenefitStatus:
    """The benefit's status on ``as_of``, from the measurements that count on that day."""
    (sums,) = await measurement_sums(context, [benefit.id], as_of)
    return status(benefit.kind, benefit.baseline, benefit.target, benefit.target_date, sums, as_of)


def _latest_sql(expression: str) -> str:
    """A scalar subquery of ``expression`` over ``m``, the latest measurement of ``{parent}``
    that counts today: ``counted`` and ``MEASUREMENT_ORDER`` as a compiled-path template."""
    table = BenefitMeasurement.__tablename__
    order = MEASUREMENT_ORDER.sql_template().format(row="m")
    return (
        f"SELECT {expression} FROM {table} AS m WHERE m.benefit_id = {{parent}}.id "
        f"AND m.organisation_id = {{org}} AND m.measured_on <= {{today}} "
        f"ORDER BY {order} LIMIT 1"
    )


def _realisation_sql(rounding: Callable[[str], str]) -> str:
    ratio = "(m.value - {parent}.baseline) / ({parent}.target - {parent}.baseline)"
    return _latest_sql(
        "CASE WHEN {parent}.target = {parent}.baseline THEN NULL ELSE " + rounding(ratio) + " END"
    )


#: ``Benefit.realisation`` in SQL: ``measure.realisation`` of the latest measurement that
#: counts today, rounded by ``measure.rounded_sql`` (null when the target is the baseline).
REALISATION_SQL = _realisation_sql(rounded_sql)
#: The same on SQLite, rounded by ``measure.rounded_sqlite``.
REALISATION_SQLITE = _realisation_sql(rounded_sqlite)
