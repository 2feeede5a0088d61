"""The worked example of docs/maturity.md: an office with pso and portfolio on, every evidence
measure, every perspective's level, the overall level and the advice, worked out by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.maturity.models import MaturityAnswer, MaturityAssessment
from pmo_graph.sdk import Person, Project, ProjectStage
from pmo_graph.testing import TestOrganisation
from pmo_graph_portfolio.enums import RiskStatus
from pmo_graph_portfolio.models import Risk
from pmo_graph_pso.enums import Rag
from pmo_graph_pso.models import Assignment, Milestone, PersonCapacity, StatusReport

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
AS_OF = "2026-06-30"

PROFILE = """
query($d: Date) { maturity(asOf: $d) { overall overallName
  perspectives { perspective level score answerScore evidenceScore evidence { key value explanation } }
  recommendation { action message tier { key } reasons { perspective level needed met message } }
} }
"""


def d(text: str) -> date:
    return date.fromisoformat(text)


async def build_office(session: AsyncSession, organisation_id: int) -> None:
    """Active projects A, B, C, D and a closed E; people P1 to P4. See docs/maturity.md."""
    org = organisation_id
    p1, p2, p3, p4 = (Person(organisation_id=org, name=f"P{i}") for i in range(1, 5))
    session.add_all([p1, p2, p3, p4])
    await session.flush()

    def project(
        code: str,
        manager: Person | None,
        sponsor: Person | None,
        budget: str | None,
        stage: ProjectStage = ProjectStage.ACTIVE,
    ) -> Project:
        return Project(
            organisation_id=org,
            code=code,
            name=code,
            stage=stage,
            manager_id=manager.id if manager else None,
            sponsor_id=sponsor.id if sponsor else None,
            budget=Decimal(budget) if budget else None,
        )

    a = project("A", p1, p2, "100")
    b = project("B", p1, None, None)
    c = project("C", p2, p3, "50")
    dd = project("D", None, None, "10")
    e = project("E", None, None, None, ProjectStage.CLOSED)
    session.add_all([a, b, c, dd, e])
    await session.flush()
    session.add_all(
        [
            StatusReport(
                organisation_id=org,
                project_id=a.id,
                period_ending=d("2026-06-20"),
                overall=Rag.GREEN,
            ),
            StatusReport(
                organisation_id=org,
                project_id=b.id,
                period_ending=d("2026-06-10"),
                overall=Rag.AMBER,
            ),
            StatusReport(
                organisation_id=org,
                project_id=c.id,
                period_ending=d("2026-06-16"),
                overall=Rag.GREEN,
            ),
            Milestone(
                organisation_id=org,
                project_id=a.id,
                name="A1",
                baseline_date=d("2026-06-01"),
                actual_date=d("2026-06-05"),
            ),
            Milestone(
                organisation_id=org,
                project_id=a.id,
                name="A2",
                baseline_date=d("2026-07-01"),
                forecast_date=d("2026-07-20"),
            ),
            Milestone(
                organisation_id=org, project_id=b.id, name="B1", baseline_date=d("2026-08-01")
            ),
            Milestone(
                organisation_id=org,
                project_id=c.id,
                name="C1",
                baseline_date=d("2026-05-01"),
                actual_date=d("2026-05-11"),
            ),
            Milestone(
                organisation_id=org,
                project_id=e.id,
                name="E1",
                baseline_date=d("2026-01-01"),
                forecast_date=d("2026-03-01"),
            ),
            Risk(
                organisation_id=org,
                project_id=a.id,
                title="R1",
                probability=5,
                impact=4,
                status=RiskStatus.OPEN,
                owner_id=p1.id,
            ),
            Risk(
                organisation_id=org,
                project_id=a.id,
                title="R2",
                probability=4,
                impact=4,
                status=RiskStatus.OPEN,
            ),
            Risk(
                organisation_id=org,
                project_id=c.id,
                title="R3",
                probability=1,
                impact=2,
                status=RiskStatus.OPEN,
            ),
            Risk(
                organisation_id=org,
                project_id=b.id,
                title="R4",
                probability=5,
                impact=5,
                status=RiskStatus.CLOSED,
            ),
            PersonCapacity(organisation_id=org, person_id=p3.id, capacity=0.5),
        ]
    )

    def booking(
        person: Person,
        project: Project,
        allocation: float,
        start: str,
        end: str,
        released: bool = False,
    ) -> Assignment:
        return Assignment(
            organisation_id=org,
            project_id=project.id,
            person_id=person.id,
            role="Analyst",
            allocation=allocation,
            start_date=d(start),
            end_date=d(end),
            released_at=datetime(2026, 6, 1, tzinfo=UTC) if released else None,
        )

    session.add_all(
        [
            booking(p1, a, 0.6, "2026-06-01", "2026-07-31"),
            booking(p1, b, 0.6, "2026-06-15", "2026-06-30"),
            booking(p2, c, 0.5, "2026-05-01", "2026-12-31"),
            booking(p2, a, 0.9, "2026-05-01", "2026-06-29"),
            booking(p3, a, 0.8, "2026-06-01", "2026-07-31"),
            booking(p4, dd, 1.0, "2026-06-30", "2026-06-30"),
            booking(p4, c, 0.5, "2026-06-01", "2026-07-31", released=True),
        ]
    )
    answers = {
        "2026-01-15": {
            "PLANNING_AND_CONTROL": 2,
            "STATUS_REPORTING": 2,
            "RISKS_MANAGED": 1,
            "PEOPLE_ALLOCATED": 2,
            "BENEFITS_IDENTIFIED": 1,
            "GOVERNANCE_DECISIONS": 2,
        },
        "2026-06-01": {
            "PLANNING_AND_CONTROL": 3,
            "RISKS_MANAGED": 3,
            "PORTFOLIO_RISK_BALANCE": 2,
            "BENEFITS_IDENTIFIED": 2,
            "STAKEHOLDERS_ENGAGED": 2,
        },
        "2026-07-15": {"PLANNING_AND_CONTROL": 5, "RISKS_MANAGED": 5},  # after asOf
    }
    for day, scores in answers.items():
        assessment = MaturityAssessment(organisation_id=org, assessed_on=d(day))
        session.add(assessment)
        await session.flush()
        session.add_all(
            MaturityAnswer(
                organisation_id=org, assessment_id=assessment.id, question_key=k, score=v
            )
            for k, v in scores.items()
        )
    await session.commit()


def perspectives(profile: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p.pop("perspective"): p for p in profile["perspectives"]}


async def test_the_worked_example(make_org: MakeOrg, db_session: AsyncSession) -> None:
    # The repository's test plugin (tier sample, level 1) is installed beside the tiers: on, so
    # that the next tier is pmo; its measure finds no notes, which only changes
    # STAKEHOLDER_ENGAGEMENT (see below).
    org = await make_org(tiers=["pso", "portfolio", "sample"])
    await build_office(db_session, org.id)
    profile = (await org.admin.query(PROFILE, {"d": AS_OF}))["maturity"]
    found = perspectives(profile)
    # MANAGEMENT_CONTROL. Status reports within 14 days of Jun 30 (from Jun 16): A (Jun 20) and
    # C (Jun 16), not B (Jun 10) nor D (none): 2 of 4. Milestones of active projects within 10
    # days of baseline: A1 (4), B1 (0), C1 (10), not A2 (19); E1 is a closed project's: 3 of 4.
    # Evidence (0.5 + 0.75) / 2 = 0.625, as a level 1 + 3 x 0.625 = 2.875. Answers: planning 3
    # (June), status reporting 2 (January): 2.5. Score (2.5 + 2.875) / 2 = 2.6875: level 2.
    assert found["MANAGEMENT_CONTROL"] == {
        "level": 2,
        "score": 2.6875,
        "answerScore": 2.5,
        "evidenceScore": 0.625,
        "evidence": [
            {
                "key": "STATUS_REPORTS_CURRENT",
                "value": 0.5,
                "explanation": "2 of 4 active projects reported within the last 14 days",
            },
            {
                "key": "MILESTONES_ON_PLAN",
                "value": 0.75,
                "explanation": "3 of 4 milestones of active projects are within 10 days of "
                "their baseline",
            },
        ],
    }
    # BENEFITS: answer 2 (June); no evidence while pmo is off: level 2.
    assert (found["BENEFITS"]["score"], found["BENEFITS"]["level"]) == (2.0, 2)
    assert found["BENEFITS"]["evidence"] == []
    # FINANCIAL: A, C, D have budgets, B not: 0.75 -> 1 + 2.25 = 3.25; no answer: level 3.
    assert found["FINANCIAL"] == {
        "level": 3,
        "score": 3.25,
        "answerScore": None,
        "evidenceScore": 0.75,
        "evidence": [
            {
                "key": "BUDGETS_SET",
                "value": 0.75,
                "explanation": "3 of 4 active projects have a budget",
            }
        ],
    }
    # STAKEHOLDER_ENGAGEMENT: answer 2: level 2 with the first-party tiers alone. Here the
    # sample plugin's measure adds 0 of 4 active projects with notes, as a level 1:
    # (2 + 1) / 2 = 1.5, level 1.
    assert (
        found["STAKEHOLDER_ENGAGEMENT"]["answerScore"],
        found["STAKEHOLDER_ENGAGEMENT"]["evidenceScore"],
        found["STAKEHOLDER_ENGAGEMENT"]["level"],
    ) == (2.0, 0.0, 1)
    # RISK. Registers: A, B (a closed risk counts: it was assessed), C, not D: 3 of 4. Open HIGH
    # risks (score 15 or more): R1 (20, owned) and R2 (16, no owner): 1 of 2. Evidence 0.625
    # -> 2.875; answers RISKS_MANAGED 3 (June), PORTFOLIO_RISK_BALANCE 2: 2.5; 2.6875: level 2.
    assert found["RISK"]["evidence"] == [
        {
            "key": "HIGH_RISKS_OWNED",
            "value": 0.5,
            "explanation": "1 of 2 open HIGH risks have an owner",
        },
        {
            "key": "RISK_REGISTERS_ASSESSED",
            "value": 0.75,
            "explanation": "3 of 4 active projects have at least one risk recorded",
        },
    ]
    assert (found["RISK"]["score"], found["RISK"]["level"]) == (2.6875, 2)
    # ORGANISATIONAL_GOVERNANCE: A and C have a manager and a sponsor: 2 of 4 = 0.5 -> 2.5;
    # answer 2; (2 + 2.5) / 2 = 2.25: level 2.
    assert (
        found["ORGANISATIONAL_GOVERNANCE"]["evidenceScore"],
        found["ORGANISATIONAL_GOVERNANCE"]["score"],
    ) == (0.5, 2.25)
    # RESOURCE. Booked on Jun 30: P1 0.6 + 0.6 = 1.2 > 1 (over); P2 0.5 (the 0.9 ended Jun 29);
    # P3 0.8 > 0.5, their capacity (over); P4 1.0 (the released 0.5 does not count): 2 of 4
    # within. 0.5 -> 2.5; answer 2; 2.25: level 2.
    assert found["RESOURCE"]["evidence"] == [
        {
            "key": "PEOPLE_WITHIN_CAPACITY",
            "value": 0.5,
            "explanation": "2 of 4 people booked on 2026-06-30 are within their capacity",
        }
    ]
    assert found["RESOURCE"]["level"] == 2
    # Overall: levels 2, 2, 3, 2, 2, 2, 2: 15 / 7 = 2.14: level 2, Repeatable (with the sample
    # plugin's 1 for stakeholders: 14 / 7 = 2, the same).
    assert (profile["overall"], profile["overallName"]) == (2, "Repeatable")
    # Next: pmo (level 3), which needs MANAGEMENT_CONTROL, RISK, BENEFITS and
    # ORGANISATIONAL_GOVERNANCE at 3: all four are at 2.
    recommendation = profile["recommendation"]
    assert (recommendation["action"], recommendation["tier"]) == ("STAY", {"key": "pmo"})
    assert recommendation["message"] == (
        "Stay: pmo (Programme management office) needs level 3 (Defined); held back by "
        "Benefits, Management control, Organisational governance, Risk."
    )
    assert [
        (r["perspective"], r["level"], r["needed"], r["met"]) for r in recommendation["reasons"]
    ] == [
        ("BENEFITS", 2, 3, False),
        ("MANAGEMENT_CONTROL", 2, 3, False),
        ("ORGANISATIONAL_GOVERNANCE", 2, 3, False),
        ("RISK", 2, 3, False),
    ]
    assert recommendation["reasons"][1]["message"] == (
        "Management control is at level 2 (Repeatable); pmo needs 3 (Defined): weakest "
        "evidence: Active projects with a current status report, 2 of 4 active projects "
        "reported within the last 14 days."
    )


async def test_with_only_pso_on_the_office_is_ready_for_portfolio(
    make_org: MakeOrg, db_session: AsyncSession
) -> None:
    org = await make_org(tiers=["pso", "sample"])
    await build_office(db_session, org.id)
    profile = (await org.admin.query(PROFILE, {"d": AS_OF}))["maturity"]
    found = perspectives(profile)
    # portfolio's measures do not count while it is off: RISK has the answers only (2.5 -> 2)
    # and RESOURCE too (2). portfolio needs MANAGEMENT_CONTROL (2), ORGANISATIONAL_GOVERNANCE
    # (2) and RESOURCE (2) at 2: ready.
    assert found["RISK"]["evidence"] == []
    assert found["RISK"]["score"] == 2.5
    assert found["RESOURCE"]["evidence"] == []
    assert found["RESOURCE"]["score"] == 2.0
    recommendation = profile["recommendation"]
    assert (recommendation["action"], recommendation["tier"]) == (
        "ENABLE_TIER",
        {"key": "portfolio"},
    )
    assert all(r["met"] for r in recommendation["reasons"])


async def test_enabling_a_tier_the_office_is_not_ready_for_warns_but_enables(
    make_org: MakeOrg, db_session: AsyncSession
) -> None:
    org = await make_org(tiers=["pso", "portfolio", "sample"])
    await build_office(db_session, org.id)
    payload = await org.admin.mutate(
        'mutation { enableTier(input: {key: "pmo"}) { tier { key enabled } '
        "warnings { code perspective level needed } userErrors { code } } }"
    )
    assert payload["tier"] == {"key": "pmo", "enabled": True}
    # judged today on the same data: the answers of June and January still count (July's is in
    # the future of asOf only if today is before it); every readiness perspective is below 3
    assert {w["code"] for w in payload["warnings"]} == {"NOT_READY"}
    assert {w["perspective"] for w in payload["warnings"]} <= {
        "BENEFITS",
        "MANAGEMENT_CONTROL",
        "ORGANISATIONAL_GOVERNANCE",
        "RISK",
    }
    assert "BENEFITS" in {w["perspective"] for w in payload["warnings"]}
    assert all(w["needed"] == 3 and w["level"] < 3 for w in payload["warnings"])


async def test_enabling_a_tier_the_office_is_ready_for_gives_no_warning(
    make_org: MakeOrg, db_session: AsyncSession
) -> None:
    org = await make_org(tiers=["pso", "sample"])
    await build_office(db_session, org.id)
    payload = await org.admin.mutate(
        'mutation { enableTier(input: {key: "portfolio"}) { tier { key } warnings { code } userErrors { code } } }'
    )
    assert payload == {"tier": {"key": "portfolio"}, "warnings": [], "userErrors": []}
