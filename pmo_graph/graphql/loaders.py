"""Moved: the loaders are ``pmo_graph.request.loaders`` (this path works until pmo-graph 0.3)."""

from typing import TYPE_CHECKING

from pmo_graph._deprecated import moved

if TYPE_CHECKING:  # what the type checker sees; at run time the names resolve on first use
    from pmo_graph.request.loaders import Loaders as Loaders
    from pmo_graph.request.loaders import tenant_filter as tenant_filter

__getattr__ = moved(
    __name__,
    {
        "Loaders": "pmo_graph.request.loaders",
        "tenant_filter": "pmo_graph.request.loaders",
    },
)
