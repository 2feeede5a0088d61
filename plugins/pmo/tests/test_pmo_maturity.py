"""The programme office's evidence of maturity, worked out by hand, and the advice once every
tier is on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pmo_helpers import ADD_DEPENDENCY, TIERS, benefit, milestone, programme, project
from sqlalchemy.ext.asyncio import AsyncSession

from helpers import add_projects
from pmo_graph.app_state import AppState
from pmo_graph.testing import StatementCounter, TestOrganisation, access_statements

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

LINK = "mutation($b: ID!, $p: ID!, $s: Float!) { linkBenefitContribution(input: {benefitId: $b, projectId: $p, share: $s}) { userErrors { code } } }"
PROFILE = """
query($d: Date) { maturity(asOf: $d) {
  perspectives { perspective evidence { key value explanation } }
  recommendation { action message tier { key } reasons { perspective } }
} }
"""


async def test_programme_evidence(make_org: MakeOrg) -> None:
    org = await make_org(tiers=[*TIERS, "sample"])
    client = org.admin
    g, h = await programme(client, "G"), await programme(client, "H")
    x = await project(client, "X", g, stage="ACTIVE")
    await project(client, "Y", g, stage="ACTIVE")  # never linked
    w = await project(client, "W", h, stage="ACTIVE")
    z = await project(client, "Z", g, stage="CLOSED")
    # Benefits measured in the 91 days to Jun 30 (from Apr 1): B1 (Apr 1), not B2 (Mar 31) nor
    # B3 (never): 1 of 3.
    b1 = await benefit(client, g, "B1", 0, 10, "2026-12-31", points=[("2026-04-01", 1)])
    b2 = await benefit(client, h, "B2", 0, 10, "2026-12-31", points=[("2026-03-31", 1)])
    b3 = await benefit(client, g, "B3", 0, 10, "2026-12-31")
    # Active projects of programmes linked to a benefit: X (B1), W (B2), not Y; Z is closed.
    for b, p in ((b1, x), (b2, w), (b3, z)):
        await client.mutate(LINK, {"b": b, "p": p, "s": 0.5})
    # H is out of step: M2 (Jun 5) should wait 10 days after M1 (Jun 1): slack -6. G has no
    # dependency: in step. 1 of 2.
    m1 = await milestone(client, w, "M1", "2026-06-01")
    m2 = await milestone(client, w, "M2", "2026-06-05")
    await client.mutate(ADD_DEPENDENCY, {"p": m1, "s": m2, "lag": 10})

    profile = (await client.query(PROFILE, {"d": "2026-06-30"}))["maturity"]
    evidence = {e["key"]: e for p in profile["perspectives"] for e in p["evidence"]}
    assert evidence["BENEFITS_MEASURED"] == {
        "key": "BENEFITS_MEASURED",
        "value": 0.333333,
        "explanation": "1 of 3 benefits were measured in the 91 days to 2026-06-30",
    }
    assert evidence["PROGRAMME_PROJECTS_LINKED"] == {
        "key": "PROGRAMME_PROJECTS_LINKED",
        "value": 0.666667,
        "explanation": "2 of 3 active projects of programmes contribute to a benefit",
    }
    assert evidence["PROGRAMMES_IN_STEP"] == {
        "key": "PROGRAMMES_IN_STEP",
        "value": 0.5,
        "explanation": "1 of 2 programmes are in step",
    }
    benefits = next(p for p in profile["perspectives"] if p["perspective"] == "BENEFITS")
    assert [e["key"] for e in benefits["evidence"]] == [
        "BENEFITS_MEASURED",
        "PROGRAMME_PROJECTS_LINKED",
    ]  # weakest first
    assert profile["recommendation"] == {
        "action": "STAY",
        "message": "Stay: every installed tier is on.",
        "tier": None,
        "reasons": [],
    }


async def test_without_pmo_its_measures_do_not_count(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso", "portfolio"])
    profile = (await org.admin.query(PROFILE, {"d": "2026-06-30"}))["maturity"]
    keys = {e["key"] for p in profile["perspectives"] for e in p["evidence"]}
    assert not keys & {"BENEFITS_MEASURED", "PROGRAMME_PROJECTS_LINKED", "PROGRAMMES_IN_STEP"}


#: After the token and tiers (``access_statements``): assessments, their answers; BUDGETS_SET; STATUS_REPORTS_CURRENT
#: (cadence, count), PROJECTS_MANAGED_AND_SPONSORED, MILESTONES_ON_PLAN;
#: RISK_REGISTERS_ASSESSED, HIGH_RISKS_OWNED, PEOPLE_WITHIN_CAPACITY;
#: PROGRAMME_PROJECTS_LINKED, BENEFITS_MEASURED, PROGRAMMES_IN_STEP (programmes, milestones,
#: dependencies, tranches); SAMPLE_NOTES_KEPT; the history's answers.
MATURITY_STATEMENTS = 18


async def test_the_profile_costs_the_same_statements_whatever_the_size(
    make_org: MakeOrg,
    db_session: AsyncSession,
    count_statements: StatementCounter,
    pmo_state: AppState,
) -> None:
    counts = []
    for size in (3, 12):
        org = await make_org(tiers=[*TIERS, "sample"])
        await add_projects(db_session, org.id, size)
        await org.admin.mutate(
            'mutation { submitMaturityAssessment(input: {assessedOn: "2026-06-01", answers: '
            '[{questionKey: "RISKS_MANAGED", score: 3}]}) { maturityAssessment { id } userErrors { code } } }'
        )
        await org.admin.query("{ viewer { user { id } } }")
        count_statements.reset()
        profile = await org.admin.query(
            PROFILE.replace("recommendation", "history { answers { score } } recommendation"),
            {"d": "2026-06-30"},
        )
        assert profile["maturity"]["history"] == [{"answers": [{"score": 3}]}]
        counts.append(count_statements.count)
    expected = access_statements(pmo_state) + MATURITY_STATEMENTS
    assert counts == [expected, expected], count_statements.statements
