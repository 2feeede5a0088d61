"""Turns a validated query into one SQL statement that builds the response's ``data``.

The compiler walks the operation's selections with the schema's types. Every selected field
must be readable in SQL: a column of its type's table, ``id`` or ``__typename``, or a field
with a spec (``pmo_graph.graphql.compiled.specs``). Selections are collected and merged as the
GraphQL spec's ``CollectFields`` says (fragments, ``@include``/``@skip``, the same response key
twice is one field). Connections page with ``first``/``after`` or ``last``/``before``, with
cursors, and filter by their specs' conditions. Anything else (an argument it does not know, a
field of a tier that is off, a malformed id) raises ``NotCompiled``, and the operation runs
through the resolvers, which give the same data or the coded error the request deserves; so
does a request whose cursor or filter value the resolvers would refuse (``Compiled.arguments``).

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
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values
from sqlalchemy import Boolean, Date, DateTime, Enum, Float, Integer, Numeric, String, Text
from sqlalchemy import inspect as sa_inspect

from pmo_graph.db.base import Base
from pmo_graph.graphql.compiled.cursors import (
    CURSOR_TYPES,
    CursorPart,
    Keyset,
    after_sql,
    cursor_sql,
    keyset_of,
    order_sql,
)
from pmo_graph.graphql.compiled.dialect import POSTGRESQL, Dialect
from pmo_graph.graphql.compiled.selections import NotCompiled as NotCompiled
from pmo_graph.graphql.compiled.selections import Selections, Unknown
from pmo_graph.graphql.compiled.specs import (
    SqlCondition,
    SqlObject,
    SqlRelation,
    SqlValue,
    field_spec,
)
from pmo_graph.graphql.tiers import field_tier
from pmo_graph.ids import key_number, parse_global_id

DEFINITION = "strawberry-definition"
#: json_build_object takes at most 100 arguments (SQLite's json_object 127 by default): 50
#: keys and values.
MAX_KEYS = 50


@dataclass
class Scope:
    """What a request may read: its organisation, tiers, day and page limits."""

    organisation_id: int
    user_id: int
    enabled_tiers: frozenset[str]
    type_tiers: dict[str, str]
    today: date
    default_page_size: int
    max_page_size: int


#: Where a parameter's value comes from when a compiled statement is run again for another
#: request: the viewer's organisation or user, today, a variable (a page size), a field's
#: argument (``_argument_value``: an id's key, a cursor's value, a filter's), or a value
#: written in the document.
ORGANISATION = ("organisation",)
USER = ("user",)
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
        """The parameters' values for a request with ``scope`` and ``variables``;
        ``NotCompiled`` when a value is one the resolvers refuse (a malformed cursor or id in
        a filter), so that they answer with its coded error."""
        arguments: dict[int, dict[str, Any]] = {}  # each field's, coerced once per request
        return [
            self.dialect.argument(_value_of(param.source, scope, variables, arguments))
            for param in self.params
        ]


def _value_of(
    source: tuple[Any, ...],
    scope: Scope,
    variables: VariableValues,
    arguments: dict[int, dict[str, Any]],
) -> Any:
    kind = source[0]
    if kind == "organisation":
        return scope.organisation_id
    if kind == "user":
        return scope.user_id
    if kind == "argument":
        return _argument_value(source, variables, arguments)
    if kind == "today":
        return scope.today
    if kind == "variable":
        value = variables.coerced.get(source[1])
        return source[2] if value is None else value
    return source[1]  # ("constant", value)


def _argument_value(
    source: tuple[Any, ...], variables: VariableValues, arguments: dict[int, dict[str, Any]]
) -> Any:
    """``("argument", definition, node, path, convert)``: the field's argument at ``path``
    (an argument, then fields of an input object or indexes of a list), through ``convert``."""
    _, definition, node, path, convert = source
    if id(node) not in arguments:
        try:
            arguments[id(node)] = get_argument_values(definition, node, variables)
        except Exception as error:
            raise NotCompiled("arguments") from error
    value: Any = arguments[id(node)]
    for step in path:
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            value = None
    if convert is None:
        return value
    try:
        return convert(value)
    except ValueError as error:
        raise NotCompiled(str(error)) from error


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
    impl = getattr(kind, "impl", kind)  # a TypeDecorator (UTCDateTime) stores as its impl
    if isinstance(impl, DateTime):
        return _written(dialect.timestamp_text(ref, impl.timezone), "a timestamp")
    # JSON prints differently in SQL than in Python: not compiled.
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
        self.variables = variables
        self.selections = Selections(schema, fragments, variables, Unknown.RAISE)
        self.scope = scope
        self.params: list[Param] = []
        self._aliases = 0
        #: On a dialect that hoists rows (``Dialect.hoists_rows``): the table of each row alias
        #: and the JSON bodies built of its rows, read through a CTE (``_row_json``).
        self._hoisted: dict[str, tuple[str, list[str]]] = {}
        self._tenant_columns: dict[str, str] = {}

    # --- helpers -------------------------------------------------------------------------------

    def _alias(self) -> str:
        self._aliases += 1
        return f"t{self._aliases}"

    def _param(
        self, value: Any, source: tuple[Any, ...] | None = None, sql_type: str | None = None
    ) -> str:
        """A placeholder for ``value``: from ``source`` when the plan runs again, else the same
        value (written in the document, or a setting)."""
        param = Param(source or ("constant", value), sql_type or self.dialect.sql_type(value))
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

    def _fill(self, template: str, row: str, parent: str, value: str = "") -> str:
        today = self._param(self.scope.today, TODAY)
        user = self._param(self.scope.user_id, USER)
        return template.format(
            row=row, parent=parent, today=today, org=self._org(), user=user, value=value
        )

    def _form(self, spec: SqlValue | SqlRelation, part: str) -> str | None:
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
        """The fields selected on an object of ``parent_type``: ``CollectFields`` (fragments
        flattened, ``@skip``/``@include`` applied), each response key once with the
        sub-selections of all its occurrences (``MergeSelectionSets``; validation has made sure
        they can merge)."""
        if selection_set is None:
            raise NotCompiled("an object without a selection")
        found = self.selections.collect(parent_type, [selection_set])
        if len(found) > MAX_KEYS:
            raise NotCompiled("too many fields for one object")
        return [_merged(nodes) for nodes in found.values()]

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
        if model is None or _tenant_column(model) not in sa_inspect(model).columns:
            raise NotCompiled(f"{graphql_type.name} is not a tenant table")
        if read_permission(graphql_type) is not None:
            raise NotCompiled(f"{graphql_type.name} is read by some roles only")
        self._tenant_columns[model.__tablename__] = _tenant_column(model)
        return model, model.__tablename__

    def _scoped(self, row: str, table: str, joined: bool = False) -> str:
        """``row``'s organisation condition; ``joined``: beside a join to its parent, which
        finds the rows (the dialect may keep the planner from reading them by organisation)."""
        return self.dialect.scope(row, self._tenant_columns[table], self._org(), joined)

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
        if isinstance(spec, SqlObject):
            return self.dialect.nested(self.bare_object_sql(definition, node, arguments))
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
        conditions = self._conditions(spec, row, parent, table)
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

    def _conditions(self, spec: SqlRelation, row: str, parent: str, table: str) -> str:
        parts = [self._scoped(row, table, joined=spec.join is not None)]
        for part in ("join", "where"):
            template = self._form(spec, part)
            if template is not None:
                parts.append(self._fill(template, row, parent))
        return " AND ".join(f"({part})" for part in parts)

    # --- connections ---------------------------------------------------------------------------

    def connection_sql(
        self,
        definition: GraphQLField,
        node: FieldNode,
        spec: SqlRelation,
        arguments: dict[str, Any],
        parent: str,
    ) -> str:
        """A connection page: nodes, edges with cursors, totalCount and pageInfo, paged with
        ``first``/``after`` or ``last``/``before`` and filtered as the resolvers page
        (``pagination.paginate``)."""
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
        model, table = self._table(target)
        row = self._alias()
        paging = self._paging(definition, node, arguments, model, spec)
        filters = self._filters(definition, node, spec, arguments)

        def conditions(alias: str) -> str:
            """The list's rows (every page): scoped, joined, filtered."""
            parts = [self._conditions(spec, alias, parent, table)]
            parts += [f"({condition.format(row=alias)})" for condition in filters]
            return " AND ".join(parts)

        def after(alias: str) -> str:
            """The rows of this page and beyond, in the direction of travel."""
            if paging.cursor is None or paging.keyset is None:
                return conditions(alias)
            past = after_sql(paging.keyset, alias, paging.cursor, paging.backwards)
            return f"{conditions(alias)} AND {past}"

        page_of = _Page(table, row, self._page_order(spec, paging, row, False), paging, after)
        children = self._fields(connection_type, node.selection_set)
        pairs: list[tuple[str, str]] = []
        for child in children:
            key = (child.alias or child.name).value
            part = self._connection_part(
                child, connection_type, edge_type, target, page_of, conditions
            )
            pairs.append((key, part))
        if not any(self._needs_rows(connection_type, child) for child in children):
            # No items selected: one row of counts, not one row per item of the page.
            return f"(SELECT {self.dialect.json_object(pairs)})"
        page = self.dialect.ordered_page(
            f"(SELECT * FROM {self._from(table, row)} AS {row} WHERE {after(row)} "
            f"ORDER BY {self._page_order(spec, paging, row, paging.backwards)} "
            f"LIMIT {paging.limit})",
            row,
            page_of.order,
            paging.backwards,
        )
        return f"(SELECT {self.dialect.json_object(pairs)} FROM {page} AS {row})"

    def _page_order(self, spec: SqlRelation, paging: _Paging, row: str, reverse: bool) -> str:
        if paging.keyset is None:
            return self._order(spec, row)
        return order_sql(paging.keyset, row, reverse)

    def _paging(
        self,
        definition: GraphQLField,
        node: FieldNode,
        arguments: dict[str, Any],
        model: type[Base],
        spec: SqlRelation,
    ) -> _Paging:
        """The page the arguments ask for, as ``pagination.page_args`` reads them."""
        first, after, last, before = (
            arguments.get(name) for name in ("first", "after", "last", "before")
        )
        if first is not None and last is not None:
            raise NotCompiled("first and last")  # the resolvers refuse it
        backwards = last is not None or before is not None
        if backwards and (after is not None or first is not None):
            raise NotCompiled("forwards and backwards")
        argument = "last" if backwards else "first"
        given = last if backwards else first
        limit = self.scope.default_page_size if given is None else given
        if not 0 <= limit <= self.scope.max_page_size:
            raise NotCompiled("a page size out of bounds")  # the resolvers say why
        variable = self._variable(node, argument)
        source = None if variable is None else ("variable", variable, self.scope.default_page_size)
        keyset = keyset_of(spec.order_by or "{row}.id")
        cursor_argument = "before" if backwards else "after"
        cursor = None
        if (before if backwards else after) is not None:
            cursor = self._cursor(definition, node, model, keyset, cursor_argument)
        return _Paging(self._param(limit, source), backwards, cursor, keyset)

    def _cursor(
        self,
        definition: GraphQLField,
        node: FieldNode,
        model: type[Base],
        keyset: Keyset | None,
        argument: str,
    ) -> list[str]:
        """Placeholders of a cursor argument's values, decoded per request."""
        if keyset is None:
            raise NotCompiled("a cursor of an ordering that is not plain columns")
        columns = sa_inspect(model).columns
        values = []
        for index, name in enumerate(keyset.columns):
            column = next((c for c in columns if c.name == name), None)
            python_type = None if column is None else column.type.python_type
            sql_type = CURSOR_TYPES.get(python_type) if python_type is not None else None
            if python_type is None or sql_type is None:
                raise NotCompiled(f"a cursor on {model.__name__}.{name}")
            part = CursorPart(len(keyset.columns), index, python_type, argument)
            source = ("argument", definition, node, (argument,), part)
            values.append(self._param(None, source, sql_type))
        return values

    def _filters(
        self,
        definition: GraphQLField,
        node: FieldNode,
        spec: SqlRelation,
        arguments: dict[str, Any],
    ) -> list[str]:
        """The conditions of the filtering arguments given, over ``{row}``; any argument given
        that the spec has no condition for goes to the resolvers."""
        by_path = {condition.path: condition for condition in spec.conditions}
        found: list[str] = []
        for name, value in arguments.items():
            if name in _PAGING or value is None:
                continue
            given = (
                [((name, key),) for key, item in value.items() if item is not None]
                if isinstance(value, dict)
                else [((name,),)]
            )
            for (path,) in given:
                condition = by_path.get(path)
                if condition is None:
                    raise NotCompiled(f"argument {'.'.join(path)}")
                found.append(self._condition_sql(definition, node, condition))
        return found

    def _condition_sql(
        self, definition: GraphQLField, node: FieldNode, condition: SqlCondition
    ) -> str:
        """A filter's condition with its value as a parameter, ``{row}`` left to fill."""
        source = ("argument", definition, node, condition.path, condition.value)
        value = self._param(None, source, condition.sql_type)
        template = self.dialect.form(condition.template, condition.sqlite)
        if template is None:
            raise NotCompiled(
                f"the condition {condition.template!r} has no {self.dialect.name} form"
            )
        filled = self._fill(template, "\0", "", value)
        return filled.replace("{", "{{").replace("}", "}}").replace("\0", "{row}")

    def _needs_rows(self, connection_type: GraphQLObjectType, child: FieldNode) -> bool:
        """Whether a connection field reads the page's rows (items or their cursors)."""
        name = child.name.value
        if name in ("nodes", "edges"):
            return True
        if name != "pageInfo":
            return False
        info_type = get_named_type(connection_type.fields["pageInfo"].type)
        assert isinstance(info_type, GraphQLObjectType)
        return any(
            field.name.value in ("startCursor", "endCursor")
            for field in self._fields(info_type, child.selection_set)
        )

    def _connection_part(
        self,
        child: FieldNode,
        connection_type: GraphQLObjectType,
        edge_type: GraphQLObjectType,
        target: GraphQLObjectType,
        page: _Page,
        listed: Callable[[str], str],
    ) -> str:
        name = child.name.value
        row, order, table = page.row, page.order, page.table
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
                elif edge_field.name.value == "cursor":
                    pairs.append((key, self._row_cursor(page)))
                else:
                    raise NotCompiled(f"edge field {edge_field.name.value}")
            return self.dialect.json_array(self.dialect.json_object(pairs), order)
        counted = self._alias()
        if name == "totalCount":
            return f"(SELECT count(*) FROM {table} AS {counted} WHERE {listed(counted)})"
        if name == "pageInfo":
            return self._page_info(child, connection_type, page, counted)
        raise NotCompiled(f"connection field {name}")

    def _keyset(self, page: _Page) -> Keyset:
        if page.paging.keyset is None:
            raise NotCompiled("cursors of an ordering that is not plain columns")
        return page.paging.keyset

    def _row_cursor(self, page: _Page) -> str:
        return _written(cursor_sql(self._keyset(page), page.row, self.dialect), "a cursor")

    def _page_info(
        self, child: FieldNode, connection_type: GraphQLObjectType, page: _Page, counted: str
    ) -> str:
        """``pageInfo`` as ``pagination._build_connection`` answers it."""
        info_type = get_named_type(connection_type.fields["pageInfo"].type)
        assert isinstance(info_type, GraphQLObjectType)
        paging, limit = page.paging, page.paging.limit
        more = self.dialect.json_boolean(
            f"(SELECT count(*) > {limit} FROM (SELECT 1 FROM {page.table} AS "
            f"{counted} WHERE {page.after(counted)} LIMIT {limit} + 1) AS more)"
        )
        cursor_given = self.dialect.json_boolean(self.dialect.boolean(paging.cursor is not None))
        pairs = []
        for info_field in self._fields(info_type, child.selection_set):
            key = (info_field.alias or info_field.name).value
            info_name = info_field.name.value
            if info_name == "hasNextPage":
                value = cursor_given if paging.backwards else more
            elif info_name == "hasPreviousPage":
                value = more if paging.backwards else cursor_given
            elif info_name in ("startCursor", "endCursor"):
                keyset = self._keyset(page)
                reverse = info_name == "endCursor"
                cursor = _written(cursor_sql(keyset, page.row, self.dialect), "a cursor")
                value = _written(
                    self.dialect.first_in_order(
                        cursor, order_sql(keyset, page.row, reverse), reverse
                    ),
                    "a page's first cursor",
                )
            elif info_name == "__typename":
                value = _literal(info_type.name)
            else:
                raise NotCompiled(f"pageInfo field {info_name}")
            pairs.append((key, value))
        return self.dialect.json_object(pairs)

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
        if name == "nodes":
            return self.dialect.nested(self.nodes_sql(query_type, node))
        definition = query_type.fields.get(name)
        if definition is None:
            raise NotCompiled(name)
        self._check_tier(definition)
        spec = field_spec(definition.extensions.get(DEFINITION))
        arguments = self._arguments(definition, node)
        if isinstance(spec, SqlObject):
            return self.bare_object_sql(definition, node, arguments)
        if not isinstance(spec, SqlRelation):
            raise NotCompiled(f"Query.{name} has no SQL")
        return self.dialect.nested(self.relation_sql(definition, node, spec, arguments, ""))

    def bare_object_sql(
        self, definition: GraphQLField, node: FieldNode, arguments: dict[str, Any]
    ) -> str:
        """An object with no row (``viewer``): its fields, each read by its spec."""
        target = get_named_type(definition.type)
        if _given(arguments) or not isinstance(target, GraphQLObjectType):
            raise NotCompiled(f"{definition} of no row")
        return self.object_sql(target, node, "")

    def node_sql(self, query_type: GraphQLObjectType, node: FieldNode) -> str:
        """``node(id:)``: the row the global id names, as its concrete type."""
        definition = query_type.fields["node"]
        arguments = self._arguments(definition, node)
        source = ("argument", definition, node, ("id",), _key_of)
        return self._node_by_id(node, arguments.get("id"), source)

    def nodes_sql(self, query_type: GraphQLObjectType, node: FieldNode) -> str:
        """``nodes(ids:)``: each id's row as its concrete type, in order, null where none."""
        definition = query_type.fields["nodes"]
        ids = self._arguments(definition, node).get("ids")
        if not isinstance(ids, list) or len(ids) > min(MAX_KEYS * 2, self.scope.max_page_size):
            raise NotCompiled("ids")  # the resolvers refuse more than a page
        items = [
            self._node_by_id(node, value, ("argument", definition, node, ("ids", index), _key_of))
            for index, value in enumerate(ids)
        ]
        listed = self.dialect.json_list([self.dialect.nested(item) for item in items])
        return _written(listed, "a list of nodes")

    def _node_by_id(self, node: FieldNode, value: Any, source: tuple[Any, ...]) -> str:
        """The row a global id names, as its concrete type, or null; the id's key a parameter
        (a plan is kept by the type of its ids, ``plans.plan_key``)."""
        parsed = parse_global_id(str(value or ""))
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
        placeholder = self._param(pk, source, "bigint")
        return (
            f"(SELECT {body} FROM {self._from(table, row)} AS {row} "
            f"WHERE {self._scoped(row, table)} AND {row}.id = {placeholder})"
        )


#: The arguments of a connection that page it; any other is a filter.
_PAGING = frozenset({"first", "after", "last", "before"})


def _key_of(value: Any) -> int:
    """The table key of a global id (a plan is kept by its type: ``plans.plan_key``)."""
    parsed = parse_global_id(str(value or ""))
    key = None if parsed is None else key_number(parsed[1])
    if key is None:
        raise ValueError("a malformed id")
    return key


@dataclass(frozen=True)
class _Paging:
    """A connection's page: its limit's placeholder, its direction, the cursor's placeholders
    (None: from the start) and the keyset it is ordered by (None: not plain columns)."""

    limit: str
    backwards: bool
    cursor: list[str] | None
    keyset: Keyset | None


@dataclass(frozen=True)
class _Page:
    """One connection's page: its table, row alias, order, paging, and its rows from the
    cursor on by alias."""

    table: str
    row: str
    order: str
    paging: _Paging
    after: Callable[[str], str]


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


def _merged(nodes: list[FieldNode]) -> FieldNode:
    """One field of the occurrences of a response key: the first, with every occurrence's
    sub-selections."""
    first = nodes[0]
    if len(nodes) == 1 or first.selection_set is None:
        return first
    selections = tuple(
        selection
        for node in nodes
        if node.selection_set is not None
        for selection in node.selection_set.selections
    )
    return FieldNode(
        alias=first.alias,
        name=first.name,
        arguments=first.arguments,
        directives=(),
        selection_set=SelectionSetNode(selections=selections),
        loc=first.loc,
    )


def _literal(text: str) -> str:
    """A SQL string literal of a GraphQL name (letters, digits, ``_`` and the ``:`` we add)."""
    if not all(c.isalnum() or c in "_:" for c in text):
        raise NotCompiled(f"name {text!r}")
    return f"'{text}'"


def _written(sql: str | None, what: str) -> str:
    """A dialect's form of ``what``; ``NotCompiled`` when it has none."""
    if sql is None:
        raise NotCompiled(f"{what} has no form in this database yet")
    return sql


def _tenant_column(model: type[Base]) -> str:
    """The column that holds a row's organisation: ``organisation_id``, or the model's
    ``__tenant_column__`` (the organisation's own key on ``organisations``)."""
    return str(getattr(model, "__tenant_column__", "organisation_id"))


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
