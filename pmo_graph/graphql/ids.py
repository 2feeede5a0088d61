"""Moved: global ids are the kernel's, ``pmo_graph.ids`` (this path works until pmo-graph 0.3)."""

from typing import TYPE_CHECKING

from pmo_graph._deprecated import moved

if TYPE_CHECKING:  # what the type checker sees; at run time the names resolve on first use
    from pmo_graph.ids import MAX_KEY as MAX_KEY
    from pmo_graph.ids import key_number as key_number
    from pmo_graph.ids import parse_global_id as parse_global_id
    from pmo_graph.ids import parse_pk as parse_pk
    from pmo_graph.ids import to_global_id as to_global_id

__getattr__ = moved(
    __name__,
    {
        "MAX_KEY": "pmo_graph.ids",
        "key_number": "pmo_graph.ids",
        "parse_global_id": "pmo_graph.ids",
        "parse_pk": "pmo_graph.ids",
        "to_global_id": "pmo_graph.ids",
    },
)
