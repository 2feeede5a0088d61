"""The tier's domain events that integrations may subscribe to (webhooks)."""

from __future__ import annotations

from pmo_graph.sdk import EventType
from pmo_graph_lessons.tier import KEY

EVENT_TYPES = [
    EventType("lesson.recorded", "A lesson was recorded on a project.", KEY),
    EventType("lesson.updated", "A lesson was edited; `changed` lists the fields.", KEY),
]
