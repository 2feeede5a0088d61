"""The common beat: dependency slack, tranche slips, critical path, out of step; worked by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pmo_helpers import ADD_DEPENDENCY, TIERS, milestone, programme, project

from pmo_graph.app_state import AppState
from pmo_graph.testing import TestOrganisation
from pmo_graph_pmo.beat import Link, Point, critical_path

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

SYNC = """
query($g: ID!) { node(id: $g) { ... on Programme { synchronisation(asOf: "2027-01-01") {
  asOf inStep
  breaches { predecessor { name } successor { name } slackDays }
  trancheSlips { milestone { name } tranche { name } daysLate }
  criticalPath { name }
  outOfStep { code }
} } } }
"""
TRANCHE = "mutation($g: ID!, $n: String!, $s: Date!, $e: Date!) { createTranche(input: {programmeId: $g, name: $n, startDate: $s, endDate: $e}) { tranche { id } userErrors { field code } } }"
SET_TRANCHE = "mutation($m: ID!, $t: ID) { setMilestoneTranche(input: {milestoneId: $m, trancheId: $t}) { milestone { tranche { name } } userErrors { field message code } } }"


async def _programme(org: TestOrganisation) -> dict[str, str]:
    """Projects X, Y, Z of programme G. Milestones (their dates: actual, else forecast, else
    baseline): X1 Jan 10; X2 baseline Feb 1, forecast Feb 20; Y1 Feb 10; Y2 Mar 1; Z1 baseline
    Mar 5, reached Mar 3 (all 2027). Dependencies: X1→Y1 lag 7, X2→Y2 lag 14, Y1→Y2, Y2→Z1.
    Tranches: T1 Jan 1 to Feb 15 holds X1, X2, Y1; T2 Feb 16 to Mar 31 holds Y2, Z1."""
    client = org.admin
    g = await programme(client, "G")
    x, y, z = [await project(client, code, g) for code in ("X", "Y", "Z")]
    ids = {"g": g, "X": x, "Y": y, "Z": z}
    ids["X1"] = await milestone(client, x, "X1", "2027-01-10")
    ids["X2"] = await milestone(client, x, "X2", "2027-02-01", forecast="2027-02-20")
    ids["Y1"] = await milestone(client, y, "Y1", "2027-02-10")
    ids["Y2"] = await milestone(client, y, "Y2", "2027-03-01")
    ids["Z1"] = await milestone(client, z, "Z1", "2027-03-05", actual="2027-03-03")
    for before, after, lag in (("X1", "Y1", 7), ("X2", "Y2", 14), ("Y1", "Y2", 0), ("Y2", "Z1", 0)):
        await client.mutate(ADD_DEPENDENCY, {"p": ids[before], "s": ids[after], "lag": lag})
    t1 = (await client.mutate(TRANCHE, {"g": g, "n": "T1", "s": "2027-01-01", "e": "2027-02-15"}))[
        "tranche"
    ]["id"]
    t2 = (await client.mutate(TRANCHE, {"g": g, "n": "T2", "s": "2027-02-16", "e": "2027-03-31"}))[
        "tranche"
    ]["id"]
    for name, tranche in (("X1", t1), ("X2", t1), ("Y1", t1), ("Y2", t2), ("Z1", t2)):
        await client.mutate(SET_TRANCHE, {"m": ids[name], "t": tranche})
    ids["T1"], ids["T2"] = t1, t2
    return ids


async def test_synchronisation(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    ids = await _programme(org)
    sync = (await org.admin.query(SYNC, {"g": ids["g"]}))["node"]["synchronisation"]
    # Slack: X1→Y1: Feb 10 - (Jan 10 + 7) = 24; X2→Y2: Mar 1 - (Feb 20 + 14) = -5 (a breach);
    # Y1→Y2: 19; Y2→Z1: 2. X2 (Feb 20) is 5 days past T1's end (Feb 15).
    # Longest chain: X1→Y1→Y2→Z1 (3 links) beats X2→Y2→Z1 (2).
    assert sync == {
        "asOf": "2027-01-01",
        "inStep": False,
        "breaches": [{"predecessor": {"name": "X2"}, "successor": {"name": "Y2"}, "slackDays": -5}],
        "trancheSlips": [{"milestone": {"name": "X2"}, "tranche": {"name": "T1"}, "daysLate": 5}],
        "criticalPath": [{"name": "X1"}, {"name": "Y1"}, {"name": "Y2"}, {"name": "Z1"}],
        "outOfStep": [{"code": "X"}, {"code": "Y"}],
    }
    # Bring X2 back to Feb 15: slack becomes Mar 1 - (Feb 15 + 14) = 0, and no slip.
    await org.admin.mutate(
        'mutation($m: ID!) { updateMilestone(input: {milestoneId: $m, forecastDate: "2027-02-15"}) { userErrors { code } } }',
        {"m": ids["X2"]},
    )
    healed = (await org.admin.query(SYNC, {"g": ids["g"]}))["node"]["synchronisation"]
    assert (healed["inStep"], healed["breaches"], healed["trancheSlips"], healed["outOfStep"]) == (
        True,
        [],
        [],
        [],
    )
    deps = await org.admin.query(
        "query($m: ID!) { node(id: $m) { ... on Milestone { tranche { name } dependencies { lagDays predecessor { name } } } } }",
        {"m": ids["Y2"]},
    )
    assert deps["node"] == {
        "tranche": {"name": "T2"},
        "dependencies": [
            {"lagDays": 14, "predecessor": {"name": "X2"}},
            {"lagDays": 0, "predecessor": {"name": "Y1"}},
        ],
    }


async def test_a_cycle_of_three_is_refused(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    p = await project(org.admin, "P", g)
    a, b, c = [await milestone(org.admin, p, name, "2027-01-01") for name in ("A", "B", "C")]
    await org.admin.mutate(ADD_DEPENDENCY, {"p": a, "s": b, "lag": 0})
    await org.admin.mutate(ADD_DEPENDENCY, {"p": b, "s": c, "lag": 0})
    closing = (await org.admin.query(ADD_DEPENDENCY, {"p": c, "s": a, "lag": 0}))["addDependency"]
    assert closing["dependency"] is None
    assert closing["userErrors"] == [
        {
            "field": ["successorId"],
            "message": "'A' already leads (directly or not) to 'C': the dependency would make a loop.",
            "code": "CYCLE",
        }
    ]
    itself = (await org.admin.query(ADD_DEPENDENCY, {"p": a, "s": a, "lag": 0}))["addDependency"]
    assert itself["userErrors"][0]["code"] == "CYCLE"
    again = (await org.admin.query(ADD_DEPENDENCY, {"p": a, "s": b, "lag": 3}))["addDependency"]
    assert again["userErrors"][0]["code"] == "DUPLICATE"


async def test_dependencies_and_tranches_stay_within_one_programme(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    g, h = await programme(org.admin, "G"), await programme(org.admin, "H")
    mine = await milestone(org.admin, await project(org.admin, "G1", g), "Mine", "2027-01-01")
    theirs = await milestone(org.admin, await project(org.admin, "H1", h), "Theirs", "2027-01-01")
    loose = await milestone(org.admin, await project(org.admin, "NONE"), "Loose", "2027-01-01")
    for before, after in ((mine, theirs), (mine, loose)):
        refused = (await org.admin.query(ADD_DEPENDENCY, {"p": before, "s": after, "lag": 0}))[
            "addDependency"
        ]
        assert refused["userErrors"][0]["code"] == "INVALID"
    tranche = (
        await org.admin.mutate(TRANCHE, {"g": h, "n": "HT", "s": "2027-01-01", "e": "2027-02-01"})
    )["tranche"]["id"]
    wrong = (await org.admin.query(SET_TRANCHE, {"m": mine, "t": tranche}))["setMilestoneTranche"]
    assert wrong["userErrors"][0]["field"] == ["trancheId"]
    backwards = (
        await org.admin.query(TRANCHE, {"g": g, "n": "Bad", "s": "2027-02-01", "e": "2027-01-01"})
    )["createTranche"]
    assert backwards["userErrors"] == [{"field": ["endDate"], "code": "INVALID"}]
    assert (await org.admin.mutate(SET_TRANCHE, {"m": theirs, "t": tranche}))["milestone"][
        "tranche"
    ] == {"name": "HT"}
    assert (await org.admin.mutate(SET_TRANCHE, {"m": theirs, "t": None}))["milestone"][
        "tranche"
    ] is None


def test_critical_path_ties_go_to_the_latest_end() -> None:
    from datetime import date

    points = {
        1: Point(1, 1, date(2027, 1, 1)),
        2: Point(2, 1, date(2027, 2, 1)),
        3: Point(3, 2, date(2027, 1, 5)),
        4: Point(4, 2, date(2027, 3, 1)),
    }
    # 1→2 and 3→4 are both one link long; 4 ends later.
    assert critical_path(points, [Link(1, 1, 2, 0), Link(2, 3, 4, 0)]) == [3, 4]
    assert critical_path(points, []) == []


def test_a_loop_stored_before_loops_were_refused_leaves_the_path_without_it() -> None:
    from datetime import date

    points = {n: Point(n, 1, date(2027, 1, n)) for n in (1, 2, 3, 4)}
    # 1→2 is a chain; 3→4→3 is a loop, which addDependency now refuses but old data may hold.
    links = [Link(1, 1, 2, 0), Link(2, 3, 4, 0), Link(3, 4, 3, 0)]
    assert critical_path(points, links) == [1, 2]
    assert critical_path(points, [Link(2, 3, 4, 0), Link(3, 4, 3, 0)]) == []


BEAT_ON = """
query($g: ID!, $d: Date) { node(id: $g) { ... on Programme { synchronisation(asOf: $d) {
  inStep breaches { slackDays } outOfStep { code }
} } } }
"""
MOVE = "mutation($p: ID!, $g: ID) { setProjectProgramme(input: {projectId: $p, programmeId: $g}) { userErrors { code } } }"


async def test_an_actual_date_after_as_of_had_not_been_reached_then(make_org: MakeOrg) -> None:
    """A1 Jan 10; B1 planned for Mar 1 but reached Jan 12; A1→B1 lag 7. Reached, B1 came five
    days early (a breach); on Jan 11 it was still planned for Mar 1 (in step)."""
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    a1 = await milestone(org.admin, await project(org.admin, "A", g), "A1", "2027-01-10")
    b1 = await milestone(
        org.admin, await project(org.admin, "B", g), "B1", "2027-03-01", actual="2027-01-12"
    )
    await org.admin.mutate(ADD_DEPENDENCY, {"p": a1, "s": b1, "lag": 7})

    def beat(data: dict[str, Any]) -> Any:
        return data["node"]["synchronisation"]

    before = beat(await org.admin.query(BEAT_ON, {"g": g, "d": "2027-01-11"}))
    after = beat(await org.admin.query(BEAT_ON, {"g": g, "d": "2027-02-01"}))
    assert before == {"inStep": True, "breaches": [], "outOfStep": []}
    assert after == {
        "inStep": False,
        "breaches": [{"slackDays": -5}],
        "outOfStep": [{"code": "A"}, {"code": "B"}],
    }


async def test_a_dependency_follows_its_projects_to_another_programme(make_org: MakeOrg) -> None:
    """X1→Y1 (a breach) was added in G; X and Y then move to H. The breach is H's now, not G's;
    while only Y has moved the dependency spans two programmes and is in neither beat."""
    org = await make_org(tiers=TIERS)
    g, h = await programme(org.admin, "G"), await programme(org.admin, "H")
    x = await project(org.admin, "X", g)
    y = await project(org.admin, "Y", g)
    x1 = await milestone(org.admin, x, "X1", "2027-02-01")
    y1 = await milestone(org.admin, y, "Y1", "2027-01-01")
    await org.admin.mutate(ADD_DEPENDENCY, {"p": x1, "s": y1, "lag": 0})

    async def breaches(programme_id: str) -> Any:
        data = await org.admin.query(BEAT_ON, {"g": programme_id, "d": None})
        return data["node"]["synchronisation"]["breaches"]

    assert (await breaches(g), await breaches(h)) == ([{"slackDays": -31}], [])
    await org.admin.mutate(MOVE, {"p": y, "g": h})
    assert (await breaches(g), await breaches(h)) == ([], [])
    await org.admin.mutate(MOVE, {"p": x, "g": h})
    assert (await breaches(g), await breaches(h)) == ([], [{"slackDays": -31}])


async def test_the_beat_of_a_request_is_one_computation_off_the_loop(
    make_org: MakeOrg, pmo_state: AppState
) -> None:
    org = await make_org(tiers=TIERS)
    ids = await _programme(org)
    other = await programme(org.admin, "H")
    both = 'query($g: ID!, $h: ID!) { g: node(id: $g) { ... on Programme { synchronisation(asOf: "2027-01-01") { inStep criticalPath { name } } } } h: node(id: $h) { ... on Programme { synchronisation(asOf: "2027-01-01") { inStep } } } }'
    before = pmo_state.computations.started
    found = await org.admin.query(both, {"g": ids["g"], "h": other})
    # both programmes' beats (the loader batches them) in one computation run by compute()
    assert pmo_state.computations.started == before + 1
    assert found["h"]["synchronisation"] == {"inStep": True}
    assert [m["name"] for m in found["g"]["synchronisation"]["criticalPath"]] == [
        "X1",
        "Y1",
        "Y2",
        "Z1",
    ]
