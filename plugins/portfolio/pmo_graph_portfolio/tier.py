"""The tier this plugin provides."""

from __future__ import annotations

from pmo_graph.sdk import Tier

#: The key every gated field, standard, event type and type of this plugin belongs to.
KEY = "portfolio"

TIER = Tier(
    key=KEY,
    name="Portfolio office",
    level=2,
    requires=("pso",),
    description=(
        "Portfolio support: risk registers and portfolio risk balance, capacity vs demand of "
        "scarce people across the organisation, what-if reallocation scenarios, common issues, "
        "prioritisation."
    ),
    readiness=("MANAGEMENT_CONTROL", "ORGANISATIONAL_GOVERNANCE", "RESOURCE"),
)
