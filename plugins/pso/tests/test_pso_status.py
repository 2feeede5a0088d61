"""Status reporting: immutable reports, latestStatus, and statusSummary worked out by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from pso_helpers import SUBMIT, project, report

from pmo_graph.sdk import Role
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

SUMMARY = """
query($asOf: Date, $portfolio: ID, $programme: ID) {
  statusSummary(asOf: $asOf, portfolioId: $portfolio, programmeId: $programme) {
    asOf reportingCadenceDays activeProjects green amber red unreported stale { code }
  }
}
"""


@pytest.fixture
async def office(make_org: MakeOrg) -> TestOrganisation:
    """An organisation with `pso` on and the fixed reporting history of this module.

    ST-A: 2026-10-31 GREEN, 2026-11-14 AMBER       (portfolio P1)
    ST-B: 2026-10-30 RED                           (portfolio P1)
    ST-C: never reported
    ST-D: 2026-11-06 GREEN, 2026-11-21 RED         (programme G1)
    ST-E: CLOSED, 2026-11-10 GREEN;  ST-F: ON_HOLD, never reported
    """
    org = await make_org(tiers=["pso"])
    client = org.client(Role.OFFICE)
    portfolio = (
        await org.admin.mutate(
            'mutation { createPortfolio(input: {name: "P1"}) { portfolio { id } userErrors { code } } }'
        )
    )["portfolio"]["id"]
    programme = (
        await org.admin.mutate(
            'mutation { createProgramme(input: {name: "G1"}) { programme { id } userErrors { code } } }'
        )
    )["programme"]["id"]
    ids = {}
    for code, stage in [
        ("ST-A", "ACTIVE"),
        ("ST-B", "ACTIVE"),
        ("ST-C", "ACTIVE"),
        ("ST-D", "ACTIVE"),
        ("ST-E", "CLOSED"),
        ("ST-F", "ON_HOLD"),
    ]:
        ids[code] = await project(org.admin, code, stage=stage)
    move = "mutation($p: ID!, $f: ID) { setProjectPortfolio(input: {projectId: $p, portfolioId: $f}) { userErrors { code } } }"
    join = "mutation($p: ID!, $g: ID) { setProjectProgramme(input: {projectId: $p, programmeId: $g}) { userErrors { code } } }"
    for code in ("ST-A", "ST-B"):
        await org.admin.mutate(move, {"p": ids[code], "f": portfolio})
    await org.admin.mutate(join, {"p": ids["ST-D"], "g": programme})
    for code, period, overall in [
        ("ST-A", "2026-10-31", "GREEN"),
        ("ST-A", "2026-11-14", "AMBER"),
        ("ST-B", "2026-10-30", "RED"),
        ("ST-D", "2026-11-06", "GREEN"),
        ("ST-D", "2026-11-21", "RED"),
        ("ST-E", "2026-11-10", "GREEN"),
    ]:
        await report(client, ids[code], period, overall)
    org.ids = ids  # type: ignore[attr-defined]
    org.portfolio = portfolio  # type: ignore[attr-defined]
    org.programme = programme  # type: ignore[attr-defined]
    return org


async def test_summary_on_a_date(office: TestOrganisation) -> None:
    summary = (await office.admin.query(SUMMARY, {"asOf": "2026-11-20"}))["statusSummary"]
    # Active: A, B, C, D. Latest on or before 11-20: A AMBER (11-14), B RED (10-30), C none,
    # D GREEN (11-06; its 11-21 report is after asOf). Current means on or after 11-20 - 14 = 11-06.
    assert summary == {
        "asOf": "2026-11-20",
        "reportingCadenceDays": 14,
        "activeProjects": 4,
        "green": 1,
        "amber": 1,
        "red": 1,
        "unreported": 1,
        "stale": [{"code": "ST-B"}, {"code": "ST-C"}],
    }


async def test_a_later_date_sees_the_later_reports(office: TestOrganisation) -> None:
    summary = (await office.admin.query(SUMMARY, {"asOf": "2026-11-25"}))["statusSummary"]
    # D's latest is now RED (11-21); current means on or after 11-11: A (11-14) and D (11-21).
    assert (summary["green"], summary["amber"], summary["red"], summary["unreported"]) == (
        0,
        1,
        2,
        1,
    )
    assert summary["stale"] == [{"code": "ST-B"}, {"code": "ST-C"}]


async def test_the_cadence_decides_what_is_stale(office: TestOrganisation) -> None:
    set_cadence = "mutation($d: Int!) { setReportingCadence(input: {days: $d}) { organisation { reportingCadenceDays } userErrors { field code } } }"
    assert (await office.client(Role.OFFICE).mutate(set_cadence, {"d": 7}))["organisation"] == {
        "reportingCadenceDays": 7
    }
    summary = (await office.admin.query(SUMMARY, {"asOf": "2026-11-20"}))["statusSummary"]
    # Current now means on or after 11-13: only A (11-14).
    assert summary["stale"] == [{"code": "ST-B"}, {"code": "ST-C"}, {"code": "ST-D"}]
    refused = (await office.admin.query(set_cadence, {"d": 0}))["setReportingCadence"]
    assert refused["userErrors"] == [{"field": ["days"], "code": "INVALID"}]
    forbidden = await office.client(Role.PORTFOLIO_MANAGER).errors(set_cadence, {"d": 30})
    assert forbidden[0]["extensions"]["code"] == "FORBIDDEN"


async def test_summary_scopes(office: TestOrganisation) -> None:
    by_portfolio = (
        await office.admin.query(SUMMARY, {"asOf": "2026-11-20", "portfolio": office.portfolio})
    )["statusSummary"]  # type: ignore[attr-defined]
    assert (by_portfolio["activeProjects"], by_portfolio["amber"], by_portfolio["red"]) == (2, 1, 1)
    assert by_portfolio["stale"] == [{"code": "ST-B"}]
    by_programme = (
        await office.admin.query(SUMMARY, {"asOf": "2026-11-20", "programme": office.programme})
    )["statusSummary"]  # type: ignore[attr-defined]
    assert (by_programme["activeProjects"], by_programme["green"], by_programme["stale"]) == (
        1,
        1,
        [],
    )
    both = (
        await office.admin.query(
            SUMMARY,
            {"asOf": "2026-11-20", "portfolio": office.portfolio, "programme": office.programme},
        )
    )["statusSummary"]  # type: ignore[attr-defined]
    assert both["activeProjects"] == 0
    wrong = await office.admin.errors(SUMMARY, {"portfolio": office.programme})  # type: ignore[attr-defined]
    assert wrong[0]["message"] == "`portfolioId` is not a Portfolio id."


async def test_reports_newest_first_and_latest_status(office: TestOrganisation) -> None:
    query = """query($id: ID!) { node(id: $id) { ... on Project {
        latestStatus { periodEnding overall }
        statusReports(first: 1) { totalCount nodes { periodEnding } pageInfo { hasNextPage endCursor } }
    } } }"""
    data = (await office.admin.query(query, {"id": office.ids["ST-D"]}))["node"]  # type: ignore[attr-defined]
    assert data["latestStatus"] == {"periodEnding": "2026-11-21", "overall": "RED"}
    assert data["statusReports"]["totalCount"] == 2
    assert data["statusReports"]["nodes"] == [{"periodEnding": "2026-11-21"}]
    cursor = data["statusReports"]["pageInfo"]["endCursor"]
    page = """query($id: ID!, $after: String) { node(id: $id) { ... on Project {
        statusReports(first: 5, after: $after) { nodes { periodEnding } pageInfo { hasNextPage } } } } }"""
    rest = (await office.admin.query(page, {"id": office.ids["ST-D"], "after": cursor}))["node"][
        "statusReports"
    ]  # type: ignore[attr-defined]
    assert rest == {"nodes": [{"periodEnding": "2026-11-06"}], "pageInfo": {"hasNextPage": False}}
    never = (await office.admin.query(query, {"id": office.ids["ST-C"]}))["node"]  # type: ignore[attr-defined]
    assert never["latestStatus"] is None
    assert never["statusReports"]["totalCount"] == 0


async def test_a_report_keeps_what_was_submitted(office: TestOrganisation) -> None:
    payload = await report(
        office.client(Role.OFFICE),
        office.ids["ST-C"],  # type: ignore[attr-defined]
        "2026-11-18",
        "AMBER",
        schedule="RED",
        cost="GREEN",
        scope="GREEN",
        resources="AMBER",
        summary="  Supplier late.  ",
    )
    assert payload["statusReport"] == {
        "id": payload["statusReport"]["id"],
        "periodEnding": "2026-11-18",
        "overall": "AMBER",
        "schedule": "RED",
        "cost": "GREEN",
        "scope": "GREEN",
        "resources": "AMBER",
        "summary": "Supplier late.",
        "submittedBy": {"email": f"office@{office.slug}.test"},
        "project": {"code": "ST-C"},
    }


async def test_bad_reports_are_refused_and_nothing_is_written(office: TestOrganisation) -> None:
    client = office.client(Role.OFFICE)
    project_id = office.ids["ST-A"]  # type: ignore[attr-defined]

    async def refused(**fields: object) -> list[dict[str, object]]:
        data = await client.query(
            SUBMIT,
            {
                "input": {
                    "projectId": project_id,
                    "periodEnding": "2026-11-01",
                    "overall": "GREEN",
                    **fields,
                }
            },
        )
        assert data["submitStatusReport"]["statusReport"] is None
        return [(e["field"], e["code"]) for e in data["submitStatusReport"]["userErrors"]]  # type: ignore[misc]

    assert await refused(periodEnding="2099-01-01") == [(["periodEnding"], "INVALID")]
    assert await refused(periodEnding="2026-11-14") == [(["periodEnding"], "DUPLICATE")]
    assert await refused(projectId="UHJvamVjdDo5OTk5OTk=") == [(["projectId"], "NOT_FOUND")]
    assert await refused(summary="x" * 20001) == [(["summary"], "INVALID")]
    bad_rag = await client.errors(
        SUBMIT,
        {"input": {"projectId": project_id, "periodEnding": "2026-11-01", "overall": "PURPLE"}},
    )
    assert bad_rag[0]["extensions"]["code"] == "BAD_USER_INPUT"
    count = await office.admin.query(
        "query($id: ID!) { node(id: $id) { ... on Project { statusReports { totalCount } } } }",
        {"id": project_id},
    )
    assert count["node"]["statusReports"]["totalCount"] == 2


async def test_project_managers_report_only_on_their_own_projects(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    manager = org.person_ids[Role.PROJECT_MANAGER]
    from pmo_graph.sdk import to_global_id

    own = await project(org.admin, "OWN", managerId=to_global_id("Person", manager))
    other = await project(org.admin, "OTHER")
    pm = org.client(Role.PROJECT_MANAGER)
    assert (await report(pm, own, "2026-11-20", "GREEN"))["statusReport"]["project"] == {
        "code": "OWN"
    }
    variables = {"input": {"projectId": other, "periodEnding": "2026-11-20", "overall": "GREEN"}}
    assert (await pm.errors(SUBMIT, variables))[0]["extensions"]["code"] == "FORBIDDEN"
    for role in (Role.VIEWER, Role.PORTFOLIO_MANAGER, Role.PROGRAMME_DIRECTOR):
        assert (await org.client(role).errors(SUBMIT, variables))[0]["extensions"][
            "code"
        ] == "FORBIDDEN"
    assert (await report(org.client(Role.OFFICE), other, "2026-11-20", "AMBER"))["statusReport"][
        "overall"
    ] == "AMBER"
