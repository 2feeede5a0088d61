"""Start-up and shut-down hooks: ``on_startup`` and ``on_shutdown``, once per server process."""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmo_graph.plugins.errors import PluginLoadError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from pmo_graph.plugins.manager import PluginInfo, PluginRegistry
    from pmo_graph.settings import Settings

log = logging.getLogger("pmo_graph.plugins")


@dataclass(frozen=True)
class PluginApp:
    """What ``on_startup`` and ``on_shutdown`` get: the process's settings and database.

    ``sessionmaker()`` opens a session for set-up or background work (on SQLite its transactions
    may write; no organisation is set for row security, so scope every statement yourself).
    One object serves every plugin's hooks for the life of the process.
    """

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]


async def _call(registry: PluginRegistry, info: PluginInfo, hook: str, app: PluginApp) -> None:
    caller = getattr(registry.manager.hook, hook)
    for impl in caller.get_hookimpls():
        if impl.plugin_name == info.name:
            value = impl.function(**({"app": app} if "app" in impl.argnames else {}))
            if inspect.isawaitable(value):
                await value


async def start_plugins(registry: PluginRegistry, app: PluginApp) -> list[PluginInfo]:
    """Call ``on_startup`` on every plugin in plugin order, one at a time; the plugins started.

    One that raises stops start-up with a ``PluginLoadError`` naming it, after the plugins
    already started are shut down again (in reverse order).
    """
    started: list[PluginInfo] = []
    for info in registry.plugins_in_order():
        if not registry.implements(info, "on_startup"):
            started.append(info)  # it may still implement on_shutdown
            continue
        try:
            await _call(registry, info, "on_startup", app)
        except Exception as exc:
            await stop_plugins(registry, started, app)
            raise PluginLoadError(
                f"plugin {info.label!r} failed in hook on_startup: {exc!r}; "
                f"fix or uninstall {info.label!r}",
                plugin=info.name,
            ) from exc
        started.append(info)
    return started


async def stop_plugins(registry: PluginRegistry, started: list[PluginInfo], app: PluginApp) -> None:
    """Call ``on_shutdown`` on the ``started`` plugins in reverse order; one that raises is
    logged and the others are still shut down."""
    for info in reversed(started):
        if not registry.implements(info, "on_shutdown"):
            continue
        try:
            await _call(registry, info, "on_shutdown", app)
        except Exception:
            log.exception("plugin %s failed in hook on_shutdown", info.label)
