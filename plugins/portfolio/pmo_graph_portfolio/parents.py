"""Loading the parent a row always has, for the non-null parent fields of the tier's types."""

from __future__ import annotations

from typing import Any, TypeVar

from strawberry.types import Info

from pmo_graph.db.base import Base
from pmo_graph.graphql.resolvers import load_by_id

M = TypeVar("M", bound=Base)


async def load_parent(info: Info[Any, Any], model: type[M], pk: int) -> M:
    """The ``model`` row a NOT NULL foreign key names, through the request's loader.

    The parent is in the child's organisation (the child is made from it) and is never deleted
    without its children (ON DELETE CASCADE), so it is always there; a missing one is a broken
    database, not an answer.
    """
    row = await load_by_id(info, model, pk)
    if row is None:
        raise LookupError(f"{model.__name__} {pk}, the parent of a row that names it, is missing.")
    return row
