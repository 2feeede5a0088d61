"""Tenant isolation: a token of organisation A can neither read nor change anything of B.

Every root field and mutation of the schema has a case here (a new one without a case fails);
an id of B's is answered exactly as an id that does not exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpers import gid
from mutation_cases import CALLS, PROJECT_CALLS, TIERS
from pmo_graph.app_state import AppState
from pmo_graph.testing import GraphQLClient, TestOrganisation
from world import World, build_world, footprint

MISSING = 987654321


def _missing_world() -> World:
    """Well-formed ids that exist in no organisation."""
    return World(
        person=gid("Person", MISSING),
        own_project=gid("Project", MISSING),
        other_project=gid("Project", MISSING),
        portfolio=gid("Portfolio", MISSING),
        programme=gid("Programme", MISSING),
        note=gid("SampleNote", MISSING),
        organisation=gid("Organisation", MISSING),
        user=gid("User", MISSING),
        own_milestone=gid("Milestone", MISSING),
        other_milestone=gid("Milestone", MISSING),
        own_assignment=gid("Assignment", MISSING),
        other_assignment=gid("Assignment", MISSING),
        template=gid("ProjectTemplate", MISSING),
        third_project=gid("Project", MISSING),
        own_risk=gid("Risk", MISSING),
        other_risk=gid("Risk", MISSING),
        scenario=gid("Scenario", MISSING),
        own_issue=gid("Issue", MISSING),
        other_issue=gid("Issue", MISSING),
        benefit=gid("Benefit", MISSING),
        objective=gid("Objective", MISSING),
        tranche=gid("Tranche", MISSING),
        dependency=gid("Dependency", MISSING),
        third_milestone=gid("Milestone", MISSING),
        webhook=gid("Webhook", MISSING),
        webhook_delivery=gid("WebhookDelivery", MISSING),
    )


def _blank_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<id>" if k == "id" else _blank_ids(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank_ids(v) for v in value]
    return value


def _without_ids(result: dict[str, Any], ids: list[str]) -> str:
    """The response with every id blanked (ids of created objects differ from call to call)."""
    text = json.dumps(_blank_ids(result), sort_keys=True)
    for value in ids:
        text = text.replace(value, "<id>")
    return text


def _ids(world: World) -> list[str]:
    return [
        world.person,
        world.own_project,
        world.other_project,
        world.portfolio,
        world.programme,
        world.note,
        world.organisation,
        world.user,
        world.own_milestone,
        world.other_milestone,
        world.own_assignment,
        world.other_assignment,
        world.template,
        world.third_project,
        world.own_risk,
        world.other_risk,
        world.scenario,
        world.own_issue,
        world.other_issue,
        world.benefit,
        world.objective,
        world.tranche,
        world.dependency,
        world.third_milestone,
        world.webhook,
        world.webhook_delivery,
    ]


#: Root queries: each is asked with B's ids and with missing ids; the answers must be the same.
QUERIES: dict[str, Callable[[World], tuple[str, dict[str, Any]]]] = {
    "node": lambda w: ("query($id: ID!) { node(id: $id) { id } }", {"id": w.other_project}),
    "nodes": lambda w: (
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {
            "ids": [
                w.person,
                w.other_project,
                w.portfolio,
                w.programme,
                w.note,
                w.organisation,
                w.user,
            ]
        },
    ),
    "viewer": lambda w: ("{ viewer { organisation { slug } user { email } } }", {}),
    "tiers": lambda w: ("{ tiers { key enabled } }", {}),
    "people": lambda w: ("{ people { totalCount nodes { name email } } }", {}),
    "projects": lambda w: (
        "query($p: ID!) { projects(filter: {portfolioId: $p}) { totalCount nodes { code } } "
        "all: projects { totalCount } }",
        {"p": w.portfolio},
    ),
    "portfolios": lambda w: ("{ portfolios { totalCount nodes { name } } }", {}),
    "programmes": lambda w: ("{ programmes { totalCount nodes { name } } }", {}),
    "auditLog": lambda w: (
        "query($e: ID!) { auditLog(entityId: $e) { totalCount } all: auditLog { totalCount } }",
        {"e": w.other_project},
    ),
    "sampleNoteCount": lambda w: ("{ sampleNoteCount }", {}),
    "sampleBoom": lambda w: ("{ __typename }", {}),  # reads nothing; tested in test_http
    "standards": lambda w: ("{ standards { key tier } }", {}),
    "maturity": lambda w: (
        "{ maturity { overall perspectives { level evidence { key value } } history { id } } }",
        {},
    ),
    "installation": lambda w: ("{ installation { plugins { name tiers { key enabled } } } }", {}),
    "statusSummary": lambda w: (
        'query($p: ID!) { statusSummary(portfolioId: $p, asOf: "2026-11-20") { activeProjects stale { code } } '
        'all: statusSummary(asOf: "2026-11-20") { activeProjects unreported } }',
        {"p": w.portfolio},
    ),
    "suggestStaff": lambda w: (
        'query($p: ID!) { suggestStaff(projectId: $p, skill: "Testing", allocation: 0.1, startDate: "2027-01-01", endDate: "2027-01-31") { person { name } } }',
        {"p": w.other_project},
    ),
    "projectTemplates": lambda w: ("{ projectTemplates { totalCount } }", {}),
    "utilisation": lambda w: (
        '{ utilisation(from: "2027-01-01", to: "2027-02-28", granularity: MONTH) { person { email } periods { allocation } } }',
        {},
    ),
    "overallocations": lambda w: (
        '{ overallocations(from: "2027-01-01", to: "2027-02-28") { person { email } projects { code } } }',
        {},
    ),
    "webhooks": lambda w: ("{ webhooks { totalCount nodes { url } } }", {}),
    "eventTypes": lambda w: ("{ eventTypes { name enabled } }", {}),
    "complianceReport": lambda w: (
        'query($p: ID!) { complianceReport(portfolioId: $p, asOf: "2026-11-20") { projects { project { code } } } }',
        {"p": w.portfolio},
    ),
}


def test_every_root_field_and_mutation_has_a_case(pmo_state: AppState) -> None:
    schema = pmo_state.built.schema._schema
    assert schema.mutation_type is not None
    assert schema.query_type is not None
    assert set(schema.query_type.fields) == set(QUERIES)
    assert set(schema.mutation_type.fields) == set(CALLS) | set(PROJECT_CALLS)


@pytest.fixture
async def two_orgs(
    make_org: Callable[..., Awaitable[TestOrganisation]], db_session: AsyncSession
) -> tuple[TestOrganisation, TestOrganisation, World, World]:
    a = await make_org(tiers=TIERS)
    b = await make_org(tiers=TIERS)
    world_a = await build_world(db_session, a)
    world_b = await build_world(db_session, b)
    await b.admin.query("{ auditLog { totalCount } }")
    return a, b, world_a, world_b


@pytest.mark.parametrize("field", sorted(QUERIES))
async def test_queries_answer_for_anothers_ids_as_for_missing_ones(
    field: str, two_orgs: tuple[TestOrganisation, TestOrganisation, World, World]
) -> None:
    a, b, _, world_b = two_orgs
    client: GraphQLClient = a.admin
    query, variables = QUERIES[field](world_b)
    foreign = await client.execute(query, variables)
    _, missing_variables = QUERIES[field](_missing_world())
    missing = await client.execute(query, missing_variables)
    assert "errors" not in foreign, foreign
    for answer in (foreign, missing):
        # the token's budget moves between the two requests; the cost itself must not
        answer.get("extensions", {}).get("cost", {}).pop("throttle", None)
    assert _without_ids(foreign, _ids(world_b)) == _without_ids(missing, _ids(_missing_world()))
    text = json.dumps(foreign)
    assert b.slug not in text
    # every person and project a list shows is the viewer's own (their emails and codes say so)
    for email in re.findall(r'"email": "([^"]+)"', text):
        assert email.endswith(f"{a.slug}.test"), email


async def test_lists_hold_only_the_viewers_organisation(
    two_orgs: tuple[TestOrganisation, TestOrganisation, World, World],
) -> None:
    a, b, _, _ = two_orgs
    query = "{ people { nodes { email } } projects { nodes { code } } portfolios { totalCount } programmes { totalCount } auditLog { totalCount } }"
    data_a = await a.admin.query(query)
    data_b = await b.admin.query(query)
    assert all(a.slug in p["email"] for p in data_a["people"]["nodes"] if p["email"])
    assert all(b.slug in p["email"] for p in data_b["people"]["nodes"] if p["email"])
    assert data_a["portfolios"]["totalCount"] == data_b["portfolios"]["totalCount"] == 1
    assert data_a["auditLog"]["totalCount"] == 0  # A never mutated; B's events stay B's


@pytest.mark.parametrize("mutation", sorted(CALLS) + sorted(PROJECT_CALLS))
async def test_mutations_cannot_touch_another_organisation(
    mutation: str,
    two_orgs: tuple[TestOrganisation, TestOrganisation, World, World],
    pmo_state: AppState,
) -> None:
    a, b, _, world_b = two_orgs
    before_b = await footprint(pmo_state.request_sessionmaker, b.id)
    if mutation in PROJECT_CALLS:
        foreign = PROJECT_CALLS[mutation](world_b, False)
        missing = PROJECT_CALLS[mutation](_missing_world(), False)
    else:
        foreign = CALLS[mutation](world_b)
        missing = CALLS[mutation](_missing_world())
    foreign_result = await a.admin.execute(foreign.document, foreign.variables)
    missing_result = await a.admin.execute(missing.document, missing.variables)
    assert _without_ids(foreign_result, _ids(world_b)) == _without_ids(
        missing_result, _ids(_missing_world())
    )
    assert await footprint(pmo_state.request_sessionmaker, b.id) == before_b


async def test_another_organisations_audit_events_tokens_users_are_invisible(
    two_orgs: tuple[TestOrganisation, TestOrganisation, World, World],
) -> None:
    a, b, _, world_b = two_orgs
    await b.admin.mutate(
        'mutation { createPerson(input: {name: "Audited"}) { person { id } userErrors { code } } }'
    )
    event_id = (await b.admin.query("{ auditLog(first: 1) { nodes { id } } }"))["auditLog"][
        "nodes"
    ][0]["id"]
    query = "query($id: ID!) { node(id: $id) { id } }"
    for foreign, missing in [
        (event_id, gid("AuditEvent", MISSING)),
        (world_b.organisation, gid("Organisation", MISSING)),
        (world_b.user, gid("User", MISSING)),
    ]:
        assert (
            await a.admin.query(query, {"id": foreign})
            == await a.admin.query(query, {"id": missing})
            == {"node": None}
        )
    own = await b.admin.query(query, {"id": event_id})
    assert own == {"node": {"id": event_id}}


async def _rows_the_world_lacks(session: AsyncSession, org: TestOrganisation, world: World) -> None:
    """Give ``org`` a row of each node type ``build_world`` does not make."""
    from datetime import date
    from decimal import Decimal

    from pmo_graph.ids import parse_pk
    from pmo_graph.maturity.models import MaturityAssessment
    from pmo_graph_portfolio.enums import ScenarioChangeKind
    from pmo_graph_portfolio.models import ScenarioChange
    from pmo_graph_pso.enums import Rag, SupportKind
    from pmo_graph_pso.models import StatusReport, SupportEngagement

    project = parse_pk(world.own_project, "Project")
    person = parse_pk(world.person, "Person")
    scenario = parse_pk(world.scenario, "Scenario")
    assert project is not None
    assert person is not None
    assert scenario is not None
    # End the session's read snapshot: on SQLite a reader whose snapshot is older than the last
    # write (the app records token use) cannot become a writer.
    await session.rollback()
    session.add_all(
        [
            StatusReport(
                organisation_id=org.id,
                project_id=project,
                period_ending=date(2026, 10, 30),
                overall=Rag.GREEN,
            ),
            SupportEngagement(
                organisation_id=org.id,
                kind=SupportKind.COACHING,
                recipient_id=person,
                held_on=date(2026, 10, 1),
                hours=Decimal("1.50"),
            ),
            ScenarioChange(
                organisation_id=org.id,
                scenario_id=scenario,
                position=99,
                kind=ScenarioChangeKind.SHIFT_PROJECT,
                to_project_id=project,
                days=7,
            ),
            MaturityAssessment(organisation_id=org.id, assessed_on=date(2026, 10, 1)),
        ]
    )
    await session.commit()
    await org.admin.mutate(
        'mutation { createPortfolio(input: {name: "Audited"}) { portfolio { id } userErrors { code } } }'
    )  # an audit event


def _node_types(state: AppState) -> dict[str, Any]:
    """Every object type of the schema that ``node(id:)`` resolves, with its table."""
    found: dict[str, Any] = {}
    for name, graphql_type in state.built.schema._schema.type_map.items():
        interfaces = getattr(graphql_type, "interfaces", ())
        if any(i.name == "Node" for i in interfaces):
            definition = graphql_type.extensions.get("strawberry-definition")
            found[name] = getattr(getattr(definition, "origin", None), "__model__", None)
    return found


async def test_every_node_type_answers_anothers_ids_as_missing_ones(
    two_orgs: tuple[TestOrganisation, TestOrganisation, World, World],
    pmo_state: AppState,
    db_session: AsyncSession,
) -> None:
    """Generated from the schema: for every Node type, one of B's rows read by A's token through
    ``node`` and ``nodes`` is null, as a missing id is; a type without a table, or without a
    row of B's in the world, fails the test (give it one in tests/world.py)."""
    a, b, _, world_b = two_orgs
    await _rows_the_world_lacks(db_session, b, world_b)
    uncovered = []
    for type_name, model in sorted(_node_types(pmo_state).items()):
        if model is None:
            uncovered.append(f"{type_name} (no __model__)")
            continue
        scope = model.id == b.id if type_name == "Organisation" else model.organisation_id == b.id
        pk = await db_session.scalar(select(model.id).where(scope).limit(1))
        if pk is None:
            uncovered.append(type_name)
            continue
        for target in (gid(type_name, pk), gid(type_name, MISSING)):
            answer = await a.admin.query(
                "query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }",
                {"id": target},
            )
            assert answer == {"node": None, "nodes": [None]}, (type_name, target)
        own = await b.admin.query(
            "query($id: ID!) { node(id: $id) { id } }", {"id": gid(type_name, pk)}
        )
        assert own["node"] == {"id": gid(type_name, pk)}, type_name  # B itself does see it
    assert uncovered == [], "node types without a row of B's to probe"
