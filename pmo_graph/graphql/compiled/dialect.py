"""The SQL a compiled statement is written in: every construct the compiler emits that is not
plain standard SQL (JSON building, casts, the global id, placeholders) comes from a ``Dialect``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any


class Dialect:
    """PostgreSQL's forms of what the compiler writes."""

    #: The SQLAlchemy dialect name this is for.
    name = "postgresql"
    #: A placeholder in a statement; group 1 is its number (``placeholder``).
    placeholders = re.compile(r"\$(\d+)::\w+(?:\[\])?")

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

    def text(self, ref: str) -> str:
        """An enum column (stored by member name, the GraphQL enum value) as a JSON string."""
        return f"{ref}::text"

    def decimal_text(self, ref: str, scale: int | None) -> str:
        """A decimal column as a JSON string (Decimal scalars are decimal strings), with the
        ``scale`` digits the column keeps."""
        return f"{ref}::text"

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

    def json_list(self, items: Sequence[str]) -> str:
        """A JSON array of these JSON values, in this order (at most 100)."""
        return f"json_build_array({', '.join(items)})"

    def first_in_order(self, element: str, order: str) -> str:
        """The aggregate of the rows' first ``element`` in ``order`` (null for no rows)."""
        return f"(array_agg({element} ORDER BY {order}))[1]"

    def timestamp_text(self, ref: str, aware: bool) -> str:
        """A timestamp as the DateTime scalar prints it: ``datetime.isoformat()``, in UTC for a
        zone-aware column (``+00:00``), with microseconds only when there are any."""
        utc = f"({ref} AT TIME ZONE 'UTC')" if aware else ref
        offset = " || '+00:00'" if aware else ""
        return (
            f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({utc}, 'US') = "
            f"'000000' THEN '' ELSE '.' || to_char({utc}, 'US') END{offset})"
        )

    def json_text(self, ref: str) -> str:
        """The compact JSON text of a column's value (``null`` for null), as orjson writes a
        string, a number or a date."""
        return f"coalesce(to_json({ref})::text, 'null')"

    def base64url(self, text: str) -> str:
        """URL-safe base64 of the UTF-8 of ``text``, padded (``base64.urlsafe_b64encode``)."""
        return (
            f"translate(replace(encode(convert_to({text}, 'UTF8'), 'base64'), E'\\n', ''), "
            "'+/', '-_')"
        )

    def statement(self, json_sql: str) -> str:
        """The statement whose one value is ``json_sql`` as JSON text."""
        return f"SELECT {json_sql}::text"


POSTGRESQL = Dialect()
