"""The demo organisation: seeded once into an empty database by ``pmo-graph serve --demo``."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.auth.roles import Role
from pmo_graph.auth.tokens import issue_token
from pmo_graph.organisations.models import Organisation
from pmo_graph.organisations.service import create_organisation, set_tiers
from pmo_graph.plugins.manager import PluginLoadError, PluginRegistry

DEMO_SLUG = "demo"
DEMO_NAME = "Northwind Logistics"
DEMO_ADMIN_EMAIL = "amara.okafor@northwind.example"
DEMO_ADMIN_NAME = "Amara Okafor"
SEED = 20261125


@dataclass(frozen=True)
class DemoResult:
    """What ``ensure_demo`` did, and a fresh token for the demo administrator."""

    seeded: bool
    token: str | None
    reason: str | None = None


async def seed_demo_organisation(session: AsyncSession, registry: PluginRegistry) -> Organisation:
    """Create the demo organisation, enable every tier and let every plugin add its data."""
    organisation = await create_organisation(session, DEMO_SLUG, DEMO_NAME)
    await set_tiers(session, organisation, list(registry.tier_order))
    await seed_demo_data(session, registry, organisation)
    return organisation


async def seed_demo_data(
    session: AsyncSession, registry: PluginRegistry, organisation: Organisation
) -> None:
    """Let every plugin add its demo data to ``organisation`` (``seed_demo``, in plugin order,
    with one ``Random`` of the fixed seed): the demo's data in any organisation, for tests."""
    rng = Random(SEED)
    for info in registry.plugins_in_order():
        if not registry.implements(info, "seed_demo"):
            continue
        try:
            result = registry.call_one(
                info, "seed_demo", session=session, organisation=organisation, rng=rng
            )
            if result is not None:
                await result
        except PluginLoadError:
            raise
        except Exception as exc:
            raise PluginLoadError(
                f"plugin {info.label!r} failed to seed the demo: {exc!r}"
            ) from exc
        await session.flush()


async def ensure_demo(session: AsyncSession, registry: PluginRegistry) -> DemoResult:
    """Seed the demo into an empty database, and mint a token for its administrator."""
    organisations = await session.scalar(select(func.count()).select_from(Organisation))
    demo = await session.scalar(select(Organisation).where(Organisation.slug == DEMO_SLUG))
    seeded = False
    if demo is None:
        if organisations:
            return DemoResult(
                seeded=False,
                token=None,
                reason="the database already holds other organisations, so no demo was seeded",
            )
        demo = await seed_demo_organisation(session, registry)
        seeded = True
    issued = await issue_token(
        session,
        demo,
        email=DEMO_ADMIN_EMAIL,
        name=DEMO_ADMIN_NAME,
        roles=[Role.ADMIN, Role.OFFICE],
        label="demo",
    )
    await session.commit()
    return DemoResult(seeded=seeded, token=issued.token)
