"""Moved: computations run off the event loop are a service, ``pmo_graph.computations`` (this
path works until pmo-graph 0.3)."""

from typing import TYPE_CHECKING

from pmo_graph._deprecated import moved

if TYPE_CHECKING:  # what the type checker sees; at run time the names resolve on first use
    from pmo_graph.computations import Computations as Computations
    from pmo_graph.computations import compute as compute

__getattr__ = moved(
    __name__,
    {"Computations": "pmo_graph.computations", "compute": "pmo_graph.computations"},
)
