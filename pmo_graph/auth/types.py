"""The ``User`` GraphQL type."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.auth import models
from pmo_graph.auth.roles import Role, parse_roles
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.refs import PersonRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.people.models import Person as PersonRow


@strawberry.type(name="User", description="Someone who calls the API with a token.")
class User(ModelNode):
    __model__ = models.User

    email: str
    name: str

    @strawberry.field(description="What the user may do.")
    def roles(self, root: strawberry.Parent[models.User]) -> list[Role]:
        return sorted(parse_roles(root.roles), key=lambda r: list(Role).index(r))

    @strawberry.field(description="The person record with the user's email, if there is one.")
    async def person(
        self, root: strawberry.Parent[models.User], info: Info[Any, Any]
    ) -> PersonRef | None:
        return await load_by_id(info, PersonRow, root.person_id)
