"""Mutations that create and change portfolios."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from pmo_graph.auth.permissions import authorize
from pmo_graph.graphql.mutations import run_mutation
from pmo_graph.graphql.payloads import UserError
from pmo_graph.graphql.refs import PortfolioRef
from pmo_graph.graphql.validation import Checks, is_set
from pmo_graph.ids import to_global_id
from pmo_graph.people.models import Person
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.request.context import get_context
from pmo_graph.request.transaction import Transaction, diff, snapshot


@strawberry.type(description="The result of a mutation on a portfolio.")
class PortfolioPayload:
    portfolio: PortfolioRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


NAME = "Its name: 1-200 characters, trimmed."
DESCRIPTION = "What it is for: at most 20000 characters."
MANAGER_ID = "Its portfolio manager (NOT_FOUND unless your organisation has the person)."


@strawberry.input(description="A new portfolio.")
class CreatePortfolioInput:
    name: str = strawberry.field(description=NAME)
    description: str | None = strawberry.field(default=None, description=DESCRIPTION)
    manager_id: strawberry.ID | None = strawberry.field(default=None, description=MANAGER_ID)


@strawberry.input(description="Fields left out keep their value; null clears an optional field.")
class UpdatePortfolioInput:
    portfolio_id: strawberry.ID = strawberry.field(
        description="The portfolio (NOT_FOUND unless your organisation has it)."
    )
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The `version` you read: CONFLICT if the portfolio changed since. Left out "
        "or null: no check.",
    )
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description=f"{NAME} Cannot be cleared."
    )
    description: str | None = strawberry.field(default=strawberry.UNSET, description=DESCRIPTION)
    manager_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description=MANAGER_ID
    )


def portfolio_values(portfolio: Portfolio) -> dict[str, Any]:
    """The portfolio's fields under their API names."""
    return {
        "name": portfolio.name,
        "description": portfolio.description,
        "managerId": to_global_id("Person", portfolio.manager_id) if portfolio.manager_id else None,
    }


@strawberry.type
class PortfoliosMutation:
    @strawberry.mutation(
        description="Create a portfolio (ADMIN, OFFICE, PORTFOLIO_MANAGER; others FORBIDDEN). "
        "userErrors: INVALID (a blank or too long text), NOT_FOUND (managerId)."
    )
    async def create_portfolio(
        self, info: Info[Any, Any], input: CreatePortfolioInput
    ) -> PortfolioPayload:
        context = get_context(info)
        authorize(context, "createPortfolio")
        organisation_id = context.viewer.organisation_id

        async def body(tx: Transaction) -> Portfolio:
            checks = Checks()
            name = checks.text(input.name, "name", required=True, max_length=200)
            description = checks.text(
                input.description, "description", required=False, max_length=20000
            )
            manager = await checks.reference(
                tx.session, organisation_id, Person, "Person", input.manager_id, "managerId"
            )
            checks.raise_if_any()
            portfolio = Portfolio(
                organisation_id=organisation_id,
                name=name,
                description=description,
                manager_id=manager.id if manager else None,
            )
            tx.session.add(portfolio)
            await tx.session.flush()
            tx.audit("Portfolio", portfolio.id, snapshot(portfolio_values(portfolio)))
            tx.emit("portfolio.created", "Portfolio", portfolio.id)
            return portfolio

        return await run_mutation(info, "createPortfolio", PortfolioPayload, body)

    @strawberry.mutation(
        description="Change a portfolio's name, description or manager (ADMIN, OFFICE, "
        "PORTFOLIO_MANAGER; others FORBIDDEN). userErrors: NOT_FOUND (portfolioId, managerId), "
        "CONFLICT (a stale expectedVersion), INVALID."
    )
    async def update_portfolio(
        self, info: Info[Any, Any], input: UpdatePortfolioInput
    ) -> PortfolioPayload:
        context = get_context(info)
        authorize(context, "updatePortfolio")
        organisation_id = context.viewer.organisation_id

        async def body(tx: Transaction) -> Portfolio:
            checks = Checks()
            portfolio = await checks.reference(
                tx.session,
                organisation_id,
                Portfolio,
                "Portfolio",
                input.portfolio_id,
                "portfolioId",
            )
            checks.raise_if_any()
            assert portfolio is not None
            checks.version(input.expected_version, portfolio.version, "portfolio")
            before = portfolio_values(portfolio)
            if is_set(input.name):
                portfolio.name = (
                    checks.text(input.name, "name", required=True, max_length=200) or portfolio.name
                )
            if is_set(input.description):
                portfolio.description = checks.text(
                    input.description, "description", required=False, max_length=20000
                )
            if is_set(input.manager_id):
                manager = await checks.reference(
                    tx.session, organisation_id, Person, "Person", input.manager_id, "managerId"
                )
                portfolio.manager_id = manager.id if manager else None
            checks.raise_if_any()
            await tx.session.flush()
            changes = diff(before, portfolio_values(portfolio))
            tx.audit("Portfolio", portfolio.id, changes)
            tx.emit("portfolio.updated", "Portfolio", portfolio.id, changed=sorted(changes))
            return portfolio

        return await run_mutation(info, "updatePortfolio", PortfolioPayload, body)
