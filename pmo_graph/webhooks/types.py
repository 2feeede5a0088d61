"""The ``Webhook``, ``WebhookDelivery`` and ``EventType`` GraphQL types (read by ADMINs)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from pmo_graph.auth.models import User as UserRow
from pmo_graph.db.types import utcnow
from pmo_graph.errors import NotFound
from pmo_graph.events import EventType as EventTypeSpec
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.pagination import Connection, Ordering, page_args, paginate_children
from pmo_graph.graphql.refs import UserRef, WebhookDeliveryRef, WebhookRef
from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.request.context import Context, get_context
from pmo_graph.webhooks import models
from pmo_graph.webhooks.models import WebhookDeliveryStatus

#: The permission action that reads webhooks and their deliveries.
READ_WEBHOOKS = "webhooks"
#: A webhook's deliveries, newest first.
DELIVERY_ORDER = Ordering((models.WebhookDelivery.id,), descending=True)

WebhookRow = strawberry.Parent[models.Webhook]
DeliveryRow = strawberry.Parent[models.WebhookDelivery]


@strawberry.type(name="EventType", description="A kind of event a webhook can subscribe to.")
class EventType:
    name: str = strawberry.field(
        description="What a webhook subscribes with, e.g. `project.created`."
    )
    description: str = strawberry.field(description="What happened, in a sentence.")
    tier: str | None = strawberry.field(
        description="The tier whose events these are (null: the core's); delivered only while it "
        "is on."
    )
    enabled: bool = strawberry.field(
        description="Whether your organisation receives it now (its tier is on)."
    )

    @classmethod
    def of(cls, spec: EventTypeSpec, context: Context) -> EventType:
        """The GraphQL object of an installed event type, as the viewer's organisation sees it."""
        return cls(
            name=spec.name,
            description=spec.description,
            tier=spec.tier,
            enabled=spec.tier is None or context.tier_enabled(spec.tier),
        )


@strawberry.type(
    name="Webhook",
    description="A URL that receives your organisation's events of the types it subscribed to, "
    "signed with its secret (ADMIN only; see docs/api.md#webhooks).",
)
class Webhook(ModelNode):
    __model__ = models.Webhook
    __read_permission__ = READ_WEBHOOKS

    url: str = strawberry.field(
        description="Where its events are POSTed: an http(s) URL without credentials."
    )
    description: str | None = strawberry.field(
        description="What it is for, e.g. `CRM` (null: none written)."
    )
    active: bool = strawberry.field(
        description="Whether it receives events; off, it gets no new ones and its pending "
        "deliveries wait until it is on again."
    )
    version: int = strawberry.field(
        description="Grows by one on every change; see expectedVersion."
    )
    failure_streak: int = strawberry.field(
        description="Its deliveries in a row that failed for good (a delivered one sets it "
        "back to 0); at PMO_GRAPH_WEBHOOK_DISABLE_AFTER it is switched off."
    )
    disabled_at: datetime | None = strawberry.field(
        description="When it was switched off for failing (null otherwise; switching it on "
        "again clears it and the streak)."
    )
    created_at: datetime = strawberry.field(description="When it was registered (UTC).")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")

    @strawberry.field(
        description="Until when the secret before the last rotation still signs deliveries "
        "beside the current one (rotateWebhookSecret's keepPreviousHours); null when it "
        "does not."
    )
    def previous_secret_expires_at(self, root: WebhookRow) -> datetime | None:
        until = root.previous_secret_expires_at
        return until if until is not None and until > utcnow() else None

    @strawberry.field(description="The names of the event types it receives.")
    def event_types(self, root: WebhookRow) -> list[str]:
        return list(root.event_types)

    @strawberry.field(description="Who registered it (null if the user was since deleted).")
    async def created_by(self, root: WebhookRow, info: Info[Any, Any]) -> UserRef | None:
        return await load_by_id(info, UserRow, root.created_by_user_id)

    @strawberry.field(description="Its deliveries, newest first; `status` narrows them.")
    async def deliveries(
        self,
        root: WebhookRow,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        status: Annotated[
            WebhookDeliveryStatus | None,
            strawberry.argument(description="Only the deliveries in this status (null: all)."),
        ] = None,
    ) -> Connection[WebhookDeliveryRef]:
        context = get_context(info)
        args = page_args(context, first=first, after=after, width=1)
        where = [] if status is None else [models.WebhookDelivery.status == status]
        return await paginate_children(
            context,
            models.WebhookDelivery,
            models.WebhookDelivery.webhook_id,
            root.id,
            DELIVERY_ORDER,
            args,
            where,
            where_key=status,
        )


@strawberry.type(
    name="WebhookDelivery",
    description="One event sent (or to be sent) to one webhook, with how its attempts went.",
)
class WebhookDelivery(ModelNode):
    __model__ = models.WebhookDelivery
    __read_permission__ = READ_WEBHOOKS

    delivery_id: str = strawberry.field(
        description="The `PMO-Graph-Delivery` header and the body's `deliveryId`: the same on "
        "every attempt and redelivery, for the receiver to ignore a repeat."
    )
    status: WebhookDeliveryStatus = strawberry.field(description="Where it is now.")
    attempts: int = strawberry.field(description="Attempts made so far.")
    last_status_code: int | None = strawberry.field(
        description="The HTTP status of the last attempt (null: no answer, or none yet)."
    )
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed, briefly (null when it succeeded)."
    )
    last_attempt_at: datetime | None = strawberry.field(
        description="When the last attempt was made (UTC; null: none yet)."
    )
    created_at: datetime = strawberry.field(
        description="When the event's mutation staged it (UTC)."
    )
    delivered_at: datetime | None = strawberry.field(
        description="When the receiver accepted it (UTC; null unless DELIVERED)."
    )

    @strawberry.field(description="The event's name, e.g. `project.created`.")
    def event_type(self, root: DeliveryRow) -> str:
        return root.event_name

    @strawberry.field(description="When it is next tried (PENDING only; null otherwise).")
    def next_attempt_at(self, root: DeliveryRow) -> datetime | None:
        return root.next_attempt_at if root.status is WebhookDeliveryStatus.PENDING else None

    @strawberry.field(description="The JSON body sent, exactly.")
    def payload(self, root: DeliveryRow) -> JSON:
        return JSON(root.payload)

    @strawberry.field(
        description="The webhook it is for: always there (removing a webhook removes its "
        "deliveries), and readable by whoever reads the delivery."
    )
    async def webhook(self, root: DeliveryRow, info: Info[Any, Any]) -> WebhookRef:
        webhook = await load_by_id(info, models.Webhook, root.webhook_id)
        if webhook is None:
            # The delivery was read, then its webhook (and the delivery with it) removed.
            raise NotFound("The webhook of this delivery was removed; read its deliveries again.")
        return webhook
