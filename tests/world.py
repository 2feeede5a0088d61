"""A small, fixed world inside a test organisation, for the matrix tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpers import gid
from pmo_graph.audit.models import AuditEvent
from pmo_graph.auth.models import User
from pmo_graph.auth.roles import Role
from pmo_graph.organisations.models import OrganisationTier
from pmo_graph.people.models import Person
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.programmes.models import Programme
from pmo_graph.projects.enums import ProjectStage
from pmo_graph.projects.models import Project
from pmo_graph.testing import TestOrganisation
from sample_plugin.models import SampleNote


@dataclass
class World:
    """Global IDs of the objects of one organisation."""

    person: str
    own_project: str
    other_project: str
    portfolio: str
    programme: str
    note: str
    organisation: str
    user: str


async def build_world(session: AsyncSession, org: TestOrganisation) -> World:
    """A person, two projects (one managed by the PROJECT_MANAGER user), a portfolio, a
    programme and a sample note."""
    person = Person(organisation_id=org.id, name="Pat Other", email=f"pat@{org.slug}.test")
    portfolio = Portfolio(organisation_id=org.id, name="Portfolio A")
    session.add_all([person, portfolio])
    await session.flush()
    programme = Programme(organisation_id=org.id, name="Programme A", portfolio_id=portfolio.id)
    own = Project(
        organisation_id=org.id,
        code="OWN-1",
        name="Own project",
        stage=ProjectStage.ACTIVE,
        manager_id=org.person_ids[Role.PROJECT_MANAGER],
    )
    other = Project(
        organisation_id=org.id,
        code="OTHER-1",
        name="Other project",
        stage=ProjectStage.ACTIVE,
        manager_id=person.id,
    )
    session.add_all([programme, own, other])
    await session.flush()
    note = SampleNote(organisation_id=org.id, project_id=other.id, text="first note")
    session.add(note)
    await session.commit()
    user_id = await session.scalar(select(User.id).where(User.organisation_id == org.id).limit(1))
    assert user_id is not None
    return World(
        person=gid("Person", person.id),
        own_project=gid("Project", own.id),
        other_project=gid("Project", other.id),
        portfolio=gid("Portfolio", portfolio.id),
        programme=gid("Programme", programme.id),
        note=gid("SampleNote", note.id),
        organisation=gid("Organisation", org.id),
        user=gid("User", user_id),
    )


async def footprint(
    sessionmaker: async_sessionmaker[AsyncSession], organisation_id: int
) -> dict[str, object]:
    """Everything a mutation could have written for an organisation, in a comparable form."""
    async with sessionmaker() as session:
        result: dict[str, object] = {}
        for model in (Person, Project, Portfolio, Programme, SampleNote, AuditEvent):
            result[model.__tablename__] = await session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.organisation_id == organisation_id)
            )
        for model in (Person, Project, Portfolio, Programme):
            result[f"{model.__tablename__}.versions"] = await session.scalar(
                select(func.coalesce(func.sum(model.version), 0)).where(
                    model.organisation_id == organisation_id
                )
            )
        tiers = await session.scalars(
            select(OrganisationTier.tier_key).where(
                OrganisationTier.organisation_id == organisation_id,
                OrganisationTier.enabled.is_(True),
            )
        )
        result["tiers"] = sorted(tiers)
        return result


async def audit_actions(
    sessionmaker: async_sessionmaker[AsyncSession], organisation_id: int
) -> list[str]:
    """The actions of an organisation's audit events, oldest first."""
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.organisation_id == organisation_id)
            .order_by(AuditEvent.id)
        )
        return list(rows)
