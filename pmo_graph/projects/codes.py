"""A project's code: its canonical form, its rules, and whether another project has it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.canonical import canonical_text
from pmo_graph.graphql.payloads import DUPLICATE, INVALID
from pmo_graph.graphql.validation import Checks
from pmo_graph.projects.models import Project

#: The longest code a project may have.
CODE_MAX = 40


async def check_code(
    checks: Checks,
    session: AsyncSession,
    organisation_id: int,
    value: str | None,
    *,
    exclude_id: int | None = None,
) -> str | None:
    """``value`` as a project code in its canonical form (``canonical_text``), with a userError
    on ``code`` when it is blank, too long, has spaces or is another project's already (the
    project ``exclude_id`` aside). Every mutation that sets a code checks it here; the
    database's unique constraint stops the code that two requests take at once."""
    code = checks.text(
        canonical_text(value) if value is not None else None,
        "code",
        required=True,
        max_length=CODE_MAX,
    )
    if code is None:
        return None
    if any(c.isspace() for c in code):
        checks.add(INVALID, "code must not contain spaces.", "code")
    query = select(Project.id).where(
        Project.organisation_id == organisation_id, Project.code == code
    )
    if exclude_id is not None:
        query = query.where(Project.id != exclude_id)
    if await session.scalar(query) is not None:
        checks.add(DUPLICATE, f"Another project already has the code {code}.", "code")
    return code
