"""``ModelNode``: the base of GraphQL types backed by a table, resolvable by ``node(id:)``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from strawberry import relay
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.db.base import Base
from pmo_graph.ids import key_number
from pmo_graph.request.context import get_context


class ModelNode(relay.Node):
    """A relay ``Node`` whose objects are rows of ``__model__`` (resolvers return ORM rows).

    ``node(id:)``/``nodes(ids:)`` load them through the per-request loader, scoped to the
    viewer's organisation, so another organisation's row is indistinguishable from none.
    """

    __model__: ClassVar[type[Base]]
    #: The permission action a viewer needs to read objects of this type (None: any viewer of
    #: the organisation). ``is_type_of`` checks it for every object of the type a response
    #: would carry, whatever field answered it; ``node``/``nodes`` check it before loading.
    __read_permission__: ClassVar[str | None] = None

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Any, Any]) -> bool:
        """Whether ``obj`` is an object of this type, which the viewer may read (else FORBIDDEN).

        graphql-core asks it of every object before completing it as this type, and of every
        object a ``Node`` field answers, so the read permission holds on every path to the
        type: root fields, ``node``, fields of other types, subscriptions, payloads.
        """
        if not isinstance(obj, (cls, cls.__model__)):
            return False
        if cls.__read_permission__ is not None:
            authorize(get_context(info), cls.__read_permission__)
        return True

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
            # Before loading: an id of this type is refused whether or not it names a row.
            authorize(context, cls.__read_permission__)
        # A key no table can hold names nothing; 0 is no row's key either.
        keys = [key_number(node_id) or 0 for node_id in node_ids]
        loader = context.loaders.by_id(cls.__model__)
        return list(await loader.load_many(keys))
