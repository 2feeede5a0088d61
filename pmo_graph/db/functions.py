"""SQL functions whose spelling differs between SQLite and PostgreSQL, for date arithmetic in
aggregations that must run in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class day_number(FunctionElement[int]):
    """A date as the number of days since 2000-01-01 (the same on both databases, and equal to
    ``(day - date(2000, 1, 1)).days`` in Python), so that two of them subtract to a day count."""

    type = Integer()
    inherit_cache = True


class least(FunctionElement[Any]):
    """The smaller of its arguments (LEAST, or SQLite's two-argument min)."""

    inherit_cache = True


class greatest(FunctionElement[Any]):
    """The larger of its arguments (GREATEST, or SQLite's two-argument max)."""

    inherit_cache = True


@compiles(day_number, "sqlite")
def _day_number_sqlite(element: day_number, compiler: Any, **kw: Any) -> str:
    day = compiler.process(element.clauses, **kw)
    return f"CAST(julianday({day}) - julianday('2000-01-01') AS INTEGER)"


@compiles(day_number, "postgresql")
def _day_number_postgresql(element: day_number, compiler: Any, **kw: Any) -> str:
    return f"(({compiler.process(element.clauses, **kw)})::date - DATE '2000-01-01')"


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: Any, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


@compiles(least)
def _least(element: least, compiler: Any, **kw: Any) -> str:
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(greatest)
def _greatest(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"
