"""Schema composition: the core's and every plugin's types, fields and extensions, merged.

Plugins return strawberry types through hooks; this module merges each extended type with its
extensions (``Project`` + every plugin's ``Project`` fields), stores the merged classes in
``composed`` where the lazy references point, and builds one ``strawberry.Schema``. It fails fast
on a duplicate field, an extension of an unknown type, and a tier plugin's field without a gate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types.base import (
    StrawberryContainer,
    StrawberryObjectDefinition,
    has_object_definition,
)
from strawberry.types.execution import ExecutionContext
from strawberry.types.lazy_type import LazyType
from strawberry.utils.str_converters import to_camel_case

from pmo_graph.contributions import collect_user_error_codes
from pmo_graph.db.base import Base
from pmo_graph.graphql import composed
from pmo_graph.graphql.compiled.extension import CompiledQueries, compiled_plan_answers
from pmo_graph.graphql.compiled.specs import field_spec, templates, unscoped_reads
from pmo_graph.graphql.cost_limits import QueryCost
from pmo_graph.graphql.descriptions import describe_schema
from pmo_graph.graphql.extensions import (
    Authentication,
    ErrorCodes,
    OperationName,
    SubscriptionsOverWebSocket,
)
from pmo_graph.graphql.input_values import InputValues
from pmo_graph.graphql.limits import LimitedParser, LimitedValidation, limit_rules
from pmo_graph.graphql.tiers import TierDirective, field_tier
from pmo_graph.graphql.user_error_codes import (
    USER_ERROR_CODE_ENUM,
    UserErrorCodeSpec,
    user_error_code_enum,
)
from pmo_graph.plugins.manager import PluginInfo, PluginLoadError, PluginRegistry
from pmo_graph.settings import Settings


class SchemaCompositionError(PluginLoadError):
    """Plugins' contributions do not fit together; the message names the plugin."""


class PmoSchema(strawberry.Schema):
    """The schema; errors are logged by the ``ErrorCodes`` extension, not here."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


@dataclass(frozen=True)
class BuiltSchema:
    """The schema and what the request layer needs to know about its types."""

    schema: strawberry.Schema
    #: GraphQL type name → the tier that owns it (types of tier plugins only).
    type_tiers: dict[str, str]
    #: The codes a ``UserError`` may carry (``register_user_error_codes``), by name.
    user_error_codes: dict[str, UserErrorCodeSpec] = dataclasses.field(default_factory=dict)


def graphql_name(cls: type) -> str:
    """The GraphQL name of a strawberry type class."""
    definition: StrawberryObjectDefinition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    return definition.name


def _fields(cls: type) -> list[Any]:
    return list(cls.__strawberry_definition__.fields)  # type: ignore[attr-defined]


def schema_field_name(field: Any) -> str:
    """The name a strawberry field has in the schema (``graphql_name``, else camelCase)."""
    return str(field.graphql_name or to_camel_case(field.python_name))


def _own_fields(cls: type) -> Iterator[Any]:
    yield from _fields(cls)


def _check_gated(info: PluginInfo, registry: PluginRegistry, owner: str, cls: type) -> None:
    provided = registry.tiers_of(info.name)
    if not provided:
        return
    for field in _own_fields(cls):
        tier = field_tier(field)
        if tier is None:
            raise SchemaCompositionError(
                f"plugin {info.label!r}: field {owner}.{schema_field_name(field)} has no tier "
                "gate; "
                f"declare it with pmo_graph.sdk.tier_field({provided[0]!r}, ...)",
                plugin=info.name,
            )
        if tier not in registry.tiers:
            raise SchemaCompositionError(
                f"plugin {info.label!r}: field {owner}.{schema_field_name(field)} is gated by tier "
                f"{tier!r}, which is not installed",
                plugin=info.name,
            )


def tenant_tables() -> frozenset[str]:
    """The tables with an ``organisation_id``: every read of one is scoped to the viewer's."""
    return frozenset(
        table.name for table in Base.metadata.tables.values() if "organisation_id" in table.c
    )


def check_sql_scoped(owner: str, cls: type, info: PluginInfo) -> None:
    """Refuse a field whose SQL spec (compiled path) reads a tenant table without
    ``<alias>.organisation_id = {org}``: it would answer other organisations' rows."""
    tables = tenant_tables()
    for field in _own_fields(cls):
        spec = field_spec(field)
        if spec is None:
            continue
        for template in templates(spec):
            unscoped = unscoped_reads(template, tables)
            if unscoped:
                raise SchemaCompositionError(
                    f"plugin {info.label!r}: the SQL template of field "
                    f"{owner}.{schema_field_name(field)} reads {', '.join(unscoped)} without "
                    "scoping it to the organisation (add <alias>.organisation_id = {org}): "
                    + " ".join(template.split()),
                    plugin=info.name,
                )


def _merge(name: str, parts: list[tuple[type, PluginInfo]]) -> type:
    seen: dict[str, str] = {}
    for cls, info in parts:
        for field in _fields(cls):
            field_name = schema_field_name(field)
            if field_name in seen:
                raise SchemaCompositionError(
                    f"type {name}: field {field_name!r} is defined by both "
                    f"{seen[field_name]!r} and {info.label!r}",
                    plugin=info.name,
                )
            seen[field_name] = info.label
    if len(parts) == 1:
        return parts[0][0]
    base = parts[0][0]
    definition: StrawberryObjectDefinition = base.__strawberry_definition__  # type: ignore[attr-defined]
    merged = type(name, tuple(cls for cls, _ in parts), {"__module__": composed.__name__})
    return strawberry.type(
        merged, name=name, description=definition.description, directives=definition.directives
    )


def _strawberry_classes(field_type: Any) -> Iterator[type]:
    while isinstance(field_type, StrawberryContainer):
        field_type = field_type.of_type
    if isinstance(field_type, LazyType):
        field_type = field_type.resolve_type()
    if isinstance(field_type, StrawberryObjectDefinition):
        field_type = field_type.origin
    if isinstance(field_type, type) and has_object_definition(field_type):
        yield field_type
    for inner in getattr(field_type, "types", ()) or ():  # unions
        yield from _strawberry_classes(inner)


def refresh_type_references(roots: Iterable[type]) -> None:
    """Forget the resolved types cached on every field reachable from ``roots``.

    Strawberry caches what a lazy annotation resolved to; after ``composed`` is filled for a
    new schema, the fields must resolve again to the newly merged classes.
    """
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        cls = stack.pop()
        if id(cls) in seen or not has_object_definition(cls):
            continue
        seen.add(id(cls))
        for field in _fields(cls):
            annotations = [field.type_annotation]
            if field.base_resolver is not None:
                annotations.append(field.base_resolver.type_annotation)
            annotations.extend(argument.type_annotation for argument in field.arguments)
            for annotation in annotations:
                if annotation is not None:
                    annotation.annotation = annotation.raw_annotation
            stack.extend(_strawberry_classes(field.type))
            for argument in field.arguments:
                stack.extend(_strawberry_classes(argument.type))


def _type_tier(cls: type, info: PluginInfo, registry: PluginRegistry) -> str | None:
    declared = getattr(cls, "__tier__", None)
    if declared is not None:
        return str(declared)
    provided = registry.tiers_of(info.name)
    if len(provided) > 1:
        raise SchemaCompositionError(
            f"plugin {info.label!r} provides several tiers; set __tier__ on type "
            f"{graphql_name(cls)} to say which one owns it",
            plugin=info.name,
        )
    return provided[0] if provided else None


def _mark_tier(cls: type, tier: str) -> None:
    definition: StrawberryObjectDefinition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    if not any(isinstance(d, TierDirective) for d in definition.directives or ()):
        definition.directives = [*(definition.directives or ()), TierDirective(key=tier)]


def build_schema(registry: PluginRegistry, settings: Settings) -> BuiltSchema:
    """Compose every plugin's contributions into one schema."""
    definitions: dict[str, tuple[type, PluginInfo]] = {}
    type_tiers: dict[str, str] = {}
    for info, types in registry.results("register_types"):
        for cls in types or ():
            if not has_object_definition(cls):
                raise SchemaCompositionError(
                    f"plugin {info.label!r}: register_types returned {cls!r}, "
                    "not a strawberry type",
                    plugin=info.name,
                )
            name = graphql_name(cls)
            if name in definitions:
                raise SchemaCompositionError(
                    f"type {name} is defined by both {definitions[name][1].label!r} and "
                    f"{info.label!r}",
                    plugin=info.name,
                )
            definitions[name] = (cls, info)
            tier = _type_tier(cls, info, registry)
            if tier is not None:
                type_tiers[name] = tier
                _mark_tier(cls, tier)

    parts: dict[str, list[tuple[type, PluginInfo]]] = {
        name: [entry] for name, entry in definitions.items()
    }
    for info, extensions in registry.results("register_type_extensions"):
        for name, classes in (extensions or {}).items():
            if name not in parts:
                raise SchemaCompositionError(
                    f"plugin {info.label!r} extends type {name}, which no plugin defines",
                    plugin=info.name,
                )
            for cls in classes:
                _check_gated(info, registry, name, cls)
                parts[name].append((cls, info))

    roots: dict[str, list[tuple[type, PluginInfo]]] = {
        "Query": [],
        "Mutation": [],
        "Subscription": [],
    }
    for hook, root in (
        ("register_query_fields", "Query"),
        ("register_mutation_fields", "Mutation"),
        ("register_subscription_fields", "Subscription"),
    ):
        for info, classes in registry.results(hook):
            for cls in classes or ():
                _check_gated(info, registry, root, cls)
                roots[root].append((cls, info))

    for owner, entries in (*parts.items(), *roots.items()):
        for cls, info in entries:
            check_sql_scoped(owner, cls, info)
    merged = {name: _merge(name, entries) for name, entries in parts.items()}
    for name, cls in merged.items():
        setattr(composed, name, cls)
    user_error_codes = collect_user_error_codes(registry)
    setattr(composed, USER_ERROR_CODE_ENUM, user_error_code_enum(user_error_codes))
    query = _merge_root("Query", roots["Query"])
    mutation = _merge_root("Mutation", roots["Mutation"]) if roots["Mutation"] else None
    subscription = (
        _merge_root("Subscription", roots["Subscription"]) if roots["Subscription"] else None
    )

    every_part = [cls for entries in (*parts.values(), *roots.values()) for cls, _ in entries]
    refresh_type_references(
        [
            query,
            *([mutation] if mutation else []),
            *([subscription] if subscription else []),
            *merged.values(),
            *every_part,
        ]
    )

    schema = PmoSchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=list(merged.values()),
        extensions=schema_extensions(settings),
        config=StrawberryConfig(),
    )
    describe_schema(schema._schema, settings, type_tiers)
    return BuiltSchema(schema=schema, type_tiers=type_tiers, user_error_codes=user_error_codes)


def _merge_root(name: str, entries: list[tuple[type, PluginInfo]]) -> type:
    if not entries:
        raise SchemaCompositionError(f"no plugin contributes fields to {name}")
    seen: dict[str, str] = {}
    for cls, info in entries:
        for field in _fields(cls):
            field_name = schema_field_name(field)
            if field_name in seen:
                raise SchemaCompositionError(
                    f"{name}.{field_name} is defined by both {seen[field_name]!r} "
                    f"and {info.label!r}",
                    plugin=info.name,
                )
            seen[field_name] = info.label
    return strawberry.type(type(name, tuple(cls for cls, _ in entries), {}), name=name)


def schema_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Factories of the per-operation extensions (a fresh instance per request)."""
    rules = limit_rules(
        settings.max_depth,
        settings.max_aliases,
        settings.max_duplicate_fields,
        settings.max_operations,
    )
    # with introspection off, suggestions would give the schema away name by name
    hide_suggestions = not settings.field_suggestions or not settings.introspection
    return [
        OperationName,
        partial(ErrorCodes, settings.max_tokens, hide_suggestions),
        partial(LimitedParser, settings.max_tokens),
        Authentication,  # before validation: see its doc
        partial(
            LimitedValidation,
            rules,
            hide_suggestions=hide_suggestions,
            introspection=settings.introspection,
        ),
        SubscriptionsOverWebSocket,
        InputValues,
        partial(QueryCost, compiled_plan_answers),
        CompiledQueries,
    ]
