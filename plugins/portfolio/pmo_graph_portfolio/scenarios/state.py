"""What a scenario is replayed over: its changes, the projects and bookings they touch, and the
people who could end up over capacity."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from pmo_graph.sdk import Context, Project
from pmo_graph_portfolio.enums import ScenarioChangeKind
from pmo_graph_portfolio.models import ScenarioChange
from pmo_graph_portfolio.what_if import Booking, Change
from pmo_graph_pso.loaders import DEFAULT_CAPACITY, capacities
from pmo_graph_pso.models import Assignment, PersonCapacity


def simulated(rows: list[ScenarioChange]) -> list[Change]:
    """A scenario's stored changes as the what-if replay takes them."""
    return [
        Change(
            kind=row.kind.name,
            from_project_id=row.from_project_id,
            to_project_id=row.to_project_id,
            amount=row.amount,
            assignment_id=row.assignment_id,
            allocation=row.allocation,
            days=row.days,
        )
        for row in rows
    ]


async def scenario_changes(context: Context, scenario_id: int) -> list[ScenarioChange]:
    """A scenario's changes in the order they apply, through the request's loader."""
    loader = context.loaders.children(
        ScenarioChange, ScenarioChange.scenario_id, order_by=(ScenarioChange.position,)
    )
    return await loader.load(scenario_id)


async def replay_state(
    context: Context, changes: list[ScenarioChange]
) -> tuple[dict[int, Project], dict[int, Booking], set[int]]:
    """The touched projects, the live bookings of the people the changes could affect, and those
    people."""
    organisation_id = context.viewer.organisation_id
    project_ids = {pid for c in changes for pid in (c.from_project_id, c.to_project_id) if pid}
    projects = {
        p.id: p for p in await context.loaders.by_id(Project).load_many(sorted(project_ids)) if p
    }
    shifted = [c.from_project_id for c in changes if c.kind is ScenarioChangeKind.SHIFT_PROJECT]
    moved = [c.assignment_id for c in changes if c.kind is ScenarioChangeKind.MOVE_ALLOCATION]
    affected = set(
        await context.db.scalars(
            select(Assignment.person_id).where(
                Assignment.organisation_id == organisation_id,
                Assignment.released_at.is_(None),
                or_(Assignment.project_id.in_(shifted), Assignment.id.in_(moved)),
            )
        )
    )
    rows = await context.db.scalars(
        select(Assignment).where(
            Assignment.organisation_id == organisation_id,
            Assignment.released_at.is_(None),
            Assignment.person_id.in_(affected),
        )
    )
    bookings = {a.id: _booking(a) for a in rows}
    return projects, bookings, affected


async def overload_candidates(context: Context) -> tuple[list[Booking], dict[int, float]]:
    """The bookings of everyone who could be over capacity, and their capacities: SQL keeps the
    people whose bookings could add up past their capacity."""
    capacity = func.coalesce(PersonCapacity.capacity, DEFAULT_CAPACITY)
    live = (
        Assignment.organisation_id == context.viewer.organisation_id,
        Assignment.released_at.is_(None),
    )
    candidates = (
        select(Assignment.person_id)
        .outerjoin(PersonCapacity, PersonCapacity.person_id == Assignment.person_id)
        .where(*live)
        .group_by(Assignment.person_id, PersonCapacity.capacity)
        .having(func.sum(Assignment.allocation) > capacity)
    )
    rows = list(
        await context.db.scalars(
            select(Assignment).where(*live, Assignment.person_id.in_(candidates))
        )
    )
    bookings = [_booking(a) for a in rows]
    return bookings, await capacities_of(context, {a.person_id for a in rows})


def _booking(a: Assignment) -> Booking:
    return Booking(a.id, a.person_id, a.project_id, a.allocation, a.start_date, a.end_date)


async def capacities_of(context: Context, person_ids: set[int]) -> dict[int, float]:
    """Each person's capacity (a fraction of full time), by person id."""
    ordered = sorted(person_ids)
    return dict(zip(ordered, await capacities(context, ordered), strict=True))
