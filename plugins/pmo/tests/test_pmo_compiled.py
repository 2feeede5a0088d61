"""The compiled path (pmo_graph.graphql.compiled) on PostgreSQL and SQLite: one statement per
query, the same data as the resolvers to the last field, and the resolvers whenever it cannot
answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bench_world import TODAY, build_bench_world
from graphql import FieldNode, GraphQLObjectType, TypeInfo, TypeInfoVisitor, Visitor, parse, visit
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.cases import Q1, Q2, Q3, Q4
from pmo_graph.app_state import AppState
from pmo_graph.sdk import Person, Project, ProjectStage, field_spec, parse_pk, to_global_id
from pmo_graph.testing import StatementCounter, TestOrganisation, access_statements
from pmo_graph_pmo.enums import BenefitCategory, BenefitKind
from pmo_graph_pmo.models import Benefit, BenefitContribution, BenefitMeasurement
from pmo_graph_pso.models import Assignment

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
ALL_TIERS = ["pso", "portfolio", "pmo"]

#: Every field with an SQL spec, with ids, __typename, aliases, a fragment spread, connection
#: parts and nulls; ``test_every_sql_field_is_compared`` keeps it complete.
BROAD = """
query Broad($project: ID!, $other: ID!) {
  __typename
  viewer { user { id name } organisation { id name slug } }
  project: node(id: $project) { __typename id ...Everything }
  other: node(id: $other) { id }
  portfolios(first: 5) {
    __typename totalCount pageInfo { hasNextPage hasPreviousPage }
    edges { __typename node { id name description version manager { name email }
      programmes(first: 1) { totalCount nodes { name vision director { name }
        portfolio { name } projects { totalCount nodes { code } } } } } }
  }
  programmes(first: 1) { nodes { name } }
  counted: programmes(first: 3) { totalCount pageInfo { hasNextPage hasPreviousPage } }
  empty: people(first: 0) { totalCount }
  people(first: 4) { nodes { name title assignments { role project { code } } } }
  none: projects(first: 0) { totalCount pageInfo { hasNextPage } nodes { code } }
  projects(first: 500) { nodes { code budget latestStatus { overall } risks { score } } }
}
fragment Everything on Project {
  code name description stage startDate endDate budget category version
  manager { name } sponsor { name } portfolio { name } programme { name }
  latestStatus { periodEnding overall schedule cost scope resources summary project { code }
    submittedBy { id name email roles person { name } } }
  statusReports(first: 2) {
    totalCount pageInfo { hasNextPage hasPreviousPage } nodes { periodEnding overall }
  }
  milestones { name baselineDate forecastDate actualDate slipDays project { code } }
  risks { title probability impact score rating status owner { name } project { code } }
  assignments { role allocation startDate endDate person { name } project { code } }
  benefitContributions { share project { code } benefit { name baseline target realisation
    owner { name } programme { name } measurements(first: 2) { totalCount nodes { value } } } }
}
"""


def built_json(statement: str) -> bool:
    """Whether ``statement`` is a compiled one: it builds JSON (PostgreSQL's or SQLite's)."""
    return "json_build_object(" in statement or "json_object(" in statement


@contextmanager
def resolvers(state: AppState) -> Iterator[None]:
    before = state.compiled_queries
    state.compiled_queries = False
    try:
        yield
    finally:
        state.compiled_queries = before


async def _both(
    org: TestOrganisation,
    state: AppState,
    counter: StatementCounter,
    document: str,
    variables: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], int]:
    """The data compiled, the data from the resolvers, and the compiled request's statements."""
    await org.admin.query("{ __typename }")
    counter.reset()
    compiled = await org.admin.query(document, variables)
    statements = counter.count
    with resolvers(state):
        resolved = await org.admin.query(document, variables)
    return compiled, resolved, statements


@pytest.fixture
async def world(make_org: MakeOrg, db_session: AsyncSession) -> dict[str, Any]:
    """An organisation like the benchmark's, plus the cases its data lacks: a project with no
    report, risk or contribution, a released assignment, a benefit whose target is its
    baseline, a measurement after today."""
    org = await make_org(tiers=ALL_TIERS)
    keys = await build_bench_world(db_session, org.id, 3)
    first = await db_session.get(Project, keys["project"])
    assert first is not None
    bare = Project(
        organisation_id=org.id,
        code="AAA-bare",
        name="Nothing yet",
        stage=ProjectStage.PROPOSED,
        portfolio_id=first.portfolio_id,
    )
    flat = Benefit(
        organisation_id=org.id,
        programme_id=first.programme_id,
        name="Flat",
        kind=BenefitKind.BENEFIT,
        category=BenefitCategory.FINANCIAL,
        measure="m",
        baseline=5.0,
        target=5.0,
        target_date=TODAY,
    )
    db_session.add_all([bare, flat])
    await db_session.flush()
    person = await db_session.get(Person, org.person_ids[next(iter(org.person_ids))])
    assert person is not None
    benefit_of_first = await db_session.scalar(
        select(BenefitContribution.benefit_id).where(BenefitContribution.project_id == first.id)
    )
    db_session.add_all(
        [
            BenefitContribution(
                organisation_id=org.id, benefit_id=flat.id, project_id=first.id, share=0.5
            ),
            BenefitMeasurement(
                organisation_id=org.id,
                benefit_id=flat.id,
                measured_on=TODAY,
                value=7.0,
                recorded_at=datetime(2026, 11, 1, tzinfo=UTC),
            ),
            BenefitMeasurement(
                organisation_id=org.id,
                benefit_id=benefit_of_first,
                measured_on=datetime.now(UTC).date() + timedelta(days=30),
                value=1e6,
                recorded_at=datetime(2026, 11, 1, tzinfo=UTC),
            ),
            Assignment(
                organisation_id=org.id,
                project_id=first.id,
                person_id=person.id,
                role="Gone",
                allocation=0.5,
                start_date=TODAY,
                end_date=TODAY + timedelta(days=5),
                released_at=datetime(2026, 11, 2, tzinfo=UTC),
            ),
        ]
    )
    await db_session.commit()
    other = await make_org(tiers=ALL_TIERS)
    other_keys = await build_bench_world(db_session, other.id, 1)
    return {
        "org": org,
        "portfolio": to_global_id("Portfolio", keys["portfolio"]),
        "project": to_global_id("Project", keys["project"]),
        "bare": to_global_id("Project", bare.id),
        "foreign": to_global_id("Project", other_keys["project"]),
    }


@pytest.mark.parametrize(
    ("document", "names"),
    [(Q1, ["portfolio"]), (Q2, ["project"]), (Q3, []), (Q4, [])],
    ids=["Q1", "Q2", "Q3", "Q4"],
)
async def test_benchmark_queries_are_one_statement_with_the_resolvers_data(
    world: dict[str, Any],
    pmo_state: AppState,
    count_statements: StatementCounter,
    document: str,
    names: list[str],
) -> None:
    variables = {name: world[name] for name in names}
    compiled, resolved, statements = await _both(
        world["org"], pmo_state, count_statements, document, variables
    )
    assert compiled == resolved
    # the one statement that builds the JSON, after the token and tiers (kept on PostgreSQL)
    assert statements == access_statements(pmo_state) + 1, count_statements.statements
    assert built_json(count_statements.statements[statements - 1])


@pytest.mark.parametrize("project", ["project", "bare"])
async def test_every_compiled_field_matches_the_resolvers(
    world: dict[str, Any],
    pmo_state: AppState,
    count_statements: StatementCounter,
    project: str,
) -> None:
    variables = {"project": world[project], "other": world["foreign"]}
    compiled, resolved, statements = await _both(
        world["org"], pmo_state, count_statements, BROAD, variables
    )
    assert statements == access_statements(pmo_state) + 1, count_statements.statements
    assert built_json(count_statements.statements[statements - 1])
    assert compiled == resolved
    assert compiled["other"] is None  # another organisation's project is nobody's
    if project == "project":
        contributions = compiled["project"]["benefitContributions"]
        assert {c["benefit"]["name"]: c["benefit"]["realisation"] for c in contributions} == {
            "B": 0.1,  # (11 - 10) / (20 - 10): the measurement after today does not count yet
            "Flat": None,  # target == baseline: no realisation
        }
        assert "Gone" not in [a["role"] for a in compiled["project"]["assignments"]]


def test_every_sql_field_is_compared(pmo_state: AppState) -> None:
    schema = pmo_state.built.schema._schema
    declared = {
        (type_name, field_name)
        for type_name, graphql_type in schema.type_map.items()
        if isinstance(graphql_type, GraphQLObjectType)
        for field_name, field in graphql_type.fields.items()
        if field_spec(field.extensions.get("strawberry-definition")) is not None
    }
    selected: set[tuple[str, str]] = set()
    type_info = TypeInfo(schema)

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            if parent is not None:
                selected.add((parent.name, node.name.value))

    for document in (BROAD, Q1, Q2, Q3, Q4):
        visit(parse(document), TypeInfoVisitor(type_info, Fields()))
    assert declared - selected == set(), "add these fields to BROAD"


@pytest.mark.parametrize(
    "document",
    [
        # an argument the spec does not read
        "{ projects(first: 3) { nodes { code risks(status: OPEN) { title } } } }",
        # a field without SQL (a plugin's computed field, the registry's tiers, the audit log)
        "{ portfolios(first: 2) { nodes { name riskProfile { openRisks } } } }",
        "{ viewer { organisation { tiers { key } } } }",
        "{ auditLog(first: 2) { nodes { id } } }",
    ],
)
async def test_what_it_cannot_read_goes_to_the_resolvers(
    world: dict[str, Any],
    pmo_state: AppState,
    count_statements: StatementCounter,
    document: str,
) -> None:
    variables: dict[str, Any] = {}
    compiled, resolved, statements = await _both(
        world["org"], pmo_state, count_statements, document, variables
    )
    assert compiled == resolved
    assert not any(built_json(s) for s in count_statements.statements[:statements])


async def test_errors_still_come_from_the_resolvers(
    make_org: MakeOrg, db_session: AsyncSession
) -> None:
    office = await make_org(tiers=["pso", "portfolio"])
    await build_bench_world(db_session, office.id, 1)
    errors = await office.admin.errors(
        "{ projects(first: 1) { nodes { benefitContributions { share } } } }"
    )
    assert errors[0]["extensions"]["code"] == "TIER_NOT_ENABLED"
    errors = await office.admin.errors('{ node(id: "nonsense") { id } }')
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    errors = await office.admin.errors("{ projects(first: 100000) { nodes { code } } }")
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT (1 / 0)::text",
        "SELECT 'x' FROM generate_series(1, 2)",
        "SELECT json_object('projects', json('not json'))",
    ],
)
async def test_a_failing_statement_falls_back_to_the_resolvers(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, sql: str
) -> None:
    from pmo_graph.graphql.compiled import extension
    from pmo_graph.graphql.compiled.compiler import Compiled

    monkeypatch.setattr(extension, "compile_operation", lambda *_: Compiled(sql, {}))
    result = await world["org"].admin.execute(Q3)
    assert "errors" not in result, result
    assert len(result["data"]["projects"]["nodes"]) == 7


async def test_floats_booleans_and_ids_print_as_the_resolvers_print_them(
    world: dict[str, Any],
    pmo_state: AppState,
    count_statements: StatementCounter,
    db_session: AsyncSession,
) -> None:
    """SQLite prints a double with 15 digits and a boolean as 0 or 1; JSON must not show it."""
    project = await db_session.get(Project, parse_pk(world["project"], "Project"))
    assert project is not None
    person = await db_session.scalar(
        select(Person).where(Person.organisation_id == project.organisation_id).limit(1)
    )
    assert person is not None
    third, sum_ = 1 / 3, 0.1 + 0.2  # 0.333333333333333 and 0.3 in 15 digits
    db_session.add(
        Assignment(
            organisation_id=project.organisation_id,
            project_id=project.id,
            person_id=person.id,
            role="Third",
            allocation=third,
            start_date=TODAY - timedelta(days=400),
            end_date=TODAY + timedelta(days=400),
        )
    )
    contribution = await db_session.scalar(
        select(BenefitContribution).where(BenefitContribution.project_id == project.id).limit(1)
    )
    assert contribution is not None
    contribution.share = sum_
    await db_session.commit()
    document = """query($project: ID!) {
      node(id: $project) { id ... on Project {
        assignments { role allocation }
        benefitContributions { share }
        statusReports(first: 1) { pageInfo { hasNextPage hasPreviousPage } }
      } }
      none: projects(first: 0) { pageInfo { hasNextPage hasPreviousPage } }
    }"""
    compiled, resolved, statements = await _both(
        world["org"], pmo_state, count_statements, document, {"project": world["project"]}
    )
    assert built_json(count_statements.statements[statements - 1])
    assert compiled == resolved
    node = compiled["node"]
    assert node["id"] == world["project"]
    assert {a["role"]: a["allocation"] for a in node["assignments"]}["Third"] == third
    assert sum_ in [c["share"] for c in node["benefitContributions"]]
    # 1 == True in Python: the type is what tells a JSON boolean from a number
    for info in (node["statusReports"]["pageInfo"], compiled["none"]["pageInfo"]):
        assert all(isinstance(value, bool) for value in info.values()), info
    assert node["statusReports"]["pageInfo"]["hasNextPage"] is True
    # a page of none, with projects past it
    assert compiled["none"]["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False}
