"""The ``Organisation``, ``Tier`` and ``Viewer`` GraphQL types."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.auth.models import User as UserRow
from pmo_graph.errors import Unauthenticated
from pmo_graph.graphql.compiled.specs import sql_one
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.refs import OrganisationRef, UserRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.organisations import models
from pmo_graph.request.context import Context, get_context


@strawberry.type(
    name="Tier",
    description="A capability tier provided by a plugin: a set of fields, mutations and "
    "standards an organisation switches on as its office matures (enableTier).",
)
class Tier:
    key: str = strawberry.field(description="Stable identifier, e.g. `pso`.")
    name: str = strawberry.field(description="Its name, e.g. `Project support office`.")
    level: int = strawberry.field(
        description="Maturity level: 1 support, 2 portfolio, 3 programme."
    )
    description: str = strawberry.field(description="What the tier brings, in a sentence or two.")
    requires: list[str] = strawberry.field(description="Keys of the tiers that must be on first.")
    enabled: bool = strawberry.field(description="Whether the viewer's organisation has it on.")
    plugin: str = strawberry.field(description="The plugin (distribution) that provides it.")


def installed_tiers(context: Context) -> list[Tier]:
    """Every installed tier, in prerequisite order, with ``enabled`` for the viewer."""
    registry = context.app.registry
    tiers = []
    for key in registry.tier_order:
        installed = registry.tiers[key]
        tiers.append(
            Tier(
                key=key,
                name=installed.tier.name,
                level=installed.tier.level,
                description=installed.tier.description,
                requires=list(installed.tier.requires),
                enabled=context.tier_enabled(key),
                plugin=registry.plugin(installed.plugin).label,
            )
        )
    return tiers


def tier_by_key(context: Context, key: str) -> Tier | None:
    """The installed tier ``key`` as seen by the viewer, or None."""
    return next((t for t in installed_tiers(context) if t.key == key), None)


@strawberry.type(
    name="Organisation",
    description="A tenant: everything belongs to one, and a token sees its own organisation only.",
)
class Organisation(ModelNode):
    __model__ = models.Organisation

    slug: str = strawberry.field(
        description="Its short name in commands, e.g. `acme`: 1-64 lower-case letters, digits "
        "and inner hyphens, unique on the server."
    )
    name: str = strawberry.field(description="Its full name, e.g. `Acme Logistics`.")

    @strawberry.field(description="Every installed tier, enabled or not for this organisation.")
    def tiers(self, info: Info[Any, Any]) -> list[Tier]:
        return installed_tiers(get_context(info))


@strawberry.type(name="Viewer", description="The authenticated user and their organisation.")
class Viewer:
    @strawberry.field(
        description="The user the token belongs to.", metadata=sql_one("{row}.id = {user}")
    )
    async def user(self, info: Info[Any, Any]) -> UserRef:
        user = await load_by_id(info, UserRow, get_context(info).viewer.user_id)
        if user is None:
            raise Unauthenticated("The token's user no longer exists.")
        return user

    @strawberry.field(
        description="The organisation the token belongs to: all you can read.",
        metadata=sql_one("{row}.id = {org}"),
    )
    async def organisation(self, info: Info[Any, Any]) -> OrganisationRef:
        viewer = get_context(info).viewer
        organisation = await load_by_id(info, models.Organisation, viewer.organisation_id)
        if organisation is None:
            raise Unauthenticated("The token's organisation no longer exists.")
        return organisation
