"""The portfolio office's subscription: risks as they are raised and re-assessed."""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from pmo_graph.sdk import (
    EventFields,
    Portfolio,
    domain_events,
    load_by_id,
    scope_argument,
    tier_subscription,
)
from pmo_graph_portfolio.models import Risk
from pmo_graph_portfolio.refs import RiskRef
from pmo_graph_portfolio.tier import KEY


@strawberry.enum(description="How a risk changed.")
class RiskChange(enum.Enum):
    RAISED = strawberry.enum_value(
        "RAISED", description="raiseRisk added it to its project's register (event risk.raised)."
    )
    UPDATED = strawberry.enum_value(
        "UPDATED", description="updateRisk was applied to it (event risk.updated)."
    )


CHANGES = {"risk.raised": RiskChange.RAISED, "risk.updated": RiskChange.UPDATED}


@strawberry.type(description="A risk was raised, re-assessed, responded to or closed.")
class RiskChanged(EventFields):
    __tier__ = KEY

    @strawberry.field(description="RAISED when the risk was raised, UPDATED when updated.")
    def change(self) -> RiskChange:
        return CHANGES[self.notice.name]

    @strawberry.field(
        description="The API names of the fields an update changed (title, description, "
        "probability, impact, status, response, ownerId, proximity), sorted; [] when raised, or "
        "when an update changed nothing."
    )
    def changed_fields(self) -> list[str]:
        return [str(name) for name in self.notice.data.get("changed") or ()]

    @strawberry.field(
        description="The risk as it is when the event is delivered, which may be after later "
        "changes; null if it can no longer be read."
    )
    async def risk(self, info: Info[Any, Any]) -> RiskRef | None:
        return await load_by_id(info, Risk, self.notice.entity_pk)


@strawberry.type
class RiskSubscription:
    @tier_subscription(
        KEY,
        description="Risks as they are raised and updated, of one portfolio's projects or of "
        "every project of the organisation, after each change commits. Every user of the "
        "organisation may subscribe.",
    )
    async def risk_changed(
        self,
        info: Info[Any, Any],
        portfolio_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only risks of projects that were in this portfolio when the risk "
                "changed; omitted or null: every risk. A malformed id is the error "
                "BAD_USER_INPUT, the id of no portfolio of your organisation NOT_FOUND."
            ),
        ] = None,
    ) -> AsyncGenerator[RiskChanged]:
        portfolio = await scope_argument(info, portfolio_id, Portfolio, "Portfolio", "portfolioId")
        async for notice in domain_events(
            info,
            set(CHANGES),
            accept=lambda n: portfolio is None or n.data.get("portfolio") == portfolio,
        ):
            yield RiskChanged(notice=notice)
