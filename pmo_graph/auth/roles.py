"""The roles a user can hold."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="What a user may do; a user can hold several roles.")
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
