"""Creating organisations and switching tiers outside GraphQL (command line, demo)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.canonical import canonical_text
from pmo_graph.organisations.models import Organisation, OrganisationTier

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


class OrganisationError(ValueError):
    """An organisation cannot be created or found; the message says why."""


async def create_organisation(session: AsyncSession, slug: str, name: str) -> Organisation:
    """A new organisation with every tier off."""
    slug = canonical_text(slug).lower()
    if not SLUG.match(slug):
        raise OrganisationError(
            f"the slug {slug!r} must be 1-64 lower-case letters, digits and inner hyphens"
        )
    if not name.strip():
        raise OrganisationError("the organisation needs a name")
    if await session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise OrganisationError(f"an organisation with the slug {slug!r} already exists")
    organisation = Organisation(slug=slug, name=name.strip())
    session.add(organisation)
    await session.flush()
    return organisation


async def organisation_by_slug(session: AsyncSession, slug: str) -> Organisation:
    """The organisation with ``slug``; ``OrganisationError`` when there is none."""
    organisation = await session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise OrganisationError(
            f"no organisation has the slug {slug!r}; create it with "
            f"'pmo-graph org create --slug {slug} --name NAME'"
        )
    return organisation


async def set_tiers(session: AsyncSession, organisation: Organisation, keys: list[str]) -> None:
    """Switch ``keys`` on (callers check prerequisites; used for the demo and tests)."""
    existing = {
        row.tier_key: row
        for row in await session.scalars(
            select(OrganisationTier).where(OrganisationTier.organisation_id == organisation.id)
        )
    }
    for key in keys:
        if key in existing:
            existing[key].enabled = True
        else:
            session.add(
                OrganisationTier(organisation_id=organisation.id, tier_key=key, enabled=True)
            )
    await session.flush()
