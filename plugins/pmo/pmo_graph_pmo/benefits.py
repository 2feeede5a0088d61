"""Benefits management: benefits and dis-benefits, their measurements and forecasts, who
contributes to them, the objectives they serve, and the programme's summary and map."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy import Float, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.db.functions import day_number
from pmo_graph.db.locks import Lock
from pmo_graph.graphql.compiled.specs import sql_list, sql_one, sql_value
from pmo_graph.graphql.context import Context, get_context
from pmo_graph.graphql.ids import to_global_id
from pmo_graph.graphql.mutations import Transaction, run_mutation, snapshot
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.pagination import Connection, Ordering, page_args, paginate_children
from pmo_graph.graphql.payloads import DUPLICATE, INVALID, OVER_ATTRIBUTED, UserError
from pmo_graph.graphql.refs import PersonRef, ProgrammeRef, ProjectRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.graphql.tiers import tier_field, tier_mutation
from pmo_graph.graphql.validation import Checks
from pmo_graph.people.models import Person
from pmo_graph.programmes.models import Programme
from pmo_graph.projects.models import Project
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


@strawberry.type(name="BenefitMeasurement", description="A measured value of a benefit.")
class BenefitMeasurementType:
    measured_on: date
    value: float
    note: str | None
    recorded_at: datetime

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Any, Any]) -> bool:
        return isinstance(obj, (cls, BenefitMeasurement))


@strawberry.type(
    name="BenefitContribution", description="The share of a benefit a project delivers."
)
class BenefitContributionType:
    #: The table behind the type, for the compiled path (``pmo_graph.graphql.compiled``).
    __model__ = BenefitContribution

    share: float

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Any, Any]) -> bool:
        return isinstance(obj, (cls, BenefitContribution))

    @strawberry.field(metadata=sql_one("{row}.id = {parent}.project_id"))
    async def project(
        self, root: strawberry.Parent[BenefitContribution], info: Info[Any, Any]
    ) -> ProjectRef | None:
        return await load_by_id(info, Project, root.project_id)

    @strawberry.field(metadata=sql_one("{row}.id = {parent}.benefit_id"))
    async def benefit(
        self, root: strawberry.Parent[BenefitContribution], info: Info[Any, Any]
    ) -> BenefitRef | None:
        return await load_by_id(info, Benefit, root.benefit_id)


@strawberry.type(
    name="Objective", description="A strategic objective a programme's benefits serve."
)
class ObjectiveType(ModelNode):
    __model__ = Objective

    name: str

    @strawberry.field
    async def programme(
        self, root: strawberry.Parent[Objective], info: Info[Any, Any]
    ) -> ProgrammeRef | None:
        return await load_by_id(info, Programme, root.programme_id)


@strawberry.type(
    name="Benefit",
    description="A measurable improvement a programme seeks, or a dis-benefit it tolerates.",
)
class BenefitType(ModelNode):
    __model__ = Benefit

    name: str
    description: str | None
    kind: BenefitKind
    category: BenefitCategory
    measure: str = strawberry.field(description="What is measured, e.g. `Orders shipped per day`.")
    unit: str | None
    baseline: float
    target: float = strawberry.field(description="For a DISBENEFIT: the tolerated limit.")
    target_date: date
    version: int

    @strawberry.field
    async def owner(self, root: Row, info: Info[Any, Any]) -> PersonRef | None:
        return await load_by_id(info, Person, root.owner_id)

    @strawberry.field
    async def programme(self, root: Row, info: Info[Any, Any]) -> ProgrammeRef | None:
        return await load_by_id(info, Programme, root.programme_id)

    @strawberry.field(description="Measurements, newest first.")
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

    @strawberry.field(description="The value of the latest measurement.")
    async def latest_value(self, root: Row, info: Info[Any, Any]) -> float | None:
        (sums,) = await measurement_sums(get_context(info), [root.id])
        return sums.latest

    @strawberry.field(
        description="(latestValue - baseline) / (target - baseline); null without a measurement.",
        metadata=sql_value(REALISATION_SQL),
    )
    async def realisation(self, root: Row, info: Info[Any, Any]) -> float | None:
        (sums,) = await measurement_sums(get_context(info), [root.id])
        value = realisation(root.baseline, root.target, sums.latest)
        return None if value is None else round(value, 6)

    @strawberry.field(
        description="The least-squares line through all measurements (value against date), read "
        "at targetDate; null with fewer than two."
    )
    async def forecast_at_target_date(self, root: Row, info: Info[Any, Any]) -> float | None:
        (sums,) = await measurement_sums(get_context(info), [root.id])
        value = forecast_at(sums, root.target_date)
        return None if value is None else round(value, 6)

    @strawberry.field(
        description="NOT_STARTED, ON_TRACK, AT_RISK or ACHIEVED as it stood on asOf (default "
        "today): measurements taken after asOf do not count."
    )
    async def status(
        self, root: Row, info: Info[Any, Any], as_of: date | None = None
    ) -> BenefitStatus:
        return await benefit_status(get_context(info), root, as_of or today())

    @strawberry.field(description="The projects that deliver it, and their shares.")
    async def contributions(self, root: Row, info: Info[Any, Any]) -> list[BenefitContributionType]:
        loader = get_context(info).loaders.children(
            BenefitContribution, BenefitContribution.benefit_id, order_by=(BenefitContribution.id,)
        )
        return await loader.load(root.id)  # type: ignore[return-value]

    @strawberry.field(description="The objectives it serves.")
    async def objectives(self, root: Row, info: Info[Any, Any]) -> list[ObjectiveRef]:
        return await _objectives_of(get_context(info), root.id)


@strawberry.type(description="The programme's benefits as a whole.")
class BenefitsSummary:
    benefits: int = strawberry.field(description="Benefits and dis-benefits of the programme.")
    achieved: int
    on_track: int
    at_risk: int
    not_started: int
    financial_target: float = strawberry.field(
        description="Over FINANCIAL benefits of kind BENEFIT: the sum of |target - baseline|."
    )
    financial_realised: float = strawberry.field(
        description="The sum of realisation x |target - baseline| (0 for a benefit not measured)."
    )
    realisation: float | None = strawberry.field(description="financialRealised / financialTarget.")


@strawberry.type(description="A node of a benefits map.")
class MapNode:
    id: strawberry.ID
    kind: MapNodeKind
    label: str


@strawberry.type(
    description="An edge of a benefits map: project → benefit (with its share), or benefit → "
    "objective."
)
class MapEdge:
    from_: strawberry.ID = strawberry.field(name="from")
    to: strawberry.ID
    share: float | None


@strawberry.type(
    description="From projects to the benefits they deliver to the objectives those serve."
)
class BenefitsMap:
    nodes: list[MapNode]
    edges: list[MapEdge]


@strawberry.type(description="The result of a mutation on a benefit.")
class BenefitPayload:
    benefit: BenefitRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The result of a mutation on an objective.")
class ObjectivePayload:
    objective: ObjectiveRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateBenefitInput:
    programme_id: strawberry.ID
    name: str
    kind: BenefitKind
    category: BenefitCategory
    measure: str
    baseline: float
    target: float = strawberry.field(description="For a DISBENEFIT: the tolerated limit.")
    target_date: date
    description: str | None = None
    unit: str | None = None
    owner_id: strawberry.ID | None = None


@strawberry.input
class RecordBenefitMeasurementInput:
    benefit_id: strawberry.ID
    measured_on: date
    value: float
    note: str | None = None


@strawberry.input
class LinkBenefitContributionInput:
    benefit_id: strawberry.ID
    project_id: strawberry.ID
    share: float = strawberry.field(
        description="More than 0, at most 1; a benefit's shares add up to at most 1."
    )


@strawberry.input
class CreateObjectiveInput:
    programme_id: strawberry.ID
    name: str


@strawberry.input
class LinkBenefitObjectiveInput:
    benefit_id: strawberry.ID
    objective_id: strawberry.ID


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
    @tier_field(TIER, description="The programme's benefits and dis-benefits, by name.")
    async def benefits(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any]
    ) -> list[BenefitRef]:
        return await programme_benefits(get_context(info), root.id)

    @tier_field(
        TIER,
        description="Counts by status, and the financial benefits' realisation, as they stood "
        "on asOf (default today): measurements taken after asOf do not count.",
    )
    async def benefits_summary(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any], as_of: date | None = None
    ) -> BenefitsSummary:
        return await summary(get_context(info), root.id, as_of or today())

    @tier_field(TIER, description="Projects → benefits → objectives.")
    async def benefits_map(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any]
    ) -> BenefitsMap:
        return await benefits_map(get_context(info), root.id)

    @tier_field(TIER, description="The programme's objectives, by name.")
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
        description="The benefits the project contributes to, and its shares.",
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
    @tier_mutation(TIER, description="Define a benefit (or dis-benefit) of a programme.")
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

    @tier_mutation(TIER, description="Record a measured value of a benefit.")
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
        description="Record the share of a benefit a project of its programme delivers (replacing "
        "its earlier share); OVER_ATTRIBUTED when the shares would add up to more than 1.",
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

    @tier_mutation(TIER, description="Add a strategic objective to a programme.")
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

    @tier_mutation(TIER, description="Record that a benefit serves an objective of its programme.")
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
