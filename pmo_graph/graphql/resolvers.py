"""Small helpers shared by resolvers."""

from __future__ import annotations

from typing import Any, TypeVar

from strawberry.types import Info

from pmo_graph.db.base import Base
from pmo_graph.graphql.context import get_context

M = TypeVar("M", bound=Base)


async def load_by_id(info: Info[Any, Any], model: type[M], pk: int | None) -> M | None:
    """The ``model`` row with key ``pk`` through the request's loader (None for a null key)."""
    if pk is None:
        return None
    return await get_context(info).loaders.by_id(model).load(pk)
