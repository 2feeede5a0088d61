"""Who may do what in the project support office."""

from __future__ import annotations

from collections.abc import Mapping

from pmo_graph.sdk import ADMIN, MANAGERS, OFFICE, PROJECT_MANAGER, Permission, permission

PSO_PERMISSIONS: Mapping[str, Permission] = {
    "submitStatusReport": permission(
        ADMIN,
        OFFICE,
        own_project=(PROJECT_MANAGER,),
        description="Report a project's status (a project manager: on projects they manage).",
    ),
    "createMilestone": permission(
        *MANAGERS, own_project=(PROJECT_MANAGER,), description="Plan a milestone of a project."
    ),
    "updateMilestone": permission(
        *MANAGERS,
        own_project=(PROJECT_MANAGER,),
        description="Forecast, complete or rename a milestone.",
    ),
    "addPersonSkill": permission(ADMIN, OFFICE, description="Record a skill of a person."),
    "removePersonSkill": permission(ADMIN, OFFICE, description="Remove a skill of a person."),
    "assignPerson": permission(
        *MANAGERS, own_project=(PROJECT_MANAGER,), description="Assign a person to a project."
    ),
    "releaseAssignment": permission(
        *MANAGERS, own_project=(PROJECT_MANAGER,), description="Take a person off a project."
    ),
    "createProjectTemplate": permission(ADMIN, OFFICE, description="Create a project template."),
    "createProjectFromTemplate": permission(
        *MANAGERS, description="Create a project from a template."
    ),
    "recordSupportEngagement": permission(
        ADMIN, OFFICE, description="Record coaching, a workshop, guidance or a review."
    ),
    "setReportingCadence": permission(
        ADMIN, OFFICE, description="Set how often projects must report."
    ),
}
