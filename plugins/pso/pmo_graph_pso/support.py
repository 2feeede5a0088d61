"""Support services: coaching, workshops, guidance and assurance reviews the office gives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.sdk import (
    INVALID,
    Checks,
    Connection,
    ModelNode,
    Ordering,
    Person,
    PersonRef,
    Project,
    ProjectRef,
    Transaction,
    UserError,
    authorize,
    get_context,
    load_by_id,
    load_parent,
    page_args,
    paginate_children,
    run_mutation,
    snapshot,
    tier_field,
    tier_mutation,
)
from pmo_graph_pso.enums import SupportKind
from pmo_graph_pso.models import SupportEngagement
from pmo_graph_pso.refs import SupportEngagementRef
from pmo_graph_pso.tier import KEY

Row = strawberry.Parent[SupportEngagement]
MAX_HOURS = Decimal("100")


@strawberry.type(
    name="SupportEngagement",
    description="Help the project support office gave someone: coaching, a workshop, guidance or "
    "an assurance review. It cannot be changed once recorded.",
)
class SupportEngagementType(ModelNode):
    __model__ = SupportEngagement

    kind: SupportKind = strawberry.field(description="What kind of help it was.")
    hours: Decimal = strawberry.field(
        description="How long it took, in hours with two decimals: 0.01 to 100."
    )
    notes: str | None = strawberry.field(
        description="What was covered (at most 20000 characters); null when none were given."
    )

    @strawberry.field(description="The day it took place.")
    def date(self, root: Row) -> date:
        return root.held_on

    @strawberry.field(
        description="The project it was for; null when it was for no one project, such as a "
        "workshop for several project managers."
    )
    async def project(self, root: Row, info: Info[Any, Any]) -> ProjectRef | None:
        return await load_by_id(info, Project, root.project_id)

    @strawberry.field(description="Who was coached, trained or reviewed.")
    async def recipient(self, root: Row, info: Info[Any, Any]) -> PersonRef:
        return await load_parent(info, Person, root.recipient_id)

    @strawberry.field(description="Who from the office gave it; null when not recorded.")
    async def facilitator(self, root: Row, info: Info[Any, Any]) -> PersonRef | None:
        return await load_by_id(info, Person, root.facilitator_id)


@strawberry.type(description="The result of recording a support engagement.")
class SupportEngagementPayload:
    support_engagement: SupportEngagementRef | None = strawberry.field(
        default=None, description="The engagement recorded; null when userErrors say why not."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(
    description="Help the office gave someone, to record; it cannot be changed later."
)
class RecordSupportEngagementInput:
    kind: SupportKind = strawberry.field(description="What kind of help it was.")
    recipient_id: strawberry.ID = strawberry.field(
        description="Who was coached, trained or reviewed; NOT_FOUND when your organisation "
        "has no person with that id."
    )
    date: date = strawberry.field(description="The day it took place.")
    hours: Decimal = strawberry.field(
        description="How long it took, in hours: rounded to two decimals, then from 0.01 to 100 "
        "(else INVALID)."
    )
    project_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The project it was for; leave out when it was for no one project. "
        "NOT_FOUND when your organisation has no project with that id.",
    )
    facilitator_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Who from the office gave it; NOT_FOUND when your organisation has no "
        "person with that id.",
    )
    notes: str | None = strawberry.field(
        default=None,
        description="What was covered: trimmed, at most 20000 characters (else INVALID).",
    )


#: Newest first; the key breaks ties between engagements of one day.
ENGAGEMENT_ORDER = Ordering((SupportEngagement.held_on, SupportEngagement.id), descending=True)


async def _engagements(
    info: Info[Any, Any], column: Any, key: int, first: int | None, after: str | None
) -> Connection[SupportEngagementRef]:
    context = get_context(info)
    args = page_args(context, first=first, after=after, width=2)
    return await paginate_children(  # type: ignore[return-value]
        context, SupportEngagement, column, key, ENGAGEMENT_ORDER, args
    )


@strawberry.type
class SupportProjectFields:
    @tier_field(KEY, description="Support the office gave for the project, newest first (by date).")
    async def support_engagements(
        self,
        root: strawberry.Parent[Project],
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SupportEngagementRef]:
        return await _engagements(info, SupportEngagement.project_id, root.id, first, after)


@strawberry.type
class SupportPersonFields:
    @tier_field(
        KEY,
        description="Support the person received from the office, for any project or none, "
        "newest first (by date).",
    )
    async def support_received(
        self,
        root: strawberry.Parent[Person],
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SupportEngagementRef]:
        return await _engagements(info, SupportEngagement.recipient_id, root.id, first, after)


@strawberry.type
class SupportMutation:
    @tier_mutation(
        KEY,
        description="Record coaching, a workshop, guidance or an assurance review the office "
        "gave. ADMIN and OFFICE only; anyone else gets FORBIDDEN. userErrors: NOT_FOUND "
        "(projectId, recipientId, facilitatorId), INVALID (hours, notes).",
    )
    async def record_support_engagement(
        self, info: Info[Any, Any], input: RecordSupportEngagementInput
    ) -> SupportEngagementPayload:
        context = get_context(info)
        authorize(context, "recordSupportEngagement")
        organisation_id = context.viewer.organisation_id

        async def body(tx: Transaction) -> SupportEngagement:
            checks = Checks()
            project = await checks.reference(
                tx.session, organisation_id, Project, "Project", input.project_id, "projectId"
            )
            recipient = await checks.reference(
                tx.session, organisation_id, Person, "Person", input.recipient_id, "recipientId"
            )
            facilitator = await checks.reference(
                tx.session, organisation_id, Person, "Person", input.facilitator_id, "facilitatorId"
            )
            notes = checks.text(input.notes, "notes", required=False, max_length=20000)
            try:
                hours = input.hours.quantize(Decimal("0.01"))
                valid_hours = 0 < hours <= MAX_HOURS
            except InvalidOperation:
                hours, valid_hours = Decimal(0), False
            if not valid_hours:
                checks.add(
                    INVALID,
                    f"hours must be at least 0.01 and at most {MAX_HOURS} (two decimals).",
                    "hours",
                )
            checks.raise_if_any()
            assert recipient is not None
            engagement = SupportEngagement(
                organisation_id=organisation_id,
                kind=input.kind,
                project_id=project.id if project else None,
                recipient_id=recipient.id,
                facilitator_id=facilitator.id if facilitator else None,
                held_on=input.date,
                hours=hours,
                notes=notes,
            )
            tx.session.add(engagement)
            await tx.session.flush()
            tx.audit(
                "SupportEngagement",
                engagement.id,
                snapshot(
                    {
                        "kind": input.kind,
                        "projectId": input.project_id,
                        "recipientId": input.recipient_id,
                        "facilitatorId": input.facilitator_id,
                        "date": input.date,
                        "hours": engagement.hours,
                    }
                ),
            )
            return engagement

        return await run_mutation(info, "recordSupportEngagement", SupportEngagementPayload, body)
