"""The roles a user can hold."""

from __future__ import annotations

import enum

from pmo_graph.enums import described_enum


@described_enum(
    "What a user may do; a user can hold several roles. docs/permissions.md has every action "
    "by role.",
    {
        "ADMIN": "Runs the installation for the organisation: tiers, webhooks, the audit log, "
        "and everything the other roles may do.",
        "OFFICE": "The project support office (P3O): keeps the registers, standards and "
        "reporting of every project, portfolio and programme.",
        "PORTFOLIO_MANAGER": "Manages portfolios: their projects, priorities, balance and "
        "scenarios.",
        "PROGRAMME_DIRECTOR": "Directs programmes (and sponsors their projects): benefits, "
        "tranches, dependencies.",
        "PROJECT_MANAGER": "Manages projects: may change and report on the projects they "
        "manage (`Project.manager` is their person).",
        "VIEWER": "Reads everything of the organisation except the audit log, webhooks and "
        "the installation; changes nothing.",
    },
)
class Role(enum.Enum):
    ADMIN = "ADMIN"
    OFFICE = "OFFICE"
    PORTFOLIO_MANAGER = "PORTFOLIO_MANAGER"
    PROGRAMME_DIRECTOR = "PROGRAMME_DIRECTOR"
    PROJECT_MANAGER = "PROJECT_MANAGER"
    VIEWER = "VIEWER"


def parse_roles(values: list[str]) -> frozenset[Role]:
    """Roles from their names, ignoring names this version does not know."""
    known = {role.value for role in Role}
    return frozenset(Role(value) for value in values if value in known)
