"""The pmo tier's rules that span rows hold under requests fired at the same moment.

Each test fires its requests at the served app through ``pmo_race`` (its own connection each,
released together), then reads what was stored. On PostgreSQL they meet at the database
under READ COMMITTED; on SQLite writers take turns at the file's write lock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from pmo_helpers import ADD_DEPENDENCY, TIERS, benefit, milestone, person, programme, project
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.races import Race, Shot, race
from pmo_graph.sdk import parse_pk
from pmo_graph.testing import GraphQLClient, TestOrganisation
from pmo_graph.webhooks.models import WebhookDelivery
from pmo_graph_pmo.models import (
    BenefitContribution,
    BenefitObjective,
    Dependency,
    MilestoneTranche,
    ProgrammeBeat,
)

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
RaceOf = Callable[[GraphQLClient, str, list[dict[str, Any] | None]], Awaitable[Race]]

LINK = """
mutation($i: LinkBenefitContributionInput!) {
  linkBenefitContribution(input: $i) { benefit { id } userErrors { field message code } }
}
"""
SYNC = """
query($g: ID!) { node(id: $g) { ... on Programme { synchronisation(asOf: "2027-01-01") {
  inStep criticalPath { name } breaches { slackDays }
} } } }
"""
MOVE = "mutation($p: ID!, $g: ID) { setProjectProgramme(input: {projectId: $p, programmeId: $g}) { userErrors { code } } }"


async def test_fifty_shares_of_a_tenth_at_once_claim_at_most_the_whole_benefit(
    make_org: MakeOrg, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "Shares")
    goal = await benefit(org.admin, g, "Savings", 0, 100, "2028-01-01")
    projects = [await project(org.admin, f"SH-{i:02d}", g) for i in range(50)]

    race = await pmo_race(
        org.admin,
        LINK,
        [{"i": {"benefitId": goal, "projectId": p, "share": 0.1}} for p in projects],
    )

    race.assert_clean("OVER_ATTRIBUTED")
    assert len(race.accepted) == 10
    assert len(race.refused_with("OVER_ATTRIBUTED")) == 40
    shares = list(
        await db_session.scalars(
            select(BenefitContribution.share).where(
                BenefitContribution.benefit_id == parse_pk(goal, "Benefit")
            )
        )
    )
    assert len(shares) == 10
    assert sum(Decimal(str(s)) for s in shares) == Decimal("1.0")


async def test_two_opposite_dependencies_at_once_never_make_a_loop(
    make_org: MakeOrg, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "Loops")
    left, right = await project(org.admin, "L", g), await project(org.admin, "R", g)
    pairs = [
        (
            await milestone(org.admin, left, f"A{i}", "2027-02-01"),
            await milestone(org.admin, right, f"B{i}", "2027-03-01"),
        )
        for i in range(8)
    ]
    requests: list[dict[str, Any] | None] = []
    for a, b in pairs:
        requests += [{"p": a, "s": b, "lag": 0}, {"p": b, "s": a, "lag": 0}]

    race = await pmo_race(org.admin, ADD_DEPENDENCY, requests)

    race.assert_clean("CYCLE")
    for index in range(len(pairs)):
        one_way, other_way = race.answers[2 * index], race.answers[2 * index + 1]
        assert sorted([one_way.outcome, other_way.outcome]) == ["ACCEPTED", "CYCLE"]
    stored = await db_session.scalar(
        select(func.count()).select_from(Dependency).where(Dependency.organisation_id == org.id)
    )
    assert stored == len(pairs)
    sync = (await org.admin.query(SYNC, {"g": g}))["node"]["synchronisation"]
    assert len(sync["criticalPath"]) == 2


async def test_a_loop_through_projects_that_moved_programmes_is_refused_as_a_cycle(
    make_org: MakeOrg,
) -> None:
    org = await make_org(tiers=TIERS)
    old, new = await programme(org.admin, "Old"), await programme(org.admin, "New")
    a_project, c_project = await project(org.admin, "A", old), await project(org.admin, "C", old)
    a = await milestone(org.admin, a_project, "A1", "2027-02-01")
    c = await milestone(org.admin, c_project, "C1", "2027-03-01")
    await org.admin.mutate(ADD_DEPENDENCY, {"p": c, "s": a, "lag": 0})
    for moved in (a_project, c_project):
        await org.admin.mutate(MOVE, {"p": moved, "g": new})

    answer = await org.admin.query(ADD_DEPENDENCY, {"p": a, "s": c, "lag": 0})

    assert answer["addDependency"]["dependency"] is None
    assert [e["code"] for e in answer["addDependency"]["userErrors"]] == ["CYCLE"]
    sync = (await org.admin.query(SYNC, {"g": new}))["node"]["synchronisation"]
    assert [m["name"] for m in sync["criticalPath"]] == ["C1", "A1"]


UPDATE_MILESTONE = """
mutation($i: UpdateMilestoneInput!) { updateMilestone(input: $i) { milestone { id } userErrors { field message code } } }
"""


async def test_links_and_slips_at_once_in_one_programme_all_commit(
    make_org: MakeOrg, pmo_server_url: str
) -> None:
    """In a programme in step, a slip that breaches a dependency and a new dependency that
    breaches too (each takes the programme out of step, rewriting its beat), the slip sent
    0 to 38 ms after the link, round after round: both commit, neither deadlocks into an
    error."""
    org = await make_org(tiers=TIERS)
    for round_ in range(20):
        g = await programme(org.admin, f"Deadlock {round_}")
        work = await project(org.admin, f"DL-{round_}", g)
        m = [await milestone(org.admin, work, f"M{k}", f"2027-0{k + 1}-01") for k in range(4)]
        await org.admin.mutate(ADD_DEPENDENCY, {"p": m[0], "s": m[1], "lag": 0})
        outcome = await race(
            pmo_server_url,
            [
                Shot(org.admin.token, ADD_DEPENDENCY, {"p": m[3], "s": m[2], "lag": 60}),
                Shot(
                    org.admin.token,
                    UPDATE_MILESTONE,
                    {"i": {"milestoneId": m[0], "forecastDate": "2027-03-15"}},
                    stagger_seconds=round_ * 0.002,
                ),
            ],
        )
        outcome.assert_clean()
        assert len(outcome.accepted) == 2


async def test_projects_joining_a_new_programme_at_once_all_join(
    make_org: MakeOrg, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    """The first change of a programme's beat creates its row: six projects joining at once
    all commit (one row, no spurious DUPLICATE)."""
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "Fresh")
    projects = [await project(org.admin, f"FR-{i}") for i in range(6)]

    race = await pmo_race(org.admin, MOVE, [{"p": p, "g": g} for p in projects])

    race.assert_clean()
    assert len(race.accepted) == 6
    beats = await db_session.scalar(
        select(func.count())
        .select_from(ProgrammeBeat)
        .where(ProgrammeBeat.programme_id == parse_pk(g, "Programme"))
    )
    assert beats == 1


UPDATE_PROGRAMME = """
mutation($i: UpdateProgrammeInput!) { updateProgramme(input: $i) { programme { id } userErrors { field message code } } }
"""
SPONSORS = """
query($p: ID!, $g: ID!) {
  project: node(id: $p) { ... on Project { sponsor { id } } }
  programme: node(id: $g) { ... on Programme { director { id } } }
}
"""


async def test_a_project_joining_while_its_programme_changes_director_is_sponsored_by_the_new_one(
    make_org: MakeOrg, pmo_server_url: str
) -> None:
    org = await make_org(tiers=TIERS)
    directors = [await person(org.admin, f"Director {i}") for i in range(2)]
    for round_ in range(10):
        g = await programme(org.admin, f"Sponsored {round_}", directors[0])
        joining = await project(org.admin, f"SP-{round_}")
        outcome = await race(
            pmo_server_url,
            [
                Shot(org.admin.token, MOVE, {"p": joining, "g": g}),
                Shot(
                    org.admin.token,
                    UPDATE_PROGRAMME,
                    {"i": {"programmeId": g, "directorId": directors[1]}},
                    stagger_seconds=round_ * 0.002,
                ),
            ],
        )
        outcome.assert_clean()
        seen = await org.admin.query(SPONSORS, {"p": joining, "g": g})
        assert seen["programme"]["director"]["id"] == directors[1]
        assert seen["project"]["sponsor"] == {"id": directors[1]}, round_


TRANCHE = "mutation($g: ID!, $n: String!, $s: Date!, $e: Date!) { createTranche(input: {programmeId: $g, name: $n, startDate: $s, endDate: $e}) { tranche { id } userErrors { field code } } }"
SET_TRANCHE = "mutation($m: ID!, $t: ID) { setMilestoneTranche(input: {milestoneId: $m, trancheId: $t}) { milestone { id } userErrors { field message code } } }"
OBJECTIVE = "mutation($g: ID!, $n: String!) { createObjective(input: {programmeId: $g, name: $n}) { objective { id } userErrors { field code } } }"
SERVE = "mutation($b: ID!, $o: ID!) { linkBenefitObjective(input: {benefitId: $b, objectiveId: $o}) { benefit { id } userErrors { field message code } } }"


async def test_a_milestone_put_in_tranches_at_once_is_in_one(
    make_org: MakeOrg, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "Tranched")
    work = await project(org.admin, "TR", g)
    gate = await milestone(org.admin, work, "Gate", "2027-02-01")
    tranches = [
        (
            await org.admin.mutate(
                TRANCHE, {"g": g, "n": f"T{i}", "s": "2027-01-01", "e": "2027-06-30"}
            )
        )["tranche"]["id"]
        for i in range(4)
    ]

    outcome = await pmo_race(org.admin, SET_TRANCHE, [{"m": gate, "t": t} for t in tranches])

    outcome.assert_clean()
    assert len(outcome.accepted) == 4
    held = await db_session.scalar(
        select(func.count())
        .select_from(MilestoneTranche)
        .where(MilestoneTranche.milestone_id == parse_pk(gate, "Milestone"))
    )
    assert held == 1


async def test_a_benefit_linked_to_one_objective_at_once_serves_it_once(
    make_org: MakeOrg, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "Served")
    goal = await benefit(org.admin, g, "Savings", 0, 100, "2028-01-01")
    objective = (await org.admin.mutate(OBJECTIVE, {"g": g, "n": "Lean"}))["objective"]["id"]

    outcome = await pmo_race(org.admin, SERVE, [{"b": goal, "o": objective}] * 5)

    outcome.assert_clean("DUPLICATE")
    assert len(outcome.accepted) == 1
    for refused in outcome.refused_with("DUPLICATE"):
        assert [e["field"] for e in refused.user_errors] == [["objectiveId"]]
    links = await db_session.scalar(
        select(func.count())
        .select_from(BenefitObjective)
        .where(BenefitObjective.benefit_id == parse_pk(goal, "Benefit"))
    )
    assert links == 1


CREATE_WEBHOOK = "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } userErrors { field code } } }"
MEASURE = "mutation($i: RecordBenefitMeasurementInput!) { recordBenefitMeasurement(input: $i) { benefit { id } userErrors { field message code } } }"


async def test_measurements_at_once_announce_a_change_of_status_once(
    make_org: MakeOrg, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    """A benefit with no measurement is NOT_STARTED; five measurements at once change its
    status once, so ``benefit.status_changed`` is staged for a webhook once."""
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "Measured")
    goal = await benefit(org.admin, g, "Savings", 0, 100, "2030-01-01")
    hook = await org.admin.mutate(
        CREATE_WEBHOOK,
        {"i": {"url": "https://hooks.example.org/pmo", "eventTypes": ["benefit.status_changed"]}},
    )

    outcome = await pmo_race(
        org.admin,
        MEASURE,
        [
            {"i": {"benefitId": goal, "measuredOn": f"2026-0{month}-01", "value": 10.0 * month}}
            for month in range(1, 6)
        ],
    )

    outcome.assert_clean()
    assert len(outcome.accepted) == 5
    staged = await db_session.scalar(
        select(func.count())
        .select_from(WebhookDelivery)
        .where(
            WebhookDelivery.webhook_id == parse_pk(hook["webhook"]["id"], "Webhook"),
            WebhookDelivery.event_name == "benefit.status_changed",
        )
    )
    assert staged == 1
