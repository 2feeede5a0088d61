"""The maturity journey: assessment questions, evidence measures, levels and the next tier.

Plugins contribute questions and measures through the hooks ``register_maturity_questions`` and
``register_maturity_measures``, importing what they need from here::

    from pmo_graph.maturity import Evidence, Measure, MeasureInput, Perspective, Question
"""

from pmo_graph.maturity.model import (
    LEVEL_NAMES,
    Evidence,
    Measure,
    MeasureInput,
    Perspective,
    Question,
)

__all__ = ["LEVEL_NAMES", "Evidence", "Measure", "MeasureInput", "Perspective", "Question"]
