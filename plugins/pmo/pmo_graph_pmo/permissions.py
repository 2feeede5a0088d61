"""Who may do what in the programme management office."""

from __future__ import annotations

from collections.abc import Mapping

from pmo_graph.sdk import (
    ADMIN,
    OFFICE,
    PORTFOLIO_MANAGER,
    PROGRAMME_DIRECTOR,
    Permission,
    permission,
)

PROGRAMME_OFFICE = (ADMIN, OFFICE, PROGRAMME_DIRECTOR)

PMO_PERMISSIONS: Mapping[str, Permission] = {
    "createBenefit": permission(*PROGRAMME_OFFICE, description="Define a benefit of a programme."),
    "recordBenefitMeasurement": permission(
        *PROGRAMME_OFFICE, description="Record a benefit's measured value."
    ),
    "linkBenefitContribution": permission(
        *PROGRAMME_OFFICE, description="Say which share of a benefit a project delivers."
    ),
    "createObjective": permission(
        *PROGRAMME_OFFICE, PORTFOLIO_MANAGER, description="Add an objective to a programme."
    ),
    "linkBenefitObjective": permission(
        *PROGRAMME_OFFICE, description="Link a benefit to an objective."
    ),
    "createTranche": permission(*PROGRAMME_OFFICE, description="Add a tranche to a programme."),
    "setMilestoneTranche": permission(
        *PROGRAMME_OFFICE, description="Put a milestone in a tranche."
    ),
    "addDependency": permission(
        *PROGRAMME_OFFICE, description="Make a milestone wait for another."
    ),
    "removeDependency": permission(*PROGRAMME_OFFICE, description="Remove a dependency."),
}
