"""Whether a spec's template means the same on SQLite as on PostgreSQL, as written.

Spec templates were written for PostgreSQL. Most are plain SQL (``{row}.id = {parent}.owner_id``,
``{row}.released_at IS NULL``, a ``CASE`` of comparisons) and read the same on SQLite. Some are
not: ``a - b`` of two dates is a number of days on PostgreSQL and a meaningless number on SQLite
(dates are text there), ``::numeric`` is no SQLite syntax. Which is which cannot be told without
the columns' types, so a template is taken as portable only when it is made of the small part of
SQL whose meaning does not depend on the database: names, placeholders, comparisons, ``AND``,
``OR``, ``NOT``, ``IS NULL``, ``CASE``, ``*``, integer and string literals, a few functions and
subqueries. Anything else (``+``, ``-``, ``/``, ``||``, casts, other functions, ``LIKE``) needs
the spec's SQLite form, or the operation falls back to the resolvers on SQLite.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<placeholder>\{(?:row|parent|org|today|user|value)\})
    | (?P<string>'[^']*')
    | (?P<quoted>"[A-Za-z_][A-Za-z0-9_]*")
    | (?P<number>\d+(?:\.\d+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<operator><>|!=|<=|>=|=|<|>|\*|\.|,|\(|\))
    )""",
    re.VERBOSE,
)

#: Keywords that mean the same on both databases.
_KEYWORDS = frozenset(
    {
        "and",
        "or",
        "not",
        "is",
        "null",
        "true",
        "false",
        "case",
        "when",
        "then",
        "else",
        "end",
        "select",
        "from",
        "where",
        "as",
        "order",
        "by",
        "limit",
        "asc",
        "desc",
        "nulls",
        "first",
        "last",
        "exists",
        "in",
        "between",
        "distinct",
        "join",
        "on",
        "inner",
        "left",
    }
)
#: Functions that mean the same on both databases (on the types the schema's columns have).
_FUNCTIONS = frozenset({"coalesce", "nullif", "abs", "lower", "upper", "count", "min", "max"})
#: Names that are PostgreSQL syntax, not columns: ``x AT TIME ZONE 'UTC'``, ``interval '1 day'``.
_NOT_PORTABLE = frozenset({"at", "zone", "interval", "ilike", "like", "similar", "array", "any"})


def portable(template: str) -> bool:
    """Whether ``template`` reads the same on SQLite as on PostgreSQL (see the module's doc)."""
    position, after_name = 0, False
    end = len(template.rstrip())
    while position < end:
        token = _TOKEN.match(template, position)
        if token is None:
            return False  # an operator or a character outside the portable part
        kind = token.lastgroup
        position = token.end()
        if kind == "string" and after_name:
            return False  # a typed literal: date '2026-01-01', interval '1 day'
        after_name = False
        if kind == "name":
            word = token.group("name").lower()
            if word in _NOT_PORTABLE:
                return False
            if word not in _KEYWORDS:
                if template[position:].lstrip().startswith("(") and word not in _FUNCTIONS:
                    return False  # a function the databases may not share
                after_name = True
    return True
