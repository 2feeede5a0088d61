"""What benefits add to programmes and projects: the programme's benefits, their summary on a
day and the benefits map, and a project's contributions."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from pmo_graph.sdk import (
    Context,
    Programme,
    Project,
    get_context,
    sql_list,
    tier_field,
    to_global_id,
)
from pmo_graph_pmo.benefit_measurements import (
    measurement_sums,
)
from pmo_graph_pmo.benefit_types import (
    BenefitContributionType,
)
from pmo_graph_pmo.enums import BenefitCategory, BenefitKind, BenefitStatus, MapNodeKind
from pmo_graph_pmo.measure import realisation, rounded, status
from pmo_graph_pmo.models import (
    Benefit,
    BenefitContribution,
    BenefitObjective,
    Objective,
)
from pmo_graph_pmo.refs import BenefitRef, ObjectiveRef
from pmo_graph_pmo.scope import today
from pmo_graph_pmo.tier import KEY

SummaryAsOf = Annotated[
    date | None,
    strawberry.argument(
        description="The day the figures are taken on, 1900-01-01 to 2999-12-31; today (UTC) "
        "when left out."
    ),
]


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
        financial_target=rounded(target_total),
        financial_realised=rounded(realised_total),
        realisation=rounded(realised_total / target_total) if target_total else None,
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
    @tier_field(KEY, description="The programme's benefits and dis-benefits, by name (then id).")
    async def benefits(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any]
    ) -> list[BenefitRef]:
        return await programme_benefits(get_context(info), root.id)

    @tier_field(
        KEY,
        description="The programme's benefits counted by status, and the realisation of its "
        "financial benefits, as they stood on `asOf`: measurements taken after `asOf` do not "
        "count.",
    )
    async def benefits_summary(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any], as_of: SummaryAsOf = None
    ) -> BenefitsSummary:
        return await summary(get_context(info), root.id, as_of or today())

    @tier_field(
        KEY,
        description="The benefits map: which projects deliver which benefits, and which objectives "
        "those serve, as nodes and edges.",
    )
    async def benefits_map(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any]
    ) -> BenefitsMap:
        return await benefits_map(get_context(info), root.id)

    @tier_field(KEY, description="The programme's strategic objectives, by name (then id).")
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
        KEY,
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
