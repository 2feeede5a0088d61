"""Sponsorship by the programme director, the status roll-up, the tier's standards and events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from pmo_helpers import (
    ADD_DEPENDENCY,
    MEASURE,
    TIERS,
    benefit,
    milestone,
    person,
    programme,
    project,
)

from pmo_graph.sdk import Role
from pmo_graph.testing import TestOrganisation
from sample_plugin.plugin import RECEIVED

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

SPONSOR = "query($p: ID!) { node(id: $p) { ... on Project { sponsor { name } } } }"
JOIN = "mutation($p: ID!, $g: ID) { setProjectProgramme(input: {projectId: $p, programmeId: $g}) { project { sponsor { name } } userErrors { code } } }"


async def test_the_director_sponsors_every_project_of_the_programme(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    dora, eve, sam = [
        await person(org.admin, name) for name in ("Dora Director", "Eve Director", "Sam Sponsor")
    ]
    g = await programme(org.admin, "G", dora)
    p = await project(org.admin, "P", sponsorId=sam)
    assert (await org.admin.mutate(JOIN, {"p": p, "g": g}))["project"]["sponsor"] == {
        "name": "Dora Director"
    }
    q = await project(org.admin, "Q", g)
    change = "mutation($g: ID!, $d: ID) { updateProgramme(input: {programmeId: $g, directorId: $d}) { userErrors { code } } }"
    await org.admin.mutate(change, {"g": g, "d": eve})
    for project_id in (p, q):
        assert (await org.admin.query(SPONSOR, {"p": project_id}))["node"]["sponsor"] == {
            "name": "Eve Director"
        }
    log = await org.admin.query(
        "query($p: ID!) { auditLog(entityId: $p) { nodes { action changes } } }", {"p": p}
    )
    assert any(
        e["changes"].get("rule") == "PROGRAMME_SPONSORSHIP" for e in log["auditLog"]["nodes"]
    )


async def test_without_pmo_the_rule_stops_and_switching_it_on_applies_it(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso", "portfolio"])
    dora, sam = await person(org.admin, "Dora Director"), await person(org.admin, "Sam Sponsor")
    g = await programme(org.admin, "G", dora)
    p = await project(org.admin, "P", sponsorId=sam)
    assert (await org.admin.mutate(JOIN, {"p": p, "g": g}))["project"]["sponsor"] == {
        "name": "Sam Sponsor"
    }
    await org.admin.mutate('mutation { enableTier(input: {key: "pmo"}) { userErrors { code } } }')
    assert (await org.admin.query(SPONSOR, {"p": p}))["node"]["sponsor"] == {
        "name": "Dora Director"
    }


async def test_status_rollup(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    codes = {"X": "GREEN", "Y": "AMBER", "Z": None, "W": "RED"}
    submit = 'mutation($p: ID!, $o: Rag!) { submitStatusReport(input: {projectId: $p, periodEnding: "2026-11-13", overall: $o}) { userErrors { code } } }'
    for code, rag in codes.items():
        p = await project(org.admin, code, g, stage="CLOSED" if code == "W" else "ACTIVE")
        if rag:
            await org.admin.mutate(submit, {"p": p, "o": rag})
    rollup = (
        await org.admin.query(
            "query($g: ID!) { node(id: $g) { ... on Programme { statusRollup { green amber red unreported overall } } } }",
            {"g": g},
        )
    )["node"]["statusRollup"]
    # W is closed: its RED does not count.
    assert rollup == {"green": 1, "amber": 1, "red": 0, "unreported": 1, "overall": "AMBER"}


async def test_standards_of_the_tier(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    dora, sam = await person(org.admin, "Dora Director"), await person(org.admin, "Sam Sponsor")
    g = await programme(org.admin, "G", dora)
    aligned = await project(org.admin, "A", g)
    b = await benefit(org.admin, g, "Saving", 0, 10, "2026-12-31")
    await org.admin.mutate(
        "mutation($b: ID!, $p: ID!) { linkBenefitContribution(input: {benefitId: $b, projectId: $p, share: 1}) { userErrors { code } } }",
        {"b": b, "p": aligned},
    )
    drifted = await project(org.admin, "D", g)
    await org.admin.mutate(
        "mutation($p: ID!, $s: ID) { updateProject(input: {projectId: $p, sponsorId: $s}) { userErrors { code } } }",
        {"p": drifted, "s": sam},
    )
    query = 'query($p: ID!) { node(id: $p) { ... on Project { compliance(asOf: "2026-11-20") { findings { standard { key } passed message } } } } }'

    async def findings(project_id: str) -> dict[str, tuple[bool, str]]:
        data = await org.admin.query(query, {"p": project_id})
        return {
            f["standard"]["key"]: (f["passed"], f["message"])
            for f in data["node"]["compliance"]["findings"]
            if f["standard"]["key"] in {"PROGRAMME_SPONSORSHIP", "BENEFITS_LINKED"}
        }

    assert await findings(aligned) == {
        "PROGRAMME_SPONSORSHIP": (True, "Sponsored by the programme director."),
        "BENEFITS_LINKED": (True, "Contributes to 1 benefit(s)."),
    }
    assert await findings(drifted) == {
        "PROGRAMME_SPONSORSHIP": (
            False,
            "Not sponsored by the director of 'G'; the director sponsors every project of a programme.",
        ),
        "BENEFITS_LINKED": (
            False,
            "Contributes to no benefit of its programme: link it with linkBenefitContribution.",
        ),
    }


async def test_a_contribution_to_another_programmes_benefit_does_not_link_a_project(
    make_org: MakeOrg,
) -> None:
    """A links to G's benefit, then moves to H: it contributes to no benefit of H."""
    org = await make_org(tiers=TIERS)
    g, h = await programme(org.admin, "G"), await programme(org.admin, "H")
    a = await project(org.admin, "A", g)
    b = await benefit(org.admin, g, "Saving", 0, 10, "2026-12-31")
    await org.admin.mutate(
        "mutation($b: ID!, $p: ID!) { linkBenefitContribution(input: {benefitId: $b, projectId: $p, share: 1}) { userErrors { code } } }",
        {"b": b, "p": a},
    )
    query = 'query($p: ID!) { node(id: $p) { ... on Project { compliance(asOf: "2026-11-20") { findings { standard { key } passed } } } } }'

    async def linked() -> bool:
        data = await org.admin.query(query, {"p": a})
        (passed,) = [
            f["passed"]
            for f in data["node"]["compliance"]["findings"]
            if f["standard"]["key"] == "BENEFITS_LINKED"
        ]
        return bool(passed)

    assert await linked()
    await org.admin.mutate(
        "mutation($p: ID!, $g: ID) { setProjectProgramme(input: {projectId: $p, programmeId: $g}) { userErrors { code } } }",
        {"p": a, "g": h},
    )
    assert not await linked()


async def test_events_when_a_benefit_turns_at_risk_and_a_programme_falls_out_of_step(
    make_org: MakeOrg,
) -> None:
    org = await make_org(tiers=[*TIERS, "sample"])
    g = await programme(org.admin, "G")
    # One point, target date to come: on track.
    start = date.today() - timedelta(days=60)
    day = lambda offset: str(start + timedelta(days=offset))  # noqa: E731
    b = await benefit(org.admin, g, "Saving", 0, 1000, day(272), points=[(day(0), 10)])
    RECEIVED.clear()
    # A second point makes a slope of 0.5 a day: 10 + 0.5 x 272 = 146 at the target date, short
    await org.admin.mutate(MEASURE, {"i": {"benefitId": b, "measuredOn": day(10), "value": 15}})
    assert "benefit.at_risk" in [e.name for e in RECEIVED]
    RECEIVED.clear()
    await org.admin.mutate(MEASURE, {"i": {"benefitId": b, "measuredOn": day(20), "value": 20}})
    assert "benefit.at_risk" not in [e.name for e in RECEIVED]  # already at risk: no new event

    p = await project(org.admin, "P", g)
    first = await milestone(org.admin, p, "First", "2027-01-01")
    second = await milestone(org.admin, p, "Second", "2027-02-01")
    await org.admin.mutate(
        "mutation($a: ID!, $b: ID!) { addDependency(input: {predecessorId: $a, successorId: $b, lagDays: 10}) { userErrors { code } } }",
        {"a": first, "b": second},
    )
    RECEIVED.clear()
    await org.admin.mutate(
        'mutation($m: ID!) { updateMilestone(input: {milestoneId: $m, forecastDate: "2027-01-30"}) { userErrors { code } } }',
        {"m": first},
    )
    out = [e for e in RECEIVED if e.name == "programme.out_of_step"]
    assert len(out) == 1
    assert out[0].data["breaches"] == 1
    RECEIVED.clear()
    await org.admin.mutate(
        'mutation($m: ID!) { updateMilestone(input: {milestoneId: $m, forecastDate: "2027-01-31"}) { userErrors { code } } }',
        {"m": first},
    )
    assert not [e for e in RECEIVED if e.name == "programme.out_of_step"]  # still out: no new event


async def test_a_scenario_that_moves_a_programme_project_is_checked_against_the_beat(
    make_org: MakeOrg,
) -> None:
    org = await make_org(tiers=[*TIERS, "sample"])
    client = org.admin
    g = await programme(client, "G")
    portfolio = (
        await client.mutate(
            'mutation { createPortfolio(input: {name: "F"}) { portfolio { id } userErrors { code } } }'
        )
    )["portfolio"]["id"]
    early = await project(client, "EARLY", g, startDate="2027-01-01", endDate="2027-03-31")
    late = await project(client, "LATE", g)
    await client.mutate(
        "mutation($p: ID!, $f: ID) { setProjectPortfolio(input: {projectId: $p, portfolioId: $f}) { userErrors { code } } }",
        {"p": early, "f": portfolio},
    )
    first = await milestone(client, early, "First", "2027-01-01")
    second = await milestone(client, late, "Second", "2027-01-15")
    # slack: Jan 15 - (Jan 1 + 10) = 4 days; in step
    await client.mutate(ADD_DEPENDENCY, {"p": first, "s": second, "lag": 10})
    scenario = (
        await client.mutate(
            'mutation($f: ID!) { createScenario(input: {portfolioId: $f, name: "Later"}) { scenario { id } userErrors { code } } }',
            {"f": portfolio},
        )
    )["scenario"]["id"]
    await client.mutate(
        "mutation($i: AddScenarioChangeInput!) { addScenarioChange(input: $i) { scenario { id } userErrors { code } } }",
        {
            "i": {
                "scenarioId": scenario,
                "kind": "SHIFT_PROJECT",
                "fromProjectId": early,
                "days": 20,
            }
        },
    )
    RECEIVED.clear()
    await client.mutate(
        "mutation($s: ID!) { applyScenario(input: {scenarioId: $s}) { scenario { status } userErrors { code } } }",
        {"s": scenario},
    )
    # First moves to Jan 21: slack Jan 15 - (Jan 21 + 10) = -16, a breach
    updated = [e for e in RECEIVED if e.name == "project.updated"]
    assert [e.data["changed"] for e in updated] == [["endDate", "startDate"]]
    (out,) = [e for e in RECEIVED if e.name == "programme.out_of_step"]
    assert out.data["breaches"] == 1


async def test_programme_office_roles(make_org: MakeOrg) -> None:
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    create = 'mutation($g: ID!) { createObjective(input: {programmeId: $g, name: "O"}) { objective { id } userErrors { code } } }'
    assert (await org.client(Role.PROGRAMME_DIRECTOR).mutate(create, {"g": g}))["objective"]["id"]
    assert (await org.client(Role.VIEWER).errors(create, {"g": g}))[0]["extensions"][
        "code"
    ] == "FORBIDDEN"
