"""Loading the parent of a row whose foreign key to it is NOT NULL."""

from __future__ import annotations

from typing import Any, TypeVar

from strawberry.types import Info

from pmo_graph.db.base import Base
from pmo_graph.graphql.resolvers import load_by_id

M = TypeVar("M", bound=Base)


async def load_parent(info: Info[Any, Any], model: type[M], pk: int) -> M:
    """The ``model`` row with key ``pk`` that a child row refers to, through the request's loader.

    The child's foreign key is NOT NULL with ON DELETE CASCADE and the parent is of the child's
    organisation (every mutation checks it), so the parent exists for as long as the child does
    and a field answering it is non-null. A missing parent is a broken database, reported so.
    """
    row = await load_by_id(info, model, pk)
    if row is None:
        raise LookupError(f"{model.__name__} {pk} is missing although a row refers to it.")
    return row
