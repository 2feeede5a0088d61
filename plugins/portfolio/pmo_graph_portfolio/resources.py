"""Scarce people across the organisation: capacity, utilisation by period, over-allocation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy import Date, Integer, and_, func, literal, select, union_all
from strawberry.types import Info

from pmo_graph.sdk import (
    INVALID,
    LIST_ESTIMATE,
    BadUserInput,
    Checks,
    Context,
    Lock,
    Person,
    PersonPayload,
    PersonRef,
    Project,
    ProjectRef,
    Transaction,
    authorize,
    compute,
    day_number,
    get_context,
    greatest,
    least,
    run_mutation,
    tier_field,
    tier_mutation,
    work_cost,
)
from pmo_graph_portfolio.enums import Granularity
from pmo_graph_portfolio.load import overloads, period_loads, periods
from pmo_graph_portfolio.tier import KEY
from pmo_graph_portfolio.what_if import Booking
from pmo_graph_pso.loaders import DEFAULT_CAPACITY, capacities
from pmo_graph_pso.models import Assignment, PersonCapacity, PersonSkill
from pmo_graph_pso.staffing import skill_key

MAX_CAPACITY = 2.0
MAX_WINDOW_DAYS = 3 * 366
#: Person-days of a window charged one point of query cost (``work_cost``).
PERSON_DAYS_PER_POINT = 10


def window_cost(arguments: Mapping[str, Any]) -> int:
    """What a window of days costs to compute: its days (at most the longest window, which is
    all that is served) times the people of a list (``LIST_ESTIMATE``), in points."""
    start, end = arguments.get("from"), arguments.get("to")
    if not isinstance(start, date) or not isinstance(end, date):
        return 0
    days = min(max((end - start).days + 1, 0), MAX_WINDOW_DAYS + 1)
    return days * LIST_ESTIMATE // PERSON_DAYS_PER_POINT


CAPACITY = (
    "How much of a full-time person they can give to projects, in FTE (full-time equivalent): "
    f"1.0 is full time, the value of everyone whose capacity was never set; more than 0, at most "
    f"{MAX_CAPACITY:g}."
)


@strawberry.type(description="A person's average load over one period of a utilisation window.")
class PeriodLoad:
    start: date = strawberry.field(
        description="The period's first day: the first of its week or month, or `from` for the "
        "first period."
    )
    end: date = strawberry.field(
        description="The period's last day, included: the last of its week or month, or `to` "
        "for the last period."
    )
    allocation: float = strawberry.field(
        description="The mean, over the period's days, of the day's total allocation (the sum "
        "of the allocations of the person's assignments not released that are active that day), "
        "as a fraction of a full-time person, rounded to six decimals; 0 when not booked."
    )
    utilisation: float = strawberry.field(
        description="allocation ÷ the person's capacity, rounded to six decimals: above 1 means "
        "booked for more than they can give, on average over the period."
    )


@strawberry.type(description="A person's load over a window of days, period by period.")
class PersonLoad:
    person: PersonRef = strawberry.field(description="The person.")
    capacity: float = strawberry.field(description=CAPACITY)
    periods: list[PeriodLoad] = strawberry.field(
        description="One per week or month covering the window, in date order."
    )


@strawberry.type(
    description="Someone whose total allocation exceeds their capacity on some days of a "
    "window: a scarce person booked beyond what they can give."
)
class Overallocation:
    person: PersonRef = strawberry.field(description="The person booked beyond capacity.")
    capacity: float = strawberry.field(description=CAPACITY)
    peak_allocation: float = strawberry.field(
        description="The highest total allocation of a day over capacity in the window, as a "
        "fraction of a full-time person, rounded to six decimals."
    )
    first_day: date = strawberry.field(
        description="The first day of the window whose total allocation exceeds the capacity."
    )
    last_day: date = strawberry.field(
        description="The last such day of the window; days in between may be within capacity."
    )
    projects: list[ProjectRef] = strawberry.field(
        description="The projects of the assignments active on at least one day over capacity, "
        "by code."
    )


@strawberry.input(description="A person's capacity, replacing the one they had.")
class SetPersonCapacityInput:
    person_id: strawberry.ID = strawberry.field(description="The person, of your organisation.")
    capacity: float = strawberry.field(
        description=f"In FTE: 1.0 is full time; more than 0 and at most {MAX_CAPACITY:g} "
        "(INVALID otherwise). There is no unset: set 1.0 again."
    )


def _window(start: date, end: date) -> None:
    if end < start:
        raise BadUserInput("`to` must not be before `from`.", argument="to")
    if (end - start).days > MAX_WINDOW_DAYS:
        raise BadUserInput(f"Ask for at most {MAX_WINDOW_DAYS} days at a time.", argument="to")


def _live(context: Context) -> list[Any]:
    return [
        Assignment.organisation_id == context.viewer.organisation_id,
        Assignment.released_at.is_(None),
    ]


async def _loads(
    context: Context, people: Sequence[Person], spans: list[tuple[date, date]]
) -> dict[tuple[int, int], float]:
    """Per (person, period index): the sum over days of the day's total allocation, in SQL."""
    if not people or not spans:
        return {}
    period_rows = union_all(
        *(
            select(
                literal(index, Integer).label("idx"),
                literal(first, Date).label("first_day"),
                literal(last, Date).label("last_day"),
            )
            for index, (first, last) in enumerate(spans)
        )
    ).cte("periods")
    overlap = (
        day_number(least(Assignment.end_date, period_rows.c.last_day))
        - day_number(greatest(Assignment.start_date, period_rows.c.first_day))
        + 1
    )
    rows: Sequence[Any] = (
        await context.db.execute(
            select(
                Assignment.person_id, period_rows.c.idx, func.sum(Assignment.allocation * overlap)
            )
            .join(
                period_rows,
                and_(
                    Assignment.start_date <= period_rows.c.last_day,
                    Assignment.end_date >= period_rows.c.first_day,
                ),
            )
            .where(*_live(context), Assignment.person_id.in_([p.id for p in people]))
            .group_by(Assignment.person_id, period_rows.c.idx)
        )
    ).all()
    return {(person_id, int(index)): float(total) for person_id, index, total in rows}


@strawberry.type
class ResourcePersonFields:
    @tier_field(KEY, description=CAPACITY)
    async def capacity(self, root: strawberry.Parent[Person], info: Info[Any, Any]) -> float:
        (found,) = await capacities(get_context(info), [root.id])
        return found


From = Annotated[
    date, strawberry.argument(name="from", description="The window's first day, included.")
]
To = Annotated[
    date,
    strawberry.argument(
        description="The window's last day, included: not before `from` and at most "
        f"{MAX_WINDOW_DAYS} days after it, else the error BAD_USER_INPUT (extensions.argument "
        '"to").'
    ),
]
#: What a window of days costs, in words (``window_cost``).
WINDOW_COST = (
    f"Costs {LIST_ESTIMATE / PERSON_DAYS_PER_POINT:g} point(s) of query cost per day of the window."
)


@strawberry.type
class ResourceQuery:
    @tier_field(
        KEY,
        description="Capacity against demand: each person's load per calendar week or month "
        "between two dates, across every project of the organisation, by name (people without "
        "assignments too, with zeros). Only assignments not released count, whatever their "
        f"project's stage. {WINDOW_COST}",
        metadata=work_cost(window_cost),
    )
    async def utilisation(
        self,
        info: Info[Any, Any],
        from_: From,
        to: To,
        granularity: Annotated[
            Granularity,
            strawberry.argument(
                description="WEEK (Monday to Sunday) or MONTH; the first and last periods are "
                "clipped to `from` and `to`."
            ),
        ],
        skill: Annotated[
            str | None,
            strawberry.argument(
                description="Only the people who have this skill (the pso tier's person "
                "skills), matched whatever its case and spacing; omitted, null or empty: "
                "everyone. A skill nobody has answers []."
            ),
        ] = None,
    ) -> list[PersonLoad]:
        return await utilisation(info, from_, to, granularity, skill)

    @tier_field(
        KEY,
        description="Everyone whose total allocation on some day between two dates exceeds "
        "their capacity (equal is not over), across every project of the organisation: highest "
        "peakAllocation first, then by name. Only assignments not released count. "
        f"{WINDOW_COST}",
        metadata=work_cost(window_cost),
    )
    async def overallocations(
        self, info: Info[Any, Any], from_: From, to: To
    ) -> list[Overallocation]:
        return await overallocations(info, from_, to)


@strawberry.type
class ResourceMutation:
    @tier_mutation(
        KEY,
        description="Set how much of a full-time person someone can give (FTE): what "
        "utilisation divides by, what overallocations and Scenario.impact compare with and what "
        "the pso tier's suggestStaff subtracts from. For ADMIN and OFFICE; anyone else gets the "
        "error FORBIDDEN. userErrors: NOT_FOUND on personId; INVALID on capacity.",
    )
    async def set_person_capacity(
        self, info: Info[Any, Any], input: SetPersonCapacityInput
    ) -> PersonPayload:
        context = get_context(info)
        authorize(context, "setPersonCapacity")

        async def body(tx: Transaction) -> Person:
            checks = Checks()
            # One capacity row per person: two first settings at once insert it once.
            person = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Person,
                "Person",
                input.person_id,
                "personId",
                lock=Lock.WRITE,
            )
            if not 0 < input.capacity <= MAX_CAPACITY:
                checks.add(
                    INVALID,
                    f"capacity must be more than 0 and at most {MAX_CAPACITY} FTE.",
                    "capacity",
                )
            checks.raise_if_any()
            assert person is not None
            row = await tx.session.get(PersonCapacity, person.id)
            before = row.capacity if row else DEFAULT_CAPACITY
            if row is None:
                tx.session.add(
                    PersonCapacity(
                        organisation_id=person.organisation_id,
                        person_id=person.id,
                        capacity=input.capacity,
                    )
                )
            else:
                row.capacity = input.capacity
            await tx.session.flush()
            tx.audit("Person", person.id, {"capacity": {"from": before, "to": input.capacity}})
            return person

        return await run_mutation(info, "setPersonCapacity", PersonPayload, body)


async def utilisation(
    info: Info[Any, Any], start: date, end: date, granularity: Granularity, skill: str | None
) -> list[PersonLoad]:
    """Each person's mean daily allocation per period; the sums run in the database."""
    context = get_context(info)
    _window(start, end)
    query = select(Person).where(Person.organisation_id == context.viewer.organisation_id)
    if skill:
        query = query.where(
            Person.id.in_(
                select(PersonSkill.person_id).where(PersonSkill.skill_key == skill_key(skill))
            )
        )
    people = list(await context.db.scalars(query.order_by(Person.name, Person.id)))
    spans = periods(start, end, granularity is Granularity.MONTH)
    loads = await _loads(context, people, spans)
    limits = await capacities(context, [p.id for p in people])
    table = await compute(context, period_loads, [p.id for p in people], limits, spans, loads)
    return [
        PersonLoad(
            person=person,
            capacity=capacity,
            periods=[
                PeriodLoad(start=first, end=last, allocation=allocation, utilisation=share)
                for (first, last), (allocation, share) in zip(spans, rows, strict=True)
            ],
        )
        for person, capacity, rows in zip(people, limits, table, strict=True)
    ]


async def overallocations(info: Info[Any, Any], start: date, end: date) -> list[Overallocation]:
    """People whose daily total passes their capacity on some day between two dates."""
    context = get_context(info)
    _window(start, end)
    capacity = func.coalesce(PersonCapacity.capacity, DEFAULT_CAPACITY)
    # In SQL: keep only people whose overlapping assignments could add up past their capacity.
    candidates = (
        select(Assignment.person_id)
        .outerjoin(PersonCapacity, PersonCapacity.person_id == Assignment.person_id)
        .where(*_live(context), Assignment.start_date <= end, Assignment.end_date >= start)
        .group_by(Assignment.person_id, PersonCapacity.capacity)
        .having(func.sum(Assignment.allocation) > capacity)
    )
    bookings = list(
        await context.db.scalars(
            select(Assignment).where(
                *_live(context),
                Assignment.person_id.in_(candidates),
                Assignment.start_date <= end,
                Assignment.end_date >= start,
            )
        )
    )
    by_person: dict[int, list[Booking]] = defaultdict(list)
    for a in bookings:
        by_person[a.person_id].append(
            Booking(a.id, a.person_id, a.project_id, a.allocation, a.start_date, a.end_date)
        )
    person_ids = sorted(by_person)
    limits = dict(zip(person_ids, await capacities(context, person_ids), strict=True))
    found = await compute(context, overloads, dict(by_person), limits, start, end)
    people = {
        p.id: p
        for p in await context.loaders.by_id(Person).load_many([o.person_id for o, _ in found])
        if p
    }
    projects = {
        p.id: p
        for p in await context.loaders.by_id(Project).load_many(
            sorted({pid for o, _ in found for pid in o.project_ids})
        )
        if p
    }
    result = [
        Overallocation(
            person=people[over.person_id],
            capacity=limit,
            peak_allocation=round(over.peak, 6),
            first_day=over.first_day,
            last_day=over.last_day,
            projects=sorted((projects[pid] for pid in over.project_ids), key=lambda p: p.code),
        )
        for over, limit in found
    ]
    result.sort(key=lambda o: (-o.peak_allocation, o.person.name))
    return result
