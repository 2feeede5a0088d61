"""The portfolio office's subscription: risks as they are raised and re-assessed."""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from pmo_graph.graphql.resolvers import load_by_id
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.realtime import EventFields, domain_events, scope_argument, tier_subscription
from pmo_graph_portfolio.models import Risk
from pmo_graph_portfolio.refs import RiskRef
from pmo_graph_portfolio.scope import TIER


@strawberry.enum(description="How a risk changed.")
class RiskChange(enum.Enum):
    RAISED = "RAISED"
    UPDATED = "UPDATED"


CHANGES = {"risk.raised": RiskChange.RAISED, "risk.updated": RiskChange.UPDATED}


@strawberry.type(description="A risk was raised, re-assessed, responded to or closed.")
class RiskChanged(EventFields):
    __tier__ = TIER

    @strawberry.field(description="RAISED or UPDATED.")
    def change(self) -> RiskChange:
        return CHANGES[self.notice.name]

    @strawberry.field(description="The fields an update changed (empty when raised).")
    def changed_fields(self) -> list[str]:
        return [str(name) for name in self.notice.data.get("changed") or ()]

    @strawberry.field(description="The risk as it is now.")
    async def risk(self, info: Info[Any, Any]) -> RiskRef | None:
        return await load_by_id(info, Risk, self.notice.entity_pk)


@strawberry.type
class RiskSubscription:
    @tier_subscription(
        TIER, description="Risks as they are raised or change, of one portfolio or of all."
    )
    async def risk_changed(
        self,
        info: Info[Any, Any],
        portfolio_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only risks of this portfolio's projects."),
        ] = None,
    ) -> AsyncGenerator[RiskChanged]:
        portfolio = await scope_argument(info, portfolio_id, Portfolio, "Portfolio", "portfolioId")
        async for notice in domain_events(
            info,
            set(CHANGES),
            accept=lambda n: portfolio is None or n.data.get("portfolio") == portfolio,
        ):
            yield RiskChanged(notice=notice)
