"""Moved: the migration runner is ``pmo_graph.migrations`` (this path works until pmo-graph 0.3).

It loads the plugins, so it sits above the storage kernel that ``pmo_graph.db`` is; this shim
points upward, which is why it imports nothing: the names resolve on first use.
"""

from pmo_graph._deprecated import moved

_NAMES = (
    "Lineage",
    "MigrationError",
    "alembic_config",
    "core_script_location",
    "current",
    "current_async",
    "downgrade",
    "heads",
    "lineages",
    "owned_tables",
    "pending",
    "plugin_package",
    "revision",
    "upgrade",
)

__getattr__ = moved(__name__, dict.fromkeys(_NAMES, "pmo_graph.migrations"))
