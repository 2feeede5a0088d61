"""Lazy references to this tier's extensible types (see pmo_graph.graphql.refs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pmo_graph.sdk import composed_type

if TYPE_CHECKING:
    from pmo_graph_portfolio.models import Issue as IssueRef
    from pmo_graph_portfolio.models import Risk as RiskRef
    from pmo_graph_portfolio.models import Scenario as ScenarioRef
else:
    IssueRef = composed_type("Issue")
    RiskRef = composed_type("Risk")
    ScenarioRef = composed_type("Scenario")

__all__ = ["IssueRef", "RiskRef", "ScenarioRef"]
