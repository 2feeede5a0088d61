"""Migrations: the core lineage and one lineage per plugin, each with its own version table.

The core's ``alembic/`` folder holds ``env.py`` and ``script.py.mako``, shared by every lineage;
each plugin ships only a folder of revision files. ``pmo-graph db upgrade`` runs the core first,
then the plugins in tier-prerequisite order, so a plugin released on its own cadence, or
uninstalled, never blocks the core's upgrades.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from alembic import command
from pmo_graph.db import row_security
from pmo_graph.db.session import create_engine, normalise_url
from pmo_graph.plugins.manager import CORE_PLUGIN_NAME, PluginInfo, PluginLoadError, PluginRegistry
from pmo_graph.settings import Settings


class MigrationError(RuntimeError):
    """A migration command cannot be carried out; the message says what to do."""


@dataclass(frozen=True)
class Lineage:
    """One chain of revisions: the core's or one plugin's.

    A plugin's lineage is named after its Python package (``pmo_graph_pso``), which does not
    change with how the plugin is loaded (entry point or passed in directly); ``aliases`` holds
    the plugin's registered name so that ``pso@base`` works too.
    """

    name: str
    versions_dir: Path
    #: The Python package whose mapped tables this lineage creates.
    package: str
    aliases: tuple[str, ...] = ()

    @property
    def version_table(self) -> str:
        """``alembic_version`` for the core, ``alembic_version_<package>`` for a plugin."""
        if self.name == CORE_PLUGIN_NAME:
            return "alembic_version"
        return "alembic_version_" + "".join(c if c.isalnum() else "_" for c in self.name)

    def answers_to(self, name: str) -> bool:
        """Whether ``name`` designates this lineage."""
        return name == self.name or name in self.aliases


def core_script_location() -> Path:
    """The core's alembic folder: packaged in a wheel, or ``alembic/`` beside a source tree."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "_alembic", package_dir.parent / "alembic"):
        if (candidate / "env.py").is_file():
            return candidate
    raise MigrationError("the core's alembic folder is missing; reinstall pmo-graph")


def plugin_package(info: PluginInfo) -> str:
    """The package whose modules belong to a plugin (its tables live there)."""
    return info.module.__package__ or info.module.__name__


def lineages(registry: PluginRegistry) -> list[Lineage]:
    """Every lineage in the order upgrades run: the core, then plugins by tier prerequisites."""
    found = [
        Lineage(CORE_PLUGIN_NAME, core_script_location() / "versions", "pmo_graph"),
    ]
    for info, location in registry.results("register_migrations"):
        if location is None or info.name == CORE_PLUGIN_NAME:
            continue
        path = Path(location)
        if not path.is_dir():
            raise PluginLoadError(
                f"plugin {info.label!r} registers migrations in {path}, which is not a folder",
                plugin=info.name,
            )
        package = plugin_package(info)
        aliases = (info.name,) if info.name != package else ()
        found.append(Lineage(package, path, package, aliases))
    return found


def alembic_config(settings: Settings, lineage: Lineage, registry: PluginRegistry) -> Config:
    """An alembic ``Config`` for one lineage, read by the shared ``env.py``."""
    config = Config()
    config.set_main_option("script_location", str(core_script_location()))
    config.set_main_option("version_locations", str(lineage.versions_dir))
    config.set_main_option("path_separator", "os")
    config.attributes["settings"] = settings
    config.attributes["lineage"] = lineage
    config.attributes["owned_tables"] = owned_tables(registry, lineage)
    return config


def owned_tables(registry: PluginRegistry, lineage: Lineage) -> set[str]:
    """Names of the mapped tables a lineage creates (those defined in its package)."""
    from pmo_graph.db.base import Base

    prefix = lineage.package + "."
    tables: set[str] = set()
    for mapper in Base.registry.mappers:
        module = mapper.class_.__module__
        if module == lineage.package or module.startswith(prefix):
            tables.update(t.name for t in mapper.tables)
    return tables


def heads(settings: Settings, registry: PluginRegistry) -> dict[str, tuple[str, ...]]:
    """The head revision(s) of each lineage, from its revision files."""
    result = {}
    for lineage in lineages(registry):
        script = ScriptDirectory.from_config(alembic_config(settings, lineage, registry))
        result[lineage.name] = tuple(sorted(script.get_heads()))
    return result


def _current_sync(connection: Connection, found: Sequence[Lineage]) -> dict[str, tuple[str, ...]]:
    existing = set(sa_inspect(connection).get_table_names())
    result: dict[str, tuple[str, ...]] = {}
    for lineage in found:
        if lineage.version_table not in existing:
            result[lineage.name] = ()
            continue
        context = MigrationContext.configure(
            connection, opts={"version_table": lineage.version_table}
        )
        result[lineage.name] = tuple(sorted(context.get_current_heads()))
    return result


async def current_async(
    settings: Settings, registry: PluginRegistry, engine: AsyncEngine | None = None
) -> dict[str, tuple[str, ...]]:
    """The revision(s) each lineage is at in the database (empty when never migrated).

    Pass the app's ``engine`` to use its pool; without one a short-lived engine is made.
    """
    found = lineages(registry)
    own = engine is None
    engine = engine or create_engine(settings)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current_sync, found)
    finally:
        if own:
            await engine.dispose()


def current(settings: Settings, registry: PluginRegistry) -> dict[str, tuple[str, ...]]:
    """Synchronous ``current_async`` for the command line."""
    return asyncio.run(current_async(settings, registry))


def pending(at: dict[str, tuple[str, ...]], expected: dict[str, tuple[str, ...]]) -> list[str]:
    """Names of lineages whose database revision is not their head."""
    return [name for name, head in expected.items() if at.get(name, ()) != head]


def upgrade(settings: Settings, registry: PluginRegistry) -> None:
    """Bring every lineage to its head: the core first, then plugins."""
    for lineage in lineages(registry):
        command.upgrade(alembic_config(settings, lineage, registry), "heads")
    if normalise_url(settings.database_url).startswith("postgresql"):
        asyncio.run(_secure_rows(settings))


async def _secure_rows(settings: Settings) -> None:
    """Row-level security on every tenant table, plugins' included (``db.row_security``)."""
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(row_security.apply, settings.app_role)
    finally:
        await engine.dispose()


def downgrade(settings: Settings, registry: PluginRegistry, target: str) -> None:
    """Downgrade to ``target``.

    ``base`` takes every lineage to base, plugins first (their tables refer to the core's).
    ``LINEAGE@REV`` (e.g. ``core@base`` or ``pso@-1``) downgrades one lineage. A bare revision id
    is looked up in every lineage.
    """
    found = lineages(registry)
    if target == "base":
        for lineage in reversed(found):
            command.downgrade(alembic_config(settings, lineage, registry), "base")
        return
    name, _, revision = target.rpartition("@")
    if name:
        matches = [lineage for lineage in found if lineage.answers_to(name)]
        if not matches:
            known = ", ".join(lineage.name for lineage in found)
            raise MigrationError(f"no migration lineage is named {name!r}; lineages: {known}")
        lineage = matches[0]
        if lineage.name == CORE_PLUGIN_NAME and revision == "base" and len(found) > 1:
            for plugin_lineage in reversed(found[1:]):
                command.downgrade(alembic_config(settings, plugin_lineage, registry), "base")
        command.downgrade(alembic_config(settings, lineage, registry), revision)
        return
    owners = [
        lineage
        for lineage in found
        if _has_revision(alembic_config(settings, lineage, registry), revision)
    ]
    if not owners:
        raise MigrationError(
            f"no lineage has a revision {revision!r}; use 'base', a revision id from "
            "'pmo-graph db current', or LINEAGE@REV such as core@-1"
        )
    command.downgrade(alembic_config(settings, owners[0], registry), revision)


def _has_revision(config: Config, revision: str) -> bool:
    script = ScriptDirectory.from_config(config)
    try:
        return script.get_revision(revision) is not None
    except Exception:
        return False


def revision(
    settings: Settings,
    registry: PluginRegistry,
    lineage_name: str,
    message: str,
    autogenerate: bool,
) -> None:
    """Write a new revision file in a lineage (for core and plugin developers)."""
    matches = [lineage for lineage in lineages(registry) if lineage.answers_to(lineage_name)]
    if not matches:
        raise MigrationError(f"no migration lineage is named {lineage_name!r}")
    lineage = matches[0]
    config = alembic_config(settings, lineage, registry)
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    command.revision(
        config,
        message=message,
        autogenerate=autogenerate,
        version_path=str(lineage.versions_dir),
        head="base" if head is None else "head",
    )
