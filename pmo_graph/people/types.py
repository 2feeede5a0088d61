"""The ``Person`` GraphQL type."""

from __future__ import annotations

from datetime import datetime

import strawberry

from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.people import models


@strawberry.type(
    name="Person",
    description="A member of staff the office plans with: a project's manager or sponsor, a "
    "portfolio manager, a programme director, someone assigned to work. Not necessarily a user "
    "of the API (see `User.person`).",
)
class Person(ModelNode):
    __model__ = models.Person

    name: str = strawberry.field(
        description="Full name, as the office writes it (1-200 characters)."
    )
    email: str | None = strawberry.field(
        description="Work email, lower-cased, unique in the organisation (null: none recorded). "
        "A user given a token for this email is linked to this person (`User.person`)."
    )
    title: str | None = strawberry.field(description="Job title (null: none recorded).")
    version: int = strawberry.field(
        description="Grows by one on every change; see expectedVersion."
    )
    created_at: datetime = strawberry.field(description="When the person was added (UTC).")
    updated_at: datetime = strawberry.field(description="When the person last changed (UTC).")
