"""``node(id:)`` and ``nodes(ids:)``: any object by its global ID, within the organisation."""

from __future__ import annotations

import inspect
from collections import defaultdict
from typing import Annotated, Any, NamedTuple

import strawberry
from strawberry import relay
from strawberry.types import Info
from strawberry.types.base import StrawberryObjectDefinition

from pmo_graph.errors import BadUserInput
from pmo_graph.ids import parse_global_id
from pmo_graph.request.context import Context, get_context


class NodeId(NamedTuple):
    """What a global id names: the object type (its class and GraphQL name) and the key."""

    node_type: type[relay.Node]
    type_name: str
    key: str


def node_id_parts(info: Info[Any, Any], value: str) -> NodeId | None:
    """The object type and key of a global id this API could have given out: a well-formed key
    (``parse_global_id``) of an object type that implements ``Node`` (not ``Node`` itself, nor
    any other interface); None for anything else."""
    parsed = parse_global_id(value)
    definition = info.schema.get_type_by_name(parsed[0]) if parsed else None
    if (
        parsed is None
        or not isinstance(definition, StrawberryObjectDefinition)
        or definition.is_interface
        or not (isinstance(definition.origin, type) and issubclass(definition.origin, relay.Node))
    ):
        return None
    return NodeId(definition.origin, parsed[0], parsed[1])


def not_an_id(value: str, argument: str) -> BadUserInput:
    """The refusal of a string that is no global id of this API."""
    return BadUserInput(f"{value!r} is not an id of this API.", argument=argument)


def _node_type(context: Context, info: Info[Any, Any], value: str) -> tuple[type[relay.Node], str]:
    parts = node_id_parts(info, value)
    if parts is None:
        raise not_an_id(value, "id")
    tier = context.app.type_tiers.get(parts.type_name)
    if tier is not None:
        context.require_tier(tier)
    return parts.node_type, parts.key


async def _resolve(node_type: type[relay.Node], info: Info[Any, Any], keys: list[str]) -> list[Any]:
    found = node_type.resolve_nodes(info=info, node_ids=keys)
    if inspect.isawaitable(found):
        found = await found
    return list(found)


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="The object with this global ID, or null if there is none in your "
        "organisation. An id of a tier's type answers TIER_NOT_ENABLED while the tier is off, "
        "and a type only some roles read answers FORBIDDEN to the others."
    )
    async def node(
        self,
        info: Info[Any, Any],
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="A global ID this API gave out (an object's `id`); anything else "
                "is refused with BAD_USER_INPUT."
            ),
        ],
    ) -> relay.Node | None:
        context = get_context(info)
        context.viewer  # noqa: B018 - raises UNAUTHENTICATED without a token
        node_type, key = _node_type(context, info, id)
        found = await _resolve(node_type, info, [key])
        return next(iter(found), None)

    @strawberry.field(
        description="The objects with these global IDs, in the same order, null where there is "
        "none in your organisation (the same refusals as `node`)."
    )
    async def nodes(
        self,
        info: Info[Any, Any],
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description="Global IDs this API gave out, at most as many as a page holds "
                "(PMO_GRAPH_MAX_PAGE_SIZE, 500 by default; BAD_USER_INPUT beyond)."
            ),
        ],
    ) -> list[relay.Node | None]:
        context = get_context(info)
        context.viewer  # noqa: B018
        maximum = context.app.settings.max_page_size
        if len(ids) > maximum:
            raise BadUserInput(f"Ask for at most {maximum} ids at a time.", argument="ids")
        wanted = [_node_type(context, info, value) for value in ids]
        by_type: dict[type[relay.Node], list[str]] = defaultdict(list)
        for node_type, key in wanted:
            by_type[node_type].append(key)
        found: dict[tuple[type[relay.Node], str], Any] = {}
        for node_type, keys in by_type.items():
            results = await _resolve(node_type, info, keys)
            found.update({(node_type, key): obj for key, obj in zip(keys, results, strict=True)})
        return [found.get(item) for item in wanted]
