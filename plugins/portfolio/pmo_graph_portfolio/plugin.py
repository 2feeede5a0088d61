"""Hook implementations of the `portfolio` tier: the portfolio support office."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from random import Random

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import (
    EventType,
    Measure,
    Organisation,
    Permission,
    Question,
    Standard,
    Tier,
    answer_demo_assessments,
    hookimpl,
)
from pmo_graph_portfolio import maturity
from pmo_graph_portfolio.balance import BalanceMutation, BalancePortfolioFields
from pmo_graph_portfolio.demo import seed_portfolio
from pmo_graph_portfolio.events import EVENT_TYPES
from pmo_graph_portfolio.issues import (
    IssueMutation,
    IssuePortfolioFields,
    IssueProjectFields,
    IssueType,
)
from pmo_graph_portfolio.permissions import PORTFOLIO_PERMISSIONS
from pmo_graph_portfolio.priorities import (
    PriorityMutation,
    PriorityPortfolioFields,
    PriorityProjectFields,
)
from pmo_graph_portfolio.resources import ResourceMutation, ResourcePersonFields, ResourceQuery
from pmo_graph_portfolio.risks import (
    STANDARDS,
    RiskMutation,
    RiskPortfolioFields,
    RiskProjectFields,
    RiskType,
)
from pmo_graph_portfolio.scenarios import (
    ScenarioChangeType,
    ScenarioMutation,
    ScenarioPortfolioFields,
    ScenarioType,
)
from pmo_graph_portfolio.subscriptions import RiskChanged, RiskSubscription

#: The plugin API versions this plugin works with (checked when it is loaded).
PLUGIN_API = ">=1.0,<2"

TIER = Tier(
    key="portfolio",
    name="Portfolio office",
    level=2,
    requires=("pso",),
    description=(
        "Portfolio support: risk registers and portfolio risk balance, capacity vs demand of "
        "scarce people across the organisation, what-if reallocation scenarios, common issues, "
        "prioritisation."
    ),
    readiness=("MANAGEMENT_CONTROL", "ORGANISATIONAL_GOVERNANCE", "RESOURCE"),
)


@hookimpl
def register_tiers() -> Iterable[Tier]:
    return [TIER]


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_types() -> Iterable[type]:
    return [RiskType, ScenarioType, ScenarioChangeType, IssueType, RiskChanged]


@hookimpl
def register_type_extensions() -> Mapping[str, Iterable[type]]:
    return {
        "Project": [RiskProjectFields, IssueProjectFields, PriorityProjectFields],
        "Portfolio": [
            RiskPortfolioFields,
            BalancePortfolioFields,
            ScenarioPortfolioFields,
            IssuePortfolioFields,
            PriorityPortfolioFields,
        ],
        "Person": [ResourcePersonFields],
    }


@hookimpl
def register_query_fields() -> Iterable[type]:
    return [ResourceQuery]


@hookimpl
def register_mutation_fields() -> Iterable[type]:
    return [
        RiskMutation,
        BalanceMutation,
        ResourceMutation,
        ScenarioMutation,
        IssueMutation,
        PriorityMutation,
    ]


@hookimpl
def register_subscription_fields() -> Iterable[type]:
    return [RiskSubscription]


@hookimpl
def register_permissions() -> Mapping[str, Permission]:
    return PORTFOLIO_PERMISSIONS


@hookimpl
def register_maturity_questions() -> Iterable[Question]:
    return maturity.QUESTIONS


@hookimpl
def register_maturity_measures() -> Iterable[Measure]:
    return maturity.MEASURES


@hookimpl
def register_standards() -> Iterable[Standard]:
    return STANDARDS


@hookimpl
async def seed_demo(session: AsyncSession, organisation: Organisation, rng: Random) -> None:
    await seed_portfolio(session, organisation, rng)
    await answer_demo_assessments(session, organisation, maturity.DEMO_SCORES)


@hookimpl
def register_event_types() -> Iterable[EventType]:
    return EVENT_TYPES
