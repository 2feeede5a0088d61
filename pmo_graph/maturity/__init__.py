"""The maturity journey: assessment questions, evidence measures, levels and the next tier.

Its modules sit in three layers (the ``models`` table, the ``model`` and scoring services, the
GraphQL ``types``), so the package imports none of them. Plugins declare questions and measures
(hooks ``register_maturity_questions`` and ``register_maturity_measures``) with the classes of
``pmo_graph.maturity.model``; the names this package used to re-export still resolve here, with a
``DeprecationWarning``, until pmo-graph 0.3.
"""

from typing import TYPE_CHECKING

from pmo_graph._deprecated import moved

if TYPE_CHECKING:  # what the type checker sees; at run time the names resolve on first use
    from pmo_graph.maturity.model import (
        LEVEL_NAMES as LEVEL_NAMES,
    )
    from pmo_graph.maturity.model import (
        Evidence as Evidence,
    )
    from pmo_graph.maturity.model import (
        Measure as Measure,
    )
    from pmo_graph.maturity.model import (
        MeasureInput as MeasureInput,
    )
    from pmo_graph.maturity.model import (
        Perspective as Perspective,
    )
    from pmo_graph.maturity.model import (
        Question as Question,
    )

_NAMES = ("LEVEL_NAMES", "Evidence", "Measure", "MeasureInput", "Perspective", "Question")

__getattr__ = moved(__name__, dict.fromkeys(_NAMES, "pmo_graph.maturity.model"))
