"""Portfolio balance: the budget's share per category against the portfolio's targets."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import delete, func, select
from strawberry.types import Info

from pmo_graph.sdk import (
    DUPLICATE,
    INVALID,
    Checks,
    Context,
    Lock,
    Portfolio,
    PortfolioPayload,
    Project,
    ProjectStage,
    Transaction,
    authorize,
    canonical_text,
    get_context,
    run_mutation,
    tier_field,
    tier_mutation,
)
from pmo_graph_portfolio.models import BalanceTarget
from pmo_graph_portfolio.tier import KEY

UNCATEGORISED = "Uncategorised"
SHARE_TOLERANCE = 0.001


@strawberry.type(
    description="A category's target and actual share of a portfolio's budget: does the money "
    "go where the portfolio said it would? Shares are fractions from 0 to 1, rounded to six "
    "decimals."
)
class BalanceLine:
    category: str = strawberry.field(
        description="A category of project (Project.category), matched whatever its case and "
        "spacing, spelt as its target is (or as one of its projects has it); "
        f'"{UNCATEGORISED}" gathers the projects without a category.'
    )
    target_share: float = strawberry.field(
        description="The share the portfolio's target gives the category; 0 when it has no target."
    )
    actual_share: float = strawberry.field(
        description="The category's share of the budget of the portfolio's projects that are "
        "neither CLOSED nor CANCELLED (a project without a budget adds nothing); 0 when that "
        "budget is 0."
    )
    deviation: float = strawberry.field(
        description="actualShare - targetShare: positive means more money than planned, "
        "negative less."
    )


@strawberry.input(description="The share of a portfolio's budget one category should have.")
class BalanceTargetInput:
    category: str = strawberry.field(
        description="A category of project (Project.category): trimmed, inner spaces collapsed, "
        "1 to 100 characters, once per list whatever its case and spacing (else DUPLICATE)."
    )
    share: float = strawberry.field(
        description="A fraction from 0 to 1 (0.25 is a quarter); the shares of the list add up "
        f"to 1 within {SHARE_TOLERANCE}."
    )


@strawberry.input(description="A portfolio's balance targets, replacing the ones it had.")
class SetBalanceTargetsInput:
    portfolio_id: strawberry.ID = strawberry.field(
        description="The portfolio, of your organisation."
    )
    targets: list[BalanceTargetInput] = strawberry.field(
        description="Replaces the portfolio's targets; an empty list removes them all. The "
        f"shares add up to 1 within {SHARE_TOLERANCE}."
    )


def _label(category: str) -> str:
    """A category as it is stored: canonical (``canonical_text``), inner spaces collapsed."""
    return " ".join(canonical_text(category).split())


def _key(category: str) -> str:
    """A category as it is compared: its label, without case."""
    return _label(category).lower()


async def _balances(context: Context, portfolio_ids: list[int]) -> list[list[BalanceLine]]:
    organisation_id = context.viewer.organisation_id
    targets = await context.db.scalars(
        select(BalanceTarget)
        .where(
            BalanceTarget.organisation_id == organisation_id,
            BalanceTarget.portfolio_id.in_(set(portfolio_ids)),
        )
        .order_by(BalanceTarget.share.desc(), BalanceTarget.category)
    )
    by_portfolio: dict[int, list[BalanceTarget]] = defaultdict(list)
    for target in targets:
        by_portfolio[target.portfolio_id].append(target)
    sums: Sequence[Any] = (
        await context.db.execute(
            select(Project.portfolio_id, Project.category, func.sum(Project.budget))
            .where(
                Project.organisation_id == organisation_id,
                Project.portfolio_id.in_(set(portfolio_ids)),
                Project.stage.not_in([ProjectStage.CLOSED, ProjectStage.CANCELLED]),
            )
            .group_by(Project.portfolio_id, Project.category)
        )
    ).all()
    actual: dict[int, dict[str, tuple[str, Decimal]]] = defaultdict(dict)
    for portfolio_id, category, total in sums:
        name = category or UNCATEGORISED
        previous = actual[portfolio_id].get(_key(name), (name, Decimal(0)))
        actual[portfolio_id][_key(name)] = (previous[0], previous[1] + Decimal(str(total or 0)))
    lines_by_portfolio = []
    for portfolio_id in portfolio_ids:
        spent = actual[portfolio_id]
        budget = sum((amount for _, amount in spent.values()), Decimal(0))
        lines = []
        seen = set()
        for target in by_portfolio[portfolio_id]:
            key = _key(target.category)
            seen.add(key)
            share = float(spent[key][1] / budget) if budget and key in spent else 0.0
            lines.append(_line(target.category, target.share, share))
        for key, (name, amount) in sorted(spent.items(), key=lambda item: (-item[1][1], item[0])):
            if key not in seen:
                lines.append(_line(name, 0.0, float(amount / budget) if budget else 0.0))
        lines_by_portfolio.append(lines)
    return lines_by_portfolio


def _line(category: str, target: float, actual: float) -> BalanceLine:
    return BalanceLine(
        category=category,
        target_share=round(target, 6),
        actual_share=round(actual, 6),
        deviation=round(actual - target, 6),
    )


@strawberry.type
class BalancePortfolioFields:
    @tier_field(
        KEY,
        description="Each category's target and actual share of the portfolio's budget, as it "
        "stands now: first every target, even one no project has, largest share first, then "
        "by name; then the categories without a target, largest budget first. [] with neither "
        "targets nor counted projects.",
    )
    async def balance(
        self, root: strawberry.Parent[Portfolio], info: Info[Any, Any]
    ) -> list[BalanceLine]:
        context = get_context(info)

        async def load(keys: list[int]) -> list[list[BalanceLine]]:
            return await _balances(context, keys)

        return await context.loaders.get(("portfolio", "balance"), load).load(root.id)


@strawberry.type
class BalanceMutation:
    @tier_mutation(
        KEY,
        description="Set the share of a portfolio's budget each category of project should "
        "have, replacing its targets; answers the portfolio. For ADMIN, OFFICE and "
        "PORTFOLIO_MANAGER; anyone else gets the error FORBIDDEN. userErrors (every problem at "
        "once, the old targets kept): NOT_FOUND on portfolioId; INVALID or DUPLICATE on "
        "targets.i.category; INVALID on targets.i.share, or on targets when the shares do not "
        "add up to 1.",
    )
    async def set_balance_targets(
        self, info: Info[Any, Any], input: SetBalanceTargetsInput
    ) -> PortfolioPayload:
        context = get_context(info)
        authorize(context, "setBalanceTargets")

        async def body(tx: Transaction) -> Portfolio:
            checks = Checks()
            # The list replaces the portfolio's: two replacements at once take turns, so the
            # second replaces the first instead of adding to it.
            portfolio = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Portfolio,
                "Portfolio",
                input.portfolio_id,
                "portfolioId",
                lock=Lock.WRITE,
            )
            seen: set[str] = set()
            for index, target in enumerate(input.targets):
                category = _label(target.category)
                if not category or len(category) > 100:
                    checks.add(
                        INVALID,
                        "A category needs 1 to 100 characters.",
                        "targets",
                        str(index),
                        "category",
                    )
                elif _key(category) in seen:
                    checks.add(
                        DUPLICATE,
                        f"{category!r} is listed twice.",
                        "targets",
                        str(index),
                        "category",
                    )
                seen.add(_key(category))
                if not 0 <= target.share <= 1:
                    checks.add(INVALID, "A share is from 0 to 1.", "targets", str(index), "share")
            total = sum(t.share for t in input.targets)
            if input.targets and abs(total - 1) > SHARE_TOLERANCE:
                checks.add(
                    INVALID,
                    f"The shares add up to {total:g}; they must add up to 1 (within "
                    f"{SHARE_TOLERANCE}).",
                    "targets",
                )
            checks.raise_if_any()
            assert portfolio is not None
            await tx.session.execute(
                delete(BalanceTarget).where(BalanceTarget.portfolio_id == portfolio.id)
            )
            tx.session.add_all(
                BalanceTarget(
                    organisation_id=portfolio.organisation_id,
                    portfolio_id=portfolio.id,
                    category=_label(t.category),
                    share=t.share,
                )
                for t in input.targets
            )
            await tx.session.flush()
            tx.audit(
                "Portfolio",
                portfolio.id,
                {
                    "balanceTargets": [
                        {"category": t.category, "share": t.share} for t in input.targets
                    ]
                },
            )
            return portfolio

        return await run_mutation(info, "setBalanceTargets", PortfolioPayload, body)
