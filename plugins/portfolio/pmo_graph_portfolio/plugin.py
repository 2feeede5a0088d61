"""The `portfolio` tier, the portfolio support office: its manifest and the hooks that do work."""

from __future__ import annotations

from pathlib import Path
from random import Random

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import Manifest, Organisation, answer_demo_assessments, hookimpl
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
from pmo_graph_portfolio.risks import RiskMutation, RiskPortfolioFields, RiskProjectFields, RiskType
from pmo_graph_portfolio.scenarios.mutations import ScenarioMutation
from pmo_graph_portfolio.scenarios.types import (
    ScenarioChangeType,
    ScenarioPortfolioFields,
    ScenarioType,
)
from pmo_graph_portfolio.standards import STANDARDS
from pmo_graph_portfolio.subscriptions import RiskChanged, RiskSubscription
from pmo_graph_portfolio.tier import TIER

#: The plugin API versions this plugin works with (checked when it is loaded).
PLUGIN_API = ">=1.3,<2"

MANIFEST = Manifest(
    tiers=[TIER],
    migrations=Path(__file__).parent / "migrations" / "versions",
    types=[RiskType, ScenarioType, ScenarioChangeType, IssueType, RiskChanged],
    type_extensions={
        "Project": [RiskProjectFields, IssueProjectFields, PriorityProjectFields],
        "Portfolio": [
            RiskPortfolioFields,
            BalancePortfolioFields,
            ScenarioPortfolioFields,
            IssuePortfolioFields,
            PriorityPortfolioFields,
        ],
        "Person": [ResourcePersonFields],
    },
    query_fields=[ResourceQuery],
    mutation_fields=[
        RiskMutation,
        BalanceMutation,
        ResourceMutation,
        ScenarioMutation,
        IssueMutation,
        PriorityMutation,
    ],
    subscription_fields=[RiskSubscription],
    permissions=PORTFOLIO_PERMISSIONS,
    maturity_questions=maturity.QUESTIONS,
    maturity_measures=maturity.MEASURES,
    standards=STANDARDS,
    event_types=EVENT_TYPES,
)


@hookimpl
async def seed_demo(session: AsyncSession, organisation: Organisation, rng: Random) -> None:
    await seed_portfolio(session, organisation, rng)
    await answer_demo_assessments(session, organisation, maturity.DEMO_SCORES)
