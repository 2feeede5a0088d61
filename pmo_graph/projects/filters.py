"""``ProjectFilter``: the conditions every project connection accepts."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import strawberry
from sqlalchemy import or_
from sqlalchemy.sql import ColumnElement

from pmo_graph.errors import BadUserInput
from pmo_graph.graphql.compiled.specs import SqlCondition, like_pattern, search_condition
from pmo_graph.graphql.pagination import Ordering
from pmo_graph.ids import parse_pk
from pmo_graph.projects.enums import ProjectStage
from pmo_graph.projects.models import Project

#: Projects page in order of their code.
PROJECT_ORDER = Ordering((Project.code, Project.id))


@strawberry.input(description="Narrows a list of projects; conditions combine with AND.")
class ProjectFilter:
    stage: list[ProjectStage] | None = strawberry.field(
        default=None, description="Any of these stages."
    )
    portfolio_id: strawberry.ID | None = strawberry.field(
        default=None, description="Projects of this portfolio."
    )
    programme_id: strawberry.ID | None = strawberry.field(
        default=None, description="Projects of this programme."
    )
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive text found in the code or the name."
    )


#: The ``filter`` argument of every project connection.
PROJECT_FILTER_ARGUMENT = strawberry.argument(
    description="Only the projects that meet every condition given (null: all of them)."
)


def _pk_of(type_name: str) -> Callable[[Any], int]:
    """The key of a filter's id for the compiled path; ``ValueError`` where ``_pk`` refuses."""

    def key(value: Any) -> int:
        pk = parse_pk(str(value), type_name)
        if pk is None:
            raise ValueError(f"not a {type_name} id")
        return pk

    return key


def _stage_names(stages: Any) -> list[str]:
    return [getattr(stage, "name", stage) for stage in stages]


#: ``ProjectFilter`` in the compiled path (``SqlRelation.conditions``): the same conditions.
PROJECT_FILTER_SQL: tuple[SqlCondition, ...] = (
    SqlCondition(
        ("filter", "stage"),
        "{row}.stage::text = ANY({value})",
        "text[]",
        _stage_names,
        sqlite="{row}.stage IN (SELECT value FROM json_each({value}))",
    ),
    SqlCondition(
        ("filter", "portfolioId"), "{row}.portfolio_id = {value}", "bigint", _pk_of("Portfolio")
    ),
    SqlCondition(
        ("filter", "programmeId"), "{row}.programme_id = {value}", "bigint", _pk_of("Programme")
    ),
    search_condition(("filter", "search"), ("code", "name")),
)


def _pk(value: strawberry.ID, type_name: str, argument: str) -> int:
    pk = parse_pk(value, type_name)
    if pk is None:
        raise BadUserInput(f"`filter.{argument}` is not a {type_name} id.", argument=argument)
    return pk


def project_conditions(
    filter: ProjectFilter | None,
) -> tuple[list[ColumnElement[bool]], Hashable]:
    """SQL conditions for a filter, and a hashable key that identifies them."""
    if filter is None:
        return [], None
    conditions: list[ColumnElement[bool]] = []
    key: list[Hashable] = []
    if filter.stage is not None:
        stages = sorted({s.value for s in filter.stage})
        conditions.append(Project.stage.in_([ProjectStage(s) for s in stages]))
        key.append(("stage", tuple(stages)))
    if filter.portfolio_id is not None:
        pk = _pk(filter.portfolio_id, "Portfolio", "portfolioId")
        conditions.append(Project.portfolio_id == pk)
        key.append(("portfolio", pk))
    if filter.programme_id is not None:
        pk = _pk(filter.programme_id, "Programme", "programmeId")
        conditions.append(Project.programme_id == pk)
        key.append(("programme", pk))
    pattern = like_pattern(filter.search)
    if pattern:
        conditions.append(
            or_(Project.code.ilike(pattern, escape="\\"), Project.name.ilike(pattern, escape="\\"))
        )
        key.append(("search", pattern))
    return conditions, tuple(key)
