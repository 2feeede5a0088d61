"""The best subset of projects under a budget: an exact 0/1 knapsack (pure functions).

Two exact algorithms, the cheaper for the case at hand:

- dynamic programming over budget units (costs divided by their greatest common divisor),
  when the table is small: round budgets make it so;
- meet in the middle (Horowitz and Sahni): every subset of each half of the candidates, one
  half sorted by cost with the best subset up to each cost, searched for each subset of the
  other half. Its work is about 2^(n/2) steps whatever the costs and scores, so the bound on
  candidates (``MAX_CANDIDATES``) bounds it; no fractional bound is needed, so the case where
  such a bound prunes nothing (every candidate of the same score per unit of cost) is no
  slower than any other.

Scores count to the millionth (the ranking rounds them there), as whole numbers of
millionths, so "equally good" is exact. Among equally good subsets the cheaper one wins, then
the one with the smaller keys (their sorted tuples compared). Both call ``checkpoint()``, so a
run given a deadline stops at it instead of answering late.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import gcd

from pmo_graph.sdk import checkpoint

#: Most candidates a selection weighs: meet in the middle then enumerates 2 x 2^18 subsets
#: (about half a second, docs/performance.md).
MAX_CANDIDATES = 36
#: Largest dynamic-programming table (candidates x budget units) worth filling.
DP_CELLS = 2_000_000
#: Scores are compared in millionths.
SCALE = 1_000_000
#: ``checkpoint()`` every this many steps of an inner loop.
STEPS = 4096


@dataclass(frozen=True)
class Candidate:
    """A project that could be selected: its cost in cents and its score."""

    key: int
    cost: int
    score: float


def points(candidate: Candidate) -> int:
    """The candidate's score in whole millionths."""
    return round(candidate.score * SCALE)


def best_subset(candidates: Sequence[Candidate], budget: int) -> tuple[int, ...]:
    """Keys of the candidates with the greatest total score whose costs sum to at most
    ``budget``, in ascending order (exact; see the module's docstring for the ties)."""
    useful = [c for c in candidates if points(c) > 0 and c.cost <= budget]
    free = [c.key for c in useful if c.cost == 0]
    paid = sorted((c for c in useful if c.cost > 0), key=lambda c: c.key)
    if not paid:
        return tuple(sorted(free))
    unit = 0
    for c in paid:
        unit = gcd(unit, c.cost)
    cells = (budget // unit + 1) * len(paid)
    if cells <= min(DP_CELLS, _middle_steps(len(paid))):
        chosen = _dynamic(paid, unit, budget // unit)
    else:
        chosen = _meet_in_the_middle(paid, budget)
    return tuple(sorted([*free, *chosen]))


def _middle_steps(count: int) -> int:
    """About what meet in the middle costs for ``count`` candidates, in table cells."""
    return 8 * (1 << (count - count // 2))


def _dynamic(items: Sequence[Candidate], unit: int, capacity: int) -> list[int]:
    """DP over budget units: for each suffix of the candidates (by key), the best score of a
    subset costing exactly w units; then the smallest keys are taken first."""
    weights = [c.cost // unit for c in items]
    scores = [points(c) for c in items]
    none = -1
    last = [none] * (capacity + 1)
    last[0] = 0
    tables = [last]  # tables[k] covers items[len(items) - k:]
    for weight, score in zip(reversed(weights), reversed(scores), strict=True):
        checkpoint()
        after = tables[-1]
        if weight > capacity:
            tables.append(after)
            continue
        tables.append(
            after[:weight]
            + [
                b + score if b != none and b + score > a else a
                for a, b in zip(after[weight:], after, strict=False)
            ]
        )
    tables.reverse()  # tables[i] covers items[i:]
    top = tables[0]
    best = max(top)
    room = top.index(best)  # the cheapest cost that reaches it
    chosen = []
    for index, item in enumerate(items):
        rest = tables[index + 1]
        weight, score = weights[index], scores[index]
        if weight <= room and rest[room - weight] != none and rest[room - weight] == best - score:
            chosen.append(item.key)
            room -= weight
            best -= score
    return chosen


def _by_mask(items: Sequence[Candidate]) -> tuple[list[int], list[int]]:
    """The cost and score of every subset of ``items``, at the index of its bit mask."""
    costs, scores = [0], [0]
    for item in items:
        checkpoint()
        cost, score = item.cost, points(item)
        costs += [c + cost for c in costs]
        scores += [s + score for s in scores]
    return costs, scores


def _by_cost(items: Sequence[Candidate]) -> tuple[list[int], list[int]]:
    """The bit masks of every subset of ``items`` in ascending cost, and those costs.

    Each subset is one integer, its cost above its mask, so one sort of integers orders them;
    each candidate doubles a sorted list with a shifted copy, and sorting two ascending runs is
    a linear merge.
    """
    width = len(items)
    packed = [0]
    for bit, item in enumerate(items):
        checkpoint()
        step = (item.cost << width) | (1 << bit)
        packed += [p + step for p in packed]
        packed.sort()
    below = (1 << width) - 1
    return [p & below for p in packed], [p >> width for p in packed]


def _keys(items: Sequence[Candidate], mask: int) -> tuple[int, ...]:
    return tuple(item.key for bit, item in enumerate(items) if mask >> bit & 1)


def _meet_in_the_middle(items: Sequence[Candidate], budget: int) -> list[int]:
    """Horowitz and Sahni: every subset of the smaller keys, each completed by the best subset
    of the larger keys that fits beside it."""
    low, high = items[: len(items) // 2], items[len(items) // 2 :]
    _, high_scores = _by_mask(high)
    high_masks, high_costs = _by_cost(high)
    # Along ascending cost: the best high subset costing at most that much (its score, cost
    # and mask), read in order below rather than looked up.
    best_scores: list[int] = []
    best_costs: list[int] = []
    best_masks: list[int] = []
    top_score, top_cost, top_mask = -1, 0, 0
    for step, (mask, cost) in enumerate(zip(high_masks, high_costs, strict=True)):
        if step % STEPS == 0:
            checkpoint()
        score = high_scores[mask]
        if score > top_score or (
            score == top_score and cost == top_cost and _keys(high, mask) < _keys(high, top_mask)
        ):
            top_score, top_cost, top_mask = score, cost, mask
        best_scores.append(top_score)
        best_costs.append(top_cost)
        best_masks.append(top_mask)
    _, low_scores = _by_mask(low)
    low_masks, low_costs = _by_cost(low)
    best: tuple[int, int, int, int] | None = None  # score, cost, low mask, high mask
    # Low subsets by ascending cost leave less and less room: the high side's index only
    # moves down (one pass over both, in order, instead of a search each).
    index = len(high_costs) - 1
    for step, (mask, cost) in enumerate(zip(low_masks, low_costs, strict=True)):
        if step % STEPS == 0:
            checkpoint()
        room = budget - cost
        if room < 0:
            break
        while high_costs[index] > room:
            index -= 1
        total, spent = low_scores[mask] + best_scores[index], cost + best_costs[index]
        if best is None or total > best[0] or (total == best[0] and spent < best[1]):
            best = (total, spent, mask, best_masks[index])
        elif total == best[0] and spent == best[1]:
            mine = _keys(low, mask) + _keys(high, best_masks[index])
            theirs = _keys(low, best[2]) + _keys(high, best[3])
            if mine < theirs:
                best = (total, spent, mask, best_masks[index])
    assert best is not None  # the empty subset always fits
    return [*_keys(low, best[2]), *_keys(high, best[3])]


#: What a selection is charged (``work_cost``): its worst case, meet in the middle over
#: ``MAX_CANDIDATES``, enumerates 2 x 2^18 subsets; one point per 80 of them.
SELECTION_COST = (2 << (MAX_CANDIDATES // 2)) // 80


def weighed(candidates: Sequence[Candidate], budget: int) -> int:
    """How many of ``candidates`` a search for ``budget`` weighs: those with a score and a
    cost more than 0 and within the budget (the free ones are simply taken)."""
    return sum(1 for c in candidates if points(c) > 0 and 0 < c.cost <= budget)
