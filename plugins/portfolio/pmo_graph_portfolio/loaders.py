"""The portfolio office's loaders that more than one module reads through."""

from __future__ import annotations

from collections.abc import Sequence

from pmo_graph.sdk import Context
from pmo_graph_portfolio.enums import RiskStatus
from pmo_graph_portfolio.models import Risk

#: Highest score first, then in the order they were raised: built once, so that the loader's
#: key is not compiled again for every project (``Loaders.children``).
RISK_ORDER = ((Risk.probability * Risk.impact).desc(), Risk.id)
#: The filter of each status, built once for the same reason.
STATUS_FILTERS = {status: (Risk.status == status,) for status in RiskStatus}


async def project_risks(
    context: Context, project_ids: Sequence[int], status: RiskStatus | None = None
) -> list[list[Risk]]:
    """Each project's risks (of one status if given), highest score first."""
    loader = context.loaders.children(
        Risk,
        Risk.project_id,
        order_by=RISK_ORDER,
        where=STATUS_FILTERS[status] if status is not None else (),
    )
    return list(await loader.load_many(list(project_ids)))
