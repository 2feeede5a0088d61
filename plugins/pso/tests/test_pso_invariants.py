"""The pso tier's rules that span rows hold under requests fired at the same moment.

Each test fires its requests at the served app through ``pmo_race`` (its own connection each,
released together), then reads what was stored (docs/security.md, "Rules that span rows").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pso_helpers import ADD_SKILL, SUBMIT, person, project
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.races import Race
from pmo_graph.sdk import parse_pk
from pmo_graph.testing import GraphQLClient, TestOrganisation
from pmo_graph_pso.models import PersonSkill, PsoSettings, StatusReport

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
RaceOf = Callable[[GraphQLClient, str, list[dict[str, Any] | None]], Awaitable[Race]]

CADENCE = "mutation($d: Int!) { setReportingCadence(input: {days: $d}) { organisation { id } userErrors { field message code } } }"


async def _count(session: AsyncSession, *conditions: Any) -> int:
    return int(await session.scalar(select(func.count()).where(*conditions)) or 0)


async def test_one_report_per_period_whatever_arrives_at_once(
    make_org: MakeOrg, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    org = await make_org(tiers=["pso"])
    work = await project(org.admin, "ONE-REPORT")

    outcome = await pmo_race(
        org.admin,
        SUBMIT,
        [
            {"input": {"projectId": work, "periodEnding": "2026-11-27", "overall": rag}}
            for rag in ("GREEN", "AMBER", "RED", "GREEN", "AMBER")
        ],
    )

    outcome.assert_clean("DUPLICATE")
    assert len(outcome.accepted) == 1
    for refused in outcome.refused_with("DUPLICATE"):
        assert [e["field"] for e in refused.user_errors] == [["periodEnding"]]
    assert await _count(db_session, StatusReport.project_id == parse_pk(work, "Project")) == 1


async def test_one_skill_per_person_whatever_spelling_arrives_at_once(
    make_org: MakeOrg, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    org = await make_org(tiers=["pso"])
    someone = await person(org.admin, "Skilled")

    outcome = await pmo_race(
        org.admin,
        ADD_SKILL,
        [
            {"input": {"personId": someone, "skill": spelling, "level": 3}}
            for spelling in (
                "Data modelling",
                "data  modelling",
                "DATA MODELLING",
                "Data\u00a0modelling",
            )
        ],
    )

    outcome.assert_clean("DUPLICATE")
    assert len(outcome.accepted) == 1
    for refused in outcome.refused_with("DUPLICATE"):
        assert [e["field"] for e in refused.user_errors] == [["skill"]]
    assert await _count(db_session, PersonSkill.person_id == parse_pk(someone, "Person")) == 1


async def test_a_first_reporting_cadence_set_at_once_is_one_setting(
    make_org: MakeOrg, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    org = await make_org(tiers=["pso"])

    outcome = await pmo_race(org.admin, CADENCE, [{"d": d} for d in (7, 14, 21, 28)])

    outcome.assert_clean()
    assert len(outcome.accepted) == 4
    assert await _count(db_session, PsoSettings.organisation_id == org.id) == 1
