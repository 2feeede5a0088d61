"""The organisation's settings for the office: its reporting cadence."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.db.locks import ensure_row
from pmo_graph.graphql.context import get_context
from pmo_graph.graphql.mutations import Transaction, run_mutation
from pmo_graph.graphql.payloads import INVALID, UserError
from pmo_graph.graphql.refs import OrganisationRef
from pmo_graph.graphql.tiers import tier_field, tier_mutation
from pmo_graph.graphql.validation import Checks
from pmo_graph.organisations.models import Organisation
from pmo_graph_pso.loaders import DEFAULT_CADENCE_DAYS, reporting_cadence
from pmo_graph_pso.models import PsoSettings
from pmo_graph_pso.scope import TIER

MAX_CADENCE_DAYS = 366


@strawberry.type(description="The result of a change to the organisation's settings.")
class OrganisationPayload:
    organisation: OrganisationRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetReportingCadenceInput:
    days: int = strawberry.field(description="A report older than this is stale (1 to 366).")


@strawberry.type
class OfficeOrganisationFields:
    @tier_field(
        TIER, description="Days within which every active project must report (14 unless set)."
    )
    async def reporting_cadence_days(self, info: Info[Any, Any]) -> int:
        return await reporting_cadence(get_context(info))


@strawberry.type
class OfficeMutation:
    @tier_mutation(TIER, description="Set how often projects must report (OFFICE and ADMIN).")
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
