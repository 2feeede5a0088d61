"""The plugin API version: what a plugin declares it supports, and the check at load."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from pmo_graph import PLUGIN_API_VERSION
from pmo_graph.plugins.errors import PluginLoadError

if TYPE_CHECKING:
    from pmo_graph.plugins.manager import PluginInfo

#: The module attribute in which a plugin declares the plugin API versions it supports.
PLUGIN_API_ATTRIBUTE = "PLUGIN_API"


def supported_range(info: PluginInfo) -> str | None:
    """The plugin API range a plugin declares (``PLUGIN_API = ">=1.0,<2"``), or None."""
    declared = getattr(info.module, PLUGIN_API_ATTRIBUTE, None)
    return None if declared is None else str(declared)


def check_plugin_api(info: PluginInfo, provided: str = PLUGIN_API_VERSION) -> None:
    """Refuse a plugin whose declared plugin API range does not include ``provided``.

    A plugin without a declaration is accepted: it predates the check, and its dependency on
    ``pmo-graph`` is then its only guard. Raises ``PluginLoadError`` naming the plugin, the range
    it supports and the version this pmo-graph provides.
    """
    declared = supported_range(info)
    if declared is None:
        return
    try:
        specifier = SpecifierSet(declared)
    except InvalidSpecifier as exc:
        raise PluginLoadError(
            f"plugin {info.label!r} declares {PLUGIN_API_ATTRIBUTE} = {declared!r}, which is not "
            "a version range; write it like '>=1.0,<2'",
            plugin=info.name,
        ) from exc
    if not specifier.contains(Version(provided), prereleases=True):
        version = f" {info.version}" if info.version else ""
        raise PluginLoadError(
            f"plugin {info.label!r}{version} supports plugin API {declared}, but this pmo-graph "
            f"provides plugin API {provided}; install a release of {info.label!r} made for "
            f"plugin API {provided}, or uninstall it",
            plugin=info.name,
        )
