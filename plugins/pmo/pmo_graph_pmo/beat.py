"""The programme's common beat: tranches, dependencies between milestones, and whether every
project keeps in step (pure computation; reads live in beat_data)."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from pmo_graph.sdk import checkpoint


@dataclass(frozen=True)
class Point:
    """A milestone as the beat sees it: its date is the actual, else forecast, else baseline."""

    id: int
    project_id: int
    day: date
    tranche_id: int | None = None


@dataclass(frozen=True)
class Link:
    """A dependency: ``successor`` not before ``predecessor`` + ``lag`` days."""

    id: int
    predecessor: int
    successor: int
    lag: int


@dataclass(frozen=True)
class Window:
    """A tranche's dates."""

    id: int
    start: date
    end: date


@dataclass
class Beat:
    """What synchronisation finds."""

    breaches: list[tuple[Link, int]] = field(default_factory=list)
    slips: list[tuple[Point, Window, int]] = field(default_factory=list)
    critical_path: list[int] = field(default_factory=list)
    out_of_step: list[int] = field(default_factory=list)

    @property
    def in_step(self) -> bool:
        return not self.breaches and not self.slips


def slack(link: Link, points: dict[int, Point]) -> int:
    """successor's date - (predecessor's date + lag), in days: negative is a breach."""
    return (points[link.successor].day - points[link.predecessor].day).days - link.lag


def synchronise_all(
    programmes: Sequence[tuple[dict[int, Point], list[Link], dict[int, Window]]],
) -> list[Beat]:
    """``synchronise`` for each programme's milestones, links and tranches (what one request
    computes off the event loop in one go)."""
    return [synchronise(*programme) for programme in programmes]


def synchronise(points: dict[int, Point], links: list[Link], tranches: dict[int, Window]) -> Beat:
    """Breaches, tranche slips, the critical path and the projects out of step."""
    beat = Beat()
    for link in sorted(links, key=lambda link: link.id):
        if link.predecessor in points and link.successor in points:
            gap = slack(link, points)
            if gap < 0:
                beat.breaches.append((link, gap))
    for point in sorted(points.values(), key=lambda p: (p.day, p.id)):
        window = tranches.get(point.tranche_id) if point.tranche_id is not None else None
        if window is not None and point.day > window.end:
            beat.slips.append((point, window, (point.day - window.end).days))
    beat.critical_path = critical_path(points, links)
    late = {points[link.predecessor].project_id for link, _ in beat.breaches}
    late |= {points[link.successor].project_id for link, _ in beat.breaches}
    late |= {p.project_id for p, _, _ in beat.slips}
    beat.out_of_step = sorted(late)
    return beat


def critical_path(points: dict[int, Point], links: list[Link]) -> list[int]:
    """The longest chain of dependent milestones by number of links, ties broken by the latest
    end date (then the smallest ids); empty when nothing depends on anything."""
    usable = [link for link in links if link.predecessor in points and link.successor in points]
    if not usable:
        return []
    incoming: dict[int, list[int]] = defaultdict(list)
    outgoing: dict[int, list[int]] = defaultdict(list)
    for link in usable:
        incoming[link.successor].append(link.predecessor)
        outgoing[link.predecessor].append(link.successor)
    nodes = sorted({n for link in usable for n in (link.predecessor, link.successor)})
    order = _topological(nodes, outgoing, incoming)
    length: dict[int, int] = {}
    previous: dict[int, int | None] = {}
    for step, node in enumerate(order):
        if step % 1024 == 0:
            checkpoint()
        best: tuple[int, date, int] | None = None
        for before in incoming[node]:
            candidate = (length[before] + 1, points[before].day, -before)
            if best is None or candidate > best:
                best = candidate
        length[node] = best[0] if best else 0
        previous[node] = -best[2] if best else None
    if not order:
        return []
    # ``order`` leaves out milestones on a loop: links are refused when they would close one
    # (addDependency), but a database written before that rule held may still hold one.
    end = max(order, key=lambda n: (length[n], points[n].day, -n))
    chain = [end]
    while previous[chain[-1]] is not None:
        chain.append(previous[chain[-1]])  # type: ignore[arg-type]
    return list(reversed(chain))


def _topological(
    nodes: list[int], outgoing: dict[int, list[int]], incoming: dict[int, list[int]]
) -> list[int]:
    remaining = {n: len(incoming[n]) for n in nodes}
    ready = [n for n, count in remaining.items() if count == 0]
    heapq.heapify(ready)  # the smallest ready id first, in n log n steps
    order: list[int] = []
    while ready:
        if len(order) % 1024 == 0:
            checkpoint()
        node = heapq.heappop(ready)
        order.append(node)
        for after in outgoing[node]:
            remaining[after] -= 1
            if remaining[after] == 0:
                heapq.heappush(ready, after)
    return order


def creates_cycle(links: list[tuple[int, int]], predecessor: int, successor: int) -> bool:
    """Whether adding predecessor → successor closes a loop (successor already leads back)."""
    if predecessor == successor:
        return True
    outgoing: dict[int, list[int]] = defaultdict(list)
    for before, after in links:
        outgoing[before].append(after)
    seen, stack = set(), [successor]
    while stack:
        node = stack.pop()
        if node == predecessor:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(outgoing[node])
    return False
