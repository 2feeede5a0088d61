"""Descriptions the core writes into every schema, so that plugins get them without writing them.

After strawberry has built the schema, one pass over it:

- fills a generic description wherever none was written on what every plugin repeats: the root
  types, the pagination arguments (with this server's page sizes), a mutation's ``input``, a
  payload's ``userErrors`` and main field, the ``Node`` interface and its ``id``, and the
  scalars ``Date``, ``DateTime`` and ``Decimal`` (with the ranges every input is held to);
- names the tier of everything a tier gates: each gated field (``tier_field``, ``tier_mutation``,
  ``tier_subscription``) and each type of a tier plugin ends with "Needs the `key` tier.".

Both reach introspection and the printed SDL, which read the same GraphQL objects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)

from pmo_graph.graphql.tiers import field_tier
from pmo_graph.settings import Settings

STRAWBERRY_DEFINITION = "strawberry-definition"
#: What strawberry's relay support writes on ``Node`` and every ``id``: replaced by ours.
RELAY_DEFAULTS = frozenset(
    {"An object with a Globally Unique ID", "The Globally Unique ID of this object"}
)

ROOT_DESCRIPTIONS = {
    "Query": (
        "What you can read: everything is of your organisation only (the token's), and each "
        "tier's fields answer TIER_NOT_ENABLED while that tier is off for it."
    ),
    "Mutation": (
        "What you can change. Each mutation runs in one transaction, is recorded in the audit "
        "log, and answers a payload: the object as it now stands, or `userErrors` saying why "
        "nothing was written. Send an `Idempotency-Key` header to retry one safely."
    ),
    "Subscription": (
        "What you can follow as it happens, over WebSocket (`graphql-transport-ws`): each event "
        "of your organisation once its transaction has committed."
    ),
}
NODE_DESCRIPTION = (
    "An object with a global ID: `node(id:)` and `nodes(ids:)` find it again, within your "
    "organisation."
)
ID_DESCRIPTION = (
    "Its global ID: opaque and stable; pass it to `node(id:)` or to an input's `…Id` field."
)
USER_ERRORS_DESCRIPTION = (
    "Why nothing was written, one entry per broken rule (each with its input field and code); "
    "empty when the mutation succeeded."
)
INPUT_DESCRIPTION = "What to do: the fields of `{input}`."
#: What strawberry writes on its scalars → what the API says of them.
SCALAR_DESCRIPTIONS = {
    "Date (isoformat)": (
        "A calendar day, `YYYY-MM-DD`, with no time zone. Inputs run from 1900-01-01 to "
        "2999-12-31 (BAD_USER_INPUT otherwise)."
    ),
    "Date with time (isoformat)": (
        "An instant, ISO 8601 with its offset; the API answers in UTC, e.g. "
        "`2026-11-25T19:58:52.471884+00:00`."
    ),
    "Decimal (fixed-point)": (
        'An exact decimal number, sent and answered as a string, e.g. `"1250000.00"`. Money '
        "is in the organisation's currency. Inputs are finite and from -1e15 to 1e15 "
        "(BAD_USER_INPUT otherwise); a field may narrow that (money: 0 to 9999999999999.99, "
        "two decimals)."
    ),
}


#: Matches the sentence ``tier_sentence`` writes, whatever the tier.
TIER_SENTENCE = re.compile(r"\s*Needs the `[^`]+` tier\.$")


#: The argument of ``@tier``.
TIER_KEY_DESCRIPTION = (
    "The tier's key, as the `tiers` field lists it: `pso`, `portfolio`, `pmo`, or a plugin's."
)


def tier_sentence(tier: str) -> str:
    """The sentence that ends the description of everything tier ``tier`` gates."""
    return f"Needs the `{tier}` tier."


def with_sentence(description: str | None, sentence: str) -> str:
    """``description`` followed by ``sentence`` (once, however often it is asked)."""
    text = (description or "").rstrip()
    if text.endswith(sentence):
        return text
    return f"{text} {sentence}" if text else sentence


def pagination_descriptions(settings: Settings) -> dict[str, str]:
    """The description of each pagination argument, with this server's page sizes."""
    default, maximum = settings.default_page_size, settings.max_page_size
    return {
        "first": (
            f"How many items to answer from the start of the list, or after `after`: 0 to "
            f"{maximum} (a larger page is refused with BAD_USER_INPUT; page on with `after`). "
            f"Without `first` and `last`, {default}."
        ),
        "after": (
            "Answer the items after this cursor: `pageInfo.endCursor` (or an edge's `cursor`) "
            "of a page of the same list, with the same arguments."
        ),
        "last": (
            f"How many items to answer from the end of the list, or before `before`: 0 to "
            f"{maximum}. Not with `first` or `after`."
        ),
        "before": (
            "Answer the items before this cursor: `pageInfo.startCursor` (or an edge's "
            "`cursor`) of a page of the same list. Not with `first` or `after`."
        ),
    }


def _is_payload(graphql_type: GraphQLObjectType) -> bool:
    return "userErrors" in graphql_type.fields and graphql_type.name.endswith("Payload")


def _describe_payload(graphql_type: GraphQLObjectType) -> None:
    for name, field in graphql_type.fields.items():
        if field.description:
            continue
        if name == "userErrors":
            field.description = USER_ERRORS_DESCRIPTION
        elif isinstance(get_named_type(field.type), GraphQLObjectType):
            field.description = (
                f"The {get_named_type(field.type).name} as the mutation left it; null when "
                "`userErrors` is not empty."
            )


def _describe_arguments(
    field: GraphQLField, pagination: Mapping[str, str], is_mutation: bool
) -> None:
    for name, argument in field.args.items():
        if argument.description:
            continue
        if name in pagination:
            argument.description = pagination[name]
        elif name == "input" and is_mutation:
            argument.description = INPUT_DESCRIPTION.format(
                input=get_named_type(argument.type).name
            )


def _mark_gated_field(field: GraphQLField) -> None:
    definition = (field.extensions or {}).get(STRAWBERRY_DEFINITION)
    tier = field_tier(definition) if definition is not None else None
    if tier is not None:
        field.description = with_sentence(field.description, tier_sentence(tier))


def _describe_fields(
    graphql_type: GraphQLObjectType | GraphQLInterfaceType,
    pagination: Mapping[str, str],
    mutation: str | None,
) -> None:
    for field in graphql_type.fields.values():
        if field.description in RELAY_DEFAULTS:
            field.description = ID_DESCRIPTION
        _describe_arguments(field, pagination, is_mutation=graphql_type.name == mutation)
        _mark_gated_field(field)


def _describe_type(graphql_type: GraphQLNamedType, type_tiers: Mapping[str, str]) -> None:
    if graphql_type.name == "Node" or graphql_type.description in RELAY_DEFAULTS:
        graphql_type.description = NODE_DESCRIPTION
    if graphql_type.description in SCALAR_DESCRIPTIONS:
        graphql_type.description = SCALAR_DESCRIPTIONS[graphql_type.description]
    tier = type_tiers.get(graphql_type.name)
    if tier is not None:
        graphql_type.description = with_sentence(graphql_type.description, tier_sentence(tier))


def describe_schema(
    schema: GraphQLSchema, settings: Settings, type_tiers: Mapping[str, str]
) -> None:
    """Fill the generic descriptions and name the tiers, in place (see the module docstring)."""
    pagination = pagination_descriptions(settings)
    roots = [schema.query_type, schema.mutation_type, schema.subscription_type]
    for root in roots:
        if root is not None and not root.description:
            root.description = ROOT_DESCRIPTIONS.get(root.name)
    tier_directive = schema.get_directive("tier")
    if tier_directive is not None and not tier_directive.args["key"].description:
        # strawberry's schema directives take no argument descriptions.
        tier_directive.args["key"].description = TIER_KEY_DESCRIPTION
    mutation = schema.mutation_type.name if schema.mutation_type else None
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__"):
            continue
        _describe_type(graphql_type, type_tiers)
        if isinstance(graphql_type, (GraphQLObjectType, GraphQLInterfaceType)):
            _describe_fields(graphql_type, pagination, mutation)
        if isinstance(graphql_type, GraphQLObjectType) and _is_payload(graphql_type):
            _describe_payload(graphql_type)
