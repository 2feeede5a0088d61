"""The support office's subscription: status reports as they are submitted."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from pmo_graph.sdk import (
    EventFields,
    Portfolio,
    Programme,
    Project,
    ProjectRef,
    domain_events,
    load_by_id,
    scope_argument,
    tier_subscription,
)
from pmo_graph_pso.models import StatusReport
from pmo_graph_pso.refs import StatusReportRef
from pmo_graph_pso.tier import KEY


@strawberry.type(description="A status report was submitted (the event status_report.submitted).")
class StatusReportSubmitted(EventFields):
    __tier__ = KEY

    @strawberry.field(
        description="The report submitted, read when the event is delivered; null if it cannot "
        "be found then."
    )
    async def status_report(self, info: Info[Any, Any]) -> StatusReportRef | None:
        return await load_by_id(info, StatusReport, self.notice.entity_pk)

    @strawberry.field(
        description="The project it reports on, read when the event is delivered; null if it "
        "cannot be found then."
    )
    async def project(self, info: Info[Any, Any]) -> ProjectRef | None:
        return await load_by_id(info, Project, self.notice.data.get("project"))


@strawberry.type
class StatusSubscription:
    @tier_subscription(
        KEY,
        description="Status reports as they are submitted, of one portfolio's or programme's "
        "projects or of the whole organisation. Every user of the organisation may subscribe.",
    )
    async def status_report_submitted(
        self,
        info: Info[Any, Any],
        portfolio_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only reports on this portfolio's projects. A malformed id is "
                "BAD_USER_INPUT, one your organisation does not have NOT_FOUND."
            ),
        ] = None,
        programme_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only reports on this programme's projects. A malformed id is "
                "BAD_USER_INPUT, one your organisation does not have NOT_FOUND."
            ),
        ] = None,
    ) -> AsyncGenerator[StatusReportSubmitted]:
        portfolio = await scope_argument(info, portfolio_id, Portfolio, "Portfolio", "portfolioId")
        programme = await scope_argument(info, programme_id, Programme, "Programme", "programmeId")
        async for notice in domain_events(
            info,
            {"status_report.submitted"},
            accept=lambda n: (
                (portfolio is None or n.data.get("portfolio") == portfolio)
                and (programme is None or n.data.get("programme") == programme)
            ),
        ):
            yield StatusReportSubmitted(notice=notice)
