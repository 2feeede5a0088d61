"""The compiled price: what the one statement of a compiled plan can make the database do.

An operation answered by a compiled plan (``pmo_graph.graphql.compiled``) runs no resolver: one
statement reads rows and builds the answer's JSON. Its price counts what that statement reads,
walking the operation the way the compiler does, with its collector (``compiled.selections``:
fields merged by response key, fragments that apply to the object's type, ``@skip``/``@include``
by their values):

- every row the answer can hold costs ``ROW`` (1): an item of a connection's page, bounded by
  ``first`` (or ``last``, else the default page size; at most the largest page), an item of a
  plain list, bounded by ``LIST_ESTIMATE`` as the resolvers' price plans it, the row of a
  related object (``manager``) or of ``node(id:)``;
- every page costs ``PAGE_RUN`` (1) more each time its subquery runs (it sorts and limits), once
  per row of its parent, so a product of ``first`` counts every row it multiplies to; so do
  ``pageInfo`` (its subquery looks one row past the page) and ``totalCount`` (its ``count(*)``
  subquery), each ``PAGE_RUN`` each time it runs. The rows a count reads are not in the answer
  and the document does not bound them: they are not counted one by one;
- the page's rows are read once, however many keys show them: ``edges { node }`` and ``nodes``
  (or ``nodes`` under two aliases) together cost the page's rows once, and what each selects on
  a row, which the statement builds for each; an edge and its node are one row; scalars, ids,
  ``__typename`` and cursors cost nothing.

Where the resolvers' price (``pmo_graph.graphql.cost``) counts GraphQL objects, this counts
rows. The two agree on ``nodes``, lists and related objects; this is lower where an object is
not a row (an edge, a fragment on a type the id does not name, a page shown twice), and higher
only by ``totalCount``, which the resolvers' price counts 0. Rows are counted in full: a page of
500 under each of 500 rows is 250,000 rows, whichever path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values

from pmo_graph.graphql.compiled.selections import Selections, Unknown
from pmo_graph.graphql.cost import LIST_ESTIMATE, is_connection, is_list
from pmo_graph.ids import parse_global_id

#: What one row the answer can hold costs.
ROW = 1
#: What one run of a page's subquery costs, besides its rows (and ``pageInfo``, once more).
PAGE_RUN = 1
ObjectLike = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


@dataclass
class CompiledPrice:
    """Prices one operation that a compiled plan answers (see the module's doc)."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: VariableValues
    default_page_size: int
    max_page_size: int

    def operation(self, operation: OperationDefinitionNode) -> int:
        """The points of ``operation``'s statement."""
        root = self.schema.query_type
        if root is None:
            return 0
        return self._object(root, [operation.selection_set])

    def __post_init__(self) -> None:
        # Only an operation a plan answers is priced: the compiler has read all of it.
        self._selections = Selections(self.schema, self.fragments, self.variables, Unknown.SKIP)

    def _collect(
        self, parent: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode | None]
    ) -> dict[str, list[FieldNode]]:
        """The fields selected on an object of ``parent``, by response key, as the compiler
        collects them."""
        return self._selections.collect(parent, selection_sets)

    # --- rows and pages -----------------------------------------------------------------------

    def _object(
        self, parent: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode | None]
    ) -> int:
        """What the fields selected on one row of ``parent`` read, besides the row itself."""
        total = 0
        for nodes in self._collect(parent, selection_sets).values():
            total += self._field(parent, nodes)
        return total

    def _field(self, parent: GraphQLObjectType, nodes: list[FieldNode]) -> int:
        name = nodes[0].name.value
        definition = parent.fields.get(name)
        if name.startswith("__") or definition is None:
            return 0
        named = get_named_type(definition.type)
        if not isinstance(named, ObjectLike):
            return 0  # a column or a value computed on the row
        arguments = self._arguments(parent, nodes[0])
        selections = [node.selection_set for node in nodes]
        if isinstance(named, GraphQLObjectType) and is_connection(named):
            return PAGE_RUN + self._connection(named, nodes, arguments)
        if is_list(definition.type):
            ids = arguments.get("ids")
            if isinstance(ids, list):  # nodes(ids:): one row per id, of its own type
                return sum(ROW + self._row_of(named, selections, ident) for ident in ids)
            return LIST_ESTIMATE * (ROW + self._row_of(named, selections))
        return ROW + self._row_of(named, selections, arguments.get("id"))

    def _row_of(
        self,
        named: ObjectLike,
        selections: list[SelectionSetNode | None],
        ident: object = None,
    ) -> int:
        """What one row of ``named`` reads: of its own type when ``ident`` is a global id (the
        type the compiler reads it as), else the most any of its possible types reads."""
        if isinstance(named, GraphQLObjectType):
            return self._object(named, selections)
        parsed = parse_global_id(ident) if isinstance(ident, str) else None
        target = self.schema.get_type(parsed[0]) if parsed is not None else None
        if isinstance(target, GraphQLObjectType):
            return self._object(target, selections)
        kinds = self.schema.get_possible_types(named)
        return max((self._object(kind, selections) for kind in kinds), default=0)

    def _connection(
        self, connection: GraphQLObjectType, nodes: list[FieldNode], arguments: dict[str, object]
    ) -> int:
        first, last = arguments.get("first"), arguments.get("last")
        size = first if isinstance(first, int) else last if isinstance(last, int) else None
        size = min(self.default_page_size if size is None else max(size, 0), self.max_page_size)
        edge_type = get_named_type(connection.fields["edges"].type)
        nodes_field = connection.fields.get("nodes")
        item_type = get_named_type(nodes_field.type) if nodes_field is not None else None
        total = 0
        items = False  # whether any key shows the page's rows, which the statement reads once
        for children in self._collect(connection, [n.selection_set for n in nodes]).values():
            field_name = children[0].name.value
            below = [child.selection_set for child in children]
            if field_name == "nodes" and isinstance(item_type, ObjectLike):
                items = True
                total += size * self._row_of(item_type, below)
            elif field_name == "edges" and isinstance(edge_type, GraphQLObjectType):
                items = True
                total += size * self._edge(edge_type, below)
            elif field_name in ("pageInfo", "totalCount"):
                total += PAGE_RUN  # a subquery of its own: the look-ahead, the count(*)
            elif not field_name.startswith("__"):
                total += self._field(connection, children)
        return total + (size * ROW if items else 0)

    def _edge(self, edge_type: GraphQLObjectType, selections: list[SelectionSetNode | None]) -> int:
        """One edge: its node is the page's row (counted by the caller), so only what the node
        selects counts; the cursor is computed from the row."""
        total = 0
        for children in self._collect(edge_type, selections).values():
            if children[0].name.value == "node":
                node_type = get_named_type(edge_type.fields["node"].type)
                if isinstance(node_type, ObjectLike):
                    total += self._row_of(node_type, [c.selection_set for c in children])
            else:
                total += self._field(edge_type, children)
        return total

    def _arguments(self, parent: GraphQLObjectType, node: FieldNode) -> dict[str, object]:
        try:
            return get_argument_values(parent.fields[node.name.value], node, self.variables)
        except Exception:  # a compiled plan has coerced them; price them as defaults if not
            return {}
