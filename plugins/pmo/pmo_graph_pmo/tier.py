"""The tier this plugin provides."""

from __future__ import annotations

from pmo_graph.sdk import Tier

#: The key every gated field, standard, event type and type of this plugin belongs to.
KEY = "pmo"

TIER = Tier(
    key=KEY,
    name="Programme management office",
    level=3,
    requires=("portfolio",),
    description=(
        "Programme management: sponsorship of every project by the programme director, benefits "
        "management, the programme's common beat (tranches, cross-project dependencies, critical "
        "path)."
    ),
    readiness=("MANAGEMENT_CONTROL", "RISK", "BENEFITS", "ORGANISATIONAL_GOVERNANCE"),
)
