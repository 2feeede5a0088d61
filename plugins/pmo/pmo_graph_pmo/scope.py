"""Constants and defaults shared by the programme management office's modules."""

from datetime import date

from pmo_graph.sdk import utcnow

TIER = "pmo"


def today() -> date:
    """Today's date in UTC, the default ``asOf``."""
    return utcnow().date()
