"""The SQL a compiled statement is written in: every construct the compiler emits that is not
plain standard SQL (JSON building, casts, the global id, placeholders) comes from a ``Dialect``:
``POSTGRESQL`` or ``SQLITE``. SQLite's forms call the functions ``pmo_graph.db.sqlite_functions``
registers on each of its connections.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import Any

import orjson

from pmo_graph.graphql.compiled.portable import portable


class Dialect:
    """PostgreSQL's forms of what the compiler writes."""

    #: The SQLAlchemy dialect name this is for.
    name = "postgresql"
    #: A placeholder in a statement; group 1 is its number (``placeholder``).
    placeholders = re.compile(r"\$(\d+)::\w+(?:\[\])?")
    #: Whether the JSON of related rows is built in CTEs (``row_source``) rather than inside
    #: the subquery that reads them: SQLite's parser refuses deeper nesting than a few levels.
    hoists_rows = False

    _SQL_TYPES: dict[type, str] = {int: "bigint", date: "date", str: "text", bool: "boolean"}

    def sql_type(self, value: Any) -> str:
        """The SQL type a parameter holding ``value`` is cast to."""
        return self._SQL_TYPES[type(value)]

    def placeholder(self, number: int, sql_type: str) -> str:
        """The ``number``-th parameter (from 1), of ``sql_type``."""
        return f"${number}::{sql_type}"

    def argument(self, value: Any) -> Any:
        """A parameter's value as the driver takes it."""
        return value

    def json_object(self, pairs: Sequence[tuple[str, str]]) -> str:
        """A JSON object of ``(key, SQL value)`` pairs; keys are GraphQL names."""
        return "json_build_object(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"

    def json_array(self, element: str, order: str) -> str:
        """The JSON array aggregate of ``element`` over the rows in ``order``; ``[]`` for none."""
        return f"coalesce(json_agg({element} ORDER BY {order}), '[]'::json)"

    def rows_array(self, element: str, table: str, row: str, conditions: str, order: str) -> str:
        """A scalar subquery: the JSON array of ``element`` over ``table AS row`` rows meeting
        ``conditions``, in ``order``."""
        return (
            f"(SELECT {self.json_array(element, order)} FROM {table} AS {row} WHERE {conditions})"
        )

    def nested(self, json_sql: str) -> str:
        """A JSON value made by a subquery, as a value inside a JSON object or array."""
        return json_sql

    def scope(self, row: str, column: str, organisation: str, joined: bool) -> str:
        """The condition keeping ``row`` to the viewer's ``organisation`` by its tenant
        ``column``; ``joined`` when a join to the parent row finds the rows."""
        return f'{row}."{column}" = {organisation}'

    def text(self, ref: str) -> str:
        """An enum column (stored by member name, the GraphQL enum value) as a JSON string."""
        return f"{ref}::text"

    def decimal_text(self, ref: str, scale: int | None) -> str:
        """A decimal column as a JSON string (Decimal scalars are decimal strings), with the
        ``scale`` digits the column keeps."""
        return f"{ref}::text"

    def json_float(self, number: str) -> str:
        """A double as a JSON number, printed as the resolvers' response prints it."""
        return number

    def json_boolean(self, predicate: str) -> str:
        """A SQL boolean as a JSON ``true``/``false`` (or null)."""
        return predicate

    def boolean(self, value: bool) -> str:
        """A literal boolean."""
        return "true" if value else "false"

    def global_id(self, type_name: str, key: str) -> str:
        """strawberry's GlobalID of the row whose key is ``key``: base64 of ``TypeName:key``;
        ``type_name`` is a SQL literal of the type's name and the colon."""
        return (
            f"replace(encode(convert_to({type_name} || {key}::text, 'UTF8'), 'base64'), E'\\n', '')"
        )

    # The forms below answer None where a database has none yet: the compiler then leaves the
    # document to the resolvers.

    def json_list(self, items: Sequence[str]) -> str | None:
        """A JSON array of these JSON values, in this order (at most 100)."""
        return f"json_build_array({', '.join(items)})"

    def first_in_order(self, element: str, order: str, reverse: bool) -> str | None:
        """The aggregate of the page's first ``element`` in ``order`` (null for no rows):
        ``order`` is the page's own, or its reverse when ``reverse``."""
        return f"(array_agg({element} ORDER BY {order}))[1]"

    def timestamp_text(self, ref: str, aware: bool) -> str | None:
        """A timestamp as the DateTime scalar prints it: ``datetime.isoformat()``, in UTC for a
        zone-aware column (``+00:00``), with microseconds only when there are any."""
        utc = f"({ref} AT TIME ZONE 'UTC')" if aware else ref
        offset = " || '+00:00'" if aware else ""
        return (
            f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({utc}, 'US') = "
            f"'000000' THEN '' ELSE '.' || to_char({utc}, 'US') END{offset})"
        )

    def json_text(self, ref: str) -> str | None:
        """The compact JSON text of a column's value (``null`` for null), as orjson writes a
        string, a number or a date."""
        return f"coalesce(to_json({ref})::text, 'null')"

    def base64url(self, text: str) -> str | None:
        """URL-safe base64 of the UTF-8 of ``text``, padded (``base64.urlsafe_b64encode``)."""
        return (
            f"translate(replace(encode(convert_to({text}, 'UTF8'), 'base64'), E'\\n', ''), "
            "'+/', '-_')"
        )

    def ordered_page(self, page: str, row: str, order: str, backwards: bool) -> str:
        """A connection page's subquery ``page`` (rows ``row``, read in reverse when
        ``backwards``) as the aggregates over it read it: in ``order`` where they take the rows
        as they come."""
        return page

    def statement(self, json_sql: str, hoisted: Sequence[tuple[str, str]] = ()) -> str:
        """The statement whose one value is ``json_sql`` as JSON text, with the ``(name,
        query)`` CTEs that ``row_source`` made, each before those that read it."""
        assert not hoisted, "PostgreSQL builds related rows' JSON where it reads them"
        return f"SELECT {json_sql}::text"

    def row_source(self, table: str, row: str, bodies: Sequence[str]) -> str:
        """A CTE's query: every row of ``table`` (as ``row``), its columns and the JSON
        ``bodies`` built of it as ``pmo_j1``, ``pmo_j2`` … (``hoists_rows``)."""
        columns = "".join(f", {body} AS pmo_j{n}" for n, body in enumerate(bodies, start=1))
        return f"SELECT {row}.*{columns} FROM {table} AS {row}"

    def form(self, template: str, sqlite: str | None) -> str | None:
        """The form of a spec's template this database reads (``sqlite``: the spec's SQLite
        form, if it has one), or None when the spec has none for it."""
        return template


class SQLiteDialect(Dialect):
    """SQLite's forms (3.35 or later, for ``NOT MATERIALIZED``, with the JSON functions, built in
    since 3.38 and in Python's builds before).

    JSON built by a subquery reaches its parent as text, so it is wrapped in ``json()`` to stay
    an object; ``json_group_array`` takes no ORDER BY before 3.44, so it aggregates rows that a
    subquery gives in order (a backwards page is put back in order, ``ordered_page``); booleans
    are 0 and 1, dates ISO text already; a list parameter is JSON text (``json_each``).
    """

    name = "sqlite"
    placeholders = re.compile(r"\?(\d+)")
    hoists_rows = True

    def placeholder(self, number: int, sql_type: str) -> str:
        return f"?{number}"

    def argument(self, value: Any) -> Any:
        # SQLAlchemy stores a Date as its ISO text on SQLite; compare with the same. A list
        # goes as JSON text, which a condition's ``json_each`` reads.
        if isinstance(value, list):
            return orjson.dumps(value).decode()
        return value.isoformat() if isinstance(value, date) else value

    def json_object(self, pairs: Sequence[tuple[str, str]]) -> str:
        return "json_object(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"

    def json_array(self, element: str, order: str) -> str:
        # Over a connection's page, a subquery already in ``order`` (see the class's doc).
        return f"json_group_array({element})"

    def rows_array(self, element: str, table: str, row: str, conditions: str, order: str) -> str:
        return (
            f"(SELECT json_group_array({element}) FROM (SELECT * FROM {table} AS {row} "
            f"WHERE {conditions} ORDER BY {order}) AS {row})"
        )

    def nested(self, json_sql: str) -> str:
        return f"json({json_sql})"

    def scope(self, row: str, column: str, organisation: str, joined: bool) -> str:
        # Without ANALYZE's statistics SQLite's planner takes the organisation's index as soon
        # as the parent's (risks of one project: every risk of the organisation, per project).
        # A unary + keeps the column's indexes out of the plan; the join's index finds the rows.
        if joined:
            return f'+{row}."{column}" = {organisation}'
        return f'{row}."{column}" = {organisation}'

    def text(self, ref: str) -> str:
        return ref  # stored as the member's name already

    def decimal_text(self, ref: str, scale: int | None) -> str:
        # What SQLAlchemy reads back: the stored double printed with the column's scale
        # (10 places without one), as a Decimal.
        places = 10 if scale is None else scale
        return f"CASE WHEN {ref} IS NULL THEN NULL ELSE printf('%.{places}f', {ref}) END"

    def json_float(self, number: str) -> str:
        return f"json(pmo_json_float({number}))"

    def json_boolean(self, predicate: str) -> str:
        return f"json(CASE {predicate} WHEN 0 THEN 'false' WHEN 1 THEN 'true' END)"

    def boolean(self, value: bool) -> str:
        return "1" if value else "0"

    def global_id(self, type_name: str, key: str) -> str:
        return f"pmo_base64({type_name} || {key})"

    def statement(self, json_sql: str, hoisted: Sequence[tuple[str, str]] = ()) -> str:
        # NOT MATERIALIZED: each CTE is read once, by the subquery that scopes and orders its
        # rows, into which SQLite flattens it, so only the rows read are built.
        ctes = ", ".join(f"{name} AS NOT MATERIALIZED ({query})" for name, query in hoisted)
        return f"WITH {ctes} SELECT {json_sql}" if ctes else f"SELECT {json_sql}"

    def form(self, template: str, sqlite: str | None) -> str | None:
        if sqlite is not None:
            return sqlite
        return template if portable(template) else None

    # A list of nodes, a page's first and last cursor, timestamps, cursors: SQLite's JSON
    # functions where they do it, else ``pmo_graph.db.sqlite_functions``.

    def json_list(self, items: Sequence[str]) -> str | None:
        return f"json_array({', '.join(items)})"

    def first_in_order(self, element: str, order: str, reverse: bool) -> str | None:
        # No ORDER BY inside an aggregate before 3.44: the page's rows reach it in the page's
        # order (``ordered_page``), so the first in reverse is the array's last.
        return f"json_extract(json_group_array({element}), '$[{'#-1' if reverse else 0}]')"

    def timestamp_text(self, ref: str, aware: bool) -> str | None:
        return f"pmo_isoformat({ref}, {int(aware)})"

    def json_text(self, ref: str) -> str | None:
        return f"json_quote({ref})"

    def base64url(self, text: str) -> str | None:
        return f"pmo_base64url({text})"

    def ordered_page(self, page: str, row: str, order: str, backwards: bool) -> str:
        # A backwards page is read in reverse (the LIMIT keeps the rows next to the cursor);
        # the aggregates over it take rows as they come, so put them back in ``order``.
        if not backwards:
            return page
        return f"(SELECT * FROM {page} AS {row} ORDER BY {order})"


POSTGRESQL = Dialect()
SQLITE = SQLiteDialect()
#: The oldest SQLite whose SQL ``SQLITE`` writes (``NOT MATERIALIZED``); older ones take the
#: resolvers.
OLDEST_SQLITE = (3, 35)
_BY_NAME = {dialect.name: dialect for dialect in (POSTGRESQL, SQLITE)}


def dialect_for(name: str) -> Dialect | None:
    """The dialect of a SQLAlchemy dialect name (``engine.dialect.name``), if it has one here."""
    if name == SQLITE.name and sqlite3.sqlite_version_info < OLDEST_SQLITE:
        return None
    return _BY_NAME.get(name)
