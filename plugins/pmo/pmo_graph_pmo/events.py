"""The programme office's domain events that integrations may subscribe to."""

from __future__ import annotations

from pmo_graph.sdk import EventType
from pmo_graph_pmo.scope import TIER

EVENT_TYPES = [
    EventType("benefit.measured", "A benefit's measurement was recorded.", TIER),
    EventType(
        "benefit.status_changed",
        "A measurement moved a benefit to another status (`previous`, `status`).",
        TIER,
    ),
    EventType("benefit.at_risk", "A measurement put a benefit at risk.", TIER),
    EventType("benefit.contribution_linked", "A project's share of a benefit was set.", TIER),
    EventType("programme.out_of_step", "A change took a programme out of step.", TIER),
    EventType("tranche.created", "A tranche was added to a programme.", TIER),
    EventType("milestone.tranche_set", "A milestone was placed in a tranche.", TIER),
    EventType("dependency.added", "A dependency between projects was added.", TIER),
    EventType("dependency.removed", "A dependency between projects was removed.", TIER),
    EventType("project.sponsor_set", "The programme director became a project's sponsor.", TIER),
]
