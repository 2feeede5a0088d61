"""One meaning per field: for random organisations (ranges from zero to huge, nulls, rounding
edges, future-dated rows), a query of every field with an SQL spec gives the same JSON with the
compiled path on and off, on both databases; the realisation also matches ``measure``'s
arithmetic done by hand, so SQLite and PostgreSQL agree with each other too."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from graphql import FieldNode, GraphQLObjectType, TypeInfo, TypeInfoVisitor, Visitor, parse, visit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.app_state import AppState
from pmo_graph.sdk import (
    Person,
    Portfolio,
    Programme,
    Project,
    ProjectStage,
    field_spec,
    to_global_id,
)
from pmo_graph.testing import StatementCounter, TestOrganisation
from pmo_graph_pmo.enums import BenefitCategory, BenefitKind
from pmo_graph_pmo.measure import realisation, rounded
from pmo_graph_pmo.models import Benefit, BenefitContribution, BenefitMeasurement
from pmo_graph_portfolio.enums import RiskStatus
from pmo_graph_portfolio.models import Risk
from pmo_graph_pso.enums import Rag
from pmo_graph_pso.models import Assignment, Milestone, StatusReport

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
TIERS = ["pso", "portfolio", "pmo"]

#: Selects every field with an SQL spec (``test_every_field_with_an_sql_spec_is_covered``).
DOCUMENT = """
query Differential($project: ID!) {
  viewer { user { id name roles person { name } } organisation { id name } }
  project: node(id: $project) { id ...Everything }
  portfolios(first: 3) {
    totalCount pageInfo { hasNextPage hasPreviousPage }
    nodes { id name manager { name }
      projects(first: 2) { totalCount pageInfo { hasNextPage } nodes { code } }
      programmes(first: 2) { totalCount nodes { name director { name } portfolio { name }
        projects(first: 3) { totalCount pageInfo { hasNextPage } nodes { code } } } } }
  }
  programmes(first: 1) { totalCount pageInfo { hasNextPage } nodes { name } }
  people(first: 3) { totalCount pageInfo { hasNextPage }
    nodes { name assignments { role allocation startDate endDate project { code } } } }
  projects(first: 10) { totalCount nodes { ...Everything } }
}
fragment Everything on Project {
  code manager { name } sponsor { name } portfolio { name } programme { name }
  latestStatus { periodEnding overall project { code } submittedBy { name } }
  statusReports(first: 2) {
    totalCount pageInfo { hasNextPage hasPreviousPage } nodes { periodEnding overall }
  }
  milestones { name baselineDate forecastDate actualDate slipDays project { code } }
  risks { title probability impact score rating status owner { name } project { code } }
  assignments { role allocation person { name } project { code } }
  benefitContributions { share project { code } benefit { name baseline target realisation
    owner { name } programme { name }
    measurements(first: 3) { totalCount nodes { measuredOn value } } } }
}
"""

#: Values a benefit is measured in: zero, huge, tiny, and halves at the 7th decimal place.
EDGES = [0.0, 0.03, 32.0, 1e15, -1e15, 1e-9, 0.0000005, 1.0000005, -2.5e-7, 0.1, 0.3, 1 / 3]
values = st.one_of(
    st.sampled_from(EDGES),
    st.decimals(min_value=-1000, max_value=1000, places=7).map(float),
    st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_subnormal=False).filter(
        lambda x: x == 0 or abs(x) >= 1e-9
    ),
)
days = st.integers(min_value=-60, max_value=40)  # from today; after today is not yet
person = st.none() | st.integers(min_value=0, max_value=2)


@dataclass
class BenefitPlan:
    baseline: float
    target: float
    measurements: list[tuple[int, float]]
    share: float


@dataclass
class ProjectPlan:
    manager: int | None
    sponsor: int | None
    in_programme: bool
    risks: list[tuple[int, int, int | None, bool]]
    milestones: list[tuple[int, int | None, int | None]]
    assignments: list[tuple[int, int, bool, float]]
    reports: list[tuple[int, Rag]]
    benefits: list[BenefitPlan] = field(default_factory=list)


benefit_plans = st.builds(
    BenefitPlan,
    baseline=values,
    target=values,
    measurements=st.lists(st.tuples(days, values), max_size=4),
    share=st.sampled_from([0.01, 0.5, 1.0]),
)
project_plans = st.builds(
    ProjectPlan,
    manager=person,
    sponsor=person,
    in_programme=st.booleans(),
    risks=st.lists(
        st.tuples(st.integers(1, 5), st.integers(1, 5), person, st.booleans()), max_size=3
    ),
    milestones=st.lists(st.tuples(days, st.none() | days, st.none() | days), max_size=3),
    assignments=st.lists(
        st.tuples(st.integers(0, 2), days, st.booleans(), st.sampled_from([0.1, 0.5, 1.0])),
        max_size=3,
    ),
    reports=st.lists(
        st.tuples(st.integers(-90, 0), st.sampled_from(list(Rag))),
        max_size=3,
        unique_by=lambda r: r[0],
    ),
    benefits=st.lists(benefit_plans, max_size=2),
)
worlds = st.tuples(person, person, st.lists(project_plans, min_size=1, max_size=3))


async def _write(
    session: AsyncSession, org: int, world: tuple[int | None, int | None, list[ProjectPlan]]
) -> tuple[int, list[tuple[int, BenefitPlan]]]:
    """The world's rows in organisation ``org``: the first project's key and every benefit."""
    manager, director, plans = world
    today = datetime.now(UTC).date()
    people = [Person(organisation_id=org, name=f"P{i}") for i in range(3)]
    session.add_all(people)
    await session.flush()

    def who(index: int | None) -> int | None:
        return None if index is None else people[index].id

    portfolio = Portfolio(organisation_id=org, name="F", manager_id=who(manager))
    session.add(portfolio)
    await session.flush()
    programme = Programme(
        organisation_id=org, name="G", portfolio_id=portfolio.id, director_id=who(director)
    )
    session.add(programme)
    await session.flush()
    first = 0
    benefits: list[tuple[int, BenefitPlan]] = []
    for number, plan in enumerate(plans):
        project = Project(
            organisation_id=org,
            code=f"C{number}",
            name="p",
            stage=ProjectStage.ACTIVE,
            portfolio_id=portfolio.id,
            programme_id=programme.id if plan.in_programme else None,
            manager_id=who(plan.manager),
            sponsor_id=who(plan.sponsor),
        )
        session.add(project)
        await session.flush()
        first = first or project.id
        rows: list[Any] = [
            Risk(
                organisation_id=org,
                project_id=project.id,
                title=f"R{k}",
                probability=p,
                impact=i,
                owner_id=who(owner),
                status=RiskStatus.OPEN if open_ else RiskStatus.CLOSED,
            )
            for k, (p, i, owner, open_) in enumerate(plan.risks)
        ]
        rows += [
            Milestone(
                organisation_id=org,
                project_id=project.id,
                name=f"M{k}",
                baseline_date=today + timedelta(days=b),
                forecast_date=None if f is None else today + timedelta(days=f),
                actual_date=None if a is None else today + timedelta(days=a),
            )
            for k, (b, f, a) in enumerate(plan.milestones)
        ]
        rows += [
            Assignment(
                organisation_id=org,
                project_id=project.id,
                person_id=people[p].id,
                role=f"A{k}",
                allocation=allocation,
                start_date=today + timedelta(days=start),
                end_date=today + timedelta(days=start + 30),
                released_at=datetime(2026, 1, 1, tzinfo=UTC) if released else None,
            )
            for k, (p, start, released, allocation) in enumerate(plan.assignments)
        ]
        rows += [
            StatusReport(
                organisation_id=org,
                project_id=project.id,
                period_ending=today + timedelta(days=d),
                overall=rag,
            )
            for d, rag in plan.reports
        ]
        for k, spec in enumerate(plan.benefits):
            benefit = Benefit(
                organisation_id=org,
                programme_id=programme.id,
                name=f"B{number}.{k}",
                kind=BenefitKind.BENEFIT,
                category=BenefitCategory.FINANCIAL,
                measure="m",
                baseline=spec.baseline,
                target=spec.target,
                target_date=today + timedelta(days=100),
            )
            session.add(benefit)
            await session.flush()
            benefits.append((benefit.id, spec))
            rows.append(
                BenefitContribution(
                    organisation_id=org,
                    benefit_id=benefit.id,
                    project_id=project.id,
                    share=spec.share,
                )
            )
            rows += [
                BenefitMeasurement(
                    organisation_id=org,
                    benefit_id=benefit.id,
                    measured_on=today + timedelta(days=d),
                    value=v,
                )
                for d, v in spec.measurements
            ]
        session.add_all(rows)
    await session.commit()
    return first, benefits


def _expected_realisation(spec: BenefitPlan) -> float | None:
    """By hand: the latest measurement up to today (the last recorded of its day)."""
    counted = [(d, k, v) for k, (d, v) in enumerate(spec.measurements) if d <= 0]
    latest = max(counted)[2] if counted else None
    value = realisation(spec.baseline, spec.target, latest)
    return None if value is None else rounded(value)


def _realisations(data: dict[str, Any]) -> dict[str, float | None]:
    return {
        c["benefit"]["name"]: c["benefit"]["realisation"]
        for p in data["projects"]["nodes"]
        for c in p["benefitContributions"]
    }


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds)
async def test_the_compiled_path_and_the_resolvers_give_the_same_json(
    make_org: MakeOrg,
    db_session: AsyncSession,
    pmo_state: AppState,
    count_statements: StatementCounter,
    world: tuple[int | None, int | None, list[ProjectPlan]],
) -> None:
    org = await make_org(tiers=TIERS)
    first, benefits = await _write(db_session, org.id, world)
    variables = {"project": to_global_id("Project", first)}
    await org.admin.query("{ __typename }")

    count_statements.reset()
    compiled = await org.admin.query(DOCUMENT, variables)
    # the compiled statement answered, on either database
    assert any(
        "json_build_object(" in s or "json_object(" in s for s in count_statements.statements
    )
    before = pmo_state.compiled_queries
    pmo_state.compiled_queries = False
    try:
        resolved = await org.admin.query(DOCUMENT, variables)
    finally:
        pmo_state.compiled_queries = before

    assert compiled == resolved
    assert _realisations(compiled) == {
        f"B{number}.{k}": _expected_realisation(spec)
        for number, plan in enumerate(world[2])
        for k, spec in enumerate(plan.benefits)
    }
    assert len(benefits) == len(_realisations(compiled))


def test_every_field_with_an_sql_spec_is_covered(pmo_state: AppState) -> None:
    """A new spec without a place in DOCUMENT fails here: add the field to it."""
    schema = pmo_state.built.schema._schema
    declared = {
        (type_name, field_name)
        for type_name, graphql_type in schema.type_map.items()
        if isinstance(graphql_type, GraphQLObjectType)
        for field_name, definition in graphql_type.fields.items()
        if field_spec(definition.extensions.get("strawberry-definition")) is not None
    }
    selected: set[tuple[str, str]] = set()
    type_info = TypeInfo(schema)

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            if parent is not None:
                selected.add((parent.name, node.name.value))

    visit(parse(DOCUMENT), TypeInfoVisitor(type_info, Fields()))
    assert declared, "no field has an SQL spec: the registry was not read"
    assert declared - selected == set(), "add these fields to DOCUMENT"


@pytest.mark.parametrize("value", [0.0009375, -0.0009375, 2.5e-7, 1.0000005, 123.4564995])
def test_rounded_reads_the_decimal_a_double_stands_for(value: float) -> None:
    expected = {
        0.0009375: 0.000938,
        -0.0009375: -0.000938,
        2.5e-7: 0.0,
        1.0000005: 1.000001,
        123.4564995: 123.456500,
    }
    assert rounded(value) == expected[value]

    assert math.copysign(1.0, rounded(-value / 1e9)) == 1.0  # no negative zero
