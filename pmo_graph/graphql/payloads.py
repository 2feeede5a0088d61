"""``UserError`` and its codes: how a mutation says the input broke a rule of the domain."""

from __future__ import annotations

import strawberry

INVALID = "INVALID"
NOT_FOUND = "NOT_FOUND"
DUPLICATE = "DUPLICATE"
CONFLICT = "CONFLICT"
PREREQUISITE_NOT_MET = "PREREQUISITE_NOT_MET"
REQUIRED_BY_OTHER_TIER = "REQUIRED_BY_OTHER_TIER"
CYCLE = "CYCLE"
OVER_ATTRIBUTED = "OVER_ATTRIBUTED"

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
    code: str = strawberry.field(
        description=(
            "INVALID, NOT_FOUND, DUPLICATE, CONFLICT (stale expectedVersion), "
            "PREREQUISITE_NOT_MET, REQUIRED_BY_OTHER_TIER, CYCLE or OVER_ATTRIBUTED."
        )
    )


def user_error(code: str, message: str, *field: str) -> UserError:
    """A ``UserError`` for the input field at path ``field`` (none: the whole input)."""
    return UserError(field=list(field) if field else None, message=message, code=code)


class UserErrors(Exception):
    """Raised inside a mutation body: roll back and answer these userErrors."""

    def __init__(self, *errors: UserError) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)
