"""The compiled path's SQL per database: a spec's PostgreSQL-only template is not run on SQLite
(the operation goes to the resolvers there, saying why) unless the spec gives its SQLite form,
and plain templates are read on both as written."""

from __future__ import annotations

from datetime import date

import pytest
import strawberry
from graphql import OperationDefinitionNode, parse
from graphql.execution.values import get_variable_values

from pmo_graph.graphql.compiled.compiler import Compiled, NotCompiled, Scope, compile_operation
from pmo_graph.graphql.compiled.dialect import POSTGRESQL, SQLITE, Dialect, dialect_for
from pmo_graph.graphql.compiled.portable import portable
from pmo_graph.projects.models import Project
from pmo_graph.sdk import sql_one, sql_value

DAYS = "{parent}.end_date - {parent}.start_date"
DAYS_ON_SQLITE = "CAST(julianday({parent}.end_date) - julianday({parent}.start_date) AS INTEGER)"


@strawberry.type
class Plain:
    __model__ = Project
    code: str = strawberry.field(description="A column.")
    days: int | None = strawberry.field(description="Days.", metadata=sql_value(DAYS))


@strawberry.type
class Given:
    __model__ = Project
    days: int | None = strawberry.field(
        description="Days.", metadata=sql_value(DAYS, sqlite=DAYS_ON_SQLITE)
    )


@strawberry.type
class Query:
    plain: Plain | None = strawberry.field(
        description="One.", metadata=sql_one("{row}.id = {parent}.id")
    )
    given: Given | None = strawberry.field(
        description="One.", metadata=sql_one("{row}.id = {parent}.id")
    )


SCHEMA = strawberry.Schema(query=Query)._schema
SCOPE = Scope(1, 1, frozenset(), {}, date(2026, 11, 25), 20, 100)


def _compile(document: str, dialect: Dialect) -> Compiled:
    (operation,) = parse(document).definitions
    assert isinstance(operation, OperationDefinitionNode)
    variables = get_variable_values(SCHEMA, (), {})
    assert not isinstance(variables, list)
    return compile_operation(SCHEMA, operation, [], variables, SCOPE, dialect)


def test_a_postgresql_only_template_is_not_run_on_sqlite() -> None:
    assert DAYS in _compile("{ plain { code days } }", POSTGRESQL).sql.replace("t1", "{parent}")
    with pytest.raises(NotCompiled, match=r"has no sqlite form"):
        _compile("{ plain { code days } }", SQLITE)
    # without the field, the rest compiles on SQLite
    assert "json_object('code'" in _compile("{ plain { code } }", SQLITE).sql


def test_a_spec_s_sqlite_form_is_what_sqlite_runs() -> None:
    sqlite = _compile("{ given { days } }", SQLITE).sql
    assert "julianday(t1.end_date)" in sqlite
    postgresql = _compile("{ given { days } }", POSTGRESQL).sql
    assert "(t1.end_date - t1.start_date)" in postgresql
    assert "julianday" not in postgresql


@pytest.mark.parametrize(
    ("template", "reads_on_sqlite"),
    [
        ("{row}.id = {parent}.owner_id", True),
        ("{row}.released_at IS NULL", True),
        ('{row}."period_ending" DESC, {row}."id" DESC', True),
        ("CASE WHEN {parent}.p * {parent}.i <= 4 THEN 'LOW' ELSE 'HIGH' END", True),
        ("{row}.measured_on <= {today} AND {row}.organisation_id = {org}", True),
        ("EXISTS (SELECT 1 FROM risks AS r WHERE r.project_id = {parent}.id)", True),
        ("coalesce({parent}.actual_date, {parent}.baseline_date)", True),
        # days between dates, casts, string concatenation, PostgreSQL's functions and literals
        ("coalesce({parent}.actual_date, {parent}.forecast_date) - {parent}.baseline_date", False),
        ("round(({parent}.x)::numeric, 6)::float8", False),
        ("{row}.name || {row}.code", False),
        ("{row}.due < now()", False),
        ("{row}.at AT TIME ZONE 'UTC'", False),
        ("{row}.day > date '2026-01-01'", False),
        ("{row}.name ILIKE 'a%'", False),
        ("{row}.a / {row}.b", False),
    ],
)
def test_only_sql_that_means_the_same_on_both_is_portable(
    template: str, reads_on_sqlite: bool
) -> None:
    assert portable(template) is reads_on_sqlite


def test_the_sqlite_here_is_one_the_compiled_path_writes_for() -> None:
    # the CI's and the bench's SQLite: were it older, every SQLite test above would pass
    # through the resolvers and prove nothing of the compiled statements
    assert dialect_for("sqlite") is SQLITE
    assert dialect_for("postgresql") is POSTGRESQL
    assert dialect_for("mysql") is None
