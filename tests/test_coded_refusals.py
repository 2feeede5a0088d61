"""Values a client may send that the server cannot store or compute with are refused with a
coded answer, never a masked INTERNAL_SERVER_ERROR or an HTTP 500, and nothing is written.

Tables over the schema and over one valid call of every mutation (``mutation_cases``), through
HTTP against the real app, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from graphql import GraphQLSchema
from sqlalchemy.ext.asyncio import AsyncSession

from helpers import gid
from mutation_cases import CALLS, PROJECT_CALLS, TIERS, Call
from pmo_graph.app_state import AppState
from pmo_graph.ids import parse_pk
from pmo_graph.testing import TestOrganisation
from schema_inputs import leaves, leaves_of, replaced
from world import World, build_world, footprint

#: Ids of no object: not base64, a type that is no node type (or none at all), keys that are
#: not a key of a row (0, negative, not a whole number, beyond the 64-bit keys of the tables).
BAD_IDS = {
    "Node:1": gid("Node", 1),
    "an interface-less object type": gid("PageInfo", 1),
    "an unknown type": gid("Nothing", 1),
    "key 2**63": gid("Project", 2**63),
    "key 2**64": gid("Project", 2**64),
    "key 0": gid("Project", 0),
    "key -1": gid("Project", -1),
    "key 1.5": base64.b64encode(b"Project:1.5").decode(),
    "key +1": base64.b64encode(b"Project:+1").decode(),
    "key 1_0": base64.b64encode(b"Project:1_0").decode(),
    "no key": base64.b64encode(b"Project:").decode(),
    "garbage": "!!not-base64!!",
    "base64 of garbage": base64.b64encode(b"\xff\xfe:\x00").decode(),
}
#: The bad ids each mutation's id fields are tried with (one of each kind, to keep it quick).
MUTATION_BAD_IDS = ["Node:1", "key 2**63", "key 2**64", "base64 of garbage"]


def _codes(answer: dict[str, Any]) -> list[str]:
    return [str(e.get("extensions", {}).get("code")) for e in answer.get("errors") or []]


def _schema(state: AppState) -> GraphQLSchema:
    return state.built.schema._schema


@pytest.fixture
async def world_org(
    make_org: Callable[..., Awaitable[TestOrganisation]], db_session: AsyncSession
) -> tuple[TestOrganisation, World]:
    org = await make_org(tiers=TIERS)
    return org, await build_world(db_session, org)


def _calls(world: World) -> dict[str, Call]:
    calls = {name: make(world) for name, make in CALLS.items()}
    calls.update({name: make(world, True) for name, make in PROJECT_CALLS.items()})
    return calls


def _input_type(schema: GraphQLSchema, mutation: str) -> Any:
    assert schema.mutation_type is not None
    return schema.mutation_type.fields[mutation].args["input"].type


def _at(value: Any, path: tuple[str, ...]) -> Any:
    for step in path:
        if isinstance(value, list):
            value = value[int(step)] if value else None
        elif isinstance(value, dict):
            value = value.get(step)
        else:
            return None
    return value


# --- ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(BAD_IDS))
async def test_node_and_nodes_refuse_what_is_not_an_id_of_this_api(
    kind: str, org: TestOrganisation
) -> None:
    value = BAD_IDS[kind]
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("query($id: ID!) { node(id: $id) { id } }", {"id": value}, "id"),
        ("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [value]}, "id"),
        (
            'query($id: ID!) { node(id: "UHJvamVjdDox") { id } other: node(id: $id) { id } }',
            {"id": value},
            "id",
        ),
    ]
    for query, variables, argument in cases:
        answer = await org.admin.execute(query, variables)
        assert answer["_status"] == 200, answer
        assert _codes(answer) == ["BAD_USER_INPUT"], (kind, query, answer)
        assert answer["errors"][0]["extensions"]["argument"] == argument
        assert "is not an id of this API" in answer["errors"][0]["message"]


async def test_the_largest_key_is_an_id_that_names_nothing(org: TestOrganisation) -> None:
    answer = await org.admin.query(
        "query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }",
        {"id": gid("Project", 2**63 - 1)},
    )
    assert answer == {"node": None, "nodes": [None]}


async def test_every_id_of_every_mutation_input_answers_not_found_for_a_bad_id(
    world_org: tuple[TestOrganisation, World], pmo_state: AppState
) -> None:
    """Each id the valid call of each mutation sends, replaced in turn by ids of no object:
    a NOT_FOUND userError on that field, as for any unknown id, and nothing written."""
    org, world = world_org
    schema = _schema(pmo_state)
    before = await footprint(pmo_state.request_sessionmaker, org.id)
    wrong: list[str] = []
    tried = 0
    for mutation, call in sorted(_calls(world).items()):
        kind = _input_type(schema, mutation)
        for path, _ in leaves_of(kind, {"ID"}):
            if not isinstance(_at(call.variables["input"], path), str):
                continue  # an optional id the valid call leaves out
            for bad in MUTATION_BAD_IDS:
                tried += 1
                variables = {"input": replaced(kind, call.variables["input"], path, BAD_IDS[bad])}
                answer = await org.admin.execute(call.document, variables)
                payload = (answer.get("data") or {}).get(mutation) or {}
                found = [e for e in payload.get("userErrors") or [] if e["code"] == "NOT_FOUND"]
                if answer.get("errors") or not found or found[0]["field"][0] != path[0]:
                    wrong.append(f"{mutation} {'.'.join(path)}={bad}: {json.dumps(answer)[:300]}")
    assert tried > 100
    assert wrong == [], "\n".join(wrong[:20])
    assert await footprint(pmo_state.request_sessionmaker, org.id) == before


async def test_every_id_argument_of_the_queries_answers_a_bad_id_as_a_malformed_one(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    """Generated from the schema: every ID in an argument of a query field (``projects(filter:
    {portfolioId})``, ``auditLog(entityId)``, ``statusSummary(portfolioId)`` …) answers the
    ids of no object with the codes it answers a string that is no id at all."""
    wrong: list[str] = []
    tried = 0
    for leaf in leaves(_schema(pmo_state), {"ID"}):
        if leaf.site.operation != "query" or leaf.site.name in ("node", "nodes"):
            continue
        document, variables = leaf.document(BAD_IDS["garbage"])
        malformed = _codes(await org.admin.execute(document, variables))
        for bad in sorted(BAD_IDS):
            tried += 1
            answer = await org.admin.execute(*leaf.document(BAD_IDS[bad]))
            if answer["_status"] >= 500 or _codes(answer) != malformed:
                wrong.append(f"{leaf} = {bad}: {json.dumps(answer)[:300]} (malformed: {malformed})")
    assert tried > 50
    assert wrong == [], "\n".join(wrong[:20])


# --- values: text, dates, numbers, amounts ----------------------------------------------------

#: Per scalar, values beyond what pmo-graph accepts (docs/api.md, Scalars).
OUT_OF_RANGE: dict[str, list[Any]] = {
    "String": ["a\x00b", "bell\x07", "\x1b[31mred"],
    "ID": ["UHJv\x00amVjdDox"],
    "Date": ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01"],
    "Float": [1.7e308, -1.7e308, 1e300, 1.000001e15],
    "Decimal": ["1e16", "1e999999", "NaN", "-Infinity"],
}
#: The nearest values it accepts.
WITHIN: dict[str, list[Any]] = {
    "String": ["tab\tline feed\ncarriage return\r"],
    "Date": ["1900-01-01", "2999-12-31"],
    "Float": [1e15, -1e15],
    "Decimal": ["999999999999999"],
}


def _node_ids(world: World) -> dict[str, str]:
    """The object a field of each ``Node`` type is asked of (the generated documents reach
    those fields through ``node(id:)``)."""
    return {
        "Benefit": world.benefit,
        "Portfolio": world.portfolio,
        "Programme": world.programme,
        "Project": world.own_project,
        "Webhook": world.webhook,
    }


def _refused_naming(answer: dict[str, Any], argument: str) -> bool:
    """Refused before anything ran (an error without a field's path), with BAD_USER_INPUT
    naming ``argument``."""
    errors = answer.get("errors") or []
    return (
        answer["_status"] == 200
        and "data" not in answer
        and len(errors) == 1
        and "path" not in errors[0]
        and errors[0]["extensions"].get("code") == "BAD_USER_INPUT"
        and errors[0]["extensions"].get("argument") == argument
    )


@pytest.mark.parametrize("scalar", sorted(OUT_OF_RANGE))
async def test_every_argument_of_every_field_refuses_values_out_of_range(
    scalar: str, world_org: tuple[TestOrganisation, World], pmo_state: AppState
) -> None:
    """Generated from the schema: each leaf of this scalar in each argument of each query and
    mutation field (nested ones such as ``Project.compliance(asOf:)`` too, asked of a real
    object), sent each value out of range, is refused with BAD_USER_INPUT naming it, and
    nothing is written."""
    org, world = world_org
    nodes = _node_ids(world)
    before = await footprint(pmo_state.request_sessionmaker, org.id)
    wrong: list[str] = []
    tried = 0
    for leaf in leaves(_schema(pmo_state), {scalar}):
        for value in OUT_OF_RANGE[scalar]:
            tried += 1
            answer = await org.admin.execute(*leaf.document(value, nodes.get(leaf.site.parent, "")))
            if not _refused_naming(answer, leaf.argument):
                wrong.append(f"{leaf} = {value!r}: {json.dumps(answer)[:300]}")
    assert tried >= len(OUT_OF_RANGE[scalar]) * 5
    assert wrong == [], f"{len(wrong)} of {tried}:\n" + "\n".join(wrong[:20])
    assert await footprint(pmo_state.request_sessionmaker, org.id) == before


@pytest.mark.parametrize("scalar", sorted(WITHIN))
async def test_the_nearest_values_within_range_pass_the_input_check(
    scalar: str, world_org: tuple[TestOrganisation, World], pmo_state: AppState
) -> None:
    """The same leaves of the queries, sent the nearest values pmo-graph accepts: not refused
    before anything runs (the field's own rules, with the field's path, may still refuse them),
    and never a masked error."""
    org, world = world_org
    nodes = _node_ids(world)
    wrong: list[str] = []
    for leaf in leaves(_schema(pmo_state), {scalar}):
        if leaf.site.operation != "query":
            continue
        for value in WITHIN[scalar]:
            answer = await org.admin.execute(*leaf.document(value, nodes.get(leaf.site.parent, "")))
            refused = [e for e in answer.get("errors") or [] if "path" not in e]
            if refused or "INTERNAL_SERVER_ERROR" in _codes(answer):
                wrong.append(f"{leaf} = {value!r}: {json.dumps(answer)[:300]}")
    assert wrong == [], "\n".join(wrong[:20])


@pytest.mark.parametrize("scalar", ["String", "Date", "Float"])
async def test_a_valid_call_of_every_mutation_with_one_value_out_of_range_writes_nothing(
    scalar: str, world_org: tuple[TestOrganisation, World], pmo_state: AppState
) -> None:
    """One valid call of every mutation (``mutation_cases``), with each leaf of this scalar of
    its input in turn out of range (added when the call leaves it out): refused with
    BAD_USER_INPUT naming it, and nothing written. Without the check, SQLite stored a NUL
    and PostgreSQL refused it with a masked error."""
    org, world = world_org
    schema = _schema(pmo_state)
    before = await footprint(pmo_state.request_sessionmaker, org.id)
    wrong: list[str] = []
    tried = 0
    for mutation, call in sorted(_calls(world).items()):
        kind = _input_type(schema, mutation)
        for path, _ in leaves_of(kind, {scalar}):
            value = OUT_OF_RANGE[scalar][0]
            tried += 1
            variables = {"input": replaced(kind, call.variables["input"], path, value)}
            answer = await org.admin.execute(call.document, variables)
            if not _refused_naming(answer, ".".join(("input", *path))):
                wrong.append(f"{mutation} {'.'.join(path)}: {json.dumps(answer)[:300]}")
    assert tried >= 5
    assert wrong == [], f"{len(wrong)} of {tried}:\n" + "\n".join(wrong[:20])
    assert await footprint(pmo_state.request_sessionmaker, org.id) == before


#: Documents with the values written in them, and the argument each refusal names.
LITERALS = [
    ('{ statusSummary(asOf: "0001-01-01") { activeProjects } }', "asOf"),
    ('{ statusSummary(asOf: "9999-12-31") { activeProjects } }', "asOf"),
    ('{ people(search: "a\\u0000b") { totalCount } }', "search"),
    ('{ projects(filter: {search: "\\u0007"}) { totalCount } }', "filter.search"),
    (
        'mutation { createPerson(input: {name: "Nul\\u0000Person"}) { userErrors { code } } }',
        "input.name",
    ),
    (
        'mutation { setPersonCapacity(input: {personId: "UGVyc29uOjE=", capacity: 1.7e308}) '
        "{ userErrors { code } } }",
        "input.capacity",
    ),
    # graphql-core reads this literal as infinity, and let it through to the resolver
    (
        'mutation { setPersonCapacity(input: {personId: "UGVyc29uOjE=", capacity: 1e400}) '
        "{ userErrors { code } } }",
        "input.capacity",
    ),
]


@pytest.mark.parametrize(("document", "argument"), LITERALS, ids=[d[:48] for d, _ in LITERALS])
async def test_values_written_in_the_document_are_checked_as_variables_are(
    document: str, argument: str, org: TestOrganisation, pmo_state: AppState
) -> None:
    before = await footprint(pmo_state.request_sessionmaker, org.id)
    answer = await org.admin.execute(document)
    assert _refused_naming(answer, argument), answer
    assert await footprint(pmo_state.request_sessionmaker, org.id) == before


# --- date arithmetic: templates and scenarios ------------------------------------------------

TEMPLATE = (
    "mutation($input: CreateProjectTemplateInput!) { createProjectTemplate(input: $input) "
    "{ projectTemplate { id } userErrors { field message code } } }"
)
FROM_TEMPLATE = (
    "mutation($input: CreateProjectFromTemplateInput!) { createProjectFromTemplate(input: $input) "
    "{ project { id endDate } userErrors { field message code } } }"
)
SHIFT = (
    "mutation($input: AddScenarioChangeInput!) { addScenarioChange(input: $input) "
    "{ scenario { id } userErrors { field message code } } }"
)
APPLY = (
    "mutation($input: ApplyScenarioInput!) { applyScenario(input: $input) "
    "{ scenario { id } userErrors { field message code } } }"
)
IMPACT = "query($id: ID!) { node(id: $id) { ... on Scenario { impact { problems } } } }"


def _user_errors(answer: dict[str, Any]) -> list[tuple[list[str], str]]:
    assert "errors" not in answer, answer
    (payload,) = answer["data"].values()
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def test_a_template_offset_is_at_most_ten_years(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    before = await footprint(pmo_state.request_sessionmaker, org.id)
    for offset in (3651, 2**31 - 1):
        answer = await org.admin.execute(
            TEMPLATE, {"input": {"name": "T", "milestones": [{"name": "M", "offsetDays": offset}]}}
        )
        assert _user_errors(answer) == [(["milestones", "0", "offsetDays"], "INVALID")]
    assert await footprint(pmo_state.request_sessionmaker, org.id) == before
    created = await org.admin.mutate(
        TEMPLATE, {"input": {"name": "T", "milestones": [{"name": "M", "offsetDays": 3650}]}}
    )
    assert created["projectTemplate"]["id"]


@pytest.mark.parametrize(
    ("offset", "start"),
    [(365, "2999-06-01"), (2**31 - 1, "2026-01-01")],
    ids=["past the last date", "past the calendar (a template stored before the limit)"],
)
async def test_a_project_from_a_template_whose_milestones_would_leave_the_range_is_refused(
    offset: int,
    start: str,
    world_org: tuple[TestOrganisation, World],
    pmo_state: AppState,
    db_session: AsyncSession,
) -> None:
    from pmo_graph_pso.models import TemplateMilestone

    org, world = world_org
    template = parse_pk(world.template, "ProjectTemplate")
    await db_session.rollback()  # a fresh snapshot, to write on SQLite (see _set_dates)
    db_session.add(
        TemplateMilestone(
            organisation_id=org.id, template_id=template, position=0, name="Far", offset_days=offset
        )
    )
    await db_session.commit()
    before = await footprint(pmo_state.request_sessionmaker, org.id)
    answer = await org.admin.execute(
        FROM_TEMPLATE,
        {
            "input": {
                "templateId": world.template,
                "code": "FAR-1",
                "name": "Far",
                "startDate": start,
            }
        },
    )
    assert _user_errors(answer) == [(["startDate"], "INVALID")]
    assert await footprint(pmo_state.request_sessionmaker, org.id) == before


async def _set_dates(
    session: AsyncSession, world: World, start: date, end: date, milestone: date | None = None
) -> None:
    """The dates of the world's other project, its assignment and (optionally) its milestone,
    written as they may have been stored before the date range existed."""
    from sqlalchemy import update

    from pmo_graph.projects.models import Project
    from pmo_graph_pso.models import Assignment, Milestone

    project = parse_pk(world.other_project, "Project")
    # End the session's read snapshot: on SQLite one older than the app's last write cannot
    # become a writer.
    await session.rollback()
    await session.execute(
        update(Project).where(Project.id == project).values(start_date=start, end_date=end)
    )
    await session.execute(
        update(Assignment)
        .where(Assignment.project_id == project)
        .values(start_date=start, end_date=end)
    )
    if milestone is not None:
        await session.execute(
            update(Milestone)
            .where(Milestone.project_id == project)
            .values(baseline_date=milestone, forecast_date=milestone)
        )
    await session.commit()


@pytest.mark.parametrize(
    ("end", "days"),
    [(date(2999, 12, 1), 3650), (date(9999, 12, 20), 30), (date(1900, 2, 1), -60)],
    ids=["past the last date", "past the calendar (stored before the range)", "before 1900"],
)
async def test_a_shift_that_would_move_a_project_out_of_range_is_refused(
    end: date,
    days: int,
    world_org: tuple[TestOrganisation, World],
    pmo_state: AppState,
    db_session: AsyncSession,
) -> None:
    org, world = world_org
    await _set_dates(db_session, world, min(end, date(2999, 1, 1)), end)
    before = await footprint(pmo_state.request_sessionmaker, org.id)
    answer = await org.admin.execute(
        SHIFT,
        {
            "input": {
                "scenarioId": world.scenario,
                "kind": "SHIFT_PROJECT",
                "fromProjectId": world.other_project,
                "days": days,
            }
        },
    )
    assert _user_errors(answer) == [(["days"], "INVALID")]
    assert await footprint(pmo_state.request_sessionmaker, org.id) == before


async def test_a_kept_shift_that_no_longer_fits_is_a_problem_of_the_impact_and_of_applying(
    world_org: tuple[TestOrganisation, World], pmo_state: AppState, db_session: AsyncSession
) -> None:
    """A shift added while the project's dates allowed it, then dates moved to the end of the
    range: the impact lists the problem, applying it is refused, nothing is written."""
    org, world = world_org
    await org.admin.mutate(
        SHIFT,
        {
            "input": {
                "scenarioId": world.scenario,
                "kind": "SHIFT_PROJECT",
                "fromProjectId": world.other_project,
                "days": 30,
            }
        },
    )
    await _set_dates(db_session, world, date(2999, 1, 1), date(2999, 12, 20))
    impact = await org.admin.query(IMPACT, {"id": world.scenario})
    assert len(impact["node"]["impact"]["problems"]) == 1, impact
    before = await footprint(pmo_state.request_sessionmaker, org.id)
    answer = await org.admin.execute(APPLY, {"input": {"scenarioId": world.scenario}})
    assert _user_errors(answer) == [(["changes", "0"], "INVALID")]
    assert await footprint(pmo_state.request_sessionmaker, org.id) == before


async def test_applying_a_shift_that_would_move_a_milestone_out_of_range_writes_nothing(
    world_org: tuple[TestOrganisation, World], pmo_state: AppState, db_session: AsyncSession
) -> None:
    """The project and its assignment fit after the shift, its milestone's forecast does not
    (stored before the range): refused, and the project and assignment are left as they were."""
    org, world = world_org
    await _set_dates(db_session, world, date(2027, 1, 1), date(2027, 6, 1), date(9999, 12, 30))
    await org.admin.mutate(
        SHIFT,
        {
            "input": {
                "scenarioId": world.scenario,
                "kind": "SHIFT_PROJECT",
                "fromProjectId": world.other_project,
                "days": 30,
            }
        },
    )
    before = await footprint(pmo_state.request_sessionmaker, org.id)
    dates = "query($id: ID!) { node(id: $id) { ... on Project { startDate endDate } } }"
    project_before = await org.admin.query(dates, {"id": world.other_project})
    answer = await org.admin.execute(APPLY, {"input": {"scenarioId": world.scenario}})
    assert _user_errors(answer) == [(["changes", "0"], "INVALID")]
    assert await footprint(pmo_state.request_sessionmaker, org.id) == before
    assert await org.admin.query(dates, {"id": world.other_project}) == project_before


# --- figures from values stored before the limits --------------------------------------------

HUGE = 1.7e308


async def _store_huge_benefit(session: AsyncSession, org: TestOrganisation, world: World) -> None:
    from sqlalchemy import update

    from pmo_graph_pmo.models import Benefit, BenefitContribution, BenefitMeasurement

    benefit = parse_pk(world.benefit, "Benefit")
    await session.rollback()  # a fresh snapshot, to write on SQLite (see _set_dates)
    await session.execute(
        update(Benefit).where(Benefit.id == benefit).values(baseline=-HUGE, target=HUGE)
    )
    session.add_all(
        [
            BenefitMeasurement(
                organisation_id=org.id, benefit_id=benefit, measured_on=day, value=HUGE
            )
            for day in (date(2026, 1, 1), date(2026, 2, 1))
        ]
    )
    session.add(
        BenefitContribution(
            organisation_id=org.id,
            benefit_id=benefit,
            project_id=parse_pk(world.other_project, "Project"),
            share=HUGE,
        )
    )
    await session.commit()


async def _store_huge_priorities(
    session: AsyncSession, org: TestOrganisation, world: World
) -> None:
    from sqlalchemy import update

    from pmo_graph.projects.models import Project
    from pmo_graph_portfolio.models import BalanceTarget, Criterion, ProjectScore

    portfolio = parse_pk(world.portfolio, "Portfolio")
    await session.rollback()
    await session.execute(
        update(Criterion).where(Criterion.portfolio_id == portfolio).values(weight=HUGE)
    )
    await session.execute(
        update(Project)
        .where(Project.portfolio_id == portfolio)
        .values(budget=Decimal("1000.00"), category="Run", stage="PROPOSED")
    )
    session.add_all(
        ProjectScore(
            organisation_id=org.id,
            project_id=parse_pk(project, "Project"),
            criterion="value",
            score=score,
        )
        for project, score in ((world.other_project, 10.0), (world.third_project, HUGE))
    )
    session.add(
        BalanceTarget(organisation_id=org.id, portfolio_id=portfolio, category="Run", share=-HUGE)
    )
    await session.commit()


async def _store_huge_staffing(session: AsyncSession, org: TestOrganisation, world: World) -> None:
    from sqlalchemy import update

    from pmo_graph_pso.models import Assignment, PersonCapacity

    person = parse_pk(world.person, "Person")
    await session.rollback()
    await session.execute(
        update(Assignment)
        .where(Assignment.person_id == person)
        .values(allocation=HUGE, end_date=date(9999, 12, 31))
    )
    session.add(PersonCapacity(organisation_id=org.id, person_id=person, capacity=5e-324))
    await session.commit()


async def _store_far_dates(session: AsyncSession, org: TestOrganisation, world: World) -> None:
    from sqlalchemy import update

    from pmo_graph_pso.models import Milestone

    await _set_dates(session, world, date(1, 1, 1), date(9999, 12, 31))
    await session.execute(
        update(Milestone)
        .where(Milestone.project_id == parse_pk(world.own_project, "Project"))
        .values(baseline_date=date(9999, 12, 31), forecast_date=date(9999, 12, 31))
    )
    await session.execute(
        update(Milestone)
        .where(Milestone.project_id == parse_pk(world.other_project, "Project"))
        .values(baseline_date=date(1, 1, 1), forecast_date=date(1, 1, 1))
    )
    await session.commit()


Store = Callable[[AsyncSession, TestOrganisation, World], Awaitable[None]]
#: What was stored, and the reads whose figures are made from it (each with its node's id).
STORED: dict[str, tuple[Store, list[tuple[str, str]]]] = {
    "benefit values of 1.7e308": (
        _store_huge_benefit,
        [
            ("benefit", "... on Benefit { latestValue realisation forecastAtTargetDate status }"),
            (
                "programme",
                "... on Programme { benefitsSummary { financialTarget financialRealised "
                "realisation atRisk } benefits { name realisation } benefitsMap { edges { share } } }",
            ),
        ],
    ),
    "weights, scores and shares of 1.7e308": (
        _store_huge_priorities,
        [
            (
                "portfolio",
                '... on Portfolio { ranking { score rank } selection(budget: "5000") '
                "{ totalScore } balance { targetShare deviation } criteria { weight } }",
            ),
            ("other_project", "... on Project { scores { score } }"),
        ],
    ),
    "an allocation of 1.7e308 until 9999-12-31, a capacity of 5e-324": (
        _store_huge_staffing,
        [("person", "... on Person { capacity assignments { allocation } }")],
    ),
    "dates of year 1 and 9999": (
        _store_far_dates,
        [
            ("own_project", '... on Project { compliance(asOf: "2026-01-01") { compliant } }'),
            ("other_project", "... on Project { milestones { slipDays } startDate endDate }"),
            ("programme", '... on Programme { synchronisation(asOf: "2026-01-01") { inStep } }'),
        ],
    ),
}
#: Root reads over the stored values.
STORED_ROOT_READS = (
    '{ utilisation(from: "2027-01-01", to: "2027-02-28", granularity: MONTH) '
    "{ periods { allocation utilisation } } }",
    '{ overallocations(from: "2027-01-01", to: "2027-02-28") { peakAllocation } }',
    '{ suggestStaff(projectId: "UHJvamVjdDox", skill: "Testing", allocation: 0.1, '
    'startDate: "2027-01-01", endDate: "2027-01-31") { availableAllocation } }',
    '{ statusSummary(asOf: "2026-01-01") { stale { code } } }',
    '{ complianceReport(asOf: "2026-01-01") { projects { compliant } } }',
)


@pytest.mark.parametrize("stored", sorted(STORED))
async def test_figures_from_values_stored_before_the_limits_are_never_a_masked_error(
    stored: str, world_org: tuple[TestOrganisation, World], db_session: AsyncSession
) -> None:
    """Values inserted directly, as rows saved before the input limits may hold: every read made
    from them answers (a figure that cannot be computed is OUT_OF_RANGE on its field), and the
    request's other fields still answer (unless the field is a non-null root list, whose error
    nulls ``data`` as GraphQL says)."""
    org, world = world_org
    store, reads = STORED[stored]
    await store(db_session, org, world)
    sibling = " me: viewer { user { email } }"
    documents = [
        (
            f"query($id: ID!) {{ node(id: $id) {{ {selection} }}{sibling} }}",
            {"id": getattr(world, node)},
            True,
        )
        for node, selection in reads
    ]
    documents += [(document[:-1] + sibling + " }", {}, False) for document in STORED_ROOT_READS]
    wrong = []
    for document, variables, nullable in documents:
        answer = await org.admin.execute(document, variables)
        siblings_answered = bool((answer.get("data") or {}).get("me"))
        if (
            answer["_status"] != 200
            or not set(_codes(answer)) <= {"OUT_OF_RANGE"}
            or (nullable and not siblings_answered)
        ):
            wrong.append(f"{document}: {json.dumps(answer)[:400]}")
    assert wrong == [], "\n".join(wrong)


async def test_an_error_that_cancels_the_fields_beside_it_leaves_every_connection_usable(
    world_org: tuple[TestOrganisation, World], db_session: AsyncSession
) -> None:
    """A non-null root field that fails nulls ``data``, and graphql-core cancels the fields
    still running beside it, some of them in the middle of a statement. The connections they
    held must go back to the pool clean: every later request is answered."""
    org, world = world_org
    await _store_huge_staffing(db_session, org, world)
    sibling = " me: viewer { user { email } } }"
    later = "{ viewer { user { email } } people { totalCount } }"
    for failing in STORED_ROOT_READS[:2]:
        answer = await org.admin.execute(failing[:-1] + sibling)
        assert _codes(answer) == ["OUT_OF_RANGE"], answer
        for _ in range(3):
            assert (await org.admin.query(later))["viewer"]["user"]["email"]
