"""The ``Person`` GraphQL type."""

from __future__ import annotations

from datetime import datetime

import strawberry

from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.people import models


@strawberry.type(name="Person", description="A member of staff.")
class Person(ModelNode):
    __model__ = models.Person

    name: str
    email: str | None
    title: str | None = strawberry.field(description="Job title.")
    version: int = strawberry.field(
        description="Grows by one on every change; see expectedVersion."
    )
    created_at: datetime
    updated_at: datetime
