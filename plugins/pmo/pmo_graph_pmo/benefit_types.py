"""The benefits tier's object types: a benefit with its figures, its measurements, the
shares projects deliver of it, and the objectives it serves."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from pmo_graph.sdk import (
    Connection,
    Context,
    ModelNode,
    Person,
    PersonRef,
    Programme,
    ProgrammeRef,
    Project,
    ProjectRef,
    get_context,
    load_by_id,
    load_parent,
    page_args,
    paginate_children,
    sql_connection,
    sql_one,
    sql_value,
)
from pmo_graph_pmo.benefit_measurements import (
    MEASUREMENT_ORDER,
    REALISATION_SQL,
    REALISATION_SQLITE,
    benefit_status,
    measurement_sums,
)
from pmo_graph_pmo.enums import BenefitCategory, BenefitKind, BenefitStatus
from pmo_graph_pmo.measure import forecast_at, realisation, rounded
from pmo_graph_pmo.models import (
    Benefit,
    BenefitContribution,
    BenefitMeasurement,
    BenefitObjective,
    Objective,
)
from pmo_graph_pmo.refs import BenefitRef, ObjectiveRef
from pmo_graph_pmo.scope import today

Row = strawberry.Parent[Benefit]
StatusAsOf = Annotated[
    date | None,
    strawberry.argument(
        description="The day the status is taken on, 1900-01-01 to 2999-12-31; today (UTC) when "
        "left out."
    ),
]


@strawberry.type(
    name="BenefitMeasurement",
    description="A value of a benefit's measure, measured on a day; recorded once, never changed.",
)
class BenefitMeasurementType:
    #: The table its objects are rows of, for the compiled path (``ModelNode`` says it too).
    __model__ = BenefitMeasurement

    measured_on: date = strawberry.field(
        description="The day the value was measured (not after the day it was recorded)."
    )
    value: float = strawberry.field(
        description="The value measured, in the benefit's `unit` (money in the benefit's unit "
        "too, for a FINANCIAL benefit)."
    )
    note: str | None = strawberry.field(
        description="What the person who recorded it said about it; null when nothing was said."
    )
    recorded_at: datetime = strawberry.field(
        description="When it was recorded (UTC), which may be long after `measuredOn`."
    )

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Any, Any]) -> bool:
        return isinstance(obj, (cls, BenefitMeasurement))


@strawberry.type(
    name="BenefitContribution",
    description="The share of a programme benefit one of its projects delivers. The shares of a "
    "benefit add up to at most 1, so no part of it is claimed twice.",
)
class BenefitContributionType:
    #: The table behind the type, for the compiled path (``pmo_graph.graphql.compiled``).
    __model__ = BenefitContribution

    share: float = strawberry.field(
        description="The fraction of the benefit the project delivers: more than 0, at most 1 "
        "(0.4 is 40 %)."
    )

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Any, Any]) -> bool:
        return isinstance(obj, (cls, BenefitContribution))

    @strawberry.field(
        description="The project that delivers the share (it was in the benefit's programme when "
        "linked, and may have moved since).",
        metadata=sql_one("{row}.id = {parent}.project_id"),
    )
    async def project(
        self, root: strawberry.Parent[BenefitContribution], info: Info[Any, Any]
    ) -> ProjectRef:
        return await load_parent(info, Project, root.project_id)

    @strawberry.field(
        description="The benefit (or dis-benefit) the share is of.",
        metadata=sql_one("{row}.id = {parent}.benefit_id"),
    )
    async def benefit(
        self, root: strawberry.Parent[BenefitContribution], info: Info[Any, Any]
    ) -> BenefitRef:
        return await load_parent(info, Benefit, root.benefit_id)


@strawberry.type(
    name="Objective",
    description="A strategic objective of a programme, which its benefits serve "
    "(`linkBenefitObjective`); never changed once created.",
)
class ObjectiveType(ModelNode):
    __model__ = Objective

    name: str = strawberry.field(description="What the objective aims at; 1 to 200 characters.")

    @strawberry.field(description="The programme whose objective it is.")
    async def programme(
        self, root: strawberry.Parent[Objective], info: Info[Any, Any]
    ) -> ProgrammeRef:
        return await load_parent(info, Programme, root.programme_id)


@strawberry.type(
    name="Benefit",
    description="A measurable improvement a programme seeks, or a dis-benefit it tolerates up to "
    "a limit. It belongs to the programme; its projects contribute shares of it. Its figures are "
    "computed from its measurements whenever they are asked for.",
)
class BenefitType(ModelNode):
    __model__ = Benefit

    name: str = strawberry.field(description="The benefit's name; 1 to 200 characters.")
    description: str | None = strawberry.field(
        description="What the benefit is and why it matters; null when none was given."
    )
    kind: BenefitKind = strawberry.field(
        description="BENEFIT (sought) or DISBENEFIT (tolerated up to `target`)."
    )
    category: BenefitCategory = strawberry.field(
        description="FINANCIAL (measured in money) or NON_FINANCIAL."
    )
    measure: str = strawberry.field(
        description="What is measured, e.g. `Orders shipped per day`; 1 to 200 characters."
    )
    unit: str | None = strawberry.field(
        description="The unit of `baseline`, `target` and every measured value, e.g. `orders` or "
        "a currency code for a FINANCIAL benefit; null when none was given."
    )
    baseline: float = strawberry.field(
        description="The value before the programme, in `unit`: realisation 0."
    )
    target: float = strawberry.field(
        description="For a BENEFIT the value sought by `targetDate`, in `unit`: realisation 1. "
        "For a DISBENEFIT the tolerated limit. Never equal to `baseline`; above it when more is "
        "better, below it when less is (a cost reduction)."
    )
    target_date: date = strawberry.field(
        description="The day by which a BENEFIT should reach `target`; `forecastAtTargetDate` "
        "reads the forecast on it."
    )
    version: int = strawberry.field(
        description="The benefit's version: 1 when created, one more with every change to it."
    )

    @strawberry.field(
        description="The person accountable for realising the benefit; null when none was named.",
        metadata=sql_one("{row}.id = {parent}.owner_id"),
    )
    async def owner(self, root: Row, info: Info[Any, Any]) -> PersonRef | None:
        return await load_by_id(info, Person, root.owner_id)

    @strawberry.field(
        description="The programme that seeks the benefit.",
        metadata=sql_one("{row}.id = {parent}.programme_id"),
    )
    async def programme(self, root: Row, info: Info[Any, Any]) -> ProgrammeRef:
        return await load_parent(info, Programme, root.programme_id)

    @strawberry.field(
        description="Its measurements, newest first: by `measuredOn`, then the last recorded "
        "first.",
        metadata=sql_connection("{row}.benefit_id = {parent}.id", MEASUREMENT_ORDER.sql_template()),
    )
    async def measurements(
        self,
        root: Row,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[BenefitMeasurementType]:
        context = get_context(info)
        args = page_args(context, first=first, after=after, width=2)
        return await paginate_children(  # type: ignore[return-value]
            context,
            BenefitMeasurement,
            BenefitMeasurement.benefit_id,
            root.id,
            MEASUREMENT_ORDER,
            args,
        )

    @strawberry.field(
        description="The value of the latest measurement (the latest `measuredOn`; of several on "
        "that day, the last recorded), in `unit`; null without a measurement."
    )
    async def latest_value(self, root: Row, info: Info[Any, Any]) -> float | None:
        (sums,) = await measurement_sums(get_context(info), [root.id])
        return sums.latest

    @strawberry.field(
        description="(latestValue - baseline) / (target - baseline), a fraction rounded to 6 "
        "decimal places: 0 at the baseline, 1 at the target, above 1 beyond it, negative when the "
        "value moved the wrong way. For a DISBENEFIT the share of the tolerance used up. Null "
        "without a measurement.",
        metadata=sql_value(REALISATION_SQL, sqlite=REALISATION_SQLITE),
    )
    async def realisation(self, root: Row, info: Info[Any, Any]) -> float | None:
        (sums,) = await measurement_sums(get_context(info), [root.id])
        value = realisation(root.baseline, root.target, sums.latest)
        return None if value is None else rounded(value)

    @strawberry.field(
        description="The least-squares straight line through all its measurements (value against "
        "date, each with the same weight), read at `targetDate`, in `unit`, rounded to 6 decimal "
        "places; null with fewer than two measurements or when all are on one day."
    )
    async def forecast_at_target_date(self, root: Row, info: Info[Any, Any]) -> float | None:
        (sums,) = await measurement_sums(get_context(info), [root.id])
        value = forecast_at(sums, root.target_date)
        return None if value is None else rounded(value)

    @strawberry.field(
        description="NOT_STARTED, ON_TRACK, AT_RISK or ACHIEVED as it stood on `asOf`: only "
        "measurements taken on or before `asOf` count, and `asOf` decides whether `targetDate` "
        "has passed."
    )
    async def status(
        self, root: Row, info: Info[Any, Any], as_of: StatusAsOf = None
    ) -> BenefitStatus:
        return await benefit_status(get_context(info), root, as_of or today())

    @strawberry.field(
        description="The projects that deliver shares of it, in the order they were first linked."
    )
    async def contributions(self, root: Row, info: Info[Any, Any]) -> list[BenefitContributionType]:
        loader = get_context(info).loaders.children(
            BenefitContribution, BenefitContribution.benefit_id, order_by=(BenefitContribution.id,)
        )
        return await loader.load(root.id)  # type: ignore[return-value]

    @strawberry.field(description="The objectives of its programme it serves, by name.")
    async def objectives(self, root: Row, info: Info[Any, Any]) -> list[ObjectiveRef]:
        return await _objectives_of(get_context(info), root.id)


async def _objectives_of(context: Context, benefit_id: int) -> list[Objective]:
    async def load(keys: list[int]) -> list[list[Objective]]:
        rows: Sequence[Any] = (
            await context.db.execute(
                select(BenefitObjective.benefit_id, Objective)
                .join(Objective, Objective.id == BenefitObjective.objective_id)
                .where(
                    BenefitObjective.benefit_id.in_(set(keys)),
                    Objective.organisation_id == context.viewer.organisation_id,
                )
                .order_by(Objective.name, Objective.id)
            )
        ).all()
        grouped: dict[int, list[Objective]] = defaultdict(list)
        for benefit_id, objective in rows:
            grouped[benefit_id].append(objective)
        return [grouped[key] for key in keys]

    return await context.loaders.get(("pmo", "benefit_objectives"), load).load(benefit_id)
