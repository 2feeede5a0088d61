"""Constants and defaults shared by the programme management office's modules."""

from pmo_graph.sdk import today

__all__ = ["today"]
