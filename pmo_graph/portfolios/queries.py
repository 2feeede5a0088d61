"""Root query fields for portfolios."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.graphql.compiled.specs import sql_connection
from pmo_graph.graphql.pagination import Connection, Ordering, page_args, paginate
from pmo_graph.graphql.refs import PortfolioRef
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.request.context import get_context

PORTFOLIO_ORDER = Ordering((Portfolio.name, Portfolio.id))


@strawberry.type
class PortfoliosQuery:
    @strawberry.field(
        description="Portfolios of the organisation, by name.",
        metadata=sql_connection(None, PORTFOLIO_ORDER.sql_template()),
    )
    async def portfolios(
        self,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PortfolioRef]:
        context = get_context(info)
        args = page_args(context, first=first, after=after, last=last, before=before, width=2)
        return await paginate(context, Portfolio, PORTFOLIO_ORDER, args)
