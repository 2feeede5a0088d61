"""Who may do what in the portfolio office."""

from __future__ import annotations

from collections.abc import Mapping

from pmo_graph.sdk import (
    ADMIN,
    MANAGERS,
    OFFICE,
    PORTFOLIO_MANAGER,
    PROJECT_MANAGER,
    Permission,
    permission,
)

PORTFOLIO_PERMISSIONS: Mapping[str, Permission] = {
    "raiseRisk": permission(
        *MANAGERS, own_project=(PROJECT_MANAGER,), description="Add a risk to a project's register."
    ),
    "updateRisk": permission(
        *MANAGERS,
        own_project=(PROJECT_MANAGER,),
        description="Re-assess, respond to or close a risk.",
    ),
    "setBalanceTargets": permission(
        ADMIN, OFFICE, PORTFOLIO_MANAGER, description="Set a portfolio's balance targets."
    ),
    "setPersonCapacity": permission(
        ADMIN, OFFICE, description="Set how much of a full-time person someone is."
    ),
    "createScenario": permission(
        ADMIN, OFFICE, PORTFOLIO_MANAGER, description="Start a what-if scenario."
    ),
    "addScenarioChange": permission(
        ADMIN, OFFICE, PORTFOLIO_MANAGER, description="Add a change to a scenario."
    ),
    "applyScenario": permission(
        ADMIN, PORTFOLIO_MANAGER, description="Apply a scenario (the portfolio's decision)."
    ),
    "raiseIssue": permission(
        *MANAGERS,
        own_project=(PROJECT_MANAGER,),
        description="Record an issue (a project manager: touching only projects they manage).",
    ),
    "linkIssue": permission(
        *MANAGERS, own_project=(PROJECT_MANAGER,), description="Link an issue to another project."
    ),
    "escalateIssue": permission(
        *MANAGERS, own_project=(PROJECT_MANAGER,), description="Escalate an issue to a portfolio."
    ),
    "resolveIssue": permission(*MANAGERS, description="Resolve an issue."),
    "setPortfolioCriteria": permission(
        ADMIN, OFFICE, PORTFOLIO_MANAGER, description="Set a portfolio's prioritisation criteria."
    ),
    "scoreProject": permission(
        ADMIN, OFFICE, PORTFOLIO_MANAGER, description="Score a project against a criterion."
    ),
}
