"""The portfolio tier's rules that span rows hold under requests fired at the same moment.

Each test fires its requests at the served app through ``pmo_race`` (its own connection each,
released together), then reads what was stored (docs/security.md, "Rules that span rows").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from portfolio_helpers import TIERS, make_person, make_portfolio, make_project
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.races import Race, Shot, race
from pmo_graph.sdk import parse_pk
from pmo_graph.testing import GraphQLClient, TestOrganisation
from pmo_graph_portfolio.models import BalanceTarget, Criterion, ProjectScore
from pmo_graph_pso.models import PersonCapacity

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
RaceOf = Callable[[GraphQLClient, str, list[dict[str, Any] | None]], Awaitable[Race]]

TARGETS = """
mutation($f: ID!, $t: [BalanceTargetInput!]!) {
  setBalanceTargets(input: {portfolioId: $f, targets: $t}) { portfolio { id } userErrors { field message code } }
}
"""
CRITERIA = """
mutation($f: ID!, $c: [CriterionInput!]!) {
  setPortfolioCriteria(input: {portfolioId: $f, criteria: $c}) { portfolio { id } userErrors { field message code } }
}
"""
SCORE = """
mutation($p: ID!, $c: String!, $s: Float!) {
  scoreProject(input: {projectId: $p, criterion: $c, score: $s}) { project { id } userErrors { field message code } }
}
"""
CAPACITY = """
mutation($p: ID!, $c: Float!) {
  setPersonCapacity(input: {personId: $p, capacity: $c}) { person { id } userErrors { field message code } }
}
"""


def portfolio_pk(portfolio: str) -> int:
    pk = parse_pk(portfolio, "Portfolio")
    assert pk is not None
    return pk


async def _replaced_at_once(
    org: TestOrganisation,
    url: str,
    session: AsyncSession,
    document: str,
    argument: str,
    lists: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    stored: Callable[[int], Any],
) -> None:
    """Round after round, a new portfolio whose list two requests replace at once (the second
    sent 0 to 14 ms after the first): what is stored is one of the two lists, whole."""
    for round_ in range(8):
        portfolio = await make_portfolio(org.admin, f"Replaced {round_}")
        outcome = await race(
            url,
            [
                Shot(org.admin.token, document, {"f": portfolio, argument: lists[0]}),
                Shot(
                    org.admin.token,
                    document,
                    {"f": portfolio, argument: lists[1]},
                    stagger_seconds=round_ * 0.002,
                ),
            ],
        )
        outcome.assert_clean()
        rows = sorted(tuple(row) for row in await session.execute(stored(portfolio_pk(portfolio))))
        await session.commit()
        assert rows in [sorted(tuple(item.values()) for item in sent) for sent in lists], rows


async def test_two_target_lists_set_at_once_leave_one_of_them(
    make_org: MakeOrg, pmo_server_url: str, db_session: AsyncSession
) -> None:
    """A list of balance targets replaces the portfolio's: two sent at once leave one of the
    two lists whole, whose shares add up to 1, never both merged."""
    first = [{"category": "Run", "share": 0.6}, {"category": "Transform", "share": 0.4}]
    second = [{"category": "transform", "share": 0.5}, {"category": "Comply", "share": 0.5}]
    await _replaced_at_once(
        await make_org(tiers=TIERS),
        pmo_server_url,
        db_session,
        TARGETS,
        "t",
        (first, second),
        lambda portfolio: select(BalanceTarget.category, BalanceTarget.share).where(
            BalanceTarget.portfolio_id == portfolio
        ),
    )


async def test_two_criteria_lists_set_at_once_leave_one_of_them(
    make_org: MakeOrg, pmo_server_url: str, db_session: AsyncSession
) -> None:
    first = [{"key": "value", "weight": 2.0}, {"key": "fit", "weight": 1.0}]
    second = [{"key": "Value", "weight": 1.0}, {"key": "risk", "weight": 3.0}]
    await _replaced_at_once(
        await make_org(tiers=TIERS),
        pmo_server_url,
        db_session,
        CRITERIA,
        "c",
        (first, second),
        lambda portfolio: select(Criterion.key, Criterion.weight).where(
            Criterion.portfolio_id == portfolio
        ),
    )


async def test_a_first_score_given_five_times_at_once_is_one_score(
    make_org: MakeOrg, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    org = await make_org(tiers=TIERS)
    portfolio = await make_portfolio(org.admin, "Scored")
    await org.admin.mutate(CRITERIA, {"f": portfolio, "c": [{"key": "value", "weight": 1}]})
    project = await make_project(org.admin, "SC-1", portfolio)

    outcome = await pmo_race(
        org.admin, SCORE, [{"p": project, "c": "value", "s": float(s)} for s in range(1, 6)]
    )

    outcome.assert_clean()
    assert len(outcome.accepted) == 5
    scores = list(
        await db_session.scalars(
            select(ProjectScore.score).where(
                ProjectScore.project_id == parse_pk(project, "Project")
            )
        )
    )
    assert len(scores) == 1
    assert scores[0] in {1.0, 2.0, 3.0, 4.0, 5.0}


async def test_a_first_capacity_set_five_times_at_once_is_one_row(
    make_org: MakeOrg, pmo_race: RaceOf, db_session: AsyncSession
) -> None:
    org = await make_org(tiers=TIERS)
    someone = await make_person(org.admin, "Capable")

    outcome = await pmo_race(
        org.admin, CAPACITY, [{"p": someone, "c": c} for c in (0.5, 0.6, 0.7, 0.8, 0.9)]
    )

    outcome.assert_clean()
    assert len(outcome.accepted) == 5
    rows = list(
        await db_session.scalars(
            select(PersonCapacity.capacity).where(
                PersonCapacity.person_id == parse_pk(someone, "Person")
            )
        )
    )
    assert len(rows) == 1


CREATE_SCENARIO = "mutation($f: ID!, $n: String!) { createScenario(input: {portfolioId: $f, name: $n}) { scenario { id } userErrors { code } } }"
ADD_CHANGE = "mutation($i: AddScenarioChangeInput!) { addScenarioChange(input: $i) { scenario { id } userErrors { field message code } } }"
APPLY = "mutation($s: ID!) { applyScenario(input: {scenarioId: $s}) { scenario { id } userErrors { field message code } } }"
RENAME = "mutation($p: ID!, $n: String!) { updateProject(input: {projectId: $p, name: $n}) { project { id } userErrors { field message code } } }"
ASSIGN = "mutation($i: AssignPersonInput!) { assignPerson(input: $i) { assignment { id } userErrors { field message code } } }"
ACTIONS = "query { auditLog(first: 500) { nodes { action } } }"


async def test_a_scenario_is_applied_only_over_the_projects_it_was_made_on(
    make_org: MakeOrg, pmo_server_url: str
) -> None:
    """A scenario moves an allocation to project T, whose plan it leaves as it is. T changed
    at the same moment: either the scenario was applied first, or it is refused with
    CONFLICT; never applied over a T that changed after the scenario was made."""
    org = await make_org(tiers=TIERS)
    portfolio = await make_portfolio(org.admin, "What-if")
    worker = await make_person(org.admin, "Quinn")
    for round_ in range(10):
        source = await make_project(org.admin, f"SRC-{round_}", portfolio)
        target = await make_project(org.admin, f"TGT-{round_}", portfolio)
        booked = await org.admin.mutate(
            ASSIGN,
            {
                "i": {
                    "projectId": source,
                    "personId": worker,
                    "role": "Analyst",
                    "allocation": 0.1,
                    "startDate": "2027-01-01",
                    "endDate": "2027-01-31",
                }
            },
        )
        scenario = (
            await org.admin.mutate(CREATE_SCENARIO, {"f": portfolio, "n": f"Move {round_}"})
        )["scenario"]["id"]
        await org.admin.mutate(
            ADD_CHANGE,
            {
                "i": {
                    "scenarioId": scenario,
                    "kind": "MOVE_ALLOCATION",
                    "assignmentId": booked["assignment"]["id"],
                    "toProjectId": target,
                    "allocation": 0.1,
                }
            },
        )
        before = len((await org.admin.query(ACTIONS))["auditLog"]["nodes"])

        outcome = await race(
            pmo_server_url,
            [
                Shot(org.admin.token, APPLY, {"s": scenario}),
                Shot(
                    org.admin.token,
                    RENAME,
                    {"p": target, "n": f"Renamed {round_}"},
                    stagger_seconds=round_ * 0.001,
                ),
            ],
        )

        outcome.assert_clean("CONFLICT")
        applied, renamed = outcome.answers
        assert renamed.accepted
        if applied.accepted:
            log = (await org.admin.query(ACTIONS))["auditLog"]["nodes"]
            newest_first = [e["action"] for e in log[: len(log) - before]]
            assert newest_first.index("updateProject") < newest_first.index("applyScenario"), (
                "the scenario was applied over a project renamed before it"
            )


RAISE_ISSUE = "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { issue { id } userErrors { field message code } } }"
RESOLVE = "mutation($i: ID!, $r: String!) { resolveIssue(input: {issueId: $i, resolution: $r}) { issue { id } userErrors { field message code } } }"


async def test_an_issue_resolved_five_times_at_once_is_resolved_once(
    make_org: MakeOrg, pmo_race: RaceOf
) -> None:
    org = await make_org(tiers=TIERS)
    portfolio = await make_portfolio(org.admin, "Issues")
    shared = [await make_project(org.admin, f"IS-{i}", portfolio) for i in range(2)]
    issue = (
        await org.admin.mutate(
            RAISE_ISSUE,
            {"i": {"title": "Shared supplier", "severity": "HIGH", "projectIds": shared}},
        )
    )["issue"]["id"]

    outcome = await pmo_race(
        org.admin, RESOLVE, [{"i": issue, "r": f"Resolution {k}"} for k in range(5)]
    )

    outcome.assert_clean("CONFLICT", "INVALID")
    assert len(outcome.accepted) == 1
    resolutions = [
        e
        for e in (await org.admin.query(ACTIONS))["auditLog"]["nodes"]
        if e["action"] == "resolveIssue"
    ]
    assert len(resolutions) == 1
