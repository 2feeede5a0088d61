"""Migrations: core and plugin lineages, upgrade → downgrade → upgrade, models agree with them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from pmo_graph import migrations
from pmo_graph.db.base import Base
from pmo_graph.db.session import create_engine
from pmo_graph.plugins.loading import load_plugins
from pmo_graph.plugins.manager import PluginRegistry
from pmo_graph.settings import Settings
from pmo_graph.testing import postgres_schema, sqlite_settings
from sample_plugin import plugin as sample

SAMPLE = "sample_plugin"


@pytest.fixture
def fresh(pmo_backend: str, tmp_path: Path) -> Iterator[Settings]:
    """An empty database of the backend under test."""
    if pmo_backend == "sqlite":
        yield sqlite_settings(tmp_path / "fresh.sqlite3")
    else:
        with postgres_schema("pmo_migrate") as settings:
            yield settings


def _registry(with_sample: bool = True) -> PluginRegistry:
    return load_plugins([sample] if with_sample else [], load_entrypoints=True)


def _inspect(settings: Settings) -> tuple[set[str], list[object]]:
    def work(connection: Connection) -> tuple[set[str], list[object]]:
        tables = set(inspect(connection).get_table_names())
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                # every lineage's version table is alembic's, not a model's
                "include_name": lambda name, kind, _parent: (
                    not (kind == "table" and (name or "").startswith("alembic_version"))
                ),
            },
        )
        return tables, compare_metadata(context, Base.metadata)

    async def run() -> tuple[set[str], list[object]]:
        engine = create_engine(settings)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_lineages_run_core_first_then_plugins_by_prerequisite() -> None:
    names = [lineage.name for lineage in migrations.lineages(_registry())]
    assert names[0] == "core"
    assert SAMPLE in names
    assert [lineage.version_table for lineage in migrations.lineages(_registry())][:1] == [
        "alembic_version"
    ]
    (sample_lineage,) = [x for x in migrations.lineages(_registry()) if x.name == SAMPLE]
    assert sample_lineage.version_table == "alembic_version_sample_plugin"
    # named after the package however the plugin is loaded; the registered name is an alias
    assert sample_lineage.aliases == ("sample_plugin.plugin",)
    assert sample_lineage.answers_to("sample_plugin.plugin")


def test_upgrade_downgrade_upgrade_and_models_agree(fresh: Settings) -> None:
    registry = _registry()
    heads = migrations.heads(fresh, registry)
    assert migrations.current(fresh, registry) == dict.fromkeys(heads, ())

    migrations.upgrade(fresh, registry)
    assert migrations.current(fresh, registry) == heads
    tables, differences = _inspect(fresh)
    assert {
        "projects",
        "people",
        "audit_events",
        "sample_notes",
        "alembic_version",
        "alembic_version_sample_plugin",
    } <= tables
    assert differences == []

    migrations.downgrade(fresh, registry, "base")
    tables, _ = _inspect(fresh)
    assert all(table.startswith("alembic_version") for table in tables), tables
    assert migrations.pending(migrations.current(fresh, registry), heads) == list(heads)

    migrations.upgrade(fresh, registry)
    tables, differences = _inspect(fresh)
    assert "sample_notes" in tables
    assert differences == []
    assert migrations.current(fresh, registry) == heads


def test_one_plugin_lineage_goes_down_and_up_alone(fresh: Settings) -> None:
    registry = _registry()
    migrations.upgrade(fresh, registry)
    migrations.downgrade(fresh, registry, f"{SAMPLE}@base")
    tables, _ = _inspect(fresh)
    assert "sample_notes" not in tables
    assert "projects" in tables
    assert migrations.current(fresh, registry)[SAMPLE] == ()
    assert migrations.current(fresh, registry)["core"] == ("0012_finish_write_function",)
    migrations.upgrade(fresh, registry)
    assert "sample_notes" in _inspect(fresh)[0]


def test_the_core_upgrades_without_an_uninstalled_plugin(fresh: Settings) -> None:
    migrations.upgrade(fresh, _registry(with_sample=True))
    without = _registry(with_sample=False)
    migrations.upgrade(fresh, without)
    assert (
        migrations.pending(migrations.current(fresh, without), migrations.heads(fresh, without))
        == []
    )


def test_downgrading_the_core_to_base_takes_the_plugins_down_first(fresh: Settings) -> None:
    registry = _registry()
    migrations.upgrade(fresh, registry)
    migrations.downgrade(fresh, registry, "core@base")
    tables, _ = _inspect(fresh)
    assert "projects" not in tables
    assert "sample_notes" not in tables


def test_unknown_targets_are_explained(fresh: Settings) -> None:
    registry = _registry()
    with pytest.raises(
        migrations.MigrationError, match="no migration lineage is named 'nope'; lineages: core, "
    ):
        migrations.downgrade(fresh, registry, "nope@base")
    with pytest.raises(migrations.MigrationError, match="no lineage has a revision 'deadbeef'"):
        migrations.downgrade(fresh, registry, "deadbeef")


def test_people_who_share_an_email_stop_the_upgrade_that_makes_emails_unique(
    fresh: Settings,
) -> None:
    from sqlalchemy import text

    from alembic import command

    registry = _registry()
    core = migrations.lineages(registry)[0]
    command.upgrade(migrations.alembic_config(fresh, core, registry), "0010_webhook_sealed_secrets")

    async def add_twins() -> None:
        engine = create_engine(fresh)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    text(
                        "INSERT INTO organisations (slug, name, created_at) VALUES ('twins', 'Twins', CURRENT_TIMESTAMP)"
                    )
                )
                for name in ("Ann", "Anne"):
                    await connection.execute(
                        text(
                            "INSERT INTO people (organisation_id, name, email, version, created_at, updated_at) "
                            "SELECT id, :name, 'ann@twins.test', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM organisations WHERE slug = 'twins'"
                        ),
                        {"name": name},
                    )
        finally:
            await engine.dispose()

    asyncio.run(add_twins())
    with pytest.raises(
        migrations.MigrationError,
        match=r"2 people share an email with someone else of their organisation \(twins: "
        r"ann@twins.test \(person \d+\); twins: ann@twins.test \(person \d+\)\)\. Give each",
    ):
        migrations.upgrade(fresh, registry)
    assert migrations.current(fresh, registry)["core"] == ("0010_webhook_sealed_secrets",)
