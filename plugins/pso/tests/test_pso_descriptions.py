"""The tier's part of the API describes itself: every type, field, argument, enum value and input
field it defines has a description. Checked on the schema the app serves, so a new field of the
tier needs one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
)

from pmo_graph.app_state import AppState
from pmo_graph.graphql.description_audit import written_text
from pmo_graph.sdk import field_tier

PACKAGE = "pmo_graph_pso"
#: Described once for the whole schema by the core: paging, a mutation's input, the errors.
GENERIC_ARGUMENTS = {"first", "after", "last", "before", "input"}
GENERIC_FIELDS = {"userErrors"}


def _defined_here(definition: Any) -> bool:
    origin = getattr(definition, "origin", None) or getattr(definition, "wrapped_cls", None)
    return getattr(origin, "__module__", "").startswith(PACKAGE)


def _coordinates(pmo_state: AppState) -> Iterator[tuple[str, str | None]]:
    """Every schema coordinate the tier defines, with its description."""
    schema = pmo_state.built.schema
    converter = schema.config.name_converter
    for name, kind in schema._schema.type_map.items():
        if name.startswith("__"):
            continue
        definition = schema.get_type_by_name(name)
        owned = _defined_here(definition)
        if owned:
            yield name, kind.description
        if isinstance(kind, GraphQLEnumType) and owned:
            for value_name, value in kind.values.items():
                yield f"{name}.{value_name}", value.description
        if not isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            continue
        for field in getattr(definition, "fields", None) or []:
            tier = field_tier(field)
            if not (tier == "pso" or (owned and tier is None)):
                continue
            field_name = converter.from_field(field)
            graphql_field = kind.fields.get(field_name)  # None: private to Python
            if graphql_field is None or field_name in GENERIC_FIELDS:
                continue
            yield f"{name}.{field_name}", graphql_field.description
            for argument_name, argument in getattr(graphql_field, "args", {}).items():
                if argument_name not in GENERIC_ARGUMENTS:
                    yield f"{name}.{field_name}({argument_name})", argument.description


def test_every_coordinate_of_the_tier_is_described(pmo_state: AppState) -> None:
    coordinates = dict(_coordinates(pmo_state))
    # The walk finds the tier's own types, its fields on core types and its enum values.
    assert {
        "StatusReport",
        "Rag.AMBER",
        "Project.milestones",
        "SubmitStatusReportInput.overall",
    } <= (coordinates.keys())
    assert "Project.code" not in coordinates
    undescribed = sorted(name for name, text in coordinates.items() if not written_text(text))
    assert undescribed == []


def test_no_description_of_the_tier_names_the_tier(pmo_state: AppState) -> None:
    # The core says which tier a gated field needs; a description that says it too repeats it.
    naming = sorted(
        name
        for name, text in _coordinates(pmo_state)
        if "`pso`" in written_text(text) or "pso tier" in written_text(text).lower()
    )
    assert naming == []
