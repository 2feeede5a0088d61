"""Who may do what: the permission matrix, one entry per write action.

Every authenticated user reads everything of their own organisation; this matrix governs writes
(and the few reads that are restricted). ``docs/permissions.md`` is generated from it and a test
per cell checks it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pmo_graph.auth.roles import Role
from pmo_graph.errors import Forbidden
from pmo_graph.request.app import PermissionRule
from pmo_graph.request.context import Context, Viewer

ADMIN = Role.ADMIN
OFFICE = Role.OFFICE
PORTFOLIO_MANAGER = Role.PORTFOLIO_MANAGER
PROGRAMME_DIRECTOR = Role.PROGRAMME_DIRECTOR
PROJECT_MANAGER = Role.PROJECT_MANAGER
VIEWER = Role.VIEWER


@dataclass(frozen=True)
class Permission:
    """Roles allowed an action: always (``roles``) or on projects they manage (``own_project``)."""

    roles: frozenset[Role]
    own_project: frozenset[Role] = field(default_factory=frozenset)
    description: str = ""

    def allows(self, viewer: Viewer, project_manager_id: int | None = None) -> bool:
        """Whether ``viewer`` may act, on a project managed by ``project_manager_id`` if given."""
        if viewer.has_any(*self.roles):
            return True
        return (
            viewer.has_any(*self.own_project)
            and viewer.person_id is not None
            and project_manager_id == viewer.person_id
        )

    def might_allow(self, viewer: Viewer) -> bool:
        """Whether some target could be allowed (checked before the target is loaded)."""
        return viewer.has_any(*self.roles, *self.own_project)


def permission(*roles: Role, own_project: Iterable[Role] = (), description: str = "") -> Permission:
    """A ``Permission`` from roles."""
    return Permission(frozenset(roles), frozenset(own_project), description)


MANAGERS = (ADMIN, OFFICE, PORTFOLIO_MANAGER, PROGRAMME_DIRECTOR)

CORE_PERMISSIONS: Mapping[str, Permission] = {
    "createPerson": permission(ADMIN, OFFICE, description="Add a person to the organisation."),
    "updatePerson": permission(ADMIN, OFFICE, description="Change a person's details."),
    "createProject": permission(*MANAGERS, description="Create a project."),
    "updateProject": permission(
        *MANAGERS,
        own_project=(PROJECT_MANAGER,),
        description="Change a project (a project manager: only projects they manage).",
    ),
    "createPortfolio": permission(
        ADMIN, OFFICE, PORTFOLIO_MANAGER, description="Create a portfolio."
    ),
    "updatePortfolio": permission(
        ADMIN, OFFICE, PORTFOLIO_MANAGER, description="Change a portfolio."
    ),
    "createProgramme": permission(*MANAGERS, description="Create a programme."),
    "updateProgramme": permission(*MANAGERS, description="Change a programme."),
    "setProjectPortfolio": permission(
        ADMIN, OFFICE, PORTFOLIO_MANAGER, description="Move a project into or out of a portfolio."
    ),
    "setProjectProgramme": permission(
        *MANAGERS, description="Move a project into or out of a programme."
    ),
    "enableTier": permission(ADMIN, description="Switch a tier on for the organisation."),
    "disableTier": permission(ADMIN, description="Switch a tier off (its data is kept)."),
    "auditLog": permission(
        ADMIN,
        OFFICE,
        description="Read the audit log: `auditLog`, and an audit event wherever it is reached "
        "(`node`, `nodes`, a field of another type).",
    ),
    "auditEvents": permission(ADMIN, description="Subscribe to the audit log as it is written."),
    "submitMaturityAssessment": permission(
        ADMIN, OFFICE, description="Submit a maturity self-assessment."
    ),
    "installation": permission(
        ADMIN, description="See the installed plugins, their versions, hooks and problems."
    ),
    "webhooks": permission(ADMIN, description="See the webhooks and their deliveries."),
    "createWebhook": permission(
        ADMIN, description="Register a webhook: a URL that receives chosen events, signed."
    ),
    "updateWebhook": permission(
        ADMIN, description="Change a webhook's URL, event types or description; pause it."
    ),
    "deleteWebhook": permission(ADMIN, description="Remove a webhook and its deliveries."),
    "rotateWebhookSecret": permission(ADMIN, description="Give a webhook a new signing secret."),
    "redeliverWebhookDelivery": permission(
        ADMIN, description="Send a delivered or failed webhook delivery again."
    ),
}


def permission_for(context: Context, action: str) -> PermissionRule:
    """Who may perform ``action``: its registered permission (``roles``, ``own_project``), for a
    rule of a plugin's own beyond ``authorize`` (e.g. "own projects only" over several projects)."""
    rule = context.app.permissions.get(action)
    if rule is None:
        raise RuntimeError(f"no permission is registered for action {action!r}")
    return rule


def authorize(
    context: Context,
    action: str,
    *,
    project_manager_id: int | None = None,
    on_project: bool = False,
) -> Viewer:
    """Raise ``FORBIDDEN`` unless the viewer may perform ``action``.

    Pass ``on_project=True`` with the target project's ``project_manager_id`` once the project is
    loaded; without it only the roles are checked (so a project manager passes, to be checked
    again against the project).
    """
    viewer = context.viewer
    rule = context.app.permissions.get(action)
    if rule is None:
        raise RuntimeError(f"no permission is registered for action {action!r}")
    allowed = rule.allows(viewer, project_manager_id) if on_project else rule.might_allow(viewer)
    if not allowed:
        roles = ", ".join(sorted(r.value for r in rule.roles))
        extra = (
            f"; {', '.join(sorted(r.value for r in rule.own_project))} only on projects they manage"
            if rule.own_project
            else ""
        )
        raise Forbidden(
            f"You may not {action}: it needs one of the roles {roles}{extra}. "
            "Ask an ADMIN of your organisation for the role.",
            action=action,
        )
    return viewer


def permissions_table(permissions: Mapping[str, Permission]) -> str:
    """The permission matrix as a Markdown table, one row per action, one column per role."""
    roles = list(Role)
    lines = [
        "| Action | " + " | ".join(role.value for role in roles) + " | What it does |",
        "| --- | " + " | ".join(":---:" for _ in roles) + " | --- |",
    ]
    for action in sorted(permissions):
        rule = permissions[action]
        cells = [
            "yes" if role in rule.roles else "own projects" if role in rule.own_project else "no"
            for role in roles
        ]
        lines.append(f"| `{action}` | " + " | ".join(cells) + f" | {rule.description} |")
    return "\n".join(lines) + "\n"
