"""Real time: committed events fanned out to subscribers on every replica."""

from pmo_graph.realtime.notices import AUDIT_RECORDED, Notice
from pmo_graph.realtime.subscriptions import domain_events, scope_argument, tier_subscription
from pmo_graph.realtime.types import EventFields

__all__ = [
    "AUDIT_RECORDED",
    "EventFields",
    "Notice",
    "domain_events",
    "scope_argument",
    "tier_subscription",
]
