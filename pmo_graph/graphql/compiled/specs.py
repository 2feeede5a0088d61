"""How a field reads in SQL, for the compiled path: declared on the field as metadata.

A field whose value is a column of its type's table needs nothing: the compiler finds the
column by the field's name. A field computed in Python, or one that follows a relation, says
how to read it in SQL with one of the specs below, passed as ``metadata=sql(...)`` to
``strawberry.field`` (or ``tier_field``). Templates name rows by placeholders:

- ``{row}``: the row of the field's own result (a related row, for relations);
- ``{parent}``: the row of the object the field is on;
- ``{today}``: today's date, the same day the resolvers use;
- ``{org}``: the viewer's organisation (subqueries of a template must scope by it);
- ``{user}``: the viewer's user (the ``Viewer``'s fields);
- ``{value}``: in an ``SqlCondition``, the argument's value as a parameter.

A field without a spec and without a column is simply not compiled: an operation that selects
it runs through the resolvers, as every operation does when the compiled path is off.

Templates are PostgreSQL. On SQLite a template is read as written when it is plain SQL that
means the same on both (``portable``); one that is not (date arithmetic, casts, PostgreSQL's
functions) needs its SQLite form, given as ``sqlite=``; without one, an operation that selects
the field goes to the resolvers on SQLite (the server's log says why).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

#: The key of a field's ``metadata`` that holds its SQL spec.
SQL_METADATA_KEY = "pmo_graph.sql"


@dataclass(frozen=True)
class SqlValue:
    """A scalar computed from the row the field is on: ``template`` over ``{parent}``.

    The expression must give exactly what the resolver returns, as JSON: a number, a string (an
    enum's name), a boolean or null. ``sqlite`` is the same expression for SQLite, where the
    two databases' SQL differs.
    """

    template: str
    sqlite: str | None = None

    def sqlite_form(self, part: str) -> str | None:
        """The SQLite form of ``part`` (``template``), if the spec gives one."""
        return self.sqlite if part == "template" else None


@dataclass(frozen=True)
class SqlRelation:
    """Rows of the field's GraphQL type related to the row the field is on.

    ``join`` is the condition relating ``{row}`` (the related table) to ``{parent}``, or None
    for a root field. ``order_by`` is the order the resolver returns them in, ending with a
    unique column (``{row}.id`` when not given; a ``one`` joined by key needs none).
    ``shape`` is ``one`` (the first row in that order, or null), ``list`` or ``connection``
    (a Relay connection paged with ``first``/``after`` or ``last``/``before``; its cursors are
    read from ``order_by`` when that lists plain columns, as ``Ordering.sql_template`` does).
    """

    join: str | None
    order_by: str | None = None
    shape: str = "one"
    #: Further conditions the resolver applies (e.g. ``{row}.released_at IS NULL``).
    where: str | None = None
    #: SQLite forms of the parts whose SQL differs there: ``(("where", "..."),)``.
    sqlite: tuple[tuple[str, str], ...] = ()
    #: How the connection's filtering arguments read: one condition per argument (or field of
    #: an input argument) that the resolver applies when it is given.
    conditions: tuple[SqlCondition, ...] = ()

    def sqlite_form(self, part: str) -> str | None:
        """The SQLite form of ``part`` (``join``, ``order_by``, ``where``), if given."""
        return dict(self.sqlite).get(part)


@dataclass(frozen=True)
class SqlCondition:
    """A condition a connection's resolver applies when an argument is given (not null).

    ``path`` names the argument, then the field of an input object (``("filter", "stage")``).
    ``template`` is over ``{row}`` and ``{value}``: the argument's value, passed through
    ``value`` (which raises ``ValueError`` where the resolver refuses the value with a coded
    error; the resolvers then answer), as a parameter of ``sql_type``. ``sqlite`` is the same
    condition for SQLite, where the two databases' SQL differs (a list value reaches SQLite as
    JSON text: ``{row}.x IN (SELECT value FROM json_each({value}))``).
    """

    path: tuple[str, ...]
    template: str
    sql_type: str
    value: Callable[[Any], Any] | None = None
    sqlite: str | None = None


@dataclass(frozen=True)
class SqlObject:
    """An object with no row of its own (the ``Viewer``): its fields read by their own specs."""


SqlSpec = SqlValue | SqlRelation | SqlObject


def sql(spec: SqlSpec) -> dict[str, Any]:
    """The ``metadata`` of a field that the compiled path reads with ``spec``.

    Use as ``strawberry.field(metadata=sql(sql_one("{row}.id = {parent}.owner_id")))``.
    """
    return {SQL_METADATA_KEY: spec}


def sql_value(template: str, *, sqlite: str | None = None) -> dict[str, Any]:
    """Metadata of a scalar computed in SQL from ``{parent}`` (``sqlite``: its SQLite form,
    where it differs)."""
    return sql(SqlValue(template, sqlite))


def _forms(sqlite: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    forms = tuple(sorted((sqlite or {}).items()))
    unknown = {part for part, _ in forms} - {"join", "order_by", "where"}
    if unknown:
        raise ValueError(f"sqlite= forms name join, order_by or where, not {sorted(unknown)}")
    return forms


def sql_one(
    join: str,
    order_by: str | None = None,
    where: str | None = None,
    *,
    sqlite: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Metadata of a field that answers one related row (the first by ``order_by``) or null;
    ``sqlite`` maps a part (``join``, ``order_by``, ``where``) to its SQLite form."""
    return sql(SqlRelation(join, order_by, "one", where, _forms(sqlite)))


def sql_list(
    join: str,
    order_by: str = "{row}.id",
    where: str | None = None,
    *,
    sqlite: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Metadata of a field that answers a list of related rows in ``order_by`` order."""
    return sql(SqlRelation(join, order_by, "list", where, _forms(sqlite)))


def sql_connection(
    join: str | None,
    order_by: str,
    where: str | None = None,
    conditions: tuple[SqlCondition, ...] = (),
    *,
    sqlite: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Metadata of a connection field paged in ``order_by`` order, filtered by ``conditions``."""
    return sql(SqlRelation(join, order_by, "connection", where, _forms(sqlite), conditions))


def sql_object() -> dict[str, Any]:
    """Metadata of a field answering an object with no row, whose fields have specs."""
    return sql(SqlObject())


def like_pattern(text: Any) -> str:
    """The ``ILIKE`` pattern of a case-insensitive search for ``text`` (backslash escapes),
    or ``''`` when there is nothing to search for (null or blanks): the resolvers' rule."""
    needle = str(text or "").strip().lower()
    if not needle:
        return ""
    return "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_condition(path: tuple[str, ...], columns: tuple[str, ...]) -> SqlCondition:
    """The condition of a search argument: ``like_pattern`` of it in any of ``columns``; on
    SQLite, SQLAlchemy's ``ilike`` there (``lower(x) LIKE lower(y)``), as the resolvers run."""
    found = " OR ".join(f"{{row}}.\"{column}\" ILIKE {{value}} ESCAPE '\\'" for column in columns)
    lowered = " OR ".join(
        f"lower({{row}}.\"{column}\") LIKE lower({{value}}) ESCAPE '\\'" for column in columns
    )
    return SqlCondition(
        path,
        f"({{value}} = '' OR {found})",
        "text",
        like_pattern,
        sqlite=f"({{value}} = '' OR {lowered})",
    )


def field_spec(field: Any) -> SqlSpec | None:
    """The SQL spec declared on a strawberry field, if any."""
    metadata = getattr(field, "metadata", None) or {}
    spec = metadata.get(SQL_METADATA_KEY)
    return spec if isinstance(spec, SqlValue | SqlRelation | SqlObject) else None


def templates(spec: SqlSpec) -> Iterator[str]:
    """Every SQL template of ``spec``."""
    if isinstance(spec, SqlValue):
        yield spec.template
        if spec.sqlite is not None:
            yield spec.sqlite
        return
    if isinstance(spec, SqlObject):
        return
    yield from (part for part in (spec.join, spec.order_by, spec.where) if part is not None)
    yield from (form for _, form in spec.sqlite)
    yield from (condition.template for condition in spec.conditions)
    yield from (condition.sqlite for condition in spec.conditions if condition.sqlite is not None)


#: A table a template reads, with its alias: ``FROM risks AS r``, ``JOIN risks r``.
_READ = re.compile(
    r"\b(?:FROM|JOIN)\s+\"?(?P<table>\w+)\"?(?:\s+(?:AS\s+)?(?!(?:WHERE|ON|JOIN|ORDER|GROUP|"
    r"LIMIT|LEFT|RIGHT|INNER|CROSS|FULL|UNION)\b)(?P<alias>\w+))?",
    re.IGNORECASE,
)


def unscoped_reads(template: str, tenant_tables: Collection[str]) -> list[str]:
    """The tenant tables ``template`` reads without scoping them to ``{org}``: each table of
    ``tenant_tables`` after ``FROM`` or ``JOIN`` needs ``<alias>.organisation_id = {org}``
    (the compiler scopes the spec's own rows; a subquery must scope its own)."""
    missing = []
    for read in _READ.finditer(template):
        table = read.group("table")
        if table not in tenant_tables:
            continue
        alias = read.group("alias") or table
        scoped = re.compile(rf"\b{re.escape(alias)}\.\"?organisation_id\"?\s*=\s*\{{org\}}")
        if not scoped.search(template):
            missing.append(table)
    return missing
