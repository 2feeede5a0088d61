"""``ModelNode``: the base of GraphQL types backed by a table, resolvable by ``node(id:)``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from strawberry import relay
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.db.base import Base
from pmo_graph.graphql.context import get_context
from pmo_graph.graphql.ids import key_number


class ModelNode(relay.Node):
    """A relay ``Node`` whose objects are rows of ``__model__`` (resolvers return ORM rows).

    ``node(id:)``/``nodes(ids:)`` load them through the per-request loader, scoped to the
    viewer's organisation, so another organisation's row is indistinguishable from none.
    """

    __model__: ClassVar[type[Base]]
    #: The permission action a viewer needs to read objects of this type (None: any viewer of
    #: the organisation), checked by ``node``/``nodes`` and by the type's root fields.
    __read_permission__: ClassVar[str | None] = None

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Any, Any]) -> bool:
        return isinstance(obj, (cls, cls.__model__))

    @classmethod
    def resolve_id(cls, root: Any, *, info: Info[Any, Any]) -> str:
        return str(root.id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls,
        *,
        info: Info[Any, Any],
        node_ids: Iterable[str],
        required: bool = False,
    ) -> list[Any]:
        context = get_context(info)
        if cls.__read_permission__ is not None:
            authorize(context, cls.__read_permission__)
        # A key no table can hold names nothing; 0 is no row's key either.
        keys = [key_number(node_id) or 0 for node_id in node_ids]
        loader = context.loaders.by_id(cls.__model__)
        return list(await loader.load_many(keys))
