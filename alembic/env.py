"""Alembic environment shared by the core and every plugin lineage.

``pmo_graph.migrations`` sets the lineage (its version table and the tables it owns) and the
settings on the config's ``attributes``; this file only connects and runs.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from alembic import context
from pmo_graph.db.base import Base
from pmo_graph.db.session import create_engine
from pmo_graph.db.types import UTCDateTime

config = context.config
settings = config.attributes["settings"]
lineage = config.attributes["lineage"]
owned_tables: set[str] = config.attributes["owned_tables"]


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Autogenerate compares only the tables this lineage owns."""
    if type_ == "table":
        return name in owned_tables
    table = getattr(obj, "table", None)
    if table is not None:
        return table.name in owned_tables
    return True


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our column types as plain SQLAlchemy ones so revision files import nothing of ours."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=lineage.version_table,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("pmo-graph migrations run online only: use 'pmo-graph db upgrade'")
asyncio.run(run_async_migrations())
