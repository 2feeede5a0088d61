"""GraphQL of the common beat: tranches, dependencies, synchronisation and the status roll-up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy import delete, select
from strawberry.types import Info

from pmo_graph.sdk import (
    CYCLE,
    DUPLICATE,
    INVALID,
    Checks,
    Context,
    Lock,
    ModelNode,
    Programme,
    ProgrammeRef,
    Project,
    ProjectRef,
    ProjectStage,
    Transaction,
    UserError,
    authorize,
    compute,
    get_context,
    load_by_id,
    load_parent,
    run_mutation,
    snapshot,
    tier_field,
    tier_mutation,
    work_cost,
)
from pmo_graph_pmo.beat import Beat, Point, creates_cycle, synchronise_all
from pmo_graph_pmo.beat_data import beat_data
from pmo_graph_pmo.models import Dependency, MilestoneTranche, Tranche
from pmo_graph_pmo.refs import DependencyRef, TrancheRef
from pmo_graph_pmo.scope import today
from pmo_graph_pmo.tier import KEY
from pmo_graph_pso.enums import RAG_SEVERITY, Rag
from pmo_graph_pso.loaders import latest_reports
from pmo_graph_pso.milestones import MilestonePayload
from pmo_graph_pso.models import Milestone
from pmo_graph_pso.refs import MilestoneRef

MAX_LAG_DAYS = 3650
#: What synchronisation is charged (``work_cost``): the beat of a programme's milestones and
#: links, critical path included, at the size a list is costed at.
SYNCHRONISATION_COST = 100

BeatAsOf = Annotated[
    date | None,
    strawberry.argument(
        description="The day the beat is taken on, 1900-01-01 to 2999-12-31: an actual date "
        "after it does not count yet. Today (UTC) when left out."
    ),
]


@strawberry.type(
    name="Tranche",
    description="A stage of a programme's common beat, from a start to an end date: a milestone "
    "put in it (`setMilestoneTranche`) should be reached by its end, or it slips. Never changed "
    "once created.",
)
class TrancheType(ModelNode):
    __model__ = Tranche

    name: str = strawberry.field(description="The tranche's name; 1 to 200 characters.")
    start_date: date = strawberry.field(description="The first day of the tranche.")
    end_date: date = strawberry.field(
        description="The last day of the tranche (not before `startDate`): a milestone of it "
        "dated later slips."
    )
    version: int = strawberry.field(
        description="The tranche's version: 1 when created, one more with every change to it."
    )

    @strawberry.field(description="The programme whose stage it is.")
    async def programme(
        self, root: strawberry.Parent[Tranche], info: Info[Any, Any]
    ) -> ProgrammeRef:
        return await load_parent(info, Programme, root.programme_id)


@strawberry.type(
    name="Dependency",
    description="A milestone (the successor) that may not come before another (the predecessor) "
    "plus `lagDays`, usually across projects of one programme.",
)
class DependencyType(ModelNode):
    __model__ = Dependency

    lag_days: int = strawberry.field(
        description="Days the successor must wait after the predecessor, -3650 to 3650; a "
        "negative lag lets it come up to that many days before."
    )

    @strawberry.field(description="The milestone waited for.")
    async def predecessor(
        self, root: strawberry.Parent[Dependency], info: Info[Any, Any]
    ) -> MilestoneRef:
        return await load_parent(info, Milestone, root.predecessor_id)

    @strawberry.field(description="The milestone that waits.")
    async def successor(
        self, root: strawberry.Parent[Dependency], info: Info[Any, Any]
    ) -> MilestoneRef:
        return await load_parent(info, Milestone, root.successor_id)


@strawberry.type(
    description="A dependency whose successor comes too early: its slack is negative. A "
    "milestone's date is its actual date, else its forecast, else its baseline."
)
class DependencyBreach:
    predecessor: MilestoneRef = strawberry.field(description="The milestone waited for.")
    successor: MilestoneRef = strawberry.field(description="The milestone that comes too early.")
    slack_days: int = strawberry.field(
        description="Successor's date - (predecessor's date + lagDays), in days: negative here, "
        "the days the successor would have to move later."
    )


@strawberry.type(description="A milestone dated after the end of its tranche.")
class TrancheSlip:
    milestone: MilestoneRef = strawberry.field(
        description="The milestone; its date is its actual date, else forecast, else baseline."
    )
    tranche: TrancheRef = strawberry.field(description="The tranche it belongs to.")
    days_late: int = strawberry.field(
        description="The milestone's date - the tranche's endDate, in days: 1 or more."
    )


@strawberry.type(
    description="Whether every project of a programme keeps to its common beat: the programme's "
    "projects as they are now, their milestones, the dependencies between them and the "
    "tranches."
)
class Synchronisation:
    as_of: date = strawberry.field(
        description="The day it was taken on: an actual date after it does not count yet, so the "
        "milestone's forecast (else baseline) stands in."
    )
    in_step: bool = strawberry.field(
        description="True when there is no breach and no tranche slip."
    )
    _beat: strawberry.Private[Beat]

    @strawberry.field(
        description="The dependencies whose slack is negative, in the order they were added."
    )
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

    @strawberry.field(
        description="The milestones dated after the end of their tranche, by date (then milestone)."
    )
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
        description="The longest chain of dependent milestones counted in links, first to last "
        "(of equally long chains, the one ending latest, then the milestone created first); lags "
        "and slack do not enter into it. Empty when nothing depends on anything."
    )
    async def critical_path(self, info: Info[Any, Any]) -> list[MilestoneRef]:
        found = await get_context(info).loaders.by_id(Milestone).load_many(self._beat.critical_path)
        return [m for m in found if m is not None]

    @strawberry.field(
        description="The projects owning a milestone of a breach (either end) or of a tranche "
        "slip, by code."
    )
    async def out_of_step(self, info: Info[Any, Any]) -> list[ProjectRef]:
        found = await get_context(info).loaders.by_id(Project).load_many(self._beat.out_of_step)
        return sorted((p for p in found if p is not None), key=lambda p: p.code)


@strawberry.type(
    description="A programme's projects that are neither CLOSED nor CANCELLED, counted by the "
    "overall RAG of their latest status report, however old."
)
class StatusRollup:
    green: int = strawberry.field(description="How many projects last reported GREEN.")
    amber: int = strawberry.field(description="How many projects last reported AMBER.")
    red: int = strawberry.field(description="How many projects last reported RED.")
    unreported: int = strawberry.field(
        description="How many projects have never submitted a status report."
    )
    overall: Rag | None = strawberry.field(
        description="The worst of those latest reports (RED worse than AMBER worse than GREEN); "
        "null when none of the projects has reported."
    )


@strawberry.type(description="The result of a mutation on a tranche.")
class TranchePayload:
    tranche: TrancheRef | None = strawberry.field(
        default=None,
        description="The tranche created; null when userErrors say why nothing was written.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The result of a mutation on a dependency.")
class DependencyPayload:
    dependency: DependencyRef | None = strawberry.field(
        default=None,
        description="The dependency added, or the one removed as it was; null when userErrors say "
        "why nothing was written.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="A new tranche of a programme.")
class CreateTrancheInput:
    programme_id: strawberry.ID = strawberry.field(
        description="The programme (NOT_FOUND when no programme of your organisation has this id)."
    )
    name: str = strawberry.field(
        description="The tranche's name; trimmed, 1 to 200 characters (INVALID when blank or "
        "longer)."
    )
    start_date: date = strawberry.field(
        description="Its first day, 1900-01-01 to 2999-12-31. Tranches may overlap or leave gaps."
    )
    end_date: date = strawberry.field(
        description="Its last day, 1900-01-01 to 2999-12-31; not before startDate (INVALID), may "
        "equal it."
    )


@strawberry.input(description="Which tranche a milestone belongs to.")
class SetMilestoneTrancheInput:
    milestone_id: strawberry.ID = strawberry.field(
        description="The milestone (NOT_FOUND when no milestone of your organisation has this id)."
    )
    tranche_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The tranche, of the programme the milestone's project is in now (NOT_FOUND "
        "when no tranche of your organisation has this id, INVALID when it is another "
        "programme's); null takes the milestone out of its tranche.",
    )


@strawberry.input(description="A milestone that must wait for another of the same programme.")
class AddDependencyInput:
    predecessor_id: strawberry.ID = strawberry.field(
        description="The milestone waited for (NOT_FOUND when no milestone of your organisation "
        "has this id)."
    )
    successor_id: strawberry.ID = strawberry.field(
        description="The milestone that waits: of a project of the predecessor's programme "
        "(NOT_FOUND when no milestone has this id; INVALID when not of one programme, DUPLICATE "
        "when the pair is linked already, CYCLE when it would close a loop)."
    )
    lag_days: int = strawberry.field(
        default=0,
        description="Days the successor must wait after the predecessor, -3650 to 3650 (INVALID "
        "beyond); a negative lag lets it come up to that many days before.",
    )


@strawberry.input(description="The dependency to remove.")
class RemoveDependencyInput:
    dependency_id: strawberry.ID = strawberry.field(
        description="The dependency (NOT_FOUND when no dependency of your organisation has this "
        "id, also once removed)."
    )


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
    )
    return await loader.load(programme_id)


@strawberry.type
class BeatProgrammeFields:
    @tier_field(KEY, description="The programme's tranches, by start date (then id).")
    async def tranches(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any]
    ) -> list[TrancheRef]:
        loader = get_context(info).loaders.children(
            Tranche, Tranche.programme_id, order_by=(Tranche.start_date, Tranche.id)
        )
        return await loader.load(root.id)

    @tier_field(
        KEY,
        description="Whether the programme's projects keep to its common beat: breaches of "
        "dependencies, tranche slips, the critical path and the projects out of step, computed "
        "when asked for.",
        metadata=work_cost(SYNCHRONISATION_COST),
    )
    async def synchronisation(
        self, root: strawberry.Parent[Programme], info: Info[Any, Any], as_of: BeatAsOf = None
    ) -> Synchronisation:
        day = as_of or today()
        beat, _ = await beat_of(get_context(info), root.id, day)
        return Synchronisation(as_of=day, in_step=beat.in_step, _beat=beat)

    @tier_field(
        KEY,
        description="The programme's projects that are neither CLOSED nor CANCELLED, counted by "
        "their latest status report, with the worst RAG among them.",
    )
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
    @tier_field(
        KEY,
        description="The tranche of its programme the milestone belongs to; null when it is in "
        "none.",
    )
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
        KEY,
        description="What the milestone waits for: the dependencies where it is the successor, in "
        "the order they were added (also one left spanning two programmes after a project moved).",
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
    @tier_mutation(
        KEY,
        description="Add a tranche to a programme. For ADMIN, OFFICE and PROGRAMME_DIRECTOR (of "
        "any programme); anyone else gets FORBIDDEN. userErrors: NOT_FOUND (programmeId), INVALID "
        "(name, endDate before startDate), all reported at once.",
    )
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
        KEY,
        description="Put a milestone in a tranche of its project's programme, moving it from any "
        "other (a null trancheId takes it out). For ADMIN, OFFICE and PROGRAMME_DIRECTOR; anyone "
        "else gets FORBIDDEN. userErrors: NOT_FOUND (milestoneId, trancheId), INVALID (trancheId "
        "of another programme).",
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
        KEY,
        description="Make a milestone wait for another of the same programme. For ADMIN, OFFICE "
        "and PROGRAMME_DIRECTOR; anyone else gets FORBIDDEN. userErrors: NOT_FOUND (predecessorId, "
        "successorId), INVALID (lagDays beyond 3650 days either way, milestones not of one "
        "programme), DUPLICATE (the pair is linked), CYCLE (it would close a loop).",
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

    @tier_mutation(
        KEY,
        description="Remove a dependency, answering it as it was. For ADMIN, OFFICE and "
        "PROGRAMME_DIRECTOR; anyone else gets FORBIDDEN. userErrors: NOT_FOUND (dependencyId).",
    )
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
