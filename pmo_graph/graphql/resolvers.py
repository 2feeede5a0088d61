"""Small helpers shared by resolvers."""

from __future__ import annotations

from typing import Any, TypeVar

from strawberry.types import Info

from pmo_graph.db.base import Base
from pmo_graph.request.context import get_context

M = TypeVar("M", bound=Base)


async def load_by_id(info: Info[Any, Any], model: type[M], pk: int | None) -> M | None:
    """The ``model`` row with key ``pk`` through the request's loader (None for a null key)."""
    if pk is None:
        return None
    return await get_context(info).loaders.by_id(model).load(pk)


async def load_parent(info: Info[Any, Any], model: type[M], pk: int) -> M:
    """The ``model`` row with key ``pk`` that a child row refers to, through the request's loader.

    For a field answering a parent whose foreign key is NOT NULL, in the child's organisation
    (every mutation checks it): the database keeps the parent as long as the child exists, so
    the field is non-null. A missing parent is a broken database, and is reported as one.
    """
    row = await load_by_id(info, model, pk)
    if row is None:
        raise LookupError(f"{model.__name__} {pk} is missing although a row refers to it.")
    return row
