"""The ``User`` GraphQL type."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.auth import models
from pmo_graph.auth.roles import Role, parse_roles
from pmo_graph.graphql.compiled.specs import sql_one, sql_value
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.refs import PersonRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.people.models import Person as PersonRow

_KNOWN_ROLES = ", ".join(f"'{role.value}'" for role in Role)
#: ``roles`` in SQL: the known names, once each, in the order of the enum.
ROLES_SQL = (
    f"(SELECT coalesce(json_agg(known.name ORDER BY array_position(ARRAY[{_KNOWN_ROLES}], "
    "known.name)), '[]'::json) FROM (SELECT DISTINCT value AS name FROM "
    f"json_array_elements_text({{parent}}.roles) WHERE value IN ({_KNOWN_ROLES})) AS known)"
)
_ROLE_ORDER = "," + ",".join(role.value for role in Role) + ","
#: The same in SQLite: its aggregate takes the order of the rows it is given.
ROLES_SQLITE = (
    "json((SELECT json_group_array(name) FROM (SELECT DISTINCT value AS name FROM "
    f"json_each({{parent}}.roles) WHERE value IN ({_KNOWN_ROLES}) "
    f"ORDER BY instr('{_ROLE_ORDER}', ',' || value || ','))))"
)


@strawberry.type(
    name="User",
    description="Someone who calls the API with a token (made with `pmo-graph token create`).",
)
class User(ModelNode):
    __model__ = models.User

    email: str = strawberry.field(
        description="Their email, lower-cased: unique in the organisation."
    )
    name: str = strawberry.field(description="Their name, as given when their token was made.")

    @strawberry.field(
        description="What the user may do (see docs/permissions.md), in the order of the enum.",
        metadata=sql_value(ROLES_SQL, sqlite=ROLES_SQLITE),
    )
    def roles(self, root: strawberry.Parent[models.User]) -> list[Role]:
        return sorted(parse_roles(root.roles), key=lambda r: list(Role).index(r))

    @strawberry.field(
        description="The member of staff this user is: the person with their email, linked "
        "when a token is made for them (null: no person had it then). A PROJECT_MANAGER's own "
        "projects are those this person manages.",
        metadata=sql_one("{row}.id = {parent}.person_id"),
    )
    async def person(
        self, root: strawberry.Parent[models.User], info: Info[Any, Any]
    ) -> PersonRef | None:
        return await load_by_id(info, PersonRow, root.person_id)
