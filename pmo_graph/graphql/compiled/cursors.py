"""Connection cursors in SQL, the same strings ``pagination.encode_cursor`` gives.

A cursor is URL-safe base64 of the compact JSON array of the row's ordering key
(``orjson.dumps``: no spaces, strings escaped as PostgreSQL's ``to_json`` escapes them). The
compiler reads the key's columns from a connection spec's ``order_by`` when it lists plain
columns in one direction (``Ordering.sql_template``), builds each row's cursor in SQL, and
decodes a given ``after``/``before`` per request (``CursorPart``), so a malformed cursor goes
to the resolvers and its coded error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from pmo_graph.errors import BadUserInput
from pmo_graph.graphql.compiled.dialect import Dialect
from pmo_graph.graphql.pagination import decode_cursor, from_json_key

_COLUMN = re.compile(r'\{row\}\."?(?P<name>\w+)"?(?P<desc>\s+DESC)?', re.IGNORECASE)

#: The SQL type of a cursor value by the column's Python type; other columns page on the
#: resolvers (a timestamp would need its own text).
CURSOR_TYPES: dict[type, str] = {str: "text", int: "bigint", date: "date"}


@dataclass(frozen=True)
class Keyset:
    """The columns a connection is ordered by, all in one direction."""

    columns: tuple[str, ...]
    descending: bool


def keyset_of(order_by: str) -> Keyset | None:
    """The keyset of an ``order_by`` template, or None when it is not plain columns in one
    direction."""
    parts = [part.strip() for part in order_by.split(",")]
    matches = [_COLUMN.fullmatch(part) for part in parts]
    if not matches or any(match is None for match in matches):
        return None
    directions = {bool(match.group("desc")) for match in matches if match is not None}
    if len(directions) != 1:
        return None
    names = tuple(match.group("name") for match in matches if match is not None)
    return Keyset(names, directions.pop())


def order_sql(keyset: Keyset, row: str, reverse: bool) -> str:
    """``ORDER BY`` of the keyset over ``row``, reversed for paging backwards."""
    direction = " DESC" if keyset.descending != reverse else ""
    return ", ".join(f'{row}."{name}"{direction}' for name in keyset.columns)


def cursor_sql(keyset: Keyset, row: str, dialect: Dialect) -> str | None:
    """The cursor of the row ``row``: ``encode_cursor`` of its ordering key, in SQL (None
    where the dialect has no form for it)."""
    values = [dialect.json_text(f'{row}."{name}"') for name in keyset.columns]
    if any(value is None for value in values):
        return None
    joined = " || ',' || ".join(str(value) for value in values)
    return dialect.base64url(f"'[' || {joined} || ']'")


def after_sql(keyset: Keyset, row: str, values: list[str], reverse: bool) -> str:
    """Rows past the cursor position ``values`` (placeholders) in the direction of travel."""
    columns = ", ".join(f'{row}."{name}"' for name in keyset.columns)
    operator = "<" if keyset.descending != reverse else ">"
    return f"({columns}) {operator} ({', '.join(values)})"


@dataclass(frozen=True)
class CursorPart:
    """One value of a cursor argument, decoded as the resolvers decode it; ``ValueError`` when
    they would refuse the cursor (``BAD_USER_INPUT``)."""

    width: int
    index: int
    python_type: type
    argument: str

    def __call__(self, cursor: Any) -> Any:
        try:
            values = decode_cursor(str(cursor), self.width, self.argument)
            return from_json_key(values[self.index], self.python_type)
        except (BadUserInput, TypeError, ValueError) as error:
            raise ValueError(f"`{self.argument}` is no cursor of this list") from error
