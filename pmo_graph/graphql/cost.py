"""Query cost: what a document may make the server do, computed before any resolver runs.

In the manner of GitHub's and Shopify's APIs, every field has a cost and a list multiplies what
is under it by how many items it may hold:

- a scalar or an enum costs 0, and so does anything of introspection (``__schema``, ``__type``,
  ``__typename``: introspection has its own depth limit);
- an object costs 1 plus what is selected on it;
- a connection costs 1 plus ``first`` (or ``last``, else the default page size; at most the
  largest page, which is all the resolvers will serve) times what is selected on one item
  (``edges``/``nodes``); ``totalCount`` and ``pageInfo`` count once;
- ``nodes(ids:)`` multiplies by the number of ids;
- a plain list of objects (``Project.risks``) multiplies by ``LIST_ESTIMATE``, the size such a
  list is planned for;
- a mutation costs ``MUTATION_COST`` plus what its payload selects;
- a field that computes (``work_cost``) adds what its computation costs at worst, a number
  of points or a function of its arguments.

Fragments are costed once per type they are spread on, so a document that spreads the same
fragment many times is costed in time linear in its size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values

from pmo_graph.ids import parse_global_id

#: The size a list without paging arguments is costed at.
LIST_ESTIMATE = 10
#: What a mutation field costs, besides what its payload selects.
MUTATION_COST = 10

ParentType = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType

#: The key, in a strawberry field's ``metadata``, of what its computation costs.
WORK_COST = "pmo_graph.work_cost"
#: Points, or points from the field's arguments (by their GraphQL names, coerced).
WorkCost = int | Callable[[Mapping[str, Any]], int]


def work_cost(cost: WorkCost) -> dict[str, WorkCost]:
    """Field metadata that charges a field's computation: ``strawberry.field(...,
    metadata=work_cost(points))``, or a function of the field's arguments (by their GraphQL
    names, coerced: dates are ``date``). Charge the worst case the field's bounds allow, in
    points of about 0.07 ms of the server's CPU each (docs/security.md#query-cost), so the
    per-token budget throttles what a client can make the server compute."""
    return {WORK_COST: cost}


def field_work(definition: GraphQLField, arguments: Mapping[str, Any]) -> int:
    """What ``work_cost`` charges for one resolution of ``definition`` (0 for most fields)."""
    strawberry_field = (definition.extensions or {}).get("strawberry-definition")
    cost = getattr(strawberry_field, "metadata", None) or {}
    charge = cost.get(WORK_COST, 0)
    return charge(arguments) if callable(charge) else int(charge)


@dataclass
class CostCalculator:
    """Computes the cost of one operation of a validated document."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: VariableValues
    default_page_size: int
    #: A larger page is refused by the resolvers; it costs what the largest page would.
    max_page_size: int | None = None
    _fragment_costs: dict[tuple[str, str], int] = field(default_factory=dict)

    def operation(self, operation: OperationDefinitionNode) -> int:
        """The cost of ``operation``."""
        root = {
            "query": self.schema.query_type,
            "mutation": self.schema.mutation_type,
            "subscription": self.schema.subscription_type,
        }[operation.operation.value]
        if root is None:
            return 0
        per_field = MUTATION_COST if operation.operation.value == "mutation" else 0
        return self._selection(root, operation.selection_set, extra=per_field)

    def _selection(
        self, parent: ParentType, selection_set: SelectionSetNode | None, extra: int = 0
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(parent, selection) + extra
            elif isinstance(selection, InlineFragmentNode):
                target = self._condition(parent, selection.type_condition)
                total += self._selection(target, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(parent, selection.name.value)
        return total

    def _condition(self, parent: ParentType, condition: object) -> ParentType:
        name = getattr(getattr(condition, "name", None), "value", None)
        target = self.schema.get_type(name) if name else None
        if isinstance(target, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            return target
        return parent

    def _fragment(self, parent: ParentType, name: str) -> int:
        key = (name, parent.name)
        if key not in self._fragment_costs:
            fragment = self.fragments.get(name)
            if fragment is None:
                return 0  # validation reports unknown fragments
            self._fragment_costs[key] = 0  # a cycle (validation refuses them) costs nothing
            target = self._condition(parent, fragment.type_condition)
            self._fragment_costs[key] = self._selection(target, fragment.selection_set)
        return self._fragment_costs[key]

    def _field(self, parent: ParentType, node: FieldNode) -> int:
        name = node.name.value
        if name.startswith("__") or isinstance(parent, GraphQLUnionType):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            return 0
        arguments = self._arguments(definition, node)
        work = field_work(definition, arguments)
        if is_connection(named) and isinstance(named, GraphQLObjectType):
            return 1 + work + self._connection(named, node, arguments)
        inner = 1 + self._selection(named, node.selection_set)
        if is_list(definition.type):
            ids = arguments.get("ids")
            size = len(ids) if isinstance(ids, list) else LIST_ESTIMATE
            return work + size * inner
        return work + inner

    def _connection(
        self, connection: GraphQLObjectType, node: FieldNode, arguments: dict[str, object]
    ) -> int:
        first, last = arguments.get("first"), arguments.get("last")
        size = first if isinstance(first, int) else last if isinstance(last, int) else None
        size = self.default_page_size if size is None else max(size, 0)
        if self.max_page_size is not None:
            size = min(size, self.max_page_size)
        total = 0
        for child in self._children(connection, node.selection_set):
            child_name = child.name.value
            definition = connection.fields.get(child_name)
            if definition is None or child_name.startswith("__"):
                continue
            item = get_named_type(definition.type)
            if child_name in ("edges", "nodes") and isinstance(item, GraphQLObjectType):
                total += size * (1 + self._selection(item, child.selection_set))
            else:
                total += self._field(connection, child)
        return total

    def _children(
        self, parent: GraphQLObjectType, selection_set: SelectionSetNode | None
    ) -> list[FieldNode]:
        """The fields selected on ``parent``, through fragments (for connections)."""
        found: list[FieldNode] = []
        if selection_set is None:
            return found
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                found.extend(self._children(parent, selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    found.extend(self._children(parent, fragment.selection_set))
        return found

    def _arguments(self, definition: GraphQLField, node: FieldNode) -> dict[str, object]:
        try:
            return get_argument_values(definition, node, self.variables)
        except Exception:  # bad arguments are reported by execution; cost them as defaults
            return {}


def cost_variables_key(variables: Mapping[str, Any]) -> Hashable:
    """Coerced ``variables`` reduced to what a document's cost can depend on.

    The cost reads ``first``, ``last`` (integers), the ids of ``ids`` (a list) and the dates a
    computing field is charged by (``work_cost``), and the compiled price the type a global id
    names (``node(id:)`` reads a row of that type), so two requests of one operation whose
    integers, dates, lists and ids' types agree cost the same, whatever their keys and strings.
    Every integer and date is kept (a variable may feed ``first`` in one place and something
    else in another); a global id is kept by its type, a list by how many of each kind it holds,
    anything else by its kind only.
    """
    return tuple(
        sorted(
            (name, value if value is None or isinstance(value, int | date) else _kind(value))
            for name, value in variables.items()
        )
    )


def _kind(value: object) -> Hashable:
    if isinstance(value, list):
        return ("list", tuple(sorted(Counter(_kind(item) for item in value).items())))
    if isinstance(value, str):
        parsed = parse_global_id(value)
        return ("str",) if parsed is None else ("id", parsed[0])
    return (type(value).__name__,)


def is_list(kind: GraphQLOutputType) -> bool:
    """Whether a field of type ``kind`` answers a list."""
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return isinstance(kind, GraphQLList)


def is_connection(named: object) -> bool:
    """Whether ``named`` is a Relay connection type (``...Connection`` with ``edges``)."""
    return (
        isinstance(named, GraphQLObjectType)
        and named.name.endswith("Connection")
        and "edges" in named.fields
    )
