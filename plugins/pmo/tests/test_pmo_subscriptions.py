"""The programme office's subscriptions over a real WebSocket: benefits changing status and
programmes falling out of step, each narrowed to one programme."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from pmo_helpers import MEASURE, TIERS, benefit, milestone, programme, project

from pmo_graph.sdk import Role
from pmo_graph.subscription_client import GraphQLSocket
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

BENEFITS = """subscription($g: ID) { benefitStatusChanged(programmeId: $g) {
  previous status benefit { name } actor { email } } }"""
OUT_OF_STEP = """subscription($g: ID) { programmeOutOfStep(programmeId: $g) {
  breaches trancheSlips programme { name } projects { code } } }"""
MOVE = """mutation($m: ID!, $d: Date!) { updateMilestone(input: {milestoneId: $m, forecastDate: $d})
  { userErrors { code } } }"""


async def test_a_benefit_moving_to_at_risk_reaches_its_programmes_subscribers(
    pmo_server_url: str, make_org: MakeOrg
) -> None:
    org = await make_org(tiers=TIERS)
    watched = await programme(org.admin, "Watched")
    other = await programme(org.admin, "Other")
    start = date.today() - timedelta(days=60)
    day = lambda offset: str(start + timedelta(days=offset))  # noqa: E731
    saving = await benefit(org.admin, watched, "Saving", 0, 1000, day(272), points=[(day(0), 10)])
    elsewhere = await benefit(org.admin, other, "Else", 0, 1000, day(272), points=[(day(0), 10)])
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.PROGRAMME_DIRECTOR]) as socket:
        narrowed = await socket.subscribe(BENEFITS, {"g": watched})
        # 10 + 0.5 a day falls far short of 1000 by the target date: at risk, in both.
        for measured in (elsewhere, saving):
            await org.admin.mutate(
                MEASURE, {"i": {"benefitId": measured, "measuredOn": day(10), "value": 15}}
            )
        event = (await socket.data(narrowed))["benefitStatusChanged"]
    assert event == {
        "previous": "ON_TRACK",
        "status": "AT_RISK",
        "benefit": {"name": "Saving"},
        "actor": {"email": f"admin@{org.slug}.test"},
    }


async def test_a_programme_falling_out_of_step_is_announced_once(
    pmo_server_url: str, make_org: MakeOrg
) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    p = await project(org.admin, "P", g)
    first = await milestone(org.admin, p, "First", "2027-01-01")
    second = await milestone(org.admin, p, "Second", "2027-02-01")
    await org.admin.mutate(
        "mutation($a: ID!, $b: ID!) { addDependency(input: {predecessorId: $a, successorId: $b, "
        "lagDays: 10}) { userErrors { code } } }",
        {"a": first, "b": second},
    )
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.VIEWER]) as socket:
        out = await socket.subscribe(OUT_OF_STEP, {"g": g})
        await org.admin.mutate(MOVE, {"m": first, "d": "2027-01-30"})
        event = (await socket.data(out))["programmeOutOfStep"]
        # Still out of step: no second announcement; back in step, then out again: one more.
        await org.admin.mutate(MOVE, {"m": first, "d": "2027-01-31"})
        await org.admin.mutate(MOVE, {"m": first, "d": "2027-01-02"})
        await org.admin.mutate(MOVE, {"m": first, "d": "2027-01-29"})
        again = (await socket.data(out))["programmeOutOfStep"]
    assert event == {
        "breaches": 1,
        "trancheSlips": 0,
        "programme": {"name": "G"},
        "projects": [{"code": "P"}],
    }
    assert again["breaches"] == 1
