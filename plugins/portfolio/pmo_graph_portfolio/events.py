"""The portfolio office's domain events that integrations may subscribe to."""

from __future__ import annotations

from pmo_graph.sdk import EventType
from pmo_graph_portfolio.tier import KEY

EVENT_TYPES = [
    EventType("risk.raised", "A risk was raised on a project.", KEY),
    EventType("risk.updated", "A risk was re-assessed, responded to or closed.", KEY),
    EventType("issue.raised", "An issue was raised on one or more projects.", KEY),
    EventType("issue.escalated", "An issue was escalated to its portfolio.", KEY),
    EventType("issue.resolved", "An issue was resolved.", KEY),
]
