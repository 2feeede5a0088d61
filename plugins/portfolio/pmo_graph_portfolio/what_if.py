"""What a scenario would do: its changes applied to copies of the projects' plans and the
people's bookings, and who would end up over capacity (pure functions, run off the event loop
by ``pmo_graph.graphql.computations.compute``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from pmo_graph.sdk import FIRST_DATE, LAST_DATE, add_days, checkpoint
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


#: Why a shift cannot apply: it would leave the dates pmo-graph accepts.
OUT_OF_RANGE = (
    f"moves a date of the project or of its assignments outside {FIRST_DATE} to {LAST_DATE}, "
    "the dates pmo-graph accepts"
)


def _shifted_plan(plan: Plan, days: int) -> Plan | None:
    """``plan`` with its dates moved by ``days``; None when one would leave the range."""
    start = add_days(plan.start, days) if plan.start is not None else None
    end = add_days(plan.end, days) if plan.end is not None else None
    if (plan.start is not None and start is None) or (plan.end is not None and end is None):
        return None
    return replace(plan, start=start, end=end)


def _shifted_booking(booking: Booking, days: int) -> Booking | None:
    """``booking`` moved by ``days``; None when a date would leave the range."""
    start, end = add_days(booking.start_date, days), add_days(booking.end_date, days)
    if start is None or end is None:
        return None
    return replace(booking, start_date=start, end_date=end)


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
            shifted = _shifted_plan(plans[project_id], days)
            moved = {
                booking.id: _shifted_booking(booking, days)
                for booking in bookings.values()
                if booking.project_id == project_id
            }
            if shifted is None or any(booking is None for booking in moved.values()):
                problems.append((position, OUT_OF_RANGE))
                continue
            plans[project_id] = shifted
            bookings.update({key: b for key, b in moved.items() if b is not None})
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
