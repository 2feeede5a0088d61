"""Benefits and dis-benefits: realisation, least-squares forecast, status, summary and map,
worked out by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from pmo_helpers import MEASURE, TIERS, benefit, programme, project

from pmo_graph.sdk import Role
from pmo_graph.testing import TestOrganisation
from pmo_graph_pmo.measure import Measurements

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

BENEFIT = """
query($id: ID!, $asOf: Date) { node(id: $id) { ... on Benefit {
  latestValue realisation forecastAtTargetDate status(asOf: $asOf)
  measurements(first: 2) { totalCount nodes { measuredOn value } }
} } }
"""
# Measurements ten days apart, from 2026-01-01.
LINE = [("2026-01-01", 10.0), ("2026-01-11", 20.0), ("2026-01-21", 30.0)]


async def _read(
    org: TestOrganisation, benefit_id: str, as_of: str = "2026-02-01"
) -> dict[str, Any]:
    return (await org.admin.query(BENEFIT, {"id": benefit_id, "asOf": as_of}))["node"]  # type: ignore[no-any-return]


async def test_benefit_figures(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    # 10, 20, 30 on Jan 1, 11, 21: slope 1 a day. Target date Apr 11 is 100 days after Jan 1,
    # so the line reads 110 there: on track. Realisation (30 - 0) / (100 - 0) = 0.3.
    on_track = await benefit(org.admin, g, "On track", 0, 100, "2026-04-11", points=LINE)
    assert await _read(org, on_track) == {
        "latestValue": 30.0,
        "realisation": 0.3,
        "forecastAtTargetDate": 110.0,
        "status": "ON_TRACK",
        "measurements": {
            "totalCount": 3,
            "nodes": [
                {"measuredOn": "2026-01-21", "value": 30.0},
                {"measuredOn": "2026-01-11", "value": 20.0},
            ],
        },
    }
    # The same line read at Mar 1 (59 days): 69, short of 100.
    short = await benefit(org.admin, g, "Short", 0, 100, "2026-03-01", points=LINE)
    assert (await _read(org, short))["forecastAtTargetDate"] == 69.0
    assert (await _read(org, short))["status"] == "AT_RISK"
    # Not on a line: (x, y) = (0, 1), (10, 3), (20, 2): mean (10, 2), slope 10 / 200 = 0.05;
    # at Feb 10 (x = 40): 2 + 0.05 x 30 = 3.5, short of 10. Realisation 2 / 10 = 0.2.
    fitted = await benefit(
        org.admin,
        g,
        "Fitted",
        0,
        10,
        "2026-02-10",
        points=[("2026-01-01", 1), ("2026-01-11", 3), ("2026-01-21", 2)],
    )
    figures = await _read(org, fitted)
    assert (figures["forecastAtTargetDate"], figures["realisation"], figures["status"]) == (
        3.5,
        0.2,
        "AT_RISK",
    )
    # A cost reduction (target below baseline): 50 → 39 against a target of 40 is 1.1: achieved.
    achieved = await benefit(
        org.admin,
        g,
        "Cheaper",
        50,
        40,
        "2026-06-30",
        points=[("2026-01-01", 48), ("2026-01-11", 39)],
    )
    assert (await _read(org, achieved))["realisation"] == 1.1
    assert (await _read(org, achieved))["status"] == "ACHIEVED"
    # Nothing measured yet.
    new = await benefit(org.admin, g, "New", 0, 1000, "2026-12-31")
    assert await _read(org, new) == {
        "latestValue": None,
        "realisation": None,
        "forecastAtTargetDate": None,
        "status": "NOT_STARTED",
        "measurements": {"totalCount": 0, "nodes": []},
    }
    # One measurement: no forecast; at risk only once the target date has passed.
    late = await benefit(
        org.admin,
        g,
        "Late",
        0,
        10,
        "2026-03-01",
        category="NON_FINANCIAL",
        points=[("2026-01-05", 5)],
    )
    assert (await _read(org, late, "2026-02-28"))["status"] == "ON_TRACK"
    assert (await _read(org, late, "2026-03-02"))["status"] == "AT_RISK"


async def test_status_as_it_stood_counts_only_measurements_up_to_as_of(
    make_org: MakeOrg,
) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    cheaper = await benefit(
        org.admin,
        g,
        "Cheaper",
        50,
        40,
        "2026-06-30",
        points=[("2026-01-01", 48), ("2026-01-11", 39)],
    )
    # On Jan 5 only the 48 of Jan 1 existed: (48 - 50) / (40 - 50) = 0.2, one point, no
    # forecast, target date to come: on track. From Jan 11, 39 makes it achieved.
    assert (await _read(org, cheaper, "2026-01-05"))["status"] == "ON_TRACK"
    assert (await _read(org, cheaper, "2026-01-11"))["status"] == "ACHIEVED"
    assert (await _read(org, cheaper, "2025-12-31"))["status"] == "NOT_STARTED"
    summary = "query($g: ID!, $d: Date) { node(id: $g) { ... on Programme { benefitsSummary(asOf: $d) { achieved onTrack financialRealised } } } }"
    early = (await org.admin.query(summary, {"g": g, "d": "2026-01-05"}))["node"]
    # realised money on Jan 5: 10 x 0.2 = 2
    assert early["benefitsSummary"] == {"achieved": 0, "onTrack": 1, "financialRealised": 2.0}


def test_the_latest_of_a_day_is_the_last_recorded() -> None:
    day = date(2026, 1, 11)
    points = [(date(2026, 1, 1), 1.0), (day, 5.0), (day, 7.0), (date(2026, 1, 2), 9.0)]
    assert Measurements.of(points).latest == 7.0


async def test_disbenefits(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    # Turnover from 10 %, tolerated up to 20 %. 12 then 14 ten days later: 0.2 a day, so 24 at
    # Mar 2 (60 days after Jan 1): the forecast passes the limit.
    rising = await benefit(
        org.admin,
        g,
        "Turnover",
        10,
        20,
        "2026-03-02",
        kind="DISBENEFIT",
        category="NON_FINANCIAL",
        points=[("2026-01-01", 12), ("2026-01-11", 14)],
    )
    assert (await _read(org, rising))["forecastAtTargetDate"] == 24.0
    assert (await _read(org, rising))["status"] == "AT_RISK"
    # 12 then 12.5: 15 at Mar 2, within the limit.
    calm = await benefit(
        org.admin,
        g,
        "Calm",
        10,
        20,
        "2026-03-02",
        kind="DISBENEFIT",
        category="NON_FINANCIAL",
        points=[("2026-01-01", 12), ("2026-01-11", 12.5)],
    )
    assert (await _read(org, calm))["status"] == "ON_TRACK"
    # The latest value alone can pass the limit.
    over = await benefit(
        org.admin,
        g,
        "Over",
        10,
        20,
        "2026-12-31",
        kind="DISBENEFIT",
        category="NON_FINANCIAL",
        points=[("2026-01-01", 21)],
    )
    assert (await _read(org, over))["status"] == "AT_RISK"
    # A dis-benefit that falls (satisfaction 80, tolerated down to 70): 69 passes it.
    falling = await benefit(
        org.admin,
        g,
        "Satisfaction",
        80,
        70,
        "2026-12-31",
        kind="DISBENEFIT",
        category="NON_FINANCIAL",
        points=[("2026-01-01", 69)],
    )
    assert (await _read(org, falling))["status"] == "AT_RISK"
    unmeasured = await benefit(
        org.admin,
        g,
        "Unmeasured",
        10,
        20,
        "2026-12-31",
        kind="DISBENEFIT",
        category="NON_FINANCIAL",
    )
    assert (await _read(org, unmeasured))["status"] == "ON_TRACK"


async def test_summary(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    await benefit(org.admin, g, "On track", 0, 100, "2026-04-11", points=LINE)  # 100 x 0.3 = 30
    await benefit(
        org.admin, g, "Short", 0, 100, "2026-03-01", category="NON_FINANCIAL", points=LINE
    )  # not financial
    await benefit(
        org.admin,
        g,
        "Cheaper",
        50,
        40,
        "2026-06-30",
        points=[("2026-01-01", 48), ("2026-01-11", 39)],
    )  # 10 x 1.1 = 11
    await benefit(org.admin, g, "New", 0, 1000, "2026-12-31")  # 1000 x nothing = 0
    await benefit(
        org.admin,
        g,
        "Turnover",
        10,
        20,
        "2026-03-02",
        kind="DISBENEFIT",
        points=[("2026-01-01", 12), ("2026-01-11", 14)],
    )  # dis-benefit: not counted in money
    summary = (
        await org.admin.query(
            'query($g: ID!) { node(id: $g) { ... on Programme { benefitsSummary(asOf: "2026-02-01") { benefits achieved onTrack atRisk notStarted financialTarget financialRealised realisation } } } }',
            {"g": g},
        )
    )["node"]["benefitsSummary"]
    # Money: target 100 + 10 + 1000 = 1110, realised 30 + 11 + 0 = 41, 41 / 1110 = 0.036937.
    assert summary == {
        "benefits": 5,
        "achieved": 1,
        "onTrack": 1,
        "atRisk": 2,
        "notStarted": 1,
        "financialTarget": 1110.0,
        "financialRealised": 41.0,
        "realisation": 0.036937,
    }


async def test_contributions_cannot_claim_a_benefit_twice(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    p1, p2 = await project(org.admin, "P1", g), await project(org.admin, "P2", g)
    outside = await project(org.admin, "OUT")
    b = await benefit(org.admin, g, "Saving", 0, 100, "2026-12-31")
    link = "mutation($b: ID!, $p: ID!, $s: Float!) { linkBenefitContribution(input: {benefitId: $b, projectId: $p, share: $s}) { benefit { contributions { project { code } share } } userErrors { field message code } } }"
    assert (await org.admin.mutate(link, {"b": b, "p": p1, "s": 0.6}))["benefit"][
        "contributions"
    ] == [{"project": {"code": "P1"}, "share": 0.6}]
    over = (await org.admin.query(link, {"b": b, "p": p2, "s": 0.5}))["linkBenefitContribution"]
    assert over["benefit"] is None
    assert over["userErrors"] == [
        {
            "field": ["share"],
            "message": "Other projects already deliver 0.6 of 'Saving'; 0.5 more would claim 1.1 of it. Shares add up to at most 1.",
            "code": "OVER_ATTRIBUTED",
        }
    ]
    assert (await org.admin.mutate(link, {"b": b, "p": p2, "s": 0.4}))["benefit"]["contributions"][
        1
    ] == {"project": {"code": "P2"}, "share": 0.4}
    # re-linking replaces the project's share, so P1 can go down to 0.5 and P2 up to 0.5
    await org.admin.mutate(link, {"b": b, "p": p1, "s": 0.5})
    assert (await org.admin.mutate(link, {"b": b, "p": p2, "s": 0.5}))["benefit"][
        "contributions"
    ] == [{"project": {"code": "P1"}, "share": 0.5}, {"project": {"code": "P2"}, "share": 0.5}]
    assert (await org.admin.query(link, {"b": b, "p": outside, "s": 0.1}))[
        "linkBenefitContribution"
    ]["userErrors"][0]["field"] == ["projectId"]
    assert (await org.admin.query(link, {"b": b, "p": p1, "s": 0}))["linkBenefitContribution"][
        "userErrors"
    ][0]["field"] == ["share"]
    mine = await org.admin.query(
        "query($p: ID!) { node(id: $p) { ... on Project { benefitContributions { share benefit { name } } } } }",
        {"p": p1},
    )
    assert mine["node"]["benefitContributions"] == [{"share": 0.5, "benefit": {"name": "Saving"}}]


async def test_benefits_map(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    p1 = await project(org.admin, "P1", g)
    b1 = await benefit(org.admin, g, "Saving", 0, 100, "2026-12-31")
    d1 = await benefit(org.admin, g, "Churn", 5, 8, "2026-12-31", kind="DISBENEFIT")
    objective = (
        await org.admin.mutate(
            'mutation($g: ID!) { createObjective(input: {programmeId: $g, name: "Lower cost"}) { objective { id } userErrors { code } } }',
            {"g": g},
        )
    )["objective"]["id"]
    link_objective = "mutation($b: ID!, $o: ID!) { linkBenefitObjective(input: {benefitId: $b, objectiveId: $o}) { benefit { objectives { name } } userErrors { field code } } }"
    assert (await org.admin.mutate(link_objective, {"b": b1, "o": objective}))["benefit"][
        "objectives"
    ] == [{"name": "Lower cost"}]
    assert (await org.admin.query(link_objective, {"b": b1, "o": objective}))[
        "linkBenefitObjective"
    ]["userErrors"] == [{"field": ["objectiveId"], "code": "DUPLICATE"}]
    await org.admin.mutate(
        "mutation($b: ID!, $p: ID!) { linkBenefitContribution(input: {benefitId: $b, projectId: $p, share: 1}) { userErrors { code } } }",
        {"b": b1, "p": p1},
    )
    shown = (
        await org.admin.query(
            "query($g: ID!) { node(id: $g) { ... on Programme { benefitsMap { nodes { id kind label } edges { from to share } } objectives { name } } } }",
            {"g": g},
        )
    )["node"]
    assert shown["benefitsMap"] == {
        "nodes": [
            {"id": p1, "kind": "PROJECT", "label": "P1 P1"},
            {"id": d1, "kind": "DISBENEFIT", "label": "Churn"},
            {"id": b1, "kind": "BENEFIT", "label": "Saving"},
            {"id": objective, "kind": "OBJECTIVE", "label": "Lower cost"},
        ],
        "edges": [
            {"from": p1, "to": b1, "share": 1.0},
            {"from": b1, "to": objective, "share": None},
        ],
    }
    assert shown["objectives"] == [{"name": "Lower cost"}]


async def test_bad_benefits_and_measurements_are_refused(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    from pmo_helpers import CREATE_BENEFIT

    same = (
        await org.admin.query(
            CREATE_BENEFIT,
            {
                "i": {
                    "programmeId": g,
                    "name": "Flat",
                    "kind": "BENEFIT",
                    "category": "FINANCIAL",
                    "measure": "m",
                    "baseline": 5,
                    "target": 5,
                    "targetDate": "2026-12-31",
                }
            },
        )
    )["createBenefit"]
    assert same["userErrors"][0]["field"] == ["target"]
    b = await benefit(org.admin, g, "B", 0, 10, "2026-12-31")
    future = (
        await org.admin.query(
            MEASURE, {"i": {"benefitId": b, "measuredOn": "2099-01-01", "value": 1}}
        )
    )["recordBenefitMeasurement"]
    assert future["userErrors"][0]["field"] == ["measuredOn"]
    forbidden = await org.client(Role.PROJECT_MANAGER).errors(
        MEASURE, {"i": {"benefitId": b, "measuredOn": "2026-01-01", "value": 1}}
    )
    assert forbidden[0]["extensions"]["code"] == "FORBIDDEN"
