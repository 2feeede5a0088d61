"""Turns a validated query into one SQL statement that builds the response's ``data``.

The compiler walks the operation's selections with the schema's types. Every selected field
must be readable in SQL: a column of its type's table, ``id`` or ``__typename``, or a field
with a spec (``pmo_graph.graphql.compiled.specs``); connections may be paged with ``first``
only. Anything else (an argument it does not know, a cursor, a directive, a field of a tier
that is off, a malformed id) raises ``NotCompiled``, and the operation runs through the
resolvers, which give the same data or the coded error the request deserves.

Every table read is scoped to the viewer's organisation, as the resolvers' loaders are. The SQL
that differs between databases (JSON building, casts, placeholders) comes from a ``Dialect``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values
from sqlalchemy import Boolean, Date, Enum, Float, Integer, Numeric, String, Text
from sqlalchemy import inspect as sa_inspect

from pmo_graph.db.base import Base
from pmo_graph.graphql.compiled.dialect import POSTGRESQL, Dialect
from pmo_graph.graphql.compiled.specs import SqlRelation, SqlSpec, SqlValue, field_spec
from pmo_graph.graphql.tiers import field_tier
from pmo_graph.ids import key_number, parse_global_id

DEFINITION = "strawberry-definition"
#: json_build_object takes at most 100 arguments (SQLite's json_object 127 by default): 50
#: keys and values.
MAX_KEYS = 50


class NotCompiled(Exception):
    """The operation selects something the compiled path does not read; use the resolvers."""


@dataclass
class Scope:
    """What a request may read: its organisation, tiers, day and page limits."""

    organisation_id: int
    enabled_tiers: frozenset[str]
    type_tiers: dict[str, str]
    today: date
    default_page_size: int
    max_page_size: int


#: Where a parameter's value comes from when a compiled statement is run again for another
#: request: the viewer's organisation, today, a variable (its value, or the key of the global
#: id it holds), or a value written in the document.
ORGANISATION = ("organisation",)
TODAY = ("today",)


@dataclass(frozen=True)
class Param:
    """One positional parameter: how to find its value, and its SQL type."""

    source: tuple[Any, ...]
    sql_type: str


@dataclass
class Compiled:
    """The statement (numbered positional parameters) and where each parameter comes from."""

    sql: str
    params: tuple[Param, ...] = ()
    dialect: Dialect = POSTGRESQL

    def arguments(self, scope: Scope, variables: VariableValues) -> list[Any]:
        """The parameters' values for a request with ``scope`` and ``variables``."""
        return [
            self.dialect.argument(_value_of(param.source, scope, variables))
            for param in self.params
        ]


def _value_of(source: tuple[Any, ...], scope: Scope, variables: VariableValues) -> Any:
    kind = source[0]
    if kind == "organisation":
        return scope.organisation_id
    if kind == "today":
        return scope.today
    if kind == "variable":
        value = variables.coerced.get(source[1])
        return source[2] if value is None else value
    if kind == "key of variable":
        parsed = parse_global_id(str(variables.coerced.get(source[1], "")))
        key = None if parsed is None else key_number(parsed[1])
        assert key is not None  # a plan is kept by the shape of its ids (``plans.plan_key``)
        return key
    return source[1]  # ("constant", value)


def model_of(graphql_type: GraphQLObjectType) -> type[Base] | None:
    """The table model behind a GraphQL object type (``ModelNode.__model__``), if any."""
    definition = graphql_type.extensions.get(DEFINITION)
    origin = getattr(definition, "origin", None)
    model = getattr(origin, "__model__", None)
    return model if isinstance(model, type) and issubclass(model, Base) else None


def read_permission(graphql_type: GraphQLObjectType) -> str | None:
    """The action a viewer must be allowed to read this type (``ModelNode.__read_permission__``);
    the resolvers check it, so such types are never compiled."""
    definition = graphql_type.extensions.get(DEFINITION)
    return getattr(getattr(definition, "origin", None), "__read_permission__", None)


def _column_sql(model: type[Base], attribute: str, row: str, dialect: Dialect) -> str:
    """The JSON-ready SQL of a column, as the GraphQL scalar would serialise its value."""
    mapper = sa_inspect(model)
    if attribute not in mapper.columns:
        raise NotCompiled(f"{model.__name__}.{attribute} is not a column")
    column = mapper.columns[attribute]
    ref = f'{row}."{column.name}"'
    kind = column.type
    if isinstance(kind, Enum):
        return dialect.text(ref)
    if isinstance(kind, Numeric) and not isinstance(kind, Float) and kind.asdecimal:
        return dialect.decimal_text(ref, kind.scale)
    if isinstance(kind, String | Text | Integer | Boolean | Date | Float | Numeric):
        return ref
    # Timestamps and JSON print differently in SQL than in Python: not compiled.
    raise NotCompiled(f"{model.__name__}.{attribute} has type {kind}")


class Compiler:
    """Compiles one operation; a fresh instance per request."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        scope: Scope,
        dialect: Dialect = POSTGRESQL,
    ) -> None:
        self.schema = schema
        self.dialect = dialect
        self.fragments = fragments
        self.variables = variables
        self.scope = scope
        self.params: list[Param] = []
        self._aliases = 0
        #: On a dialect that hoists rows (``Dialect.hoists_rows``): the table of each row alias
        #: and the JSON bodies built of its rows, read through a CTE (``_row_json``).
        self._hoisted: dict[str, tuple[str, list[str]]] = {}

    # --- helpers -------------------------------------------------------------------------------

    def _alias(self) -> str:
        self._aliases += 1
        return f"t{self._aliases}"

    def _param(self, value: Any, source: tuple[Any, ...] | None = None) -> str:
        """A placeholder for ``value``: from ``source`` when the plan runs again, else the same
        value (written in the document, or a setting)."""
        param = Param(source or ("constant", value), self.dialect.sql_type(value))
        if param not in self.params:
            self.params.append(param)
        return self.dialect.placeholder(self.params.index(param) + 1, param.sql_type)

    def _row_json(self, table: str, row: str, body: str) -> str:
        """``body``, the JSON of the row ``row`` of ``table``, where its FROM reads it: itself,
        or on a dialect that hoists rows a column of the CTE that ``_from`` names (text: an
        aggregate or object that takes it wraps it in ``Dialect.nested``)."""
        if not self.dialect.hoists_rows:
            return body
        bodies = self._hoisted.setdefault(row, (table, []))[1]
        bodies.append(body)
        return f"{row}.pmo_j{len(bodies)}"

    def _from(self, table: str, row: str) -> str:
        """What the FROM of row ``row`` reads: ``table``, or the CTE of its hoisted JSON."""
        return f"pmo_{row}" if row in self._hoisted else table

    def _fill(self, template: str, row: str, parent: str) -> str:
        today = self._param(self.scope.today, TODAY)
        return template.format(row=row, parent=parent, today=today, org=self._org())

    def _form(self, spec: SqlSpec, part: str) -> str | None:
        """The spec's template ``part`` (``template``, ``join``, ``order_by``, ``where``) in the
        form this database reads; ``NotCompiled`` when the spec has none for it."""
        template: str | None = getattr(spec, part)
        if template is None:
            return None
        form = self.dialect.form(template, spec.sqlite_form(part))
        if form is None:
            raise NotCompiled(f"the spec {template!r} has no {self.dialect.name} form")
        return form

    def _scalar(self, definition: GraphQLField, sql: str) -> str:
        """A scalar's SQL as its GraphQL type prints in JSON (booleans and floats differ)."""
        kind = get_named_type(definition.type).name
        if kind == "Boolean":
            return self.dialect.json_boolean(sql)
        if kind == "Float":
            return self.dialect.json_float(sql)
        return sql

    def _org(self) -> str:
        return self._param(self.scope.organisation_id, ORGANISATION)

    def _variable(self, node: FieldNode, argument: str) -> str | None:
        """The variable argument ``argument`` of ``node`` is given by, if it is one."""
        for given in node.arguments or ():
            if given.name.value == argument and isinstance(given.value, VariableNode):
                return given.value.name.value
        return None

    def _fields(
        self, parent_type: GraphQLObjectType, selection_set: SelectionSetNode | None
    ) -> list[FieldNode]:
        """The fields selected on an object of ``parent_type``, fragments flattened."""
        if selection_set is None:
            raise NotCompiled("an object without a selection")
        found: list[FieldNode] = []
        self._collect(parent_type, selection_set, found, set())
        keys = [(f.alias or f.name).value for f in found]
        if len(set(keys)) != len(keys):
            raise NotCompiled("a response key selected twice")  # merging is left to graphql-core
        if len(found) > MAX_KEYS:
            raise NotCompiled("too many fields for one object")
        return found

    def _collect(
        self,
        parent_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        found: list[FieldNode],
        spread: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise NotCompiled("directives")
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(parent_type, selection.type_condition):
                    self._collect(parent_type, selection.selection_set, found, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in spread:
                    raise NotCompiled("fragment")
                if self._applies(parent_type, fragment.type_condition):
                    self._collect(parent_type, fragment.selection_set, found, spread | {name})

    def _applies(self, parent_type: GraphQLObjectType, condition: Any) -> bool:
        if condition is None:
            return True
        name = condition.name.value
        if name == parent_type.name:
            return True
        return any(interface.name == name for interface in parent_type.interfaces)

    def _arguments(self, definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        try:
            return get_argument_values(definition, node, self.variables)
        except Exception as error:  # the resolvers report bad arguments properly
            raise NotCompiled("arguments") from error

    def _check_tier(self, definition: GraphQLField) -> None:
        tier = field_tier(definition.extensions.get(DEFINITION))
        if tier is not None and tier not in self.scope.enabled_tiers:
            raise NotCompiled(f"tier {tier} is off")

    def _check_type_tier(self, graphql_type: GraphQLObjectType) -> None:
        tier = self.scope.type_tiers.get(graphql_type.name)
        if tier is not None and tier not in self.scope.enabled_tiers:
            raise NotCompiled(f"tier {tier} is off")

    def _table(self, graphql_type: GraphQLObjectType) -> tuple[type[Base], str]:
        model = model_of(graphql_type)
        if model is None or "organisation_id" not in sa_inspect(model).columns:
            raise NotCompiled(f"{graphql_type.name} is not a tenant table")
        if read_permission(graphql_type) is not None:
            raise NotCompiled(f"{graphql_type.name} is read by some roles only")
        return model, model.__tablename__

    def _scoped(self, row: str, joined: bool = False) -> str:
        """``row``'s organisation condition; ``joined``: beside a join to its parent, which
        finds the rows (the dialect may keep the planner from reading them by organisation)."""
        return self.dialect.scope(row, self._org(), joined)

    # --- objects -------------------------------------------------------------------------------

    def object_sql(self, graphql_type: GraphQLObjectType, node: FieldNode, row: str) -> str:
        """The JSON object of the fields selected on the row ``row``."""
        model = model_of(graphql_type)
        pairs: list[tuple[str, str]] = []
        for child in self._fields(graphql_type, node.selection_set):
            key = (child.alias or child.name).value
            pairs.append((key, self.field_sql(graphql_type, model, child, row)))
        return self.dialect.json_object(pairs)

    def field_sql(
        self,
        parent_type: GraphQLObjectType,
        model: type[Base] | None,
        node: FieldNode,
        row: str,
    ) -> str:
        """The SQL of one selected field of the object on row ``row``."""
        name = node.name.value
        if name == "__typename":
            return _literal(parent_type.name)
        definition = parent_type.fields.get(name)
        if definition is None:
            raise NotCompiled(f"{parent_type.name}.{name}")
        self._check_tier(definition)
        strawberry_field = definition.extensions.get(DEFINITION)
        spec = field_spec(strawberry_field)
        arguments = self._arguments(definition, node)
        if isinstance(spec, SqlRelation):
            return self.dialect.nested(self.relation_sql(definition, node, spec, arguments, row))
        if _given(arguments):
            raise NotCompiled(f"{parent_type.name}.{name} with arguments")
        if isinstance(spec, SqlValue):
            template = self._form(spec, "template")
            assert template is not None
            return self._scalar(definition, f"({self._fill(template, row, row)})")
        if model is None:
            raise NotCompiled(f"{parent_type.name} has no table")
        if name == "id" and get_named_type(definition.type).name == "ID":
            return self.dialect.global_id(_literal(parent_type.name + ":"), f"{row}.id")
        if strawberry_field is None or getattr(strawberry_field, "base_resolver", None):
            raise NotCompiled(f"{parent_type.name}.{name} has a resolver and no SQL")
        column = _column_sql(model, strawberry_field.python_name, row, self.dialect)
        return self._scalar(definition, column)

    # --- relations -----------------------------------------------------------------------------

    def relation_sql(
        self,
        definition: GraphQLField,
        node: FieldNode,
        spec: SqlRelation,
        arguments: dict[str, Any],
        parent: str,
    ) -> str:
        """A related row, list of rows or connection, as a scalar subquery of JSON."""
        if spec.shape == "connection":
            return self.connection_sql(definition, node, spec, arguments, parent)
        if _given(arguments):
            raise NotCompiled("a relation with arguments")
        target = get_named_type(definition.type)
        if not isinstance(target, GraphQLObjectType):
            raise NotCompiled("a relation to an abstract type")
        self._check_type_tier(target)
        _, table = self._table(target)
        row = self._alias()
        conditions = self._conditions(spec, row, parent)
        body = self._row_json(table, row, self.object_sql(target, node, row))
        source = self._from(table, row)
        if spec.shape == "one":
            first = "" if spec.order_by is None else f" ORDER BY {self._order(spec, row)} LIMIT 1"
            return f"(SELECT {body} FROM {source} AS {row} WHERE {conditions}{first})"
        order = self._order(spec, row)
        if not _is_list(definition):
            raise NotCompiled("a list spec on a field that is not a list")
        return self.dialect.rows_array(self.dialect.nested(body), source, row, conditions, order)

    def _order(self, spec: SqlRelation, row: str) -> str:
        return (self._form(spec, "order_by") or "{row}.id").format(row=row)

    def _conditions(self, spec: SqlRelation, row: str, parent: str) -> str:
        parts = [self._scoped(row, joined=spec.join is not None)]
        for part in ("join", "where"):
            template = self._form(spec, part)
            if template is not None:
                parts.append(self._fill(template, row, parent))
        return " AND ".join(f"({part})" for part in parts)

    def connection_sql(
        self,
        definition: GraphQLField,
        node: FieldNode,
        spec: SqlRelation,
        arguments: dict[str, Any],
        parent: str,
    ) -> str:
        """A connection paged with ``first``: nodes, edges' nodes, totalCount and pageInfo."""
        if any(arguments.get(name) is not None for name in arguments if name != "first"):
            raise NotCompiled("a connection with cursors or filters")
        first = arguments.get("first")
        limit = self.scope.default_page_size if first is None else first
        if not 0 <= limit <= self.scope.max_page_size:
            raise NotCompiled("a page size out of bounds")  # the resolvers say why
        variable = self._variable(node, "first")
        source = None if variable is None else ("variable", variable, self.scope.default_page_size)
        connection_type = get_named_type(definition.type)
        if not isinstance(connection_type, GraphQLObjectType):
            raise NotCompiled("a connection of an abstract type")
        edge_type = get_named_type(connection_type.fields["edges"].type)
        if not isinstance(edge_type, GraphQLObjectType):
            raise NotCompiled("edges")
        target = get_named_type(edge_type.fields["node"].type)
        if not isinstance(target, GraphQLObjectType):
            raise NotCompiled("a connection of an abstract type")
        self._check_type_tier(target)
        _, table = self._table(target)
        row = self._alias()
        order = self._order(spec, row)
        conditions = self._conditions(spec, row, parent)
        page_of = _Page(
            table,
            row,
            order,
            self._param(limit, source),
            lambda alias: self._conditions(spec, alias, parent),
        )
        pairs: list[tuple[str, str]] = []
        children = self._fields(connection_type, node.selection_set)
        for child in children:
            key = (child.alias or child.name).value
            part = self._connection_part(child, connection_type, edge_type, target, page_of)
            pairs.append((key, part))
        if not any(child.name.value in ("nodes", "edges") for child in children):
            # No items selected: one row of counts, not one row per item of the page.
            return f"(SELECT {self.dialect.json_object(pairs)})"
        page = (
            f"(SELECT * FROM {self._from(table, row)} AS {row} WHERE {conditions} "
            f"ORDER BY {order} LIMIT {page_of.limit})"
        )
        return f"(SELECT {self.dialect.json_object(pairs)} FROM {page} AS {row})"

    def _connection_part(
        self,
        child: FieldNode,
        connection_type: GraphQLObjectType,
        edge_type: GraphQLObjectType,
        target: GraphQLObjectType,
        page: _Page,
    ) -> str:
        name = child.name.value
        row, order, table, limit_param = page.row, page.order, page.table, page.limit
        if name == "__typename":
            return _literal(connection_type.name)
        if name == "nodes":
            body = self._row_json(table, row, self.object_sql(target, child, row))
            return self.dialect.json_array(self.dialect.nested(body), order)
        if name == "edges":
            pairs = []
            for edge_field in self._fields(edge_type, child.selection_set):
                key = (edge_field.alias or edge_field.name).value
                if edge_field.name.value == "node":
                    body = self.object_sql(target, edge_field, row)
                    pairs.append((key, self.dialect.nested(self._row_json(table, row, body))))
                elif edge_field.name.value == "__typename":
                    pairs.append((key, _literal(edge_type.name)))
                else:
                    raise NotCompiled("cursors")
            return self.dialect.json_array(self.dialect.json_object(pairs), order)
        counted = self._alias()
        scope = page.conditions(counted)
        if name == "totalCount":
            return f"(SELECT count(*) FROM {table} AS {counted} WHERE {scope})"
        if name == "pageInfo":
            info_type = get_named_type(connection_type.fields["pageInfo"].type)
            assert isinstance(info_type, GraphQLObjectType)
            pairs = []
            for info_field in self._fields(info_type, child.selection_set):
                key = (info_field.alias or info_field.name).value
                info_name = info_field.name.value
                if info_name == "hasNextPage":
                    value = self.dialect.json_boolean(
                        f"(SELECT count(*) > {limit_param} FROM (SELECT 1 FROM {table} AS "
                        f"{counted} WHERE {scope} LIMIT {limit_param} + 1) AS more)"
                    )
                elif info_name == "hasPreviousPage":
                    # the first page, no cursor
                    value = self.dialect.json_boolean(self.dialect.boolean(False))
                elif info_name == "__typename":
                    value = _literal(info_type.name)
                else:
                    raise NotCompiled("cursors")
                pairs.append((key, value))
            return self.dialect.json_object(pairs)
        raise NotCompiled(f"connection field {name}")

    # --- the root ------------------------------------------------------------------------------

    def operation_sql(self, operation: OperationDefinitionNode) -> Compiled:
        """The statement answering a query operation's ``data`` as one JSON value."""
        query_type = self.schema.query_type
        if operation.operation.value != "query" or query_type is None:
            raise NotCompiled("not a query")
        pairs = []
        for node in self._fields(query_type, operation.selection_set):
            key = (node.alias or node.name).value
            pairs.append((key, self.root_field_sql(query_type, node)))
        # A row's alias is made before those of the rows related to it: theirs come first.
        by_depth = sorted(self._hoisted.items(), key=lambda item: -int(item[0][1:]))
        hoisted = [
            (self._from(table, row), self.dialect.row_source(table, row, bodies))
            for row, (table, bodies) in by_depth
        ]
        statement = self.dialect.statement(self.dialect.json_object(pairs), hoisted)
        return _numbered(statement, self.params, self.dialect)

    def root_field_sql(self, query_type: GraphQLObjectType, node: FieldNode) -> str:
        name = node.name.value
        if name == "__typename":
            return _literal(query_type.name)
        if name == "node":
            return self.dialect.nested(self.node_sql(query_type, node))
        definition = query_type.fields.get(name)
        if definition is None:
            raise NotCompiled(name)
        self._check_tier(definition)
        spec = field_spec(definition.extensions.get(DEFINITION))
        if not isinstance(spec, SqlRelation):
            raise NotCompiled(f"Query.{name} has no SQL")
        arguments = self._arguments(definition, node)
        return self.dialect.nested(self.relation_sql(definition, node, spec, arguments, ""))

    def node_sql(self, query_type: GraphQLObjectType, node: FieldNode) -> str:
        """``node(id:)``: the row the global id names, as its concrete type."""
        arguments = self._arguments(query_type.fields["node"], node)
        parsed = parse_global_id(str(arguments.get("id", "")))
        if parsed is None:
            raise NotCompiled("a malformed id")
        type_name, key = parsed
        target = self.schema.get_type(type_name)
        if not isinstance(target, GraphQLObjectType) or model_of(target) is None:
            raise NotCompiled("an id of no table type")
        self._check_type_tier(target)
        pk = key_number(key)
        if pk is None:
            raise NotCompiled("an id without a number")
        _, table = self._table(target)
        row = self._alias()
        body = self._row_json(table, row, self.object_sql(target, node, row))
        variable = self._variable(node, "id")
        key = self._param(pk, None if variable is None else ("key of variable", variable))
        source = self._from(table, row)
        return (
            f"(SELECT {body} FROM {source} AS {row} WHERE {self._scoped(row)} AND {row}.id = {key})"
        )


@dataclass(frozen=True)
class _Page:
    """One connection's page: its table, row alias, order, limit and conditions by alias."""

    table: str
    row: str
    order: str
    limit: str
    conditions: Callable[[str], str]


def _numbered(sql: str, params: list[Param], dialect: Dialect) -> Compiled:
    """The statement with only the parameters it uses (a page's limit is made before it is
    known whether the page is selected), numbered from 1: PostgreSQL refuses unused ones."""
    used = sorted({int(number) for number in dialect.placeholders.findall(sql)})
    renumber = {old: new for new, old in enumerate(used, start=1)}

    def renumbered(match: re.Match[str]) -> str:
        old = int(match.group(1))
        return dialect.placeholder(renumber[old], params[old - 1].sql_type)

    sql = dialect.placeholders.sub(renumbered, sql)
    return Compiled(sql, tuple(params[old - 1] for old in used), dialect)


def _literal(text: str) -> str:
    """A SQL string literal of a GraphQL name (letters, digits, ``_`` and the ``:`` we add)."""
    if not all(c.isalnum() or c in "_:" for c in text):
        raise NotCompiled(f"name {text!r}")
    return f"'{text}'"


def _given(arguments: dict[str, Any]) -> bool:
    """Whether any argument has a value (an omitted optional argument reads as null)."""
    return any(value is not None for value in arguments.values())


def _is_list(definition: GraphQLField) -> bool:
    kind = definition.type
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return isinstance(kind, GraphQLList)


def compile_operation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Iterable[FragmentDefinitionNode],
    variables: VariableValues,
    scope: Scope,
    dialect: Dialect = POSTGRESQL,
) -> Compiled:
    """The one statement for ``operation`` in ``dialect``; ``NotCompiled`` when it must use the
    resolvers."""
    by_name = {fragment.name.value: fragment for fragment in fragments}
    return Compiler(schema, by_name, variables, scope, dialect).operation_sql(operation)
