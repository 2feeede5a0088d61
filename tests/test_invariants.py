"""The core's rules that span rows hold under requests fired at the same moment.

Each test fires its requests at the served app through ``pmo_race`` (its own connection each,
released together), then reads what was stored. The rules and how each is enforced are listed
in docs/security.md ("Rules that span rows").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.people.models import Person
from pmo_graph.projects.models import Project
from pmo_graph.races import Race
from pmo_graph.testing import GraphQLClient, TestOrganisation

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
