"""Root query fields for programmes."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.graphql.compiled.specs import sql_connection
from pmo_graph.graphql.pagination import Connection, page_args, paginate
from pmo_graph.graphql.refs import ProgrammeRef
from pmo_graph.programmes.models import Programme
from pmo_graph.programmes.ordering import PROGRAMME_ORDER
from pmo_graph.request.context import get_context


@strawberry.type
class ProgrammesQuery:
    @strawberry.field(
        description="Programmes of the organisation, by name.",
        metadata=sql_connection(None, PROGRAMME_ORDER.sql_template()),
    )
    async def programmes(
        self,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ProgrammeRef]:
        context = get_context(info)
        args = page_args(context, first=first, after=after, last=last, before=before, width=2)
        return await paginate(context, Programme, PROGRAMME_ORDER, args)
