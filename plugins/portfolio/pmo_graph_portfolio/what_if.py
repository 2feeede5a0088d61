"""What a scenario would do: its changes applied to copies of the projects' plans and the
people's bookings, and who would end up over capacity (pure functions, run off the event loop
by ``pmo_graph.graphql.computations.compute``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from pmo_graph.deadlines import checkpoint
from pmo_graph_portfolio.load import overloaded_people

#: The kinds of change, as ``ScenarioChangeKind``'s values (plain strings travel light to a
#: worker process).
MOVE_BUDGET, MOVE_ALLOCATION, SHIFT_PROJECT = "MOVE_BUDGET", "MOVE_ALLOCATION", "SHIFT_PROJECT"


@dataclass(frozen=True)
class Change:
    """One change of a scenario, as the simulation sees it."""

    kind: str
    from_project_id: int | None = None
    to_project_id: int | None = None
    amount: Decimal | None = None
    assignment_id: int | None = None
    allocation: float | None = None
    days: int | None = None


@dataclass(frozen=True)
class Plan:
    """A project's budget and dates, as they stand or as a scenario would leave them."""

    budget: Decimal | None
    start: date | None
    end: date | None


@dataclass(frozen=True)
class Booking:
    """An assignment as the load computations see it, as it stands or after a scenario."""

    id: int
    person_id: int
    project_id: int
    allocation: float
    start_date: date
    end_date: date


def _shift(day: date | None, days: int) -> date | None:
    return day + timedelta(days=days) if day is not None else None


def simulate(
    plans: dict[int, Plan], bookings: dict[int, Booking], changes: Sequence[Change]
) -> tuple[dict[int, Plan], dict[int, Booking], list[tuple[int, str]]]:
    """Apply ``changes`` in order to copies; returns the new plans and bookings, and for each
    change that cannot apply, its position and why."""
    plans, bookings, problems = dict(plans), dict(bookings), []
    for position, change in enumerate(changes):
        checkpoint()
        if change.kind == MOVE_BUDGET:
            source, target = plans[change.from_project_id or 0], plans[change.to_project_id or 0]
            amount = change.amount or Decimal(0)
            available = source.budget or Decimal(0)
            if amount > available:
                problems.append(
                    (position, f"moves {amount} but the project would have only {available} left")
                )
                continue
            plans[change.from_project_id or 0] = replace(source, budget=available - amount)
            plans[change.to_project_id or 0] = replace(
                target, budget=(target.budget or Decimal(0)) + amount
            )
        elif change.kind == MOVE_ALLOCATION:
            booking = bookings.get(change.assignment_id or 0)
            if booking is None:
                problems.append((position, "moves an assignment that was released"))
                continue
            bookings[booking.id] = replace(
                booking,
                project_id=change.to_project_id or booking.project_id,
                allocation=change.allocation
                if change.allocation is not None
                else booking.allocation,
            )
        else:
            project_id, days = change.from_project_id or 0, change.days or 0
            plan = plans[project_id]
            plans[project_id] = replace(
                plan, start=_shift(plan.start, days), end=_shift(plan.end, days)
            )
            for booking in list(bookings.values()):
                if booking.project_id == project_id:
                    bookings[booking.id] = replace(
                        booking,
                        start_date=booking.start_date + timedelta(days=days),
                        end_date=booking.end_date + timedelta(days=days),
                    )
    return plans, bookings, problems


@dataclass(frozen=True)
class Effect:
    """What a scenario would change: the touched projects' plans after it, the changes that
    cannot apply (position, why), and how many people are over capacity before and after."""

    plans: dict[int, Plan]
    problems: list[tuple[int, str]]
    overloaded_before: int
    overloaded_after: int


def effect(
    plans: dict[int, Plan],
    bookings: dict[int, Booking],
    changes: Sequence[Change],
    everyone: Sequence[Booking],
    capacities: dict[int, float],
    affected: Collection[int],
) -> Effect:
    """``changes`` applied to ``plans`` and ``bookings`` (those of the ``affected`` people),
    with everyone over capacity (from ``everyone``'s bookings) before and after."""
    after_plans, after_bookings, problems = simulate(plans, bookings, changes)
    before = overloaded_people(everyone, capacities)
    after = (before - set(affected)) | overloaded_people(after_bookings.values(), capacities)
    return Effect(after_plans, problems, len(before), len(after))


def overloaded_count(everyone: Sequence[Booking], capacities: dict[int, float]) -> int:
    """How many people ``everyone``'s bookings put over capacity on some day."""
    return len(overloaded_people(everyone, capacities))
