"""The programme office's domain events that integrations may subscribe to."""

from __future__ import annotations

from pmo_graph.sdk import EventType
from pmo_graph_pmo.tier import KEY

EVENT_TYPES = [
    EventType("benefit.measured", "A benefit's measurement was recorded.", KEY),
    EventType(
        "benefit.status_changed",
        "A measurement moved a benefit to another status (`previous`, `status`).",
        KEY,
    ),
    EventType("benefit.at_risk", "A measurement put a benefit at risk.", KEY),
    EventType("benefit.contribution_linked", "A project's share of a benefit was set.", KEY),
    EventType("programme.out_of_step", "A change took a programme out of step.", KEY),
    EventType("tranche.created", "A tranche was added to a programme.", KEY),
    EventType("milestone.tranche_set", "A milestone was placed in a tranche.", KEY),
    EventType("dependency.added", "A dependency between projects was added.", KEY),
    EventType("dependency.removed", "A dependency between projects was removed.", KEY),
    EventType("project.sponsor_set", "The programme director became a project's sponsor.", KEY),
]
