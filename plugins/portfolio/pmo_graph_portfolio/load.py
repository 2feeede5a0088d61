"""Daily load: how much of their time people are booked for, day by day (pure functions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from pmo_graph.sdk import checkpoint

#: Allocations are fractions; totals are compared with this tolerance.
EPSILON = 1e-9


class Booking(Protocol):
    """What the load computations need of an assignment (a row, or a what-if copy)."""

    @property
    def person_id(self) -> int: ...
    @property
    def project_id(self) -> int: ...
    @property
    def allocation(self) -> float: ...
    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date: ...


@dataclass(frozen=True)
class Span:
    """Days ``first``..``last`` (inclusive) on which the same bookings are active."""

    first: date
    last: date
    total: float
    bookings: tuple[Booking, ...]


def spans(
    bookings: Iterable[Booking], start: date | None = None, end: date | None = None
) -> list[Span]:
    """The stretches of constant total load, within ``start``..``end`` when given."""
    edges: dict[date, list[tuple[int, Booking]]] = defaultdict(list)
    for booking in bookings:
        first = max(booking.start_date, start) if start else booking.start_date
        last = min(booking.end_date, end) if end else booking.end_date
        if first > last:
            continue
        edges[first].append((1, booking))
        edges[last + timedelta(days=1)].append((-1, booking))
    result = []
    active: dict[int, Booking] = {}
    days = sorted(edges)
    for index, day in enumerate(days):
        if index % 1024 == 0:
            checkpoint()
        for sign, booking in edges[day]:
            if sign > 0:
                active[id(booking)] = booking
            else:
                active.pop(id(booking), None)
        if active and index + 1 < len(days):
            result.append(
                Span(
                    first=day,
                    last=days[index + 1] - timedelta(days=1),
                    total=sum(b.allocation for b in active.values()),
                    bookings=tuple(active.values()),
                )
            )
    return result


@dataclass(frozen=True)
class Overload:
    """A person's days over capacity in a window."""

    person_id: int
    peak: float
    first_day: date
    last_day: date
    project_ids: tuple[int, ...]


def overload(
    person_id: int,
    bookings: Sequence[Booking],
    capacity: float,
    start: date | None = None,
    end: date | None = None,
) -> Overload | None:
    """When (and how far) a person's daily total passes their capacity, if it ever does."""
    over = [s for s in spans(bookings, start, end) if s.total > capacity + EPSILON]
    if not over:
        return None
    projects = sorted({b.project_id for s in over for b in s.bookings})
    return Overload(
        person_id=person_id,
        peak=max(s.total for s in over),
        first_day=over[0].first,
        last_day=over[-1].last,
        project_ids=tuple(projects),
    )


def overloaded_people(bookings: Iterable[Booking], capacities: dict[int, float]) -> set[int]:
    """People whose daily total passes their capacity on at least one day (1.0 unless given)."""
    by_person: dict[int, list[Booking]] = defaultdict(list)
    for booking in bookings:
        by_person[booking.person_id].append(booking)
    found = set()
    for person_id, own in by_person.items():
        checkpoint()
        if overload(person_id, own, capacities.get(person_id, 1.0)) is not None:
            found.add(person_id)
    return found


def periods(start: date, end: date, by_month: bool) -> list[tuple[date, date]]:
    """Calendar weeks (Monday to Sunday) or months covering ``start``..``end``, clipped to it."""
    result = []
    day = start
    while day <= end:
        if by_month:
            following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        else:
            following = day + timedelta(days=7 - day.weekday())
        last = min(following - timedelta(days=1), end)
        result.append((day, last))
        day = last + timedelta(days=1)
    return result


def period_loads(
    person_ids: Sequence[int],
    capacities: Sequence[float],
    spans: Sequence[tuple[date, date]],
    totals: dict[tuple[int, int], float],
) -> list[list[tuple[float, float]]]:
    """Per person, per period: the mean daily allocation and that over the person's capacity
    (``totals`` holds each (person, period index)'s sum over days of the day's allocation)."""
    result = []
    for person_id, capacity in zip(person_ids, capacities, strict=True):
        checkpoint()
        rows = []
        for index, (first, last) in enumerate(spans):
            allocation = totals.get((person_id, index), 0.0) / ((last - first).days + 1)
            rows.append((round(allocation, 6), round(allocation / capacity, 6)))
        result.append(rows)
    return result


def overloads(
    bookings: Mapping[int, Sequence[Booking]], limits: Mapping[int, float], start: date, end: date
) -> list[tuple[Overload, float]]:
    """Each person of ``bookings`` over their capacity (from ``limits``) on some day between
    ``start`` and ``end``, with that capacity, by person id."""
    found = []
    for person_id in sorted(bookings):
        checkpoint()
        limit = limits[person_id]
        over = overload(person_id, bookings[person_id], limit, start, end)
        if over is not None:
            found.append((over, limit))
    return found
