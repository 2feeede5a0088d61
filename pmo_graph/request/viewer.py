"""The authenticated user of a request."""

from __future__ import annotations

from dataclasses import dataclass

from pmo_graph.auth.roles import Role


@dataclass(frozen=True)
class Viewer:
    """The authenticated user of a request."""

    user_id: int
    organisation_id: int
    email: str
    name: str
    roles: frozenset[Role]
    person_id: int | None
    token_id: int

    def has_any(self, *roles: Role) -> bool:
        """Whether the user holds at least one of ``roles``."""
        return not self.roles.isdisjoint(roles)
