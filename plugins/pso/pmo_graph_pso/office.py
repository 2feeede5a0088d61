"""The organisation's settings for the office: its reporting cadence."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.sdk import (
    INVALID,
    Checks,
    Organisation,
    OrganisationRef,
    Transaction,
    UserError,
    authorize,
    ensure_row,
    get_context,
    run_mutation,
    tier_field,
    tier_mutation,
)
from pmo_graph_pso.loaders import DEFAULT_CADENCE_DAYS, reporting_cadence
from pmo_graph_pso.models import PsoSettings
from pmo_graph_pso.tier import KEY

MAX_CADENCE_DAYS = 366


@strawberry.type(description="The result of a change to the organisation's settings.")
class OrganisationPayload:
    organisation: OrganisationRef | None = strawberry.field(
        default=None,
        description="The organisation with its settings changed; null when userErrors say why not.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="How often the organisation's active projects must report.")
class SetReportingCadenceInput:
    days: int = strawberry.field(
        description="The cadence in days, 1 to 366 (else INVALID): a report whose periodEnding "
        "is more than this many days old is stale."
    )


@strawberry.type
class OfficeOrganisationFields:
    @tier_field(
        KEY,
        description="The reporting cadence, in days: every ACTIVE project must have reported "
        "for a period ending at most this many days ago, else it is stale (14 unless set with "
        "setReportingCadence).",
    )
    async def reporting_cadence_days(self, info: Info[Any, Any]) -> int:
        return await reporting_cadence(get_context(info))


@strawberry.type
class OfficeMutation:
    @tier_mutation(
        KEY,
        description="Set how often active projects must report, for statusSummary's stale "
        "projects and the standard STATUS_REPORT_CURRENT. ADMIN and OFFICE only; anyone else "
        "gets FORBIDDEN. userErrors: INVALID (days).",
    )
    async def set_reporting_cadence(
        self, info: Info[Any, Any], input: SetReportingCadenceInput
    ) -> OrganisationPayload:
        context = get_context(info)
        authorize(context, "setReportingCadence")
        organisation_id = context.viewer.organisation_id

        async def body(tx: Transaction) -> Organisation:
            checks = Checks()
            if not 1 <= input.days <= MAX_CADENCE_DAYS:
                checks.add(INVALID, f"days must be from 1 to {MAX_CADENCE_DAYS}.", "days")
            checks.raise_if_any()
            settings = await ensure_row(
                tx.session,
                PsoSettings,
                {"organisation_id": organisation_id},
                {"reporting_cadence_days": DEFAULT_CADENCE_DAYS},
            )
            before = settings.reporting_cadence_days
            settings.reporting_cadence_days = input.days
            await tx.session.flush()
            tx.audit(
                "Organisation",
                organisation_id,
                {"reportingCadenceDays": {"from": before, "to": input.days}},
            )
            organisation = await tx.session.get(Organisation, organisation_id)
            assert organisation is not None
            return organisation

        return await run_mutation(info, "setReportingCadence", OrganisationPayload, body)
