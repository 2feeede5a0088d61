"""Moved: ``pmo_graph.request.shared_loads`` (this path works until pmo-graph 0.3)."""

from typing import TYPE_CHECKING

from pmo_graph._deprecated import moved

if TYPE_CHECKING:  # what the type checker sees; at run time the names resolve on first use
    from pmo_graph.request.shared_loads import SharedLoads as SharedLoads

__getattr__ = moved(
    __name__,
    {
        "SharedLoads": "pmo_graph.request.shared_loads",
    },
)
