"""Computing the evidence: every measure whose tier is on, for the viewer's organisation."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from pmo_graph.maturity.model import MeasureInput
from pmo_graph.maturity.profile import MeasureResult
from pmo_graph.maturity.registry import MaturityModel
from pmo_graph.request.context import Context


def value_in_range(value: float) -> float:
    """A measure's value kept within 0 and 1, and rounded to 6 places for stable output."""
    return round(min(1.0, max(0.0, value)), 6)


async def measure_all(
    context: Context, model: MaturityModel, as_of: date, enabled: Collection[str]
) -> list[MeasureResult]:
    """The evidence of every applicable measure that found something to measure."""
    found = []
    measure_input = MeasureInput(context=context, as_of=as_of)
    for installed in model.measures.values():
        if installed.tier is not None and installed.tier not in enabled:
            continue
        evidence = await installed.measure.compute(measure_input)
        if evidence is None:
            continue
        found.append(
            MeasureResult(
                key=installed.measure.key,
                perspective=installed.measure.perspective,
                name=installed.measure.name,
                value=value_in_range(evidence.value),
                explanation=evidence.explanation,
                tier=installed.tier,
            )
        )
    return found
