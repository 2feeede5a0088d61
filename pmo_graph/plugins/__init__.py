"""The plugin system: hook specifications, loading, and the tier registry.

Plugins import ``hookimpl``, ``Tier`` and ``Manifest`` from here::

    from pmo_graph.plugins import Manifest, Tier, hookimpl

    TIER = Tier(key="lessons", name="Lessons learned", level=2, requires=("pso",),
                description="...")
    MANIFEST = Manifest(tiers=[TIER])

    @hookimpl
    async def handle_event(event):
        ...
"""

import pluggy

from pmo_graph.plugins.manifest import Manifest
from pmo_graph.tiers import Tier

hookimpl = pluggy.HookimplMarker("pmo_graph")

__all__ = ["Manifest", "Tier", "hookimpl"]
