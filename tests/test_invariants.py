"""The core's rules that span rows hold under requests fired at the same moment.

Each test fires its requests at the served app through ``pmo_race`` (its own connection each,
released together), then reads what was stored. The rules and how each is enforced are listed
in docs/security.md ("Rules that span rows").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.app_state import AppState
from pmo_graph.db.locks import scope_key
from pmo_graph.organisations.models import OrganisationTier
from pmo_graph.organisations.mutations import TIERS_SCOPE
from pmo_graph.people.models import Person
from pmo_graph.projects.models import Project
from pmo_graph.races import Race, Shot, race
from pmo_graph.testing import GraphQLClient, TestOrganisation
from pmo_graph.webhooks.models import Webhook, WebhookDelivery

RaceOf = Callable[[GraphQLClient, str, list[dict[str, Any] | None]], Awaitable[Race]]

CREATE_PERSON = """
mutation($i: CreatePersonInput!) { createPerson(input: $i) { person { id } userErrors { field message code } } }
"""
UPDATE_PERSON = """
mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { person { id } userErrors { field message code } } }
"""
CREATE_PROJECT = """
mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id code } userErrors { field message code } } }
"""


async def _count(session: AsyncSession, *conditions: Any) -> int:
    return int(await session.scalar(select(func.count()).where(*conditions)) or 0)


async def test_twenty_people_with_one_email_at_once_make_one_person(
    org: TestOrganisation, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    race = await pmo_race(
        org.admin,
        CREATE_PERSON,
        [{"i": {"name": f"Dana {i}", "email": "dana@example.org"}} for i in range(20)],
    )

    race.assert_clean("DUPLICATE")
    assert len(race.accepted) == 1
    for refused in race.refused_with("DUPLICATE"):
        assert [e["field"] for e in refused.user_errors] == [["email"]]
    stored = await _count(
        db_session, Person.organisation_id == org.id, Person.email == "dana@example.org"
    )
    assert stored == 1


async def test_people_changed_to_one_email_at_once_keep_it_unique(
    org: TestOrganisation, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    ids = [
        (await org.admin.mutate(CREATE_PERSON, {"i": {"name": f"Eli {i}"}}))["person"]["id"]
        for i in range(10)
    ]

    race = await pmo_race(
        org.admin,
        UPDATE_PERSON,
        [{"i": {"personId": pid, "email": "eli@example.org"}} for pid in ids],
    )

    race.assert_clean("DUPLICATE")
    assert len(race.accepted) == 1
    stored = await _count(
        db_session, Person.organisation_id == org.id, Person.email == "eli@example.org"
    )
    assert stored == 1


async def test_twenty_projects_with_one_code_at_once_make_one_project(
    org: TestOrganisation, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    race = await pmo_race(
        org.admin,
        CREATE_PROJECT,
        [{"i": {"code": "RACE-1", "name": f"Race {i}"}} for i in range(20)],
    )

    race.assert_clean("DUPLICATE")
    assert len(race.accepted) == 1
    for refused in race.refused_with("DUPLICATE"):
        assert [e["field"] for e in refused.user_errors] == [["code"]]
    assert await _count(db_session, Project.organisation_id == org.id) == 1


ENABLE = "mutation($k: String!) { enableTier(input: {key: $k}) { tier { key enabled } userErrors { field message code } } }"
DISABLE = "mutation($k: String!) { disableTier(input: {key: $k}) { tier { key enabled } userErrors { field message code } } }"


async def test_a_tier_and_its_prerequisite_switched_at_once_never_leave_it_without(
    make_org: Callable[..., Awaitable[TestOrganisation]],
    pmo_server_url: str,
    db_session: AsyncSession,
    pmo_backend: str,
) -> None:
    """``pmo`` needs ``portfolio``: enabling the one while disabling the other, in several
    organisations at once and over several rounds, never leaves ``pmo`` on with ``portfolio``
    off. (Forty rounds on PostgreSQL, where the checks met in about one round in ten before
    they took turns; SQLite's writers always take turns.)"""
    orgs = [await make_org(tiers=["pso", "portfolio"]) for _ in range(4)]
    for _round in range(40 if pmo_backend == "postgresql" else 4):
        shots = []
        for each in orgs:
            shots += [
                Shot(each.admin.token, ENABLE, {"k": "pmo"}),
                Shot(each.admin.token, DISABLE, {"k": "portfolio"}),
            ]

        outcome = await race(pmo_server_url, shots)

        outcome.assert_clean("PREREQUISITE_NOT_MET", "REQUIRED_BY_OTHER_TIER")
        assert len(outcome.accepted) == len(orgs)
        for each in orgs:
            on = set(
                await db_session.scalars(
                    select(OrganisationTier.tier_key).where(
                        OrganisationTier.organisation_id == each.id,
                        OrganisationTier.enabled.is_(True),
                    )
                )
            )
            await db_session.commit()
            assert on in ({"pso", "portfolio", "pmo"}, {"pso"}), on
            # Back to the start: portfolio on, pmo off.
            if "pmo" in on:
                await each.admin.mutate(DISABLE, {"k": "pmo"})
            else:
                await each.admin.mutate(ENABLE, {"k": "portfolio"})


@pytest.mark.pmo_backends("postgresql")
async def test_a_mutation_ended_to_break_a_deadlock_runs_again_and_commits_once(
    make_org: Callable[..., Awaitable[TestOrganisation]],
    pmo_state: AppState,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """disableTier holds the organisation's tiers scope, then waits for the tier's row, which
    another transaction holds; that one then asks for the scope. PostgreSQL ends the one that
    waited first, the mutation, which runs again once the other has committed."""
    org = await make_org(tiers=["pso", "portfolio"])
    caplog.set_level(logging.INFO, logger="pmo_graph.mutations")
    async with pmo_state.engine.connect() as blocker:
        blocker_pid = await blocker.scalar(text("SELECT pg_backend_pid()"))
        await blocker.execute(
            select(OrganisationTier.id)
            .where(
                OrganisationTier.organisation_id == org.id,
                OrganisationTier.tier_key == "portfolio",
            )
            .with_for_update()
        )
        switching = asyncio.create_task(org.admin.query(DISABLE, {"k": "portfolio"}))
        async with asyncio.timeout(30):
            while not await _blocked_by(pmo_state, int(blocker_pid)):
                assert not switching.done(), switching.result()
                await asyncio.sleep(0.01)
        await blocker.execute(
            text("SELECT pg_advisory_xact_lock(:k)"), {"k": scope_key(org.id, TIERS_SCOPE)}
        )
        await blocker.commit()
        answer = await asyncio.wait_for(switching, 30)

    assert answer["disableTier"] == {
        "tier": {"key": "portfolio", "enabled": False},
        "userErrors": [],
    }
    audited = await org.admin.query("{ auditLog { nodes { action } } }")
    assert [e["action"] for e in audited["auditLog"]["nodes"]].count("disableTier") == 1
    ran_again = [r.getMessage() for r in caplog.records if "running it again" in r.getMessage()]
    assert ran_again == ["disableTier ran into another writer (40P01); running it again"]


async def _blocked_by(state: AppState, pid: int) -> bool:
    """Whether a connection waits for a lock that the backend ``pid`` holds."""
    async with state.engine.connect() as probe:
        waiting = await probe.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
            {"pid": pid},
        )
    return bool(waiting)


CREATE_WEBHOOK = """
mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } userErrors { field message code } } }
"""
DELETE_WEBHOOK = """
mutation($i: DeleteWebhookInput!) { deleteWebhook(input: $i) { webhook { id } userErrors { field message code } } }
"""


async def test_a_webhook_deleted_while_its_events_are_written_fails_no_write(
    org: TestOrganisation, pmo_server_url: str, db_session: AsyncSession
) -> None:
    """A mutation stages a delivery for each webhook subscribed to its event; a webhook
    deleted meanwhile is left out, the mutation commits, and none is staged for it."""
    for round_ in range(10):
        created = await org.admin.mutate(
            CREATE_WEBHOOK,
            {"i": {"url": "https://hooks.example.org/pmo", "eventTypes": ["person.created"]}},
        )
        shots = [
            Shot(org.admin.token, CREATE_PERSON, {"i": {"name": f"Round {round_} {k}"}})
            for k in range(4)
        ]
        shots.insert(
            round_ % 5,
            Shot(org.admin.token, DELETE_WEBHOOK, {"i": {"webhookId": created["webhook"]["id"]}}),
        )

        outcome = await race(pmo_server_url, shots)

        outcome.assert_clean()
        assert len(outcome.accepted) == 5
    assert await _count(db_session, Webhook.organisation_id == org.id) == 0
    assert await _count(db_session, WebhookDelivery.organisation_id == org.id) == 0
