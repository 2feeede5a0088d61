"""Who may do what in the lessons-learned log.

Everyone in the organisation reads every lesson: a lesson nobody can find teaches nothing. Those
who run projects, portfolios and programmes record lessons on any project; a project manager on
the projects they manage; a viewer on none.
"""

from __future__ import annotations

from collections.abc import Mapping

from pmo_graph.sdk import MANAGERS, PROJECT_MANAGER, Permission, permission

LESSONS_PERMISSIONS: Mapping[str, Permission] = {
    "recordLesson": permission(
        *MANAGERS,
        own_project=(PROJECT_MANAGER,),
        description="Record a lesson learned on a project (a project manager: on projects they "
        "manage).",
    ),
    "updateLesson": permission(
        *MANAGERS,
        own_project=(PROJECT_MANAGER,),
        description="Correct a lesson (a project manager: on projects they manage).",
    ),
}
