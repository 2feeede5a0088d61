"""The portfolio office's domain events that integrations may subscribe to."""

from __future__ import annotations

from pmo_graph.sdk import EventType
from pmo_graph_portfolio.scope import TIER

EVENT_TYPES = [
    EventType("risk.raised", "A risk was raised on a project.", TIER),
    EventType("risk.updated", "A risk was re-assessed, responded to or closed.", TIER),
    EventType("issue.raised", "An issue was raised on one or more projects.", TIER),
    EventType("issue.escalated", "An issue was escalated to its portfolio.", TIER),
    EventType("issue.resolved", "An issue was resolved.", TIER),
]
