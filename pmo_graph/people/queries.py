"""Root query fields for people."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy import or_
from strawberry.types import Info

from pmo_graph.graphql.compiled.specs import like_pattern, search_condition, sql_connection
from pmo_graph.graphql.pagination import Connection, Ordering, page_args, paginate
from pmo_graph.graphql.refs import PersonRef
from pmo_graph.people.models import Person
from pmo_graph.request.context import get_context

PERSON_ORDER = Ordering((Person.name, Person.id))


@strawberry.type
class PeopleQuery:
    @strawberry.field(
        description="People of the organisation, by name.",
        metadata=sql_connection(
            None,
            PERSON_ORDER.sql_template(),
            conditions=(search_condition(("search",), ("name", "email", "title")),),
        ),
    )
    async def people(
        self,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: Annotated[
            str | None,
            strawberry.argument(description="Case-insensitive text in the name, email or title."),
        ] = None,
    ) -> Connection[PersonRef]:
        context = get_context(info)
        args = page_args(context, first=first, after=after, last=last, before=before, width=2)
        conditions = []
        pattern = like_pattern(search)
        if pattern:
            conditions.append(
                or_(
                    Person.name.ilike(pattern, escape="\\"),
                    Person.email.ilike(pattern, escape="\\"),
                    Person.title.ilike(pattern, escape="\\"),
                )
            )
        return await paginate(context, Person, PERSON_ORDER, args, conditions)
