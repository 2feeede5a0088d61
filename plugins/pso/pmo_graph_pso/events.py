"""The support office's domain events that integrations may subscribe to."""

from __future__ import annotations

from pmo_graph.sdk import EventType
from pmo_graph_pso.scope import TIER

EVENT_TYPES = [
    EventType("status_report.submitted", "A project's status report was submitted.", TIER),
    EventType("milestone.created", "A milestone was added to a project.", TIER),
    EventType("milestone.updated", "A milestone's dates or state changed.", TIER),
    EventType("assignment.created", "A person was assigned to a project.", TIER),
    EventType("assignment.released", "A person was released from a project.", TIER),
]
