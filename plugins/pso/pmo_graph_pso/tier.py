"""The tier this plugin provides."""

from __future__ import annotations

from pmo_graph.sdk import Tier

#: The key every gated field, standard, event type and type of this plugin belongs to.
KEY = "pso"

TIER = Tier(
    key=KEY,
    name="Project support office",
    level=1,
    requires=(),
    description=(
        "Project support: status reporting, milestones, staffing, templates, compliance with "
        "standards, coaching and workshops."
    ),
)
