"""Balance, capacity, utilisation and over-allocation, worked out by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from portfolio_helpers import assign, make_person, make_portfolio, make_project, organisation

from pmo_graph.sdk import Role
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

SET_TARGETS = """
mutation($f: ID!, $t: [BalanceTargetInput!]!) {
  setBalanceTargets(input: {portfolioId: $f, targets: $t}) {
    portfolio { balance { category targetShare actualShare deviation } }
    userErrors { field message code }
  }
}
"""
CAPACITY = """
mutation($p: ID!, $c: Float!) {
  setPersonCapacity(input: {personId: $p, capacity: $c}) { person { name capacity } userErrors { field message code } }
}
"""
UTILISATION = """
query($from: Date!, $to: Date!, $g: Granularity!, $skill: String) {
  utilisation(from: $from, to: $to, granularity: $g, skill: $skill) {
    person { name } capacity periods { start end allocation utilisation }
  }
}
"""
OVER = """
query($from: Date!, $to: Date!) {
  overallocations(from: $from, to: $to) { person { name } capacity peakAllocation firstDay lastDay projects { code } }
}
"""


async def test_balance(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    portfolio = await make_portfolio(org.admin, "Balanced")
    for code, category, budget, stage in [
        ("T1", "Transform", "300", "ACTIVE"),
        ("T2", "transform", "100", "PROPOSED"),  # categories match whatever their case
        ("R1", "Run", "400", "ACTIVE"),
        ("M1", "Mandatory", "200", "APPROVED"),
        ("C1", "Transform", "1000", "CLOSED"),  # closed: not counted
        ("X1", "Run", "5000", "CANCELLED"),  # cancelled: not counted
    ]:
        await make_project(
            org.admin, code, portfolio, category=category, budget=budget, stage=stage
        )
    payload = await org.admin.mutate(
        SET_TARGETS,
        {
            "f": portfolio,
            "t": [
                {"category": "Transform", "share": 0.5},
                {"category": "Run", "share": 0.3},
                {"category": "Grow", "share": 0.2},
            ],
        },
    )
    # budget 1000: Transform 400 (0.4), Run 400 (0.4), Mandatory 200 (0.2), Grow 0
    assert payload["portfolio"]["balance"] == [
        {"category": "Transform", "targetShare": 0.5, "actualShare": 0.4, "deviation": -0.1},
        {"category": "Run", "targetShare": 0.3, "actualShare": 0.4, "deviation": 0.1},
        {"category": "Grow", "targetShare": 0.2, "actualShare": 0.0, "deviation": -0.2},
        {"category": "Mandatory", "targetShare": 0.0, "actualShare": 0.2, "deviation": 0.2},
    ]
    within = await org.admin.mutate(
        SET_TARGETS,
        {
            "f": portfolio,
            "t": [{"category": "Run", "share": 0.6}, {"category": "Grow", "share": 0.4005}],
        },
    )
    assert within["portfolio"]["balance"][0]["category"] == "Run"


async def test_bad_targets_are_refused_and_the_old_ones_kept(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    portfolio = await make_portfolio(org.admin, "Strict")
    await org.admin.mutate(SET_TARGETS, {"f": portfolio, "t": [{"category": "Run", "share": 1.0}]})
    cases = [
        (
            [{"category": "Run", "share": 0.5}, {"category": "Grow", "share": 0.4}],
            [(["targets"], "INVALID")],
        ),
        (
            [{"category": "Run", "share": 0.5}, {"category": " run ", "share": 0.5}],
            [(["targets", "1", "category"], "DUPLICATE")],
        ),
        (
            [{"category": "Run", "share": 1.2}, {"category": "Grow", "share": -0.2}],
            [(["targets", "0", "share"], "INVALID"), (["targets", "1", "share"], "INVALID")],
        ),
    ]
    for targets, expected in cases:
        refused = (await org.admin.query(SET_TARGETS, {"f": portfolio, "t": targets}))[
            "setBalanceTargets"
        ]
        assert [(e["field"], e["code"]) for e in refused["userErrors"]] == expected, targets
    kept = await org.admin.query(
        "query($f: ID!) { node(id: $f) { ... on Portfolio { balance { category targetShare } } } }",
        {"f": portfolio},
    )
    assert kept["node"]["balance"] == [{"category": "Run", "targetShare": 1.0}]
    forbidden = await org.client(Role.PROJECT_MANAGER).errors(
        SET_TARGETS, {"f": portfolio, "t": []}
    )
    assert forbidden[0]["extensions"]["code"] == "FORBIDDEN"


async def test_capacity(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    someone = await make_person(org.admin, "Part Timer")
    assert (await org.admin.mutate(CAPACITY, {"p": someone, "c": 0.6}))["person"] == {
        "name": "Part Timer",
        "capacity": 0.6,
    }
    for bad in (0.0, -1.0, 2.5):
        refused = (await org.admin.query(CAPACITY, {"p": someone, "c": bad}))["setPersonCapacity"]
        assert refused["userErrors"][0]["field"] == ["capacity"], bad


async def _loads(org: TestOrganisation) -> dict[str, str]:
    """X (capacity 0.5): 0.5 on P1 Jan 4-10, 0.25 on P2 Jan 8-21.
    Y (capacity 1.0): 0.6 on P1 all January, 0.6 on P3 Jan 20-25.
    Z (capacity 1.0): 0.5 + 0.5 on P2 and P3 all January (exactly full).
    W: no assignment."""
    client = org.admin
    projects = {code: await make_project(client, code) for code in ("P1", "P2", "P3")}
    people = {name: await make_person(client, name) for name in ("X", "Y", "Z", "W")}
    await client.mutate(CAPACITY, {"p": people["X"], "c": 0.5})
    await assign(client, projects["P1"], people["X"], 0.5, "2027-01-04", "2027-01-10")
    await assign(client, projects["P2"], people["X"], 0.25, "2027-01-08", "2027-01-21")
    await assign(client, projects["P1"], people["Y"], 0.6, "2027-01-01", "2027-01-31")
    await assign(client, projects["P3"], people["Y"], 0.6, "2027-01-20", "2027-01-25")
    await assign(client, projects["P2"], people["Z"], 0.5, "2027-01-01", "2027-01-31")
    await assign(client, projects["P3"], people["Z"], 0.5, "2027-01-01", "2027-01-31")
    await client.mutate(
        'mutation($p: ID!) { addPersonSkill(input: {personId: $p, skill: "Rust", level: 3}) { userErrors { code } } }',
        {"p": people["X"]},
    )
    return people


async def test_weekly_utilisation(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    await _loads(org)
    loads = (
        await org.admin.query(
            UTILISATION, {"from": "2027-01-04", "to": "2027-01-24", "g": "WEEK", "skill": "rust"}
        )
    )["utilisation"]
    # Week 1 (Mon 4 to Sun 10): 0.5 for 4 days, 0.75 for 3 days: 4.25 / 7 = 0.607143, / 0.5 = 1.214286.
    # Week 2: 0.25 every day. Week 3 (18 to 24): 0.25 for 4 days: 1.0 / 7 = 0.142857.
    assert loads == [
        {
            "person": {"name": "X"},
            "capacity": 0.5,
            "periods": [
                {
                    "start": "2027-01-04",
                    "end": "2027-01-10",
                    "allocation": 0.607143,
                    "utilisation": 1.214286,
                },
                {
                    "start": "2027-01-11",
                    "end": "2027-01-17",
                    "allocation": 0.25,
                    "utilisation": 0.5,
                },
                {
                    "start": "2027-01-18",
                    "end": "2027-01-24",
                    "allocation": 0.142857,
                    "utilisation": 0.285714,
                },
            ],
        }
    ]


async def test_monthly_utilisation_of_everyone(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    await _loads(org)
    loads = (
        await org.admin.query(UTILISATION, {"from": "2027-01-04", "to": "2027-02-10", "g": "MONTH"})
    )["utilisation"]
    by_name = {
        load["person"]["name"]: load["periods"]
        for load in loads
        if load["person"]["name"] in "WXYZ"
    }
    # X in January (4 to 31, 28 days): 4.25 + 0.25 x 11 = 7.0 → 0.25. Y: 0.6 x 28 + 0.6 x 6 = 20.4 → 0.728571.
    assert by_name["X"] == [
        {"start": "2027-01-04", "end": "2027-01-31", "allocation": 0.25, "utilisation": 0.5},
        {"start": "2027-02-01", "end": "2027-02-10", "allocation": 0.0, "utilisation": 0.0},
    ]
    assert by_name["Y"][0] == {
        "start": "2027-01-04",
        "end": "2027-01-31",
        "allocation": 0.728571,
        "utilisation": 0.728571,
    }
    assert by_name["Z"][0]["allocation"] == 1.0
    assert by_name["W"][0]["allocation"] == 0.0
    errors = await org.admin.errors(
        UTILISATION, {"from": "2027-02-01", "to": "2027-01-01", "g": "WEEK"}
    )
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_overallocations(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    await _loads(org)
    found = (await org.admin.query(OVER, {"from": "2027-01-01", "to": "2027-01-31"}))[
        "overallocations"
    ]
    assert found == [
        {
            "person": {"name": "Y"},
            "capacity": 1.0,
            "peakAllocation": 1.2,
            "firstDay": "2027-01-20",
            "lastDay": "2027-01-25",
            "projects": [{"code": "P1"}, {"code": "P3"}],
        },
        {
            "person": {"name": "X"},
            "capacity": 0.5,
            "peakAllocation": 0.75,
            "firstDay": "2027-01-08",
            "lastDay": "2027-01-10",
            "projects": [{"code": "P1"}, {"code": "P2"}],
        },
    ]
    # Z is exactly full, never over. A window that misses Y's overlap shows only X.
    narrow = (await org.admin.query(OVER, {"from": "2027-01-01", "to": "2027-01-19"}))[
        "overallocations"
    ]
    assert [o["person"]["name"] for o in narrow] == ["X"]
