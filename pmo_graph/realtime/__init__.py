"""Real time: committed events fanned out to subscribers on every replica.

The package imports none of its modules, so that the event bus (``realtime.bus``) loads without
the GraphQL library; the subscription helpers it used to re-export resolve from their modules,
with a ``DeprecationWarning``, until pmo-graph 0.3.
"""

from typing import TYPE_CHECKING

from pmo_graph._deprecated import moved

if TYPE_CHECKING:  # what the type checker sees; at run time the names resolve on first use
    from pmo_graph.realtime.notices import AUDIT_RECORDED as AUDIT_RECORDED
    from pmo_graph.realtime.notices import Notice as Notice
    from pmo_graph.realtime.subscriptions import domain_events as domain_events
    from pmo_graph.realtime.subscriptions import scope_argument as scope_argument
    from pmo_graph.realtime.subscriptions import tier_subscription as tier_subscription
    from pmo_graph.realtime.types import EventFields as EventFields

__getattr__ = moved(
    __name__,
    {
        "AUDIT_RECORDED": "pmo_graph.realtime.notices",
        "Notice": "pmo_graph.realtime.notices",
        "domain_events": "pmo_graph.realtime.subscriptions",
        "scope_argument": "pmo_graph.realtime.subscriptions",
        "tier_subscription": "pmo_graph.realtime.subscriptions",
        "EventFields": "pmo_graph.realtime.types",
    },
)
