"""The support office's domain events that integrations may subscribe to."""

from __future__ import annotations

from pmo_graph.sdk import EventType
from pmo_graph_pso.tier import KEY

EVENT_TYPES = [
    EventType("status_report.submitted", "A project's status report was submitted.", KEY),
    EventType("milestone.created", "A milestone was added to a project.", KEY),
    EventType("milestone.updated", "A milestone's dates or state changed.", KEY),
    EventType("assignment.created", "A person was assigned to a project.", KEY),
    EventType("assignment.released", "A person was released from a project.", KEY),
]
