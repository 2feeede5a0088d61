"""Benefits management: benefits and dis-benefits, their measurements and forecasts, who
contributes to them, the objectives they serve, and the programme's summary and map."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import Float, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from pmo_graph.sdk import (
    DUPLICATE,
    INVALID,
    OVER_ATTRIBUTED,
    Checks,
    Connection,
    Context,
    Lock,
    ModelNode,
    Ordering,
    Person,
    PersonRef,
    Programme,
    ProgrammeRef,
    Project,
    ProjectRef,
    Transaction,
    UserError,
    authorize,
    day_number,
    get_context,
    load_by_id,
    load_parent,
    page_args,
    paginate_children,
    run_mutation,
    snapshot,
    sql_list,
    sql_one,
    sql_value,
    tier_field,
    tier_mutation,
    to_global_id,
)
from pmo_graph_pmo.enums import BenefitCategory, BenefitKind, BenefitStatus, MapNodeKind
from pmo_graph_pmo.measure import Measurements, forecast_at, realisation, status
from pmo_graph_pmo.models import (
    Benefit,
    BenefitContribution,
    BenefitMeasurement,
    BenefitObjective,
    Objective,
)
from pmo_graph_pmo.refs import BenefitRef, ObjectiveRef
from pmo_graph_pmo.scope import TIER, today

MEASUREMENT_ORDER = Ordering(
    (BenefitMeasurement.measured_on, BenefitMeasurement.id), descending=True
)
SHARE_TOLERANCE = 1e-9
Row = strawberry.Parent[Benefit]
StatusAsOf = Annotated[
    date | None,
    strawberry.argument(
        description="The day the status is taken on, 1900-01-01 to 2999-12-31; today (UTC) when "
        "left out."
    ),
]
SummaryAsOf = Annotated[
    date | None,
    strawberry.argument(
        description="The day the figures are taken on, 1900-01-01 to 2999-12-31; today (UTC) "
        "when left out."
    ),
]


#: ``realisation`` of the latest measurement up to today, rounded as the resolver does, in SQL.
REALISATION_SQL = (
    "SELECT CASE WHEN {parent}.target = {parent}.baseline THEN NULL ELSE "
    "round(((m.value - {parent}.baseline) / ({parent}.target - {parent}.baseline))::numeric, 6)"
    "::float8 END FROM benefit_measurements AS m WHERE m.benefit_id = {parent}.id "
    "AND m.organisation_id = {org} AND m.measured_on <= {today} "
    "ORDER BY m.measured_on DESC, m.id DESC LIMIT 1"
)


async def measurement_sums(
    context: Context, benefit_ids: Sequence[int], as_of: date | None = None
) -> list[Measurements]:
    """Each benefit's least-squares sums and latest value over its measurements taken on or
    before ``as_of`` (default today), aggregated in the database."""
    as_of = as_of or today()

    async def load(keys: list[int]) -> list[Measurements]:
        x = cast(day_number(BenefitMeasurement.measured_on), Float)
        scope = (
            BenefitMeasurement.benefit_id.in_(set(keys)),
            BenefitMeasurement.organisation_id == context.viewer.organisation_id,
            BenefitMeasurement.measured_on <= as_of,
        )
        sums: Sequence[Any] = (
            await context.db.execute(
                select(
                    BenefitMeasurement.benefit_id,
                    func.count(),
                    func.sum(x),
                    func.sum(BenefitMeasurement.value),
                    func.sum(x * BenefitMeasurement.value),
                    func.sum(x * x),
                )
                .where(*scope)
                .group_by(BenefitMeasurement.benefit_id)
            )
        ).all()
        position = (
            func.row_number()
            .over(
                partition_by=BenefitMeasurement.benefit_id,
                order_by=(BenefitMeasurement.measured_on.desc(), BenefitMeasurement.id.desc()),
            )
            .label("position")
        )
        ranked = (
            select(BenefitMeasurement.benefit_id, BenefitMeasurement.value, position)
            .where(*scope)
            .subquery()
        )
        latest: Sequence[Any] = (
            await context.db.execute(
                select(ranked.c.benefit_id, ranked.c.value).where(ranked.c.position == 1)
            )
        ).all()
        last = {benefit_id: float(value) for benefit_id, value in latest}
        found = {
            benefit_id: Measurements(
                int(n), float(sx), float(sy), float(sxy), float(sxx), last.get(benefit_id)
            )
            for benefit_id, n, sx, sy, sxy, sxx in sums
        }
        return [found.get(key, Measurements()) for key in keys]

    return list(
        await context.loaders.get(("pmo", "measurements", as_of), load).load_many(list(benefit_ids))
    )


async def benefit_status(context: Context, benefit: Benefit, as_of: date) -> BenefitStatus:
    (sums,) = await measurement_sums(context, [benefit.id], as_of)
    return status(benefit.kind, benefit.baseline, benefit.target, benefit.target_date, sums, as_of)


@strawberry.type(
    name="BenefitMeasurement",
    description="A value of a benefit's measure, measured on a day; recorded once, never changed.",
)
class BenefitMeasurementType:
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
        description="The person accountable for realising the benefit; null when none was named."
    )
    async def owner(self, root: Row, info: Info[Any, Any]) -> PersonRef | None:
        return await load_by_id(info, Person, root.owner_id)

    @strawberry.field(description="The programme that seeks the benefit.")
    async def programme(self, root: Row, info: Info[Any, Any]) -> ProgrammeRef:
        return await load_parent(info, Programme, root.programme_id)

    @strawberry.field(
        description="Its measurements, newest first: by `measuredOn`, then the last recorded first."
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
        metadata=sql_value(REALISATION_SQL),
    )
    async def realisation(self, root: Row, info: Info[Any, Any]) -> float | None:
        (sums,) = await measurement_sums(get_context(info), [root.id])
        value = realisation(root.baseline, root.target, sums.latest)
        return None if value is None else round(value, 6)

    @strawberry.field(
        description="The least-squares straight line through all its measurements (value against "
        "date, each with the same weight), read at `targetDate`, in `unit`, rounded to 6 decimal "
        "places; null with fewer than two measurements or when all are on one day."
    )
    async def forecast_at_target_date(self, root: Row, info: Info[Any, Any]) -> float | None:
        (sums,) = await measurement_sums(get_context(info), [root.id])
        value = forecast_at(sums, root.target_date)
        return None if value is None else round(value, 6)

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


@strawberry.type(
    description="A programme's benefits as a whole on a day: how many stand where, and how much "
    "of the money sought has been realised."
)
class BenefitsSummary:
    benefits: int = strawberry.field(
        description="How many benefits and dis-benefits the programme has."
    )
    achieved: int = strawberry.field(
        description="How many are ACHIEVED on the day (dis-benefits never are)."
    )
    on_track: int = strawberry.field(
        description="How many are ON_TRACK on the day, dis-benefits included."
    )
    at_risk: int = strawberry.field(
        description="How many are AT_RISK on the day, dis-benefits included."
    )
    not_started: int = strawberry.field(
        description="How many are NOT_STARTED (have no measurement by the day)."
    )
    financial_target: float = strawberry.field(
        description="The money sought: over the FINANCIAL benefits of kind BENEFIT, the sum of "
        "|target - baseline|, each counted positive. Units are added as they are, so give those "
        "benefits one currency. Rounded to 6 decimal places; 0 without such a benefit."
    )
    financial_realised: float = strawberry.field(
        description="The money realised: over the same benefits, the sum of realisation x "
        "|target - baseline| (a benefit not measured adds 0, one beyond its target adds more than "
        "its size, one moved the wrong way subtracts); rounded to 6 decimal places."
    )
    realisation: float | None = strawberry.field(
        description="financialRealised / financialTarget, a fraction rounded to 6 decimal places; "
        "null when financialTarget is 0 (no financial benefit)."
    )


@strawberry.type(description="A node of a benefits map: a project, a benefit or an objective.")
class MapNode:
    id: strawberry.ID = strawberry.field(
        description="The global id of the project, benefit or objective (usable with `node(id:)`)."
    )
    kind: MapNodeKind = strawberry.field(description="What the node is.")
    label: str = strawberry.field(
        description="What to print on it: `CODE Name` for a project, the name for a benefit or an "
        "objective."
    )


@strawberry.type(
    description="An edge of a benefits map: project → benefit (with its share), or benefit → "
    "objective."
)
class MapEdge:
    from_: strawberry.ID = strawberry.field(
        name="from", description="The id of the node it starts at: a project or a benefit."
    )
    to: strawberry.ID = strawberry.field(
        description="The id of the node it ends at: a benefit or an objective."
    )
    share: float | None = strawberry.field(
        description="For project → benefit, the fraction of the benefit the project delivers "
        "(more than 0, at most 1); null for benefit → objective."
    )


@strawberry.type(
    description="From projects to the benefits they deliver to the objectives those serve: a "
    "graph a frontend can draw as it is."
)
class BenefitsMap:
    nodes: list[MapNode] = strawberry.field(
        description="The projects that contribute to a benefit of the programme (by code), then "
        "every benefit and dis-benefit (by name), then every objective (by name)."
    )
    edges: list[MapEdge] = strawberry.field(
        description="Project → benefit for every contribution, then benefit → objective for every "
        "link; each group in the order the benefits were created."
    )


@strawberry.type(description="The result of a mutation on a benefit.")
class BenefitPayload:
    benefit: BenefitRef | None = strawberry.field(
        default=None,
        description="The benefit as the mutation left it, its figures recomputed; null when "
        "userErrors say why nothing was written.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The result of a mutation on an objective.")
class ObjectivePayload:
    objective: ObjectiveRef | None = strawberry.field(
        default=None,
        description="The objective created; null when userErrors say why nothing was written.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="A new benefit or dis-benefit of a programme.")
class CreateBenefitInput:
    programme_id: strawberry.ID = strawberry.field(
        description="The programme that seeks it (NOT_FOUND when no programme of your "
        "organisation has this id)."
    )
    name: str = strawberry.field(
        description="Its name; trimmed, 1 to 200 characters (INVALID when blank or longer)."
    )
    kind: BenefitKind = strawberry.field(
        description="BENEFIT (sought) or DISBENEFIT (tolerated up to `target`)."
    )
    category: BenefitCategory = strawberry.field(
        description="FINANCIAL when measured in money, else NON_FINANCIAL."
    )
    measure: str = strawberry.field(
        description="What is measured, e.g. `Orders shipped per day`; trimmed, 1 to 200 "
        "characters (INVALID when blank or longer)."
    )
    baseline: float = strawberry.field(
        description="The value before the programme, in `unit`; -1e15 to 1e15."
    )
    target: float = strawberry.field(
        description="For a BENEFIT the value sought by `targetDate`, for a DISBENEFIT the "
        "tolerated limit, in `unit`; -1e15 to 1e15 and different from `baseline` (INVALID when "
        "equal). Its direction from the baseline says which way is better."
    )
    target_date: date = strawberry.field(
        description="The day by which it should be reached; 1900-01-01 to 2999-12-31."
    )
    description: str | None = strawberry.field(
        default=None,
        description="What it is and why it matters; at most 20000 characters, blank or null for "
        "none.",
    )
    unit: str | None = strawberry.field(
        default=None,
        description="The unit of its values, e.g. `orders` or a currency code; at most 50 "
        "characters, blank or null for none.",
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The person accountable for realising it (NOT_FOUND when no person of your "
        "organisation has this id); null for none.",
    )


@strawberry.input(description="A value of a benefit's measure, measured on a day.")
class RecordBenefitMeasurementInput:
    benefit_id: strawberry.ID = strawberry.field(
        description="The benefit measured (NOT_FOUND when no benefit of your organisation has "
        "this id)."
    )
    measured_on: date = strawberry.field(
        description="The day it was measured: today (UTC) or earlier, from 1900-01-01 (INVALID "
        "when in the future). It may be before earlier measurements, or on the same day as one."
    )
    value: float = strawberry.field(
        description="The value measured, in the benefit's unit; -1e15 to 1e15."
    )
    note: str | None = strawberry.field(
        default=None,
        description="A remark on the measurement; at most 20000 characters, blank or null for "
        "none.",
    )


@strawberry.input(description="The share of a benefit a project of its programme delivers.")
class LinkBenefitContributionInput:
    benefit_id: strawberry.ID = strawberry.field(
        description="The benefit (NOT_FOUND when no benefit of your organisation has this id)."
    )
    project_id: strawberry.ID = strawberry.field(
        description="The project delivering the share: one of the benefit's programme (NOT_FOUND "
        "when no project of your organisation has this id, INVALID when it is in another "
        "programme or none)."
    )
    share: float = strawberry.field(
        description="The fraction of the benefit the project delivers: more than 0, at most 1 "
        "(INVALID otherwise). With the other projects' shares it adds up to at most 1 "
        "(OVER_ATTRIBUTED otherwise); it replaces the project's earlier share."
    )


@strawberry.input(description="A new strategic objective of a programme.")
class CreateObjectiveInput:
    programme_id: strawberry.ID = strawberry.field(
        description="The programme (NOT_FOUND when no programme of your organisation has this id)."
    )
    name: str = strawberry.field(
        description="What the objective aims at; trimmed, 1 to 200 characters (INVALID when blank "
        "or longer)."
    )


@strawberry.input(description="That a benefit serves an objective of its own programme.")
class LinkBenefitObjectiveInput:
    benefit_id: strawberry.ID = strawberry.field(
        description="The benefit (NOT_FOUND when no benefit of your organisation has this id)."
    )
    objective_id: strawberry.ID = strawberry.field(
        description="The objective it serves, of the benefit's programme (NOT_FOUND when no "
        "objective of your organisation has this id, INVALID when it is another programme's, "
        "DUPLICATE when the benefit already serves it)."
    )


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


async def programme_benefits(context: Context, programme_id: int) -> list[Benefit]:
    loader = context.loaders.children(
        Benefit, Benefit.programme_id, order_by=(Benefit.name, Benefit.id)
    )
    return await loader.load(programme_id)


async def summary(context: Context, programme_id: int, as_of: date) -> BenefitsSummary:
    benefits = await programme_benefits(context, programme_id)
    sums = await measurement_sums(context, [b.id for b in benefits], as_of)
    counts: dict[BenefitStatus, int] = defaultdict(int)
    target_total = realised_total = 0.0
    for benefit, measured in zip(benefits, sums, strict=True):
        counts[
            status(
                benefit.kind, benefit.baseline, benefit.target, benefit.target_date, measured, as_of
            )
        ] += 1
        if benefit.kind is BenefitKind.BENEFIT and benefit.category is BenefitCategory.FINANCIAL:
            size = abs(benefit.target - benefit.baseline)
            target_total += size
            realised_total += (
                realisation(benefit.baseline, benefit.target, measured.latest) or 0.0
            ) * size
    return BenefitsSummary(
        benefits=len(benefits),
        achieved=counts[BenefitStatus.ACHIEVED],
        on_track=counts[BenefitStatus.ON_TRACK],
        at_risk=counts[BenefitStatus.AT_RISK],
        not_started=counts[BenefitStatus.NOT_STARTED],
        financial_target=round(target_total, 6),
        financial_realised=round(realised_total, 6),
        realisation=round(realised_total / target_total, 6) if target_total else None,
    )


async def benefits_map(context: Context, programme_id: int) -> BenefitsMap:
    benefits = await programme_benefits(context, programme_id)
    ids = [b.id for b in benefits]
    contributions = list(
        await context.db.scalars(
            select(BenefitContribution).where(BenefitContribution.benefit_id.in_(ids))
        )
    )
    links = list(
        await context.db.scalars(
            select(BenefitObjective).where(BenefitObjective.benefit_id.in_(ids))
        )
    )
    objectives = list(
        await context.db.scalars(
            select(Objective)
            .where(
                Objective.programme_id == programme_id,
                Objective.organisation_id == context.viewer.organisation_id,
            )
            .order_by(Objective.name, Objective.id)
        )
    )
    projects = {
        p.id: p
        for p in await context.loaders.by_id(Project).load_many(
            sorted({c.project_id for c in contributions})
        )
        if p is not None
    }
    nodes = [
        MapNode(
            id=strawberry.ID(to_global_id("Project", p.id)),
            kind=MapNodeKind.PROJECT,
            label=f"{p.code} {p.name}",
        )
        for p in sorted(projects.values(), key=lambda p: p.code)
    ]
    nodes += [
        MapNode(
            id=strawberry.ID(to_global_id("Benefit", b.id)),
            kind=MapNodeKind.BENEFIT if b.kind is BenefitKind.BENEFIT else MapNodeKind.DISBENEFIT,
            label=b.name,
        )
        for b in benefits
    ]
    nodes += [
        MapNode(
            id=strawberry.ID(to_global_id("Objective", o.id)),
            kind=MapNodeKind.OBJECTIVE,
            label=o.name,
        )
        for o in objectives
    ]
    edges = [
        MapEdge(
            from_=strawberry.ID(to_global_id("Project", c.project_id)),
            to=strawberry.ID(to_global_id("Benefit", c.benefit_id)),
            share=c.share,
        )
        for c in sorted(contributions, key=lambda c: (c.benefit_id, c.project_id))
    ]
    edges += [
        MapEdge(
            from_=strawberry.ID(to_global_id("Benefit", link.benefit_id)),
            to=strawberry.ID(to_global_id("Objective", link.objective_id)),
            share=None,
        )
        for link in sorted(links, key=lambda link: (link.benefit_id, link.objective_id))
    ]
    return BenefitsMap(nodes=nodes, edges=edges)


@strawberry.type
class BenefitProgrammeFields:
    @tier_field(TIER, description="The programme's benefits and dis-benefits, by name (then id).")
    async def benefits(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any]
    ) -> list[BenefitRef]:
        return await programme_benefits(get_context(info), root.id)

    @tier_field(
        TIER,
        description="The programme's benefits counted by status, and the realisation of its "
        "financial benefits, as they stood on `asOf`: measurements taken after `asOf` do not "
        "count.",
    )
    async def benefits_summary(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any], as_of: SummaryAsOf = None
    ) -> BenefitsSummary:
        return await summary(get_context(info), root.id, as_of or today())

    @tier_field(
        TIER,
        description="The benefits map: which projects deliver which benefits, and which objectives "
        "those serve, as nodes and edges.",
    )
    async def benefits_map(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any]
    ) -> BenefitsMap:
        return await benefits_map(get_context(info), root.id)

    @tier_field(TIER, description="The programme's strategic objectives, by name (then id).")
    async def objectives(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any]
    ) -> list[ObjectiveRef]:
        loader = get_context(info).loaders.children(
            Objective, Objective.programme_id, order_by=(Objective.name, Objective.id)
        )
        return await loader.load(root.id)


@strawberry.type
class BenefitProjectFields:
    @tier_field(
        TIER,
        description="The shares of benefits the project delivers, in the order they were first "
        "linked; a contribution to a benefit of a programme the project has since left stays "
        "listed.",
        metadata=sql_list("{row}.project_id = {parent}.id"),
    )
    async def benefit_contributions(
        self, root: strawberry.Parent[Project], info: Info[Any, Any]
    ) -> list[BenefitContributionType]:
        loader = get_context(info).loaders.children(
            BenefitContribution, BenefitContribution.project_id, order_by=(BenefitContribution.id,)
        )
        return await loader.load(root.id)  # type: ignore[return-value]


async def _measurements_of(session: AsyncSession, benefit_id: int) -> Measurements:
    rows = await session.execute(
        select(BenefitMeasurement.measured_on, BenefitMeasurement.value)
        .where(BenefitMeasurement.benefit_id == benefit_id)
        .order_by(BenefitMeasurement.measured_on, BenefitMeasurement.id)
    )
    return Measurements.of([(d, float(v)) for d, v in rows.all()])


@strawberry.type
class BenefitMutation:
    @tier_mutation(
        TIER,
        description="Define a benefit (or dis-benefit) of a programme. For ADMIN, OFFICE and "
        "PROGRAMME_DIRECTOR (of any programme); anyone else gets FORBIDDEN. userErrors: NOT_FOUND "
        "(programmeId, ownerId), INVALID (name, measure, unit, description, target equal to "
        "baseline), all reported at once.",
    )
    async def create_benefit(
        self, info: Info[Any, Any], input: CreateBenefitInput
    ) -> BenefitPayload:
        context = get_context(info)
        authorize(context, "createBenefit")

        async def body(tx: Transaction) -> Benefit:
            checks = Checks()
            organisation_id = context.viewer.organisation_id
            programme = await checks.reference(
                tx.session,
                organisation_id,
                Programme,
                "Programme",
                input.programme_id,
                "programmeId",
            )
            owner = await checks.reference(
                tx.session, organisation_id, Person, "Person", input.owner_id, "ownerId"
            )
            name = checks.text(input.name, "name", required=True, max_length=200)
            measure = checks.text(input.measure, "measure", required=True, max_length=200)
            unit = checks.text(input.unit, "unit", required=False, max_length=50)
            description = checks.text(
                input.description, "description", required=False, max_length=20000
            )
            if input.target == input.baseline:
                checks.add(
                    INVALID,
                    "target must differ from baseline: there would be nothing to realise.",
                    "target",
                )
            checks.raise_if_any()
            assert programme is not None
            benefit = Benefit(
                organisation_id=organisation_id,
                programme_id=programme.id,
                name=name,
                description=description,
                kind=input.kind,
                category=input.category,
                measure=measure,
                unit=unit,
                baseline=input.baseline,
                target=input.target,
                target_date=input.target_date,
                owner_id=owner.id if owner else None,
            )
            tx.session.add(benefit)
            await tx.session.flush()
            tx.audit(
                "Benefit",
                benefit.id,
                snapshot(
                    {
                        "programmeId": input.programme_id,
                        "name": name,
                        "kind": input.kind,
                        "category": input.category,
                        "baseline": input.baseline,
                        "target": input.target,
                        "targetDate": input.target_date,
                    }
                ),
            )
            return benefit

        return await run_mutation(info, "createBenefit", BenefitPayload, body)

    @tier_mutation(
        TIER,
        description="Record a measured value of a benefit; its figures and status are recomputed "
        "and answered. A measurement cannot be changed or removed. For ADMIN, OFFICE and "
        "PROGRAMME_DIRECTOR; anyone else gets FORBIDDEN. userErrors: NOT_FOUND (benefitId), "
        "INVALID (measuredOn in the future, note too long).",
    )
    async def record_benefit_measurement(
        self, info: Info[Any, Any], input: RecordBenefitMeasurementInput
    ) -> BenefitPayload:
        context = get_context(info)
        authorize(context, "recordBenefitMeasurement")

        async def body(tx: Transaction) -> Benefit:
            checks = Checks()
            # Measurements of one benefit are recorded one at a time, so the status before
            # and after each is read in turn and a change of status is announced once.
            benefit = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Benefit,
                "Benefit",
                input.benefit_id,
                "benefitId",
                lock=Lock.WRITE,
            )
            note = checks.text(input.note, "note", required=False, max_length=20000)
            if input.measured_on > today():
                checks.add(
                    INVALID, "measuredOn is in the future; record what was measured.", "measuredOn"
                )
            checks.raise_if_any()
            assert benefit is not None
            day = today()
            before = status(
                benefit.kind,
                benefit.baseline,
                benefit.target,
                benefit.target_date,
                await _measurements_of(tx.session, benefit.id),
                day,
            )
            tx.session.add(
                BenefitMeasurement(
                    organisation_id=benefit.organisation_id,
                    benefit_id=benefit.id,
                    measured_on=input.measured_on,
                    value=input.value,
                    note=note,
                )
            )
            await tx.session.flush()
            after = status(
                benefit.kind,
                benefit.baseline,
                benefit.target,
                benefit.target_date,
                await _measurements_of(tx.session, benefit.id),
                day,
            )
            tx.audit(
                "Benefit",
                benefit.id,
                snapshot({"measuredOn": input.measured_on, "value": input.value}),
            )
            tx.emit(
                "benefit.measured",
                "Benefit",
                benefit.id,
                programme=benefit.programme_id,
                status=after,
            )
            if after is not before:
                tx.emit(
                    "benefit.status_changed",
                    "Benefit",
                    benefit.id,
                    programme=benefit.programme_id,
                    previous=before,
                    status=after,
                )
            if after is BenefitStatus.AT_RISK and before is not BenefitStatus.AT_RISK:
                tx.emit(
                    "benefit.at_risk",
                    "Benefit",
                    benefit.id,
                    programme=benefit.programme_id,
                    previous=before,
                )
            return benefit

        return await run_mutation(info, "recordBenefitMeasurement", BenefitPayload, body)

    @tier_mutation(
        TIER,
        description="Record the share of a benefit a project of its programme delivers, replacing "
        "the project's earlier share. For ADMIN, OFFICE and PROGRAMME_DIRECTOR; anyone else gets "
        "FORBIDDEN. userErrors: NOT_FOUND (benefitId, projectId), INVALID (share not in (0, 1], "
        "project not in the benefit's programme), OVER_ATTRIBUTED (share) when the shares would "
        "add up to more than 1.",
    )
    async def link_benefit_contribution(
        self, info: Info[Any, Any], input: LinkBenefitContributionInput
    ) -> BenefitPayload:
        context = get_context(info)
        authorize(context, "linkBenefitContribution")

        async def body(tx: Transaction) -> Benefit:
            checks = Checks()
            organisation_id = context.viewer.organisation_id
            # The benefit is locked before its shares are summed: concurrent links of one
            # benefit take turns, so together they never claim more than the whole of it.
            benefit = await checks.reference(
                tx.session,
                organisation_id,
                Benefit,
                "Benefit",
                input.benefit_id,
                "benefitId",
                lock=Lock.WRITE,
            )
            project = await checks.reference(
                tx.session, organisation_id, Project, "Project", input.project_id, "projectId"
            )
            if not 0 < input.share <= 1:
                checks.add(INVALID, "share must be more than 0 and at most 1.", "share")
            checks.raise_if_any()
            assert benefit is not None
            assert project is not None
            if project.programme_id != benefit.programme_id:
                checks.add(
                    INVALID,
                    f"Project {project.code} is not in the benefit's programme.",
                    "projectId",
                )
                checks.raise_if_any()
            existing = list(
                await tx.session.scalars(
                    select(BenefitContribution)
                    .where(BenefitContribution.benefit_id == benefit.id)
                    .execution_options(populate_existing=True)  # as committed, not as cached
                )
            )
            others = sum(c.share for c in existing if c.project_id != project.id)
            if others + input.share > 1 + SHARE_TOLERANCE:
                checks.add(
                    OVER_ATTRIBUTED,
                    f"Other projects already deliver {others:g} of {benefit.name!r}; "
                    f"{input.share:g} more would claim {others + input.share:g} of it. Shares "
                    "add up to at most 1.",
                    "share",
                )
                checks.raise_if_any()
            row = next((c for c in existing if c.project_id == project.id), None)
            previous = row.share if row else None
            if row is None:
                tx.session.add(
                    BenefitContribution(
                        organisation_id=organisation_id,
                        benefit_id=benefit.id,
                        project_id=project.id,
                        share=input.share,
                    )
                )
            else:
                row.share = input.share
            await tx.session.flush()
            tx.audit(
                "Benefit",
                benefit.id,
                {
                    "contribution": {
                        "projectId": input.project_id,
                        "from": previous,
                        "to": input.share,
                    }
                },
            )
            tx.emit(
                "benefit.contribution_linked",
                "Benefit",
                benefit.id,
                project=project.id,
                programme=benefit.programme_id,
            )
            return benefit

        return await run_mutation(info, "linkBenefitContribution", BenefitPayload, body)

    @tier_mutation(
        TIER,
        description="Add a strategic objective to a programme. For ADMIN, OFFICE, "
        "PORTFOLIO_MANAGER and PROGRAMME_DIRECTOR; anyone else gets FORBIDDEN. userErrors: "
        "NOT_FOUND (programmeId), INVALID (name).",
    )
    async def create_objective(
        self, info: Info[Any, Any], input: CreateObjectiveInput
    ) -> ObjectivePayload:
        context = get_context(info)
        authorize(context, "createObjective")

        async def body(tx: Transaction) -> Objective:
            checks = Checks()
            programme = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Programme,
                "Programme",
                input.programme_id,
                "programmeId",
            )
            name = checks.text(input.name, "name", required=True, max_length=200)
            checks.raise_if_any()
            assert programme is not None
            objective = Objective(
                organisation_id=programme.organisation_id, programme_id=programme.id, name=name
            )
            tx.session.add(objective)
            await tx.session.flush()
            tx.audit("Objective", objective.id, {"programmeId": input.programme_id, "name": name})
            return objective

        return await run_mutation(info, "createObjective", ObjectivePayload, body)

    @tier_mutation(
        TIER,
        description="Record that a benefit serves an objective of its programme; a link cannot be "
        "removed. For ADMIN, OFFICE and PROGRAMME_DIRECTOR; anyone else gets FORBIDDEN. "
        "userErrors: NOT_FOUND (benefitId, objectiveId), INVALID (objective of another "
        "programme), DUPLICATE (already linked).",
    )
    async def link_benefit_objective(
        self, info: Info[Any, Any], input: LinkBenefitObjectiveInput
    ) -> BenefitPayload:
        context = get_context(info)
        authorize(context, "linkBenefitObjective")

        async def body(tx: Transaction) -> Benefit:
            checks = Checks()
            benefit = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Benefit,
                "Benefit",
                input.benefit_id,
                "benefitId",
            )
            objective = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Objective,
                "Objective",
                input.objective_id,
                "objectiveId",
            )
            checks.raise_if_any()
            assert benefit is not None
            assert objective is not None
            if objective.programme_id != benefit.programme_id:
                checks.add(INVALID, "The objective belongs to another programme.", "objectiveId")
            elif await tx.session.scalar(
                select(BenefitObjective.id).where(
                    BenefitObjective.benefit_id == benefit.id,
                    BenefitObjective.objective_id == objective.id,
                )
            ):
                checks.add(DUPLICATE, "The benefit already serves this objective.", "objectiveId")
            checks.raise_if_any()
            tx.session.add(
                BenefitObjective(
                    organisation_id=benefit.organisation_id,
                    benefit_id=benefit.id,
                    objective_id=objective.id,
                )
            )
            await tx.session.flush()
            tx.audit("Benefit", benefit.id, {"objectiveId": input.objective_id})
            return benefit

        return await run_mutation(info, "linkBenefitObjective", BenefitPayload, body)
