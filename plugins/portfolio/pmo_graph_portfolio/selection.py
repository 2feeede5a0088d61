"""The best subset of projects under a budget: an exact 0/1 knapsack (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import gcd

#: Above this many table cells, dynamic programming gives way to branch and bound.
DP_CELLS = 20_000_000


@dataclass(frozen=True)
class Candidate:
    """A project that could be selected: its cost in cents and its score."""

    key: int
    cost: int
    score: float


def best_subset(candidates: Sequence[Candidate], budget: int) -> tuple[int, ...]:
    """Keys of the candidates with the greatest total score whose costs sum to at most ``budget``.

    Exact. Costs are scaled by their greatest common divisor; when the table fits, dynamic
    programming over budget units solves it, else branch and bound with the fractional bound.
    Among equally good subsets the cheaper one wins, then the one with the smaller keys.
    """
    useful = [c for c in candidates if c.score > 0 and c.cost <= budget]
    free = [c for c in useful if c.cost == 0]
    paid = [c for c in useful if c.cost > 0]
    if not paid:
        return tuple(sorted(c.key for c in free))
    unit = 0
    for c in paid:
        unit = gcd(unit, c.cost)
    capacity = budget // unit
    if capacity * len(paid) <= DP_CELLS:
        chosen = _dynamic(paid, unit, capacity)
    else:
        chosen = _branch_and_bound(paid, budget)
    return tuple(sorted([*(c.key for c in free), *chosen]))


def _better(
    score: float, cost: int, keys: tuple[int, ...], than: tuple[float, int, tuple[int, ...]]
) -> bool:
    best_score, best_cost, best_keys = than
    if score > best_score + 1e-9:
        return True
    if score < best_score - 1e-9:
        return False
    return (cost, keys) < (best_cost, best_keys)


def _dynamic(items: Sequence[Candidate], unit: int, capacity: int) -> list[int]:
    """Classic DP over budget units, keeping the cheapest best subset."""
    ordered = sorted(items, key=lambda c: c.key)
    weights = [c.cost // unit for c in ordered]
    # best[w] = best score using at most w units; take[i][w] whether item i is taken there.
    best = [0.0] * (capacity + 1)
    take = []
    for item, weight in zip(ordered, weights, strict=True):
        row = bytearray(capacity + 1)
        for w in range(capacity, weight - 1, -1):
            candidate = best[w - weight] + item.score
            if candidate > best[w] + 1e-9:
                best[w] = candidate
                row[w] = 1
        take.append(row)
    # the smallest budget that reaches the best score gives the cheapest best subset
    top = max(best)
    w = next(w for w in range(capacity + 1) if best[w] >= top - 1e-9)
    chosen = []
    for index in range(len(ordered) - 1, -1, -1):
        if take[index][w]:
            chosen.append(ordered[index].key)
            w -= weights[index]
    return chosen


def _branch_and_bound(items: Sequence[Candidate], budget: int) -> list[int]:
    """Depth-first search by score density, pruned by the fractional-knapsack bound."""
    ordered = sorted(items, key=lambda c: (-c.score / c.cost, c.key))
    best: tuple[float, int, tuple[int, ...]] = (0.0, 0, ())

    def bound(index: int, room: int, score: float) -> float:
        for item in ordered[index:]:
            if item.cost <= room:
                room -= item.cost
                score += item.score
            else:
                return score + item.score * room / item.cost
        return score

    def search(index: int, room: int, score: float, cost: int, keys: tuple[int, ...]) -> None:
        nonlocal best
        if _better(score, cost, tuple(sorted(keys)), best):
            best = (score, cost, tuple(sorted(keys)))
        if index == len(ordered) or bound(index, room, score) < best[0] - 1e-9:
            return
        item = ordered[index]
        if item.cost <= room:
            search(
                index + 1, room - item.cost, score + item.score, cost + item.cost, (*keys, item.key)
            )
        search(index + 1, room, score, cost, keys)

    search(0, budget, 0.0, 0, ())
    return list(best[2])
