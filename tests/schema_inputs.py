"""Documents generated from the built schema: every argument of every field, and every scalar
leaf inside it, with a value of the test's choosing at that leaf and plain values elsewhere.

The documents only have to validate: a refusal of an input value comes before anything runs,
so the other values need not name anything real.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)
from graphql.pyutils import Undefined

#: A plain value of each scalar, used wherever the test does not put its own.
PLAIN: dict[str, Any] = {
    "String": "x",
    "ID": "UHJvamVjdDox",
    "Int": 1,
    "Float": 0.5,
    "Boolean": True,
    "Date": "2026-01-15",
    "DateTime": "2026-01-15T00:00:00+00:00",
    "Decimal": "1.00",
    "JSON": {},
}

Path = tuple[str, ...]


@dataclass(frozen=True)
class Leaf:
    """A scalar inside an argument: the field it is an argument of, the argument's path to it
    (``("input", "milestones", "0", "name")``) and the scalar's name."""

    site: Site
    path: Path
    scalar: str

    @property
    def argument(self) -> str:
        """The dotted path the server names in ``extensions.argument``."""
        return ".".join(self.path)

    def document(self, value: Any, node: str = PLAIN["ID"]) -> tuple[str, dict[str, Any]]:
        """A document that sends ``value`` at this leaf, and its variables (``node``: the id
        of the object a field of a ``Node`` type is asked of)."""
        return self.site.document({self.path[0]: (self.path[1:], value)}, node)

    def __str__(self) -> str:
        return f"{self.site}({self.argument}: {self.scalar})"


@dataclass(frozen=True)
class Site:
    """A field that takes arguments, and where it is: a root field, or a field of a ``Node``
    type reached through ``node(id:)``."""

    operation: str  # "query" or "mutation"
    parent: str
    field: GraphQLField
    name: str

    def document(
        self, chosen: dict[str, tuple[Path, Any]], node: str = PLAIN["ID"]
    ) -> tuple[str, dict[str, Any]]:
        """The field with every required argument, and those in ``chosen`` (argument name →
        path inside it and the value there), as variables; a field of a ``Node`` type is asked
        of the object ``node``."""
        variables: dict[str, Any] = {}
        declared, passed = [], []
        for index, (name, argument) in enumerate(self.field.args.items()):
            if name in chosen:
                path, value = chosen[name]
                variables[f"a{index}"] = replaced(argument.type, None, path, value)
            elif isinstance(argument.type, GraphQLNonNull):
                variables[f"a{index}"] = plain(argument.type)
            else:
                continue
            declared.append(f"$a{index}: {argument.type}")
            passed.append(f"{name}: $a{index}")
        selection = f"{self.name}{'(' + ', '.join(passed) + ')' if passed else ''}"
        selection += _leaf_selection(self.field.type)
        if self.parent not in ("Query", "Mutation"):
            declared.append("$node: ID!")
            variables["node"] = node
            selection = f"node(id: $node) {{ ... on {self.parent} {{ {selection} }} }}"
        head = f"{self.operation}({', '.join(declared)})" if declared else self.operation
        return f"{head} {{ {selection} }}", variables

    def __str__(self) -> str:
        return f"{self.parent}.{self.name}"


def _leaf_selection(output: Any) -> str:
    named = get_named_type(output)
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
        return " { __typename }"
    return ""


def plain(kind: GraphQLInputType) -> Any:
    """A value of ``kind`` with every required field filled with a plain value."""
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if isinstance(kind, GraphQLList):
        return [plain(kind.of_type)]
    if isinstance(kind, GraphQLInputObjectType):
        return {
            name: plain(field.type)
            for name, field in kind.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        }
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    assert isinstance(kind, GraphQLScalarType)
    return PLAIN[kind.name]


def replaced(kind: GraphQLInputType, base: Any, path: Path, value: Any) -> Any:
    """``base``, a value of ``kind`` (a plain one where it has nothing), with ``value`` at
    ``path`` (a list's first item as ``"0"``)."""
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if not path:
        return value
    if isinstance(kind, GraphQLList):
        items = list(base) if isinstance(base, list) and base else [plain(kind.of_type)]
        items[0] = replaced(kind.of_type, items[0], path[1:], value)
        return items
    assert isinstance(kind, GraphQLInputObjectType)
    found = dict(base) if isinstance(base, dict) else plain(kind)
    found[path[0]] = replaced(kind.fields[path[0]].type, found.get(path[0]), path[1:], value)
    return found


def leaves_of(kind: GraphQLInputType, scalars: set[str]) -> list[tuple[Path, str]]:
    """The paths to every leaf of one of ``scalars`` in values of ``kind``."""
    return [(path, name) for path, name in _leaves(kind, (), frozenset()) if name in scalars]


def _leaves(kind: GraphQLInputType, path: Path, seen: frozenset[str]) -> Iterator[tuple[Path, str]]:
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if isinstance(kind, GraphQLList):
        yield from _leaves(kind.of_type, (*path, "0"), seen)
    elif isinstance(kind, GraphQLInputObjectType):
        if kind.name in seen:
            return  # a recursive input type: its fields were reached once already
        for name, field in kind.fields.items():
            yield from _leaves(field.type, (*path, name), seen | {kind.name})
    elif isinstance(kind, GraphQLScalarType):
        yield path, kind.name


def sites(schema: GraphQLSchema) -> list[Site]:
    """Every field with arguments of the queries and mutations: the root fields, and the
    fields of ``Node`` types. A field with arguments anywhere else fails (reach it here)."""
    found: list[Site] = []
    unreachable: list[str] = []
    roots = {"Query": "query", "Mutation": "mutation"}
    for name, kind in sorted(schema.type_map.items()):
        if name.startswith("__") or not isinstance(kind, GraphQLObjectType):
            continue
        is_node = any(interface.name == "Node" for interface in kind.interfaces)
        for field_name, field in kind.fields.items():
            if not field.args:
                continue
            if name in roots:
                found.append(Site(roots[name], name, field, field_name))
            elif is_node:
                found.append(Site("query", name, field, field_name))
            elif name != "Subscription":
                unreachable.append(f"{name}.{field_name}")
    assert not unreachable, f"fields with arguments these documents cannot reach: {unreachable}"
    return found


def leaves(schema: GraphQLSchema, scalars: set[str]) -> list[Leaf]:
    """Every leaf of one of ``scalars`` in every argument of every site."""
    return [
        Leaf(site, (name, *path), scalar)
        for site in sites(schema)
        for name, argument in site.field.args.items()
        for path, scalar in _argument_leaves(argument)
        if scalar in scalars
    ]


def _argument_leaves(argument: GraphQLArgument) -> Iterator[tuple[Path, str]]:
    return _leaves(argument.type, (), frozenset())
