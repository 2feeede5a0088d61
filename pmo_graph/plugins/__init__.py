"""The plugin system: hook specifications, loading, and the tier registry.

Plugins import ``hookimpl`` from here::

    from pmo_graph.plugins import hookimpl

    @hookimpl
    def register_tiers():
        return [Tier(key="lessons", name="Lessons learned", level=2, requires=("pso",),
                     description="...")]
"""

import pluggy

from pmo_graph.tiers import Tier

hookimpl = pluggy.HookimplMarker("pmo_graph")

__all__ = ["Tier", "hookimpl"]
