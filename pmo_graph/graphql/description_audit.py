"""Finding what a schema leaves undescribed: every type, field, argument, enum value and input
field should say what it is (docs/api.md, "Descriptions")."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    specified_scalar_types,
)

from pmo_graph.graphql.descriptions import TIER_SENTENCE


def written_text(description: str | None) -> str:
    """What a description says beyond the sentence naming the tier, which the core adds on its
    own: empty when nobody wrote one."""
    return TIER_SENTENCE.sub("", description or "").strip()


def _coordinates(schema: GraphQLSchema) -> Iterator[tuple[str, str | None]]:
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or name in specified_scalar_types:
            continue
        yield name, graphql_type.description
        if isinstance(graphql_type, (GraphQLObjectType, GraphQLInterfaceType)):
            for field_name, field in graphql_type.fields.items():
                yield f"{name}.{field_name}", field.description
                for argument_name, argument in field.args.items():
                    yield f"{name}.{field_name}({argument_name}:)", argument.description
        elif isinstance(graphql_type, GraphQLInputObjectType):
            for field_name, input_field in graphql_type.fields.items():
                yield f"{name}.{field_name}", input_field.description
        elif isinstance(graphql_type, GraphQLEnumType):
            for value_name, value in graphql_type.values.items():
                yield f"{name}.{value_name}", value.description


def undescribed(schema: GraphQLSchema) -> list[str]:
    """The schema coordinates (``Type.field(argument:)``, ``Enum.VALUE``…) without a description
    of their own; "Needs the `x` tier." alone does not count, the core writes it."""
    return [coordinate for coordinate, text in _coordinates(schema) if not written_text(text)]
