"""Constants and defaults shared by the programme management office's modules."""

from datetime import date

from pmo_graph.db.types import utcnow
from pmo_graph_pmo.tier import KEY

#: The tier's key under its old name, for benefits.py (split on another branch); new code
#: imports ``KEY`` from ``pmo_graph_pmo.tier``.
TIER = KEY


def today() -> date:
    """Today's date in UTC, the default ``asOf``."""
    return utcnow().date()
