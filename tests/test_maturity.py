"""The maturity journey in the core: levels worked out by hand from answers and evidence, the
self-assessment mutation, the history, and a third party's (the sample plugin's) question and
measure counting like the tiers' own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from types import ModuleType

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from plugin_doubles import plugin
from pmo_graph.auth.roles import Role
from pmo_graph.contributions import collect_maturity_model
from pmo_graph.maturity.model import Evidence, Measure, MeasureInput, Perspective, Question
from pmo_graph.maturity.models import MaturityAssessment
from pmo_graph.maturity.profile import (
    AnswerResult,
    MeasureResult,
    RecommendedAction,
    evidence_level,
    next_tier,
    overall_level,
    perspective_result,
    perspectives,
    recommend,
)
from pmo_graph.plugins.loading import load_plugins
from pmo_graph.plugins.manager import PluginLoadError
from pmo_graph.projects.enums import ProjectStage
from pmo_graph.projects.models import Project
from pmo_graph.testing import TestOrganisation
from pmo_graph.tiers import InstalledTier, Tier
from sample_plugin.models import SampleNote

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
DAY = date(2026, 6, 30)
LEVELS = ("1", "2", "3", "4", "5")


def question(key: str, perspective: Perspective) -> Question:
    return Question(key=key, perspective=perspective, text=key, levels=LEVELS)


def answer(key: str, perspective: Perspective, score: int) -> AnswerResult:
    return AnswerResult(question(key, perspective), score, DAY)


def evidence(key: str, perspective: Perspective, value: float) -> MeasureResult:
    return MeasureResult(key, perspective, key, value, "", None)


# --- the formula, by hand ------------------------------------------------------------------------


def test_evidence_reads_as_a_level_from_1_to_4() -> None:
    assert [evidence_level(v) for v in (0.0, 1 / 3, 0.5, 1.0)] == [1.0, 2.0, 2.5, 4.0]
    assert evidence_level(None) is None


def test_a_perspective_averages_answers_and_evidence_then_rounds_down() -> None:
    mc = Perspective.MANAGEMENT_CONTROL
    # answers 3 and 2: 2.5; evidence 0.5 and 0.75: 0.625, as a level 1 + 3 x 0.625 = 2.875;
    # score (2.5 + 2.875) / 2 = 2.6875: level 2
    result = perspective_result(
        mc,
        [answer("A", mc, 3), answer("B", mc, 2)],
        [evidence("X", mc, 0.75), evidence("Y", mc, 0.5)],
    )
    assert (result.answer_score, result.evidence_score, result.score, result.level) == (
        2.5,
        0.625,
        2.6875,
        2,
    )
    assert [e.key for e in result.evidence] == ["Y", "X"]  # weakest first
    # answers alone: 4; evidence alone: 1 + 3 x 1 = 4 (never 5: Optimised needs the answers)
    assert perspective_result(mc, [answer("A", mc, 4)], []).level == 4
    assert perspective_result(mc, [], [evidence("X", mc, 1.0)]).level == 4
    assert perspective_result(mc, [answer("A", mc, 5)], []).level == 5
    # 2.9999999 is level 3, not 2
    thirds = perspective_result(mc, [], [evidence("X", mc, 2 / 3)])
    assert thirds.level == 3
    # neither: level 1 and no score
    empty = perspective_result(mc, [], [])
    assert (empty.level, empty.score) == (1, None)


def test_the_overall_level_is_the_mean_of_the_scored_perspectives_rounded_down() -> None:
    results = perspectives(
        [
            answer("A", Perspective.BENEFITS, 2),
            answer("B", Perspective.RISK, 3),
            answer("C", Perspective.RESOURCE, 3),
        ],
        [],
    )
    # levels 2, 3, 3 (the four unscored perspectives do not count): 8 / 3 = 2.67 -> 2
    assert overall_level(results) == 2
    assert overall_level(perspectives([], [])) == 1


TIERS = {
    "pso": InstalledTier(Tier("pso", "PSO", 1, "d"), "pso"),
    "portfolio": InstalledTier(
        Tier("portfolio", "Portfolio", 2, "d", ("pso",), ("RISK", "RESOURCE")), "portfolio"
    ),
    "lessons": InstalledTier(Tier("lessons", "Lessons", 2, "d", ("pso",)), "lessons"),
    "pmo": InstalledTier(Tier("pmo", "PMO", 3, "d", ("portfolio",), ("BENEFITS",)), "pmo"),
}
ORDER = ["pso", "lessons", "portfolio", "pmo"]


def test_the_next_tier_is_the_lowest_level_one_whose_prerequisites_are_on() -> None:
    assert next_tier(TIERS, ORDER, set()) == "pso"
    assert next_tier(TIERS, ORDER, {"pso"}) == "lessons"  # level 2, first in order
    assert next_tier(TIERS, ORDER, {"pso", "lessons"}) == "portfolio"
    assert next_tier(TIERS, ORDER, {"pso", "lessons", "portfolio"}) == "pmo"
    assert next_tier(TIERS, ORDER, set(TIERS)) is None


def test_recommendations() -> None:
    risk_2 = perspectives(
        [answer("R", Perspective.RISK, 2), answer("S", Perspective.RESOURCE, 1)], []
    )
    # portfolio needs RISK and RESOURCE at 2: RESOURCE (1) holds it back
    stay = recommend(TIERS, ORDER, {"pso", "lessons"}, risk_2, overall_level(risk_2))
    assert (stay.action, stay.tier) == (RecommendedAction.STAY, "portfolio")
    assert [(r.perspective, r.level, r.met) for r in stay.reasons] == [
        (Perspective.RESOURCE, 1, False),
        (Perspective.RISK, 2, True),
    ]
    assert stay.message == (
        "Stay: portfolio (Portfolio) needs level 2 (Repeatable); held back by Resource."
    )
    both = perspectives(
        [answer("R", Perspective.RISK, 2), answer("S", Perspective.RESOURCE, 2)], []
    )
    go = recommend(TIERS, ORDER, {"pso", "lessons"}, both, overall_level(both))
    assert (go.action, go.tier) == (RecommendedAction.ENABLE_TIER, "portfolio")
    assert (
        go.message == "Enable portfolio (Portfolio): the office is ready for level 2 (Repeatable)."
    )
    # lessons declares no readiness: the overall level (1 here) must reach 2
    nothing = perspectives([], [])
    lessons = recommend(TIERS, ORDER, {"pso"}, nothing, 1)
    assert (lessons.action, lessons.tier) == (RecommendedAction.STAY, "lessons")
    assert [(r.perspective, r.level, r.needed) for r in lessons.reasons] == [(None, 1, 2)]
    # pso (level 1) is always ready
    assert recommend(TIERS, ORDER, set(), nothing, 1).action is RecommendedAction.ENABLE_TIER
    done = recommend(TIERS, ORDER, set(TIERS), nothing, 1)
    assert (done.action, done.tier, done.message) == (
        RecommendedAction.STAY,
        None,
        "Stay: every installed tier is on.",
    )


# --- through the API ---------------------------------------------------------------------------

SUBMIT = """
mutation($i: SubmitMaturityAssessmentInput!) { submitMaturityAssessment(input: $i) {
  maturityAssessment { id assessedOn submittedBy { email } answers { questionKey score question { perspective } }
    perspectiveScores { perspective score } }
  userErrors { field message code }
} }
"""
PROFILE = """
query($d: Date) { maturity(asOf: $d) { asOf overall overallName
  perspectives { perspective level score answerScore evidenceScore
    answers { questionKey score assessedOn } evidence { key value explanation tier } }
  recommendation { action message tier { key } reasons { perspective level needed met } }
  history { assessedOn answers { questionKey score } }
} }
"""


def by_perspective(profile: dict[str, object], name: str) -> dict[str, object]:
    found = [p for p in profile["perspectives"] if p["perspective"] == name]  # type: ignore[attr-defined,index]
    return found[0]  # type: ignore[no-any-return]


async def test_a_fresh_office_is_advised_to_start_with_pso(make_org: MakeOrg) -> None:
    org = await make_org(tiers=[])
    profile = (await org.admin.query(PROFILE, {"d": "2026-06-30"}))["maturity"]
    assert (profile["overall"], profile["overallName"]) == (1, "Awareness")
    assert all(p["level"] == 1 and p["score"] is None for p in profile["perspectives"])
    assert [p["perspective"] for p in profile["perspectives"]] == [p.value for p in Perspective]
    assert profile["recommendation"] == {
        "action": "ENABLE_TIER",
        "message": "Enable pso (Project support office): the office is ready for level 1 "
        "(Awareness).",
        "tier": {"key": "pso"},
        "reasons": [{"perspective": None, "level": 1, "needed": 1, "met": True}],
    }
    assert profile["history"] == []


async def test_assessments_are_kept_and_the_latest_answer_per_question_counts(
    make_org: MakeOrg,
) -> None:
    org = await make_org(tiers=[])
    first = await org.admin.mutate(
        SUBMIT,
        {
            "i": {
                "assessedOn": "2026-01-15",
                "answers": [
                    {"questionKey": "RISKS_MANAGED", "score": 1},
                    {"questionKey": "PEOPLE_ALLOCATED", "score": 2},
                ],
            }
        },
    )
    assert first["maturityAssessment"]["submittedBy"] == {"email": f"admin@{org.slug}.test"}
    assert first["maturityAssessment"]["perspectiveScores"] == [
        {"perspective": "RISK", "score": 1.0},
        {"perspective": "RESOURCE", "score": 2.0},
    ]
    office = org.client(Role.OFFICE)
    await office.mutate(
        SUBMIT,
        {
            "i": {
                "assessedOn": "2026-06-01",
                "answers": [
                    {"questionKey": "RISKS_MANAGED", "score": 3},
                    {"questionKey": "PORTFOLIO_RISK_BALANCE", "score": 2},
                ],
            }
        },
    )
    await org.admin.mutate(
        SUBMIT,
        {
            "i": {
                "assessedOn": "2026-07-15",
                "answers": [{"questionKey": "RISKS_MANAGED", "score": 5}],
            }
        },
    )
    june = (await org.admin.query(PROFILE, {"d": "2026-06-30"}))["maturity"]
    risk = by_perspective(june, "RISK")
    # RISKS_MANAGED 3 (June, not January's 1 nor July's 5), PORTFOLIO_RISK_BALANCE 2: 2.5 -> 2
    assert (risk["answerScore"], risk["level"]) == (2.5, 2)
    assert risk["answers"] == [
        {"questionKey": "RISKS_MANAGED", "score": 3, "assessedOn": "2026-06-01"},
        {"questionKey": "PORTFOLIO_RISK_BALANCE", "score": 2, "assessedOn": "2026-06-01"},
    ]
    resource = by_perspective(june, "RESOURCE")
    assert (resource["answerScore"], resource["level"]) == (2.0, 2)  # January's still counts
    assert [h["assessedOn"] for h in june["history"]] == ["2026-06-01", "2026-01-15"]
    # overall: RISK 2, RESOURCE 2 -> 2
    assert june["overall"] == 2
    july = (await org.admin.query(PROFILE, {"d": "2026-07-31"}))["maturity"]
    assert by_perspective(july, "RISK")["answerScore"] == 3.5  # (5 + 2) / 2
    assert len(july["history"]) == 3


@pytest.mark.parametrize(
    ("answers", "assessed_on", "errors"),
    [
        ([], None, [(["answers"], "INVALID")]),
        (
            [{"questionKey": "NO_SUCH_QUESTION", "score": 3}],
            None,
            [(["answers", "0", "questionKey"], "NOT_FOUND")],
        ),
        (
            [
                {"questionKey": "RISKS_MANAGED", "score": 3},
                {"questionKey": "RISKS_MANAGED", "score": 4},
            ],
            None,
            [(["answers", "1", "questionKey"], "DUPLICATE")],
        ),
        (
            [
                {"questionKey": "RISKS_MANAGED", "score": 0},
                {"questionKey": "PEOPLE_ALLOCATED", "score": 6},
            ],
            None,
            [(["answers", "0", "score"], "INVALID"), (["answers", "1", "score"], "INVALID")],
        ),
        (
            [{"questionKey": "RISKS_MANAGED", "score": 3}],
            str(date.today() + timedelta(days=2)),
            [(["assessedOn"], "INVALID")],
        ),
    ],
    ids=["no answers", "unknown question", "twice", "out of range", "future"],
)
async def test_bad_assessments_are_refused_and_nothing_is_written(
    make_org: MakeOrg,
    db_session: AsyncSession,
    answers: list[dict[str, object]],
    assessed_on: str | None,
    errors: list[tuple[list[str], str]],
) -> None:
    org = await make_org(tiers=[])
    payload = (
        await org.admin.query(SUBMIT, {"i": {"answers": answers, "assessedOn": assessed_on}})
    )["submitMaturityAssessment"]
    assert payload["maturityAssessment"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == errors
    count = await db_session.scalar(
        select(func.count())
        .select_from(MaturityAssessment)
        .where(MaturityAssessment.organisation_id == org.id)
    )
    assert count == 0


async def test_the_payloads_old_field_name_still_answers_and_is_deprecated(
    make_org: MakeOrg,
) -> None:
    """``assessment`` was the payload's field before it was named after its type."""
    org = await make_org(tiers=[])
    payload = (
        await org.admin.query(
            "mutation($i: SubmitMaturityAssessmentInput!) { submitMaturityAssessment(input: $i) "
            "{ maturityAssessment { id } assessment { id } userErrors { code } } }",
            {"i": {"answers": [{"questionKey": "RISKS_MANAGED", "score": 2}]}},
        )
    )["submitMaturityAssessment"]
    assert payload["userErrors"] == []
    assert payload["assessment"] == payload["maturityAssessment"] is not None
    fields = (
        await org.admin.query(
            '{ __type(name: "MaturityAssessmentPayload") { '
            "fields(includeDeprecated: true) { name isDeprecated } } }"
        )
    )["__type"]["fields"]
    assert {f["name"]: f["isDeprecated"] for f in fields} == {
        "maturityAssessment": False,
        "assessment": True,
        "userErrors": False,
    }


async def test_the_unknown_question_message_says_where_to_find_the_keys(make_org: MakeOrg) -> None:
    org = await make_org(tiers=[])
    payload = (
        await org.admin.query(SUBMIT, {"i": {"answers": [{"questionKey": "NOPE", "score": 3}]}})
    )["submitMaturityAssessment"]
    assert payload["userErrors"][0]["message"] == (
        "No question has the key 'NOPE'; maturity { questions { key } } lists them."
    )


async def test_every_installed_question_is_offered_with_its_five_levels(
    make_org: MakeOrg,
) -> None:
    org = await make_org(tiers=[])
    questions = (
        await org.admin.query("{ maturity { questions { key perspective levels plugin } } }")
    )["maturity"]["questions"]
    keys = {q["key"]: q for q in questions}
    assert {"PLANNING_AND_CONTROL", "STATUS_REPORTING", "PORTFOLIO_RISK_BALANCE"} <= set(keys)
    assert {"BENEFITS_REALISATION", "SAMPLE_NOTES_HABIT"} <= set(keys)
    assert keys["STATUS_REPORTING"]["plugin"] == "pmo-graph-pso"
    assert keys["SAMPLE_NOTES_HABIT"]["plugin"] == "sample_plugin.plugin"
    assert all(len(q["levels"]) == 5 for q in questions)


async def test_a_third_party_plugins_question_and_measure_appear_and_count(
    make_org: MakeOrg, db_session: AsyncSession
) -> None:
    org = await make_org(tiers=["sample"])
    noted, bare = (
        Project(organisation_id=org.id, code=f"N{i}", name="n", stage=ProjectStage.ACTIVE)
        for i in range(2)
    )
    db_session.add_all([noted, bare])
    await db_session.flush()
    db_session.add(SampleNote(organisation_id=org.id, project_id=noted.id, text="met the users"))
    await db_session.commit()
    await org.admin.mutate(
        SUBMIT,
        {
            "i": {
                "assessedOn": "2026-06-01",
                "answers": [{"questionKey": "SAMPLE_NOTES_HABIT", "score": 4}],
            }
        },
    )
    profile = (await org.admin.query(PROFILE, {"d": "2026-06-30"}))["maturity"]
    stakeholders = by_perspective(profile, "STAKEHOLDER_ENGAGEMENT")
    # answers 4; evidence 1 of 2 = 0.5, as a level 1 + 1.5 = 2.5; (4 + 2.5) / 2 = 3.25 -> 3
    assert stakeholders["evidence"] == [
        {
            "key": "SAMPLE_NOTES_KEPT",
            "value": 0.5,
            "explanation": "1 of 2 active projects have notes",
            "tier": "sample",
        }
    ]
    assert (
        stakeholders["answerScore"],
        stakeholders["evidenceScore"],
        stakeholders["score"],
        stakeholders["level"],
    ) == (4.0, 0.5, 3.25, 3)
    # With its tier off, the measure does not count; the question still does.
    await org.admin.mutate(
        'mutation { disableTier(input: {key: "sample"}) { userErrors { code } } }'
    )
    off = by_perspective(
        (await org.admin.query(PROFILE, {"d": "2026-06-30"}))["maturity"], "STAKEHOLDER_ENGAGEMENT"
    )
    assert (off["evidence"], off["level"]) == ([], 4)


async def test_only_admins_and_the_office_submit(make_org: MakeOrg) -> None:
    org = await make_org(tiers=[])
    variables = {"i": {"answers": [{"questionKey": "RISKS_MANAGED", "score": 3}]}}
    for role in (Role.VIEWER, Role.PROJECT_MANAGER, Role.PORTFOLIO_MANAGER):
        (error,) = await org.client(role).errors(SUBMIT, variables)
        assert error["extensions"]["code"] == "FORBIDDEN"
    # everyone reads
    assert (await org.client(Role.VIEWER).query("{ maturity { overall } }"))["maturity"]


# --- contributions that do not fit stop start-up, naming the plugin ------------------------------


async def _none(measure: MeasureInput) -> Evidence | None:
    return None


def _questions(*items: Question) -> Callable[[], list[Question]]:
    return lambda: list(items)


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        (
            [
                plugin(
                    "lower",
                    register_maturity_questions=_questions(question("bad key", Perspective.RISK)),
                )
            ],
            "plugin 'lower': question key 'bad key' must be UPPER_SNAKE_CASE",
        ),
        (
            [
                plugin(
                    "one",
                    register_maturity_questions=_questions(question("SAME", Perspective.RISK)),
                ),
                plugin(
                    "two",
                    register_maturity_questions=_questions(question("SAME", Perspective.RISK)),
                ),
            ],
            "question SAME is registered by both 'one' and 'two'",
        ),
        (
            [
                plugin(
                    "short",
                    register_maturity_questions=_questions(
                        Question("FOUR", Perspective.RISK, "t", ("1", "2", "3", "4"))  # type: ignore[arg-type]
                    ),
                )
            ],
            "plugin 'short': question FOUR must say what each score from 1 to 5 means",
        ),
        (
            [
                plugin(
                    "ghostly",
                    register_maturity_measures=lambda: [
                        Measure("M", Perspective.RISK, "m", _none, tier="ghost")
                    ],
                )
            ],
            "plugin 'ghostly': measure M names tier 'ghost', which is not installed",
        ),
        (
            [
                plugin(
                    "twotiers",
                    register_tiers=lambda: [Tier("t1", "T1", 1, "d"), Tier("t2", "T2", 1, "d")],
                    register_maturity_measures=lambda: [Measure("M", Perspective.RISK, "m", _none)],
                )
            ],
            "plugin 'twotiers' provides several tiers; say which one measure M belongs to with "
            "Measure(tier=...)",
        ),
        (
            [
                plugin(
                    "vague", register_tiers=lambda: [Tier("v", "V", 2, "d", readiness=("RISKY",))]
                )
            ],
            "plugin 'vague': tier 'v' names unknown readiness perspectives RISKY",
        ),
    ],
    ids=["key", "twice", "four levels", "unknown tier", "several tiers", "readiness"],
)
def test_maturity_contributions_that_do_not_fit_stop_start_up(
    modules: list[ModuleType], message: str
) -> None:
    with pytest.raises(PluginLoadError) as stopped:
        collect_maturity_model(load_plugins(modules, load_entrypoints=False))
    assert message in str(stopped.value)
    assert stopped.value.plugin == modules[-1].__name__


def test_a_measure_belongs_to_its_plugins_only_tier() -> None:
    registry = load_plugins(
        [
            plugin(
                "single",
                register_tiers=lambda: [Tier("s", "S", 1, "d")],
                register_maturity_measures=lambda: [Measure("M", Perspective.RISK, "m", _none)],
            )
        ],
        load_entrypoints=False,
    )
    assert collect_maturity_model(registry).measures["M"].tier == "s"
