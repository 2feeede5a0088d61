"""Shared argument handling: ``asOf`` and portfolio/programme scopes."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy.sql import ColumnElement

from pmo_graph.sdk import BadUserInput, Project, parse_pk, today


def as_of_or_today(as_of: date | None) -> date:
    """The date a computation is made at: ``asOf`` when given, else ``today()``."""
    return as_of if as_of is not None else today()


def project_scope(
    portfolio_id: strawberry.ID | None, programme_id: strawberry.ID | None
) -> list[ColumnElement[bool]]:
    """Conditions on projects for optional portfolio and programme ids (both: the intersection)."""
    conditions: list[ColumnElement[bool]] = []
    for value, type_name, column, argument in (
        (portfolio_id, "Portfolio", Project.portfolio_id, "portfolioId"),
        (programme_id, "Programme", Project.programme_id, "programmeId"),
    ):
        if value is None:
            continue
        pk = parse_pk(value, type_name)
        if pk is None:
            raise BadUserInput(f"`{argument}` is not a {type_name} id.", argument=argument)
        conditions.append(column == pk)
    return conditions
