"""The arguments that narrow a report of the office to one portfolio or programme."""

from __future__ import annotations

from typing import Annotated

import strawberry

PortfolioScope = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="Only the projects of this portfolio. An id of another type is "
        "BAD_USER_INPUT; one your organisation does not have matches no project."
    ),
]
ProgrammeScope = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="Only the projects of this programme. An id of another type is "
        "BAD_USER_INPUT; one your organisation does not have matches no project."
    ),
]
