"""Moved: the request context is ``pmo_graph.request.context`` (this path works until
pmo-graph 0.3)."""

from typing import TYPE_CHECKING

from pmo_graph._deprecated import moved

if TYPE_CHECKING:  # what the type checker sees; at run time the names resolve on first use
    from pmo_graph.request.context import Context as Context
    from pmo_graph.request.context import get_context as get_context
    from pmo_graph.request.context import read_enabled_tiers as read_enabled_tiers
    from pmo_graph.request.viewer import Viewer as Viewer

__getattr__ = moved(
    __name__,
    {
        "Context": "pmo_graph.request.context",
        "Viewer": "pmo_graph.request.viewer",
        "get_context": "pmo_graph.request.context",
        "read_enabled_tiers": "pmo_graph.request.context",
    },
)
