"""Moved: ``described_enum`` is the kernel's, ``pmo_graph.enums`` (this path works until
pmo-graph 0.3)."""

from typing import TYPE_CHECKING

from pmo_graph._deprecated import moved

if TYPE_CHECKING:  # what the type checker sees; at run time the names resolve on first use
    from pmo_graph.enums import described_enum as described_enum

__getattr__ = moved(
    __name__,
    {
        "described_enum": "pmo_graph.enums",
    },
)
