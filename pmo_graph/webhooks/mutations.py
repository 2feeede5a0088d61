"""Mutations that register, change, remove and re-sign webhooks, and redeliver a delivery (ADMIN).

The signing secret is shown once, in the answer of ``createWebhook`` or ``rotateWebhookSecret``;
it is never in a query's answer nor in the audit log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Protocol, cast

import strawberry
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.db.types import utcnow
from pmo_graph.events import EventType
from pmo_graph.graphql.mutations import run_mutation
from pmo_graph.graphql.payloads import INVALID, UserError
from pmo_graph.graphql.refs import WebhookDeliveryRef, WebhookRef
from pmo_graph.graphql.validation import Checks, is_set
from pmo_graph.request.app import App
from pmo_graph.request.context import get_context
from pmo_graph.request.transaction import Transaction, diff, snapshot
from pmo_graph.webhooks.addresses import MAX_URL_LENGTH, registration_problem
from pmo_graph.webhooks.deliverer import WebhookDeliverer
from pmo_graph.webhooks.models import Webhook, WebhookDelivery, WebhookDeliveryStatus
from pmo_graph.webhooks.sealing import SecretBox
from pmo_graph.webhooks.signing import new_secret

#: The most event types one webhook may subscribe to.
MAX_EVENT_TYPES = 200
#: The longest a rotated secret may keep signing beside the new one: a week.
MAX_KEEP_PREVIOUS_HOURS = 168


class WebhooksApp(App, Protocol):
    """The app as webhook mutations use it: the secret box and the deliverer."""

    @property
    def secrets(self) -> SecretBox: ...

    @property
    def webhooks(self) -> WebhookDeliverer: ...


@strawberry.type(description="The result of a mutation on a webhook.")
class WebhookPayload:
    webhook: WebhookRef | None = strawberry.field(
        default=None,
        description="The webhook as the mutation left it (deleteWebhook: as it was before it "
        "was removed); null when `userErrors` is not empty.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A webhook and its new signing secret.")
class WebhookSecretPayload:
    webhook: WebhookRef | None = None
    secret: str | None = strawberry.field(
        default=None,
        description="The secret deliveries are signed with (HMAC-SHA256). Shown this once: "
        "store it with the receiver now.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The result of a mutation on a webhook delivery.")
class WebhookDeliveryPayload:
    webhook_delivery: WebhookDeliveryRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


URL = (
    f"Where to POST events: an http(s) URL of at most {MAX_URL_LENGTH} characters, without "
    "credentials, that does not name a private network unless the server allows it "
    "(PMO_GRAPH_WEBHOOK_PRIVATE_NETWORKS); INVALID otherwise."
)
EVENT_TYPES = (
    f"Names of the event types to receive, 1 to {MAX_EVENT_TYPES} (the query `eventTypes` "
    "lists them; INVALID for another name)."
)
DESCRIPTION = "What it is for, e.g. `CRM`: at most 500 characters."
WEBHOOK_ID = "The webhook (NOT_FOUND unless your organisation has it)."


@strawberry.input(description="A new webhook.")
class CreateWebhookInput:
    url: str = strawberry.field(description=URL)
    event_types: list[str] = strawberry.field(description=EVENT_TYPES)
    description: str | None = strawberry.field(default=None, description=DESCRIPTION)


@strawberry.input(description="Fields left out keep their value; null clears an optional field.")
class UpdateWebhookInput:
    webhook_id: strawberry.ID = strawberry.field(description=WEBHOOK_ID)
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The `version` you read: CONFLICT if the webhook changed since. Left out "
        "or null: no check.",
    )
    url: str | None = strawberry.field(default=strawberry.UNSET, description=URL)
    event_types: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description=EVENT_TYPES
    )
    description: str | None = strawberry.field(default=strawberry.UNSET, description=DESCRIPTION)
    active: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="false switches it off (no new events; pending deliveries wait), true on "
        "again (clearing disabledAt and failureStreak); cannot be null (INVALID).",
    )


@strawberry.input(description="The webhook to remove.")
class DeleteWebhookInput:
    webhook_id: strawberry.ID = strawberry.field(description=WEBHOOK_ID)


@strawberry.input(description="The webhook to give a new secret, and how long the old one lasts.")
class RotateWebhookSecretInput:
    webhook_id: strawberry.ID = strawberry.field(description=WEBHOOK_ID)
    keep_previous_hours: int = strawberry.field(
        default=0,
        description="Hours the old secret keeps signing beside the new one (every delivery "
        "then carries two `v1=` signatures), so receivers can switch without losing a "
        f"delivery; 0 (the default) retires it at once, at most {MAX_KEEP_PREVIOUS_HOURS} "
        "(INVALID otherwise).",
    )


@strawberry.input(description="The delivery to send again.")
class RedeliverWebhookDeliveryInput:
    webhook_delivery_id: strawberry.ID = strawberry.field(
        description="The delivery, DELIVERED or FAILED (NOT_FOUND unless your organisation has "
        "it; INVALID while it is PENDING)."
    )


def webhook_values(webhook: Webhook) -> dict[str, Any]:
    """The webhook's fields under their API names, as the audit log records them (no secret)."""
    return {
        "url": webhook.url,
        "description": webhook.description,
        "eventTypes": list(webhook.event_types),
        "active": webhook.active,
    }


def _event_types(
    checks: Checks, names: Sequence[str] | None, known: Mapping[str, EventType]
) -> list[str]:
    """The subscribed names, deduplicated in order; INVALID with the valid names otherwise."""
    if not names:
        checks.add(INVALID, "eventTypes must name at least one event type.", "eventTypes")
        return []
    chosen = list(dict.fromkeys(name.strip() for name in names))
    unknown = [name for name in chosen if name not in known]
    if unknown:
        checks.add(
            INVALID,
            f"No event type is named {', '.join(repr(n) for n in unknown)}; "
            f"valid names: {', '.join(sorted(known))}.",
            "eventTypes",
        )
    if len(chosen) > MAX_EVENT_TYPES:
        checks.add(INVALID, f"eventTypes holds at most {MAX_EVENT_TYPES} names.", "eventTypes")
    return chosen


async def _url_problem(info: Info[Any, Any], url: str | None) -> str | None:
    """Why ``url`` cannot be registered; checked before the transaction (it may resolve a name)."""
    if url is None:
        return None
    settings = get_context(info).app.settings
    return await registration_problem(url.strip(), settings.webhook_private_networks)


def _checked_url(checks: Checks, url: str | None, problem: str | None) -> str | None:
    """The trimmed URL; ``problem`` (from ``_url_problem``) or its absence as a userError."""
    if problem is not None:
        checks.add(INVALID, problem, "url")
        return None
    return checks.text(url, "url", required=True, max_length=MAX_URL_LENGTH)


async def _webhook(tx: Transaction, checks: Checks, webhook_id: str) -> Webhook:
    webhook = await checks.reference(
        tx.session, tx.context.viewer.organisation_id, Webhook, "Webhook", webhook_id, "webhookId"
    )
    checks.raise_if_any()
    assert webhook is not None
    return webhook


async def _with_secret(
    info: Info[Any, Any],
    action: str,
    secret: str,
    body: Callable[[Transaction], Awaitable[Webhook]],
) -> WebhookSecretPayload:
    """Run ``body`` (which gives the webhook ``secret``); the answer shows the secret if it
    committed."""
    payload = await run_mutation(info, action, WebhookSecretPayload, body)
    if payload.webhook is not None:
        payload.secret = secret
    return payload


@strawberry.type
class WebhooksMutation:
    @strawberry.mutation(
        description="Register a webhook (ADMIN; others FORBIDDEN). The answer holds its "
        "signing secret, shown once. userErrors: INVALID (the URL, an unknown or no event type, "
        "a too long description)."
    )
    async def create_webhook(
        self, info: Info[Any, Any], input: CreateWebhookInput
    ) -> WebhookSecretPayload:
        context = get_context(info)
        viewer = authorize(context, "createWebhook")
        problem = await _url_problem(info, input.url)
        secret = new_secret()

        async def body(tx: Transaction) -> Webhook:
            checks = Checks()
            url = _checked_url(checks, input.url, problem)
            event_types = _event_types(checks, input.event_types, context.app.event_types)
            description = checks.text(
                input.description, "description", required=False, max_length=500
            )
            checks.raise_if_any()
            assert url is not None
            webhook = Webhook(
                organisation_id=viewer.organisation_id,
                url=url,
                description=description,
                event_types=event_types,
                secret=cast(WebhooksApp, context.app).secrets.seal(secret),
                active=True,
                created_by_user_id=viewer.user_id,
            )
            tx.session.add(webhook)
            await tx.session.flush()
            tx.audit("Webhook", webhook.id, snapshot(webhook_values(webhook)))
            return webhook

        return await _with_secret(info, "createWebhook", secret, body)

    @strawberry.mutation(
        description="Change a webhook's URL, event types or description, or switch it off and on "
        "(ADMIN; others FORBIDDEN). While it is off it gets no new events, and its pending "
        "deliveries wait. userErrors: NOT_FOUND (webhookId), CONFLICT (a stale "
        "expectedVersion), INVALID."
    )
    async def update_webhook(
        self, info: Info[Any, Any], input: UpdateWebhookInput
    ) -> WebhookPayload:
        context = get_context(info)
        authorize(context, "updateWebhook")
        problem = await _url_problem(info, input.url) if is_set(input.url) else None

        async def body(tx: Transaction) -> Webhook:
            checks = Checks()
            webhook = await _webhook(tx, checks, input.webhook_id)
            checks.version(input.expected_version, webhook.version, "webhook")
            before = webhook_values(webhook)
            if is_set(input.url):
                webhook.url = _checked_url(checks, input.url, problem) or webhook.url
            if is_set(input.event_types):
                webhook.event_types = _event_types(
                    checks, input.event_types, context.app.event_types
                )
            if is_set(input.description):
                webhook.description = checks.text(
                    input.description, "description", required=False, max_length=500
                )
            if is_set(input.active):
                if input.active is None:
                    checks.add(INVALID, "active cannot be null.", "active")
                else:
                    if input.active and not webhook.active:
                        # switched on again: the failures that switched it off are behind it
                        webhook.failure_streak = 0
                        webhook.disabled_at = None
                    webhook.active = input.active
            checks.raise_if_any()
            await tx.session.flush()
            tx.audit("Webhook", webhook.id, diff(before, webhook_values(webhook)))
            return webhook

        return await run_mutation(info, "updateWebhook", WebhookPayload, body)

    @strawberry.mutation(
        description="Remove a webhook and its deliveries (ADMIN; others FORBIDDEN); pending "
        "ones are not sent. The answer holds the webhook as it was. userErrors: NOT_FOUND "
        "(webhookId)."
    )
    async def delete_webhook(
        self, info: Info[Any, Any], input: DeleteWebhookInput
    ) -> WebhookPayload:
        context = get_context(info)
        authorize(context, "deleteWebhook")

        async def body(tx: Transaction) -> Webhook:
            webhook = await _webhook(tx, Checks(), input.webhook_id)
            await tx.session.delete(webhook)
            await tx.session.flush()
            tx.audit("Webhook", webhook.id, {"removed": True, **webhook_values(webhook)})
            return webhook

        return await run_mutation(info, "deleteWebhook", WebhookPayload, body)

    @strawberry.mutation(
        description="Give a webhook a new signing secret (ADMIN), shown once in the answer. "
        "Deliveries from now on are signed with it, and with the old one too for "
        "`keepPreviousHours` (by default the old one stops at once). Others than ADMIN: "
        "FORBIDDEN. userErrors: NOT_FOUND (webhookId), INVALID (keepPreviousHours)."
    )
    async def rotate_webhook_secret(
        self, info: Info[Any, Any], input: RotateWebhookSecretInput
    ) -> WebhookSecretPayload:
        context = get_context(info)
        authorize(context, "rotateWebhookSecret")
        secret = new_secret()

        async def body(tx: Transaction) -> Webhook:
            checks = Checks()
            keep = input.keep_previous_hours
            if not 0 <= keep <= MAX_KEEP_PREVIOUS_HOURS:
                checks.add(
                    INVALID,
                    f"keepPreviousHours must be between 0 and {MAX_KEEP_PREVIOUS_HOURS}.",
                    "keepPreviousHours",
                )
            webhook = await _webhook(tx, checks, input.webhook_id)
            if keep:
                webhook.previous_secret = webhook.secret
                webhook.previous_secret_expires_at = utcnow() + timedelta(hours=keep)
            else:
                webhook.previous_secret = webhook.previous_secret_expires_at = None
            webhook.secret = cast(WebhooksApp, context.app).secrets.seal(secret)
            await tx.session.flush()
            tx.audit("Webhook", webhook.id, {"secret": "rotated", "keepPreviousHours": keep})
            return webhook

        return await _with_secret(info, "rotateWebhookSecret", secret, body)

    @strawberry.mutation(
        description="Send a delivered or failed delivery again (ADMIN): it is PENDING again, "
        "with the same deliveryId and a fresh set of attempts. Others than ADMIN: FORBIDDEN. "
        "userErrors: NOT_FOUND (webhookDeliveryId), INVALID (it is still PENDING)."
    )
    async def redeliver_webhook_delivery(
        self, info: Info[Any, Any], input: RedeliverWebhookDeliveryInput
    ) -> WebhookDeliveryPayload:
        context = get_context(info)
        authorize(context, "redeliverWebhookDelivery")
        deliverer = cast(WebhooksApp, context.app).webhooks

        async def body(tx: Transaction) -> WebhookDelivery:
            checks = Checks()
            delivery = await checks.reference(
                tx.session,
                tx.context.viewer.organisation_id,
                WebhookDelivery,
                "WebhookDelivery",
                input.webhook_delivery_id,
                "webhookDeliveryId",
            )
            checks.raise_if_any()
            assert delivery is not None
            if delivery.status is WebhookDeliveryStatus.PENDING:
                checks.add(
                    INVALID,
                    "The delivery is still PENDING: it is tried again without being asked.",
                    "webhookDeliveryId",
                )
                checks.raise_if_any()
            before = delivery.status
            delivery.status = WebhookDeliveryStatus.PENDING
            delivery.attempts = 0
            delivery.next_attempt_at = utcnow()
            delivery.delivered_at = None
            await tx.session.flush()
            tx.audit(
                "WebhookDelivery",
                delivery.id,
                {"status": {"from": before.value, "to": delivery.status.value}},
            )
            tx.context.after_commit.append(deliverer.nudge)
            return delivery

        return await run_mutation(info, "redeliverWebhookDelivery", WebhookDeliveryPayload, body)
