"""GraphQL of the common beat: tranches, dependencies, synchronisation and the status roll-up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import strawberry
from sqlalchemy import delete, select
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.db.locks import Lock
from pmo_graph.graphql.computations import compute
from pmo_graph.graphql.context import Context, get_context
from pmo_graph.graphql.cost import work_cost
from pmo_graph.graphql.mutations import Transaction, run_mutation, snapshot
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.payloads import CYCLE, DUPLICATE, INVALID, UserError
from pmo_graph.graphql.refs import ProgrammeRef, ProjectRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.graphql.tiers import tier_field, tier_mutation
from pmo_graph.graphql.validation import Checks
from pmo_graph.programmes.models import Programme
from pmo_graph.projects.enums import ProjectStage
from pmo_graph.projects.models import Project
from pmo_graph_pmo.beat import Beat, Point, creates_cycle, synchronise_all
from pmo_graph_pmo.beat_data import beat_data
from pmo_graph_pmo.models import Dependency, MilestoneTranche, Tranche
from pmo_graph_pmo.refs import DependencyRef, TrancheRef
from pmo_graph_pmo.scope import TIER, today
from pmo_graph_pso.enums import RAG_SEVERITY, Rag
from pmo_graph_pso.loaders import latest_reports
from pmo_graph_pso.milestones import MilestonePayload
from pmo_graph_pso.models import Milestone
from pmo_graph_pso.refs import MilestoneRef

MAX_LAG_DAYS = 3650
#: What synchronisation is charged (``work_cost``): the beat of a programme's milestones and
#: links, critical path included, at the size a list is costed at.
SYNCHRONISATION_COST = 100


@strawberry.type(name="Tranche", description="A stage of a programme's common beat.")
class TrancheType(ModelNode):
    __model__ = Tranche

    name: str
    start_date: date
    end_date: date
    version: int

    @strawberry.field
    async def programme(
        self, root: strawberry.Parent[Tranche], info: Info[Any, Any]
    ) -> ProgrammeRef | None:
        return await load_by_id(info, Programme, root.programme_id)


@strawberry.type(
    name="Dependency", description="A milestone that cannot come before another (+ lag)."
)
class DependencyType(ModelNode):
    __model__ = Dependency

    lag_days: int

    @strawberry.field
    async def predecessor(
        self, root: strawberry.Parent[Dependency], info: Info[Any, Any]
    ) -> MilestoneRef | None:
        return await load_by_id(info, Milestone, root.predecessor_id)

    @strawberry.field
    async def successor(
        self, root: strawberry.Parent[Dependency], info: Info[Any, Any]
    ) -> MilestoneRef | None:
        return await load_by_id(info, Milestone, root.successor_id)


@strawberry.type(description="A dependency whose successor comes too early.")
class DependencyBreach:
    predecessor: MilestoneRef
    successor: MilestoneRef
    slack_days: int = strawberry.field(
        description="successor's date - (predecessor's date + lag): negative here."
    )


@strawberry.type(description="A milestone dated after the end of its tranche.")
class TrancheSlip:
    milestone: MilestoneRef
    tranche: TrancheRef
    days_late: int


@strawberry.type(description="Whether every project of a programme keeps to its common beat.")
class Synchronisation:
    as_of: date
    in_step: bool = strawberry.field(description="No breach and no tranche slip.")
    _beat: strawberry.Private[Beat]

    @strawberry.field(description="Dependencies whose slack is negative.")
    async def breaches(self, info: Info[Any, Any]) -> list[DependencyBreach]:
        milestones = get_context(info).loaders.by_id(Milestone)
        return [
            DependencyBreach(
                predecessor=await milestones.load(link.predecessor),  # type: ignore[arg-type]
                successor=await milestones.load(link.successor),  # type: ignore[arg-type]
                slack_days=gap,
            )
            for link, gap in self._beat.breaches
        ]

    @strawberry.field(description="Milestones dated after the end of their tranche.")
    async def tranche_slips(self, info: Info[Any, Any]) -> list[TrancheSlip]:
        context = get_context(info)
        milestones, tranches = context.loaders.by_id(Milestone), context.loaders.by_id(Tranche)
        return [
            TrancheSlip(
                milestone=await milestones.load(point.id),  # type: ignore[arg-type]
                tranche=await tranches.load(window.id),  # type: ignore[arg-type]
                days_late=late,
            )
            for point, window, late in self._beat.slips
        ]

    @strawberry.field(
        description="The longest chain of dependent milestones (by links; ties: latest end)."
    )
    async def critical_path(self, info: Info[Any, Any]) -> list[MilestoneRef]:
        found = await get_context(info).loaders.by_id(Milestone).load_many(self._beat.critical_path)
        return [m for m in found if m is not None]

    @strawberry.field(
        description="Projects owning a milestone in a breach or a tranche slip, by code."
    )
    async def out_of_step(self, info: Info[Any, Any]) -> list[ProjectRef]:
        found = await get_context(info).loaders.by_id(Project).load_many(self._beat.out_of_step)
        return sorted((p for p in found if p is not None), key=lambda p: p.code)


@strawberry.type(description="The programme's projects by their latest status report.")
class StatusRollup:
    green: int
    amber: int
    red: int
    unreported: int
    overall: Rag | None = strawberry.field(description="The worst of the latest reports.")


@strawberry.type(description="The result of a mutation on a tranche.")
class TranchePayload:
    tranche: TrancheRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The result of a mutation on a dependency.")
class DependencyPayload:
    dependency: DependencyRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateTrancheInput:
    programme_id: strawberry.ID
    name: str
    start_date: date
    end_date: date


@strawberry.input
class SetMilestoneTrancheInput:
    milestone_id: strawberry.ID
    tranche_id: strawberry.ID | None = strawberry.field(
        default=None, description="null: no tranche."
    )


@strawberry.input
class AddDependencyInput:
    predecessor_id: strawberry.ID
    successor_id: strawberry.ID
    lag_days: int = strawberry.field(
        default=0, description="Days the successor must wait after the predecessor."
    )


@strawberry.input
class RemoveDependencyInput:
    dependency_id: strawberry.ID


async def beat_of(
    context: Context, programme_id: int, as_of: date | None = None
) -> tuple[Beat, dict[int, Point]]:
    """The programme's beat (as it stood on ``as_of``), read with every other programme's of
    the request at once."""

    async def load(keys: list[int]) -> list[tuple[Beat, dict[int, Point]]]:
        data = await beat_data(context.db, context.viewer.organisation_id, keys, as_of)
        beats = await compute(context, synchronise_all, [data[key] for key in keys])
        return [(beat, data[key][0]) for beat, key in zip(beats, keys, strict=True)]

    return await context.loaders.get(("pmo", "beat", as_of), load).load(programme_id)


async def _programme_projects(context: Context, programme_id: int) -> list[Project]:
    loader = context.loaders.children(
        Project,
        Project.programme_id,
        order_by=(Project.code, Project.id),
        where=(Project.stage.not_in([ProjectStage.CLOSED, ProjectStage.CANCELLED]),),
        key="running",
    )
    return await loader.load(programme_id)


@strawberry.type
class BeatProgrammeFields:
    @tier_field(TIER, description="The programme's tranches, by start date.")
    async def tranches(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any]
    ) -> list[TrancheRef]:
        loader = get_context(info).loaders.children(
            Tranche, Tranche.programme_id, order_by=(Tranche.start_date, Tranche.id)
        )
        return await loader.load(root.id)

    @tier_field(
        TIER,
        description="Breaches, tranche slips and the critical path of the common beat.",
        metadata=work_cost(SYNCHRONISATION_COST),
    )
    async def synchronisation(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any], as_of: date | None = None
    ) -> Synchronisation:
        day = as_of or today()
        beat, _ = await beat_of(get_context(info), root.id, day)
        return Synchronisation(as_of=day, in_step=beat.in_step, _beat=beat)

    @tier_field(TIER, description="The projects (not closed or cancelled) by their latest report.")
    async def status_rollup(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any]
    ) -> StatusRollup:
        context = get_context(info)
        projects = await _programme_projects(context, root.id)
        reports = await latest_reports(context, [p.id for p in projects])
        counts = {Rag.GREEN: 0, Rag.AMBER: 0, Rag.RED: 0}
        for report in reports:
            if report is not None:
                counts[report.overall] += 1
        seen = [r.overall for r in reports if r is not None]
        return StatusRollup(
            green=counts[Rag.GREEN],
            amber=counts[Rag.AMBER],
            red=counts[Rag.RED],
            unreported=sum(1 for r in reports if r is None),
            overall=max(seen, key=lambda rag: RAG_SEVERITY[rag]) if seen else None,
        )


@strawberry.type
class BeatMilestoneFields:
    @tier_field(TIER, description="The tranche the milestone belongs to.")
    async def tranche(
        self, root: strawberry.Parent[Milestone], info: Info[Any, Any]
    ) -> TrancheRef | None:
        context = get_context(info)

        async def load(keys: list[int]) -> list[int | None]:
            rows: Sequence[Any] = (
                await context.db.execute(
                    select(MilestoneTranche.milestone_id, MilestoneTranche.tranche_id).where(
                        MilestoneTranche.milestone_id.in_(set(keys)),
                        MilestoneTranche.organisation_id == context.viewer.organisation_id,
                    )
                )
            ).all()
            found: dict[int, int] = {}
            for milestone_id, tranche_id in rows:
                found[milestone_id] = tranche_id
            return [found.get(key) for key in keys]

        tranche_id = await context.loaders.get(("pmo", "milestone_tranche"), load).load(root.id)
        return await load_by_id(info, Tranche, tranche_id)

    @tier_field(
        TIER, description="What the milestone waits for: dependencies where it is the successor."
    )
    async def dependencies(
        self, root: strawberry.Parent[Milestone], info: Info[Any, Any]
    ) -> list[DependencyRef]:
        loader = get_context(info).loaders.children(
            Dependency, Dependency.successor_id, order_by=(Dependency.id,)
        )
        return await loader.load(root.id)


#: The organisation's dependencies are changed one at a time (``Transaction.lock_scope``).
DEPENDENCIES_SCOPE = "dependencies"


async def _programme_of_milestone(tx: Transaction, milestone: Milestone) -> int | None:
    project = await tx.session.get(Project, milestone.project_id)
    return project.programme_id if project else None


@strawberry.type
class BeatMutation:
    @tier_mutation(TIER, description="Add a tranche to a programme.")
    async def create_tranche(
        self, info: Info[Any, Any], input: CreateTrancheInput
    ) -> TranchePayload:
        context = get_context(info)
        authorize(context, "createTranche")

        async def body(tx: Transaction) -> Tranche:
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
            checks.date_order(input.start_date, input.end_date, "startDate", "endDate")
            checks.raise_if_any()
            assert programme is not None
            tranche = Tranche(
                organisation_id=programme.organisation_id,
                programme_id=programme.id,
                name=name,
                start_date=input.start_date,
                end_date=input.end_date,
            )
            tx.session.add(tranche)
            await tx.session.flush()
            tx.audit(
                "Tranche",
                tranche.id,
                snapshot(
                    {
                        "programmeId": input.programme_id,
                        "name": name,
                        "startDate": input.start_date,
                        "endDate": input.end_date,
                    }
                ),
            )
            tx.emit("tranche.created", "Tranche", tranche.id, programme=programme.id)
            return tranche

        return await run_mutation(info, "createTranche", TranchePayload, body)

    @tier_mutation(
        TIER,
        description="Put a milestone in a tranche of its project's programme (null takes it out).",
    )
    async def set_milestone_tranche(
        self, info: Info[Any, Any], input: SetMilestoneTrancheInput
    ) -> MilestonePayload:
        context = get_context(info)
        authorize(context, "setMilestoneTranche")

        async def body(tx: Transaction) -> Milestone:
            checks = Checks()
            organisation_id = context.viewer.organisation_id
            # A milestone is in one tranche: two settings at once take turns, the second
            # moving it, instead of both inserting it.
            milestone = await checks.reference(
                tx.session,
                organisation_id,
                Milestone,
                "Milestone",
                input.milestone_id,
                "milestoneId",
                lock=Lock.WRITE,
            )
            tranche = await checks.reference(
                tx.session, organisation_id, Tranche, "Tranche", input.tranche_id, "trancheId"
            )
            checks.raise_if_any()
            assert milestone is not None
            programme_id = await _programme_of_milestone(tx, milestone)
            if tranche is not None and tranche.programme_id != programme_id:
                checks.add(
                    INVALID,
                    "The milestone's project is not in the tranche's programme.",
                    "trancheId",
                )
                checks.raise_if_any()
            await tx.session.execute(
                delete(MilestoneTranche).where(MilestoneTranche.milestone_id == milestone.id)
            )
            if tranche is not None:
                tx.session.add(
                    MilestoneTranche(
                        organisation_id=organisation_id,
                        milestone_id=milestone.id,
                        tranche_id=tranche.id,
                    )
                )
            await tx.session.flush()
            tx.audit("Milestone", milestone.id, {"trancheId": input.tranche_id})
            tx.emit(
                "milestone.tranche_set",
                "Milestone",
                milestone.id,
                project=milestone.project_id,
                programme=programme_id,
            )
            return milestone

        return await run_mutation(info, "setMilestoneTranche", MilestonePayload, body)

    @tier_mutation(
        TIER,
        description="Make a milestone wait for another of the same programme (CYCLE if it would "
        "loop).",
    )
    async def add_dependency(
        self, info: Info[Any, Any], input: AddDependencyInput
    ) -> DependencyPayload:
        context = get_context(info)
        authorize(context, "addDependency")

        async def body(tx: Transaction) -> Dependency:
            checks = Checks()
            organisation_id = context.viewer.organisation_id
            before = await checks.reference(
                tx.session,
                organisation_id,
                Milestone,
                "Milestone",
                input.predecessor_id,
                "predecessorId",
            )
            after = await checks.reference(
                tx.session,
                organisation_id,
                Milestone,
                "Milestone",
                input.successor_id,
                "successorId",
            )
            if abs(input.lag_days) > MAX_LAG_DAYS:
                checks.add(INVALID, f"lagDays is at most {MAX_LAG_DAYS} either way.", "lagDays")
            checks.raise_if_any()
            assert before is not None
            assert after is not None
            programme_id = await _programme_of_milestone(tx, before)
            if programme_id is None or programme_id != await _programme_of_milestone(tx, after):
                checks.add(
                    INVALID,
                    "Both milestones must belong to projects of one programme.",
                    "successorId",
                )
                checks.raise_if_any()
            # No loop anywhere in the organisation, not only in this programme's beat: a
            # project that moves takes its links along, and a loop through links that once
            # crossed programmes would close again in the new one. Links are added one at a
            # time in an organisation, so two added at once are checked one after the other.
            await tx.lock_scope(DEPENDENCIES_SCOPE)
            existing = list(
                (
                    await tx.session.execute(
                        select(Dependency.predecessor_id, Dependency.successor_id).where(
                            Dependency.organisation_id == organisation_id
                        )
                    )
                ).all()
            )
            if (before.id, after.id) in {(p, s) for p, s in existing}:
                checks.add(
                    DUPLICATE, "The successor already waits for this predecessor.", "successorId"
                )
            elif creates_cycle([(p, s) for p, s in existing], before.id, after.id):
                checks.add(
                    CYCLE,
                    f"{after.name!r} already leads (directly or not) to {before.name!r}: the "
                    "dependency would make a loop.",
                    "successorId",
                )
            checks.raise_if_any()
            dependency = Dependency(
                organisation_id=organisation_id,
                programme_id=programme_id,
                predecessor_id=before.id,
                successor_id=after.id,
                lag_days=input.lag_days,
            )
            tx.session.add(dependency)
            await tx.session.flush()
            tx.audit(
                "Dependency",
                dependency.id,
                {
                    "predecessorId": input.predecessor_id,
                    "successorId": input.successor_id,
                    "lagDays": input.lag_days,
                },
            )
            tx.emit("dependency.added", "Dependency", dependency.id, programme=programme_id)
            return dependency

        return await run_mutation(info, "addDependency", DependencyPayload, body)

    @tier_mutation(TIER, description="Remove a dependency.")
    async def remove_dependency(
        self, info: Info[Any, Any], input: RemoveDependencyInput
    ) -> DependencyPayload:
        context = get_context(info)
        authorize(context, "removeDependency")

        async def body(tx: Transaction) -> Dependency:
            checks = Checks()
            dependency = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Dependency,
                "Dependency",
                input.dependency_id,
                "dependencyId",
            )
            checks.raise_if_any()
            assert dependency is not None
            await tx.session.delete(dependency)
            await tx.session.flush()
            tx.audit("Dependency", dependency.id, {"removed": True})
            tx.emit(
                "dependency.removed", "Dependency", dependency.id, programme=dependency.programme_id
            )
            return dependency

        return await run_mutation(info, "removeDependency", DependencyPayload, body)
