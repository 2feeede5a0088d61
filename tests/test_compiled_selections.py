"""The compiled path's one selection collector (pmo_graph.graphql.compiled.selections): the
compiler and the price collect the same fields, and differ only in what they do with what the
compiled path does not read (``Unknown``)."""

from __future__ import annotations

import pytest
from graphql import GraphQLObjectType

from helpers import parsed_operation
from pmo_graph.app_state import AppState
from pmo_graph.graphql.compiled.selections import NotCompiled, Selections, Unknown


def _collect(
    state: AppState, document: str, unknown: Unknown, variables: dict[str, object] | None = None
) -> dict[str, list[str]]:
    """The root fields ``document`` selects on Query, each key with its occurrences' names."""
    schema = state.built.schema._schema
    operation, fragments, coerced = parsed_operation(state, document, variables)
    query = schema.query_type
    assert isinstance(query, GraphQLObjectType)
    found = Selections(schema, fragments, coerced, unknown).collect(
        query, [operation.selection_set]
    )
    return {key: [node.name.value for node in nodes] for key, nodes in found.items()}


def test_fragments_directives_and_keys_are_collected_as_collect_fields_says(
    pmo_state: AppState,
) -> None:
    document = (
        "query($on: Boolean!) { a: viewer { id } ...Q ... on Query { b: people { totalCount } } "
        "... on Project { c: projects { totalCount } } skipped: viewer @skip(if: $on) { id } "
        "kept: viewer @include(if: $on) { id } } "
        "fragment Q on Query { a: viewer { user { id } } ... on Node { d: projects { totalCount } } }"
    )
    for unknown in Unknown:
        assert _collect(pmo_state, document, unknown, {"on": True}) == {
            "a": ["viewer", "viewer"],
            "b": ["people"],
            "kept": ["viewer"],
        }


@pytest.mark.parametrize(
    "document",
    [
        "{ ...Missing }",
        "{ ...Loop } fragment Loop on Query { viewer { id } ...Loop }",
        "{ viewer @deprecated { id } }",
    ],
)
def test_the_compiler_refuses_what_the_price_skips(pmo_state: AppState, document: str) -> None:
    """Validation refuses an unknown fragment and a cycle: the compiler sends them to the
    resolvers, which report it; the price, run only for a compiled plan, leaves them out."""
    with pytest.raises(NotCompiled):
        _collect(pmo_state, document, Unknown.RAISE)
    skipped = _collect(pmo_state, document, Unknown.SKIP)
    assert skipped == ({"viewer": ["viewer"]} if "viewer" in document else {})
