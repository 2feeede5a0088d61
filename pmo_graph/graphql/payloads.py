"""``UserError`` and its codes: how a mutation says the input broke a rule of the domain.

The codes are registered (``pmo_graph.graphql.user_error_codes``); the constants here name the
core's and, kept importable for the plugins that answer them, the ``pmo`` tier's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from pmo_graph.graphql.refs import composed_type

if TYPE_CHECKING:
    UserErrorCodeRef = str
else:
    #: The enum ``UserErrorCode`` of the running schema: the codes every plugin registered.
    UserErrorCodeRef = composed_type("UserErrorCode")

INVALID = "INVALID"
NOT_FOUND = "NOT_FOUND"
DUPLICATE = "DUPLICATE"
CONFLICT = "CONFLICT"
PREREQUISITE_NOT_MET = "PREREQUISITE_NOT_MET"
REQUIRED_BY_OTHER_TIER = "REQUIRED_BY_OTHER_TIER"
CYCLE = "CYCLE"
OVER_ATTRIBUTED = "OVER_ATTRIBUTED"

#: Every code the core and the first-party tiers answer (the ``pmo`` tier registers the last
#: two); the schema's enum holds those of the installed plugins.
USER_ERROR_CODES = (
    INVALID,
    NOT_FOUND,
    DUPLICATE,
    CONFLICT,
    PREREQUISITE_NOT_MET,
    REQUIRED_BY_OTHER_TIER,
    CYCLE,
    OVER_ATTRIBUTED,
)


@strawberry.type(
    description="A rule of the domain that a mutation's input broke; nothing was written."
)
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path of the offending input field, relative to `input` (null: all of it)."
    )
    message: str = strawberry.field(description="What is wrong and what to do about it.")
    code: UserErrorCodeRef = strawberry.field(
        description="What kind of rule it broke; each value says what to do about it."
    )


def user_error(code: str, message: str, *field: str) -> UserError:
    """A ``UserError`` for the input field at path ``field`` (none: the whole input)."""
    return UserError(field=list(field) if field else None, message=message, code=code)


class UserErrors(Exception):
    """Raised inside a mutation body: roll back and answer these userErrors."""

    def __init__(self, *errors: UserError) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)
