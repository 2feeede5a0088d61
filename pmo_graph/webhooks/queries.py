"""Root query fields: ``webhooks`` (ADMIN) and ``eventTypes`` (anyone)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.graphql.pagination import Connection, Ordering, page_args, paginate
from pmo_graph.graphql.refs import WebhookRef
from pmo_graph.request.context import get_context
from pmo_graph.webhooks.models import Webhook
from pmo_graph.webhooks.types import READ_WEBHOOKS, EventType

WEBHOOK_ORDER = Ordering((Webhook.id,))


@strawberry.type
class WebhooksQuery:
    @strawberry.field(description="Your organisation's webhooks, oldest first (ADMIN).")
    async def webhooks(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[WebhookRef]:
        context = get_context(info)
        authorize(context, READ_WEBHOOKS)
        args = page_args(context, first=first, after=after, width=1)
        return await paginate(context, Webhook, WEBHOOK_ORDER, args)

    @strawberry.field(
        description="Every event type a webhook can subscribe to, by name, with whether your "
        "organisation receives it now."
    )
    def event_types(self, info: Info[Any, Any]) -> list[EventType]:
        context = get_context(info)
        context.viewer  # noqa: B018 - authenticated callers only
        return [EventType.of(spec, context) for spec in context.app.event_types.values()]
