"""Root query fields: the viewer and the installed tiers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.types import Info

from pmo_graph.graphql.compiled.specs import sql_object
from pmo_graph.graphql.refs import composed_type
from pmo_graph.organisations.types import Tier, Viewer, installed_tiers
from pmo_graph.request.context import get_context

if TYPE_CHECKING:
    ViewerRef = Viewer
else:
    # The composed type: plugins may add fields to the viewer.
    ViewerRef = composed_type("Viewer")


@strawberry.type
class OrganisationQuery:
    @strawberry.field(
        description="The authenticated user and their organisation.", metadata=sql_object()
    )
    def viewer(self, info: Info[Any, Any]) -> ViewerRef:
        get_context(info).viewer  # noqa: B018 - raises UNAUTHENTICATED without a token
        return Viewer()

    @strawberry.field(description="Every installed tier, enabled or not for your organisation.")
    def tiers(self, info: Info[Any, Any]) -> list[Tier]:
        context = get_context(info)
        context.viewer  # noqa: B018
        return installed_tiers(context)
