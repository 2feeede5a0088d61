"""Lazy references to this tier's extensible types (see pmo_graph.graphql.refs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pmo_graph.sdk import composed_type

if TYPE_CHECKING:
    from pmo_graph_pmo.models import Benefit as BenefitRef
    from pmo_graph_pmo.models import Dependency as DependencyRef
    from pmo_graph_pmo.models import Objective as ObjectiveRef
    from pmo_graph_pmo.models import Tranche as TrancheRef
else:
    BenefitRef = composed_type("Benefit")
    DependencyRef = composed_type("Dependency")
    ObjectiveRef = composed_type("Objective")
    TrancheRef = composed_type("Tranche")

__all__ = ["BenefitRef", "DependencyRef", "ObjectiveRef", "TrancheRef"]
