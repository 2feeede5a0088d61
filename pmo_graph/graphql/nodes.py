"""``ModelNode``: the base of GraphQL types backed by a table, resolvable by ``node(id:)``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from strawberry import relay
from strawberry.types import Info

from pmo_graph.db.base import Base
from pmo_graph.graphql.context import get_context


class ModelNode(relay.Node):
    """A relay ``Node`` whose objects are rows of ``__model__`` (resolvers return ORM rows).

    ``node(id:)``/``nodes(ids:)`` load them through the per-request loader, scoped to the
    viewer's organisation, so another organisation's row is indistinguishable from none.
    """

    __model__: ClassVar[type[Base]]

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
        keys = []
        for node_id in node_ids:
            try:
                keys.append(int(node_id))
            except ValueError:
                keys.append(0)
        loader = get_context(info).loaders.by_id(cls.__model__)
        return list(await loader.load_many(keys))
