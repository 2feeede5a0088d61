"""The plugin's own migration lineage: it applies after the core's and pso's, creates exactly the
tables of its models, and goes down and up again on its own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from pmo_graph.app_state import AppState
from pmo_graph.db import migrations
from pmo_graph.db.session import create_engine
from pmo_graph.sdk import Base
from pmo_graph.settings import Settings
from pmo_graph.testing import postgres_schema, sqlite_settings

LINEAGE = "pmo_graph_lessons"
TABLES = {"lessons", "lesson_reviews"}


@pytest.fixture
def fresh(pmo_backend: str, tmp_path: Path) -> Iterator[Settings]:
    """An empty database of the backend under test."""
    if pmo_backend == "sqlite":
        yield sqlite_settings(tmp_path / "fresh.sqlite3")
    else:
        with postgres_schema("lessons_migrate") as settings:
            yield settings


def _inspect(settings: Settings) -> dict[str, Any]:
    """Tables, and for ours their columns, indexes, foreign keys and any difference from the
    models."""

    def work(connection: Connection) -> dict[str, Any]:
        inspector = inspect(connection)
        tables = set(inspector.get_table_names())
        found: dict[str, Any] = {"tables": tables}
        for table in TABLES & tables:
            found[table] = {
                "columns": {c["name"] for c in inspector.get_columns(table)},
                "indexes": {i["name"] for i in inspector.get_indexes(table)},
                "foreign_keys": {
                    (
                        tuple(fk["constrained_columns"]),
                        fk["referred_table"],
                        fk["options"].get("ondelete"),
                    )
                    for fk in inspector.get_foreign_keys(table)
                },
            }
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                # only this lineage's tables: the others are their lineages' business
                "include_name": lambda name, kind, _parent: kind != "table" or name in TABLES,
                "include_object": lambda obj, name, kind, _reflected, _other: (
                    kind != "table" or name in TABLES
                ),
            },
        )
        found["differences"] = compare_metadata(context, Base.metadata)
        return found

    async def run() -> dict[str, Any]:
        engine = create_engine(settings)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_the_lineage_is_named_after_the_package_and_runs_after_pso(pmo_state: AppState) -> None:
    found = migrations.lineages(pmo_state.registry)
    assert [lineage.name for lineage in found] == ["core", "pmo_graph_pso", LINEAGE]
    lessons = found[-1]
    assert lessons.version_table == "alembic_version_pmo_graph_lessons"
    assert lessons.answers_to("lessons")
    assert lessons.versions_dir.name == "versions"
    assert sorted(p.name for p in lessons.versions_dir.glob("*.py")) == ["0001_lessons.py"]
    assert migrations.owned_tables(pmo_state.registry, lessons) == TABLES


async def test_the_test_database_is_at_head(pmo_state: AppState) -> None:
    heads = migrations.heads(pmo_state.settings, pmo_state.registry)
    assert heads[LINEAGE] == ("0001_lessons",)
    current = await migrations.current_async(
        pmo_state.settings, pmo_state.registry, pmo_state.engine
    )
    assert current == heads


def test_upgrade_creates_the_tables_downgrade_drops_them_alone(
    fresh: Settings, pmo_state: AppState
) -> None:
    registry = pmo_state.registry
    migrations.upgrade(fresh, registry)
    found = _inspect(fresh)
    assert (
        TABLES | {"projects", "status_reports", "alembic_version_pmo_graph_lessons"}
        <= found["tables"]
    )
    assert found["differences"] == []
    assert found["lessons"]["columns"] == {
        "id",
        "organisation_id",
        "project_id",
        "title",
        "what_happened",
        "recommendation",
        "category",
        "recorded_by_id",
        "search_key",
        "version",
        "created_at",
        "updated_at",
    }
    assert found["lessons"]["indexes"] == {"ix_lessons_organisation_id", "ix_lessons_project_id"}
    assert found["lessons"]["foreign_keys"] == {
        (("organisation_id",), "organisations", "CASCADE"),
        (("project_id",), "projects", "CASCADE"),
        (("recorded_by_id",), "users", "SET NULL"),
    }
    assert found["lesson_reviews"]["foreign_keys"] == {
        (("organisation_id",), "organisations", "CASCADE"),
        (("project_id",), "projects", "CASCADE"),
        (("completed_by_lesson_id",), "lessons", "SET NULL"),
    }
    assert "ix_lesson_reviews_organisation_id_due_on" in found["lesson_reviews"]["indexes"]

    migrations.downgrade(fresh, registry, "lessons@base")
    found = _inspect(fresh)
    assert not TABLES & found["tables"]
    assert {"projects", "status_reports"} <= found["tables"]  # the core's and pso's stay
    assert migrations.current(fresh, registry)[LINEAGE] == ()

    migrations.upgrade(fresh, registry)
    found = _inspect(fresh)
    assert found["tables"] >= TABLES
    assert found["differences"] == []
    assert migrations.current(fresh, registry) == migrations.heads(fresh, registry)
