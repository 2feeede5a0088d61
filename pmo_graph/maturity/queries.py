"""The ``maturity`` root field."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from pmo_graph.db.types import utcnow
from pmo_graph.graphql.cost import work_cost
from pmo_graph.maturity.service import build_profile
from pmo_graph.maturity.types import (
    MaturityProfile,
    MaturityRecommendation,
    PerspectiveMaturity,
)
from pmo_graph.request.context import get_context

#: What a profile is charged (``work_cost``): every measure of the installed plugins, each a
#: read and a computation over the organisation's data (the programmes' beat among them).
MATURITY_COST = 200


@strawberry.type
class MaturityQuery:
    @strawberry.field(
        description="Where the office stands on each perspective, from its latest answers and "
        "the evidence of its own data, the history of its assessments, and the tier to enable "
        "next (asOf: today, UTC).",
        metadata=work_cost(MATURITY_COST),
    )
    async def maturity(
        self,
        info: Info[Any, Any],
        as_of: Annotated[
            date | None,
            strawberry.argument(
                description="Answers given on or before it; evidence judged on it."
            ),
        ] = None,
    ) -> MaturityProfile:
        context = get_context(info)
        context.viewer  # noqa: B018 - raises UNAUTHENTICATED without a token
        day = as_of if as_of is not None else utcnow().date()
        profile = await build_profile(context, day)
        return MaturityProfile(
            as_of=profile.as_of,
            overall=profile.overall,
            perspectives=[PerspectiveMaturity.of(r) for r in profile.perspectives],
            recommendation=MaturityRecommendation.of(profile.recommendation),
            history_rows=[past.row for past in profile.history],
        )
