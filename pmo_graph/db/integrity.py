"""Unique constraints that say, when they refuse a row, which input field was the duplicate.

A mutation checks uniqueness in Python first, to answer every problem at once with a message
that names the value; but two requests that check at the same moment both find the value free,
and only the database's constraint stops the second. ``unique`` declares such a constraint with
the input field and the sentence its refusal answers, in the constraint's ``info``, so that
``run_mutation`` turns the database's refusal into the same ``DUPLICATE`` userError on the same
field, whichever database refused and however the race fell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Index, MetaData, UniqueConstraint
from sqlalchemy.exc import DBAPIError, IntegrityError

#: Keys of a constraint's ``info``: the input field a duplicate is reported on, and the message.
DUPLICATE_FIELD = "pmo_graph_duplicate_field"
DUPLICATE_MESSAGE = "pmo_graph_duplicate_message"

#: SQLite: "UNIQUE constraint failed: people.organisation_id, people.email".
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w., ]+)")


def unique(*columns: str, field: str, message: str, name: str | None = None) -> UniqueConstraint:
    """A unique constraint over ``columns`` whose violation answers the userError ``DUPLICATE``
    on input ``field`` with ``message`` (``pmo_graph.graphql.mutations.run_mutation``)."""
    return UniqueConstraint(
        *columns, name=name, info={DUPLICATE_FIELD: field, DUPLICATE_MESSAGE: message}
    )


@dataclass(frozen=True)
class Duplicate:
    """What a refused duplicate was: the input field (when the constraint names one) and the
    sentence for the user."""

    field: str | None
    message: str | None


def _driver_error(exc: DBAPIError) -> Any:
    """asyncpg's own exception behind SQLAlchemy's, which names the constraint."""
    orig = exc.orig
    return getattr(orig, "__cause__", None) or orig


def sqlstate(exc: DBAPIError) -> str | None:
    """PostgreSQL's SQLSTATE of a failed statement (``23505``, ``40P01`` …); None on SQLite."""
    code = getattr(_driver_error(exc), "sqlstate", None)
    return str(code) if code is not None else None


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether the database refused a row for a unique constraint or index."""
    code = sqlstate(exc)
    if code is not None:
        return code == "23505"
    return "UNIQUE constraint failed" in str(exc.orig)


def _declared(
    metadata: MetaData, table: str | None, columns: tuple[str, ...] | None, name: str | None
) -> Any:
    for candidate in metadata.tables.values():
        if table is not None and candidate.name != table:
            continue
        for item in (*candidate.constraints, *candidate.indexes):
            if not isinstance(item, (UniqueConstraint, Index)):
                continue
            if isinstance(item, Index) and not item.unique:
                continue
            if name is not None and item.name == name:
                return item
            if columns is not None and tuple(c.name for c in item.columns) == columns:
                return item
    return None


def duplicate_of(exc: IntegrityError, metadata: MetaData) -> Duplicate:
    """The declared field and message of the unique constraint behind ``exc`` (a unique
    violation), or an empty ``Duplicate`` when it declares none."""
    driver = _driver_error(exc)
    constraint = getattr(driver, "constraint_name", None)
    if constraint is not None:  # PostgreSQL names the constraint
        found = _declared(metadata, getattr(driver, "table_name", None), None, str(constraint))
    else:
        match = _SQLITE_UNIQUE.search(str(exc.orig))
        found = None
        if match is not None:
            parts = [part.strip().split(".", 1) for part in match["columns"].split(",")]
            if all(len(part) == 2 for part in parts):
                found = _declared(metadata, parts[0][0], tuple(p[1] for p in parts), None)
    info = found.info if found is not None else {}
    return Duplicate(info.get(DUPLICATE_FIELD), info.get(DUPLICATE_MESSAGE))
