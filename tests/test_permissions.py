"""The role matrix: every mutation by every role, allowed or FORBIDDEN, as docs/permissions.md says.

An allowed call succeeds with one audit event; a refused one answers FORBIDDEN and writes nothing.
The restricted reads are checked the same way: an audit event, by every role, through every path
that reaches one (``auditLog``, ``node``, ``nodes``, a field of another type, the compiled path
and its fast lane, the ``auditEvents`` subscription).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLObjectType, get_named_type
from sqlalchemy.ext.asyncio import AsyncSession

from mutation_cases import CALLS, PROJECT_CALLS, TIERS, Call
from pmo_graph.app_state import AppState
from pmo_graph.auth.roles import Role
from pmo_graph.subscription_client import GraphQLSocket
from pmo_graph.testing import TestOrganisation
from world import World, audit_actions, build_world, footprint

A, OF, PF, PD, PM, V = (
    Role.ADMIN,
    Role.OFFICE,
    Role.PORTFOLIO_MANAGER,
    Role.PROGRAMME_DIRECTOR,
    Role.PROJECT_MANAGER,
    Role.VIEWER,
)

#: The documented matrix (docs/permissions.md). "own" cells: only on projects they manage.
ALLOWED: dict[str, set[Role]] = {
    "createPerson": {A, OF},
    "updatePerson": {A, OF},
    "createProject": {A, OF, PF, PD},
    "updateProject": {A, OF, PF, PD},
    "setProjectPortfolio": {A, OF, PF},
    "setProjectProgramme": {A, OF, PF, PD},
    "createPortfolio": {A, OF, PF},
    "updatePortfolio": {A, OF, PF},
    "createProgramme": {A, OF, PF, PD},
    "updateProgramme": {A, OF, PF, PD},
    "enableTier": {A},
    "disableTier": {A},
    "submitMaturityAssessment": {A, OF},
    "createWebhook": {A},
    "updateWebhook": {A},
    "deleteWebhook": {A},
    "rotateWebhookSecret": {A},
    "redeliverWebhookDelivery": {A},
    "addSampleNote": {A, OF},
    # pso
    "submitStatusReport": {A, OF},
    "createMilestone": {A, OF, PF, PD},
    "updateMilestone": {A, OF, PF, PD},
    "addPersonSkill": {A, OF},
    "removePersonSkill": {A, OF},
    "assignPerson": {A, OF, PF, PD},
    "releaseAssignment": {A, OF, PF, PD},
    "createProjectTemplate": {A, OF},
    "createProjectFromTemplate": {A, OF, PF, PD},
    "recordSupportEngagement": {A, OF},
    "setReportingCadence": {A, OF},
    # portfolio
    "raiseRisk": {A, OF, PF, PD},
    "updateRisk": {A, OF, PF, PD},
    "setBalanceTargets": {A, OF, PF},
    "setPersonCapacity": {A, OF},
    "createScenario": {A, OF, PF},
    "addScenarioChange": {A, OF, PF},
    "applyScenario": {A, PF},
    "raiseIssue": {A, OF, PF, PD},
    "linkIssue": {A, OF, PF, PD},
    "escalateIssue": {A, OF, PF, PD},
    "resolveIssue": {A, OF, PF, PD},
    "setPortfolioCriteria": {A, OF, PF},
    "scoreProject": {A, OF, PF},
    # pmo
    "createBenefit": {A, OF, PD},
    "recordBenefitMeasurement": {A, OF, PD},
    "linkBenefitContribution": {A, OF, PD},
    "createObjective": {A, OF, PF, PD},
    "linkBenefitObjective": {A, OF, PD},
    "createTranche": {A, OF, PD},
    "setMilestoneTranche": {A, OF, PD},
    "addDependency": {A, OF, PD},
    "removeDependency": {A, OF, PD},
}
ALLOWED_ON_OWN_PROJECT: dict[str, set[Role]] = {
    "updateProject": {PM},
    "addSampleNote": {PM},
    "submitStatusReport": {PM},
    "createMilestone": {PM},
    "updateMilestone": {PM},
    "assignPerson": {PM},
    "releaseAssignment": {PM},
    "raiseRisk": {PM},
    "updateRisk": {PM},
    "raiseIssue": {PM},
    "linkIssue": {PM},
    "escalateIssue": {PM},
}

#: The restricted reads of the matrix: every other row of docs/permissions.md is a mutation.
READS_ALLOWED: dict[str, set[Role]] = {
    "auditLog": {A, OF},
    "auditEvents": {A},
    "installation": {A},
    "webhooks": {A},
}

CELLS = [(mutation, role, None) for mutation in sorted(CALLS) for role in Role] + [
    (mutation, role, where)
    for mutation in sorted(PROJECT_CALLS)
    for role in Role
    for where in ("own", "other")
]


def _expected(mutation: str, role: Role, where: str | None) -> bool:
    if role in ALLOWED[mutation]:
        return True
    return where == "own" and role in ALLOWED_ON_OWN_PROJECT.get(mutation, set())


def test_every_mutation_of_the_schema_has_cells(pmo_state: AppState) -> None:
    schema = pmo_state.built.schema._schema
    assert schema.mutation_type is not None
    assert set(schema.mutation_type.fields) == set(CALLS) | set(PROJECT_CALLS) == set(ALLOWED)


def test_the_documented_matrix_is_the_code(pmo_state: AppState) -> None:
    assert set(pmo_state.permissions) == set(ALLOWED) | set(READS_ALLOWED)
    for action, roles in (ALLOWED | READS_ALLOWED).items():
        rule = pmo_state.permissions[action]
        assert set(rule.roles) == roles, action
        assert set(rule.own_project) == ALLOWED_ON_OWN_PROJECT.get(action, set()), action


@pytest.mark.parametrize(
    ("mutation", "role", "where"),
    CELLS,
    ids=[f"{m}-{r.value}" + (f"-{w}" if w else "") for m, r, w in CELLS],
)
async def test_cell(
    mutation: str,
    role: Role,
    where: str | None,
    make_org: Callable[..., Awaitable[TestOrganisation]],
    db_session: AsyncSession,
    pmo_state: AppState,
) -> None:
    org = await make_org(tiers=TIERS)
    world: World = await build_world(db_session, org)
    call: Call = PROJECT_CALLS[mutation](world, where == "own") if where else CALLS[mutation](world)
    before = await footprint(pmo_state.request_sessionmaker, org.id)
    actions_before = await audit_actions(pmo_state.request_sessionmaker, org.id)

    result = await org.client(role).execute(call.document, call.variables)

    if _expected(mutation, role, where):
        assert "errors" not in result, result
        payload = result["data"][mutation]
        assert payload["userErrors"] == []
        assert await audit_actions(pmo_state.request_sessionmaker, org.id) == [
            *actions_before,
            mutation,
        ]
    else:
        assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"], result
        assert "Ask an ADMIN" in result["errors"][0]["message"]
        assert result["data"] is None
        assert await footprint(pmo_state.request_sessionmaker, org.id) == before


# --- reading the audit log -----------------------------------------------------------------------

ADD_NOTE = """mutation($project: ID!, $text: String!) {
  addSampleNote(input: {projectId: $project, text: $text}) {
    sampleNote { id } userErrors { code } } }"""
CREATE_PROJECT = """mutation($code: String!) {
  createProject(input: {code: $code, name: "Audited"}) { project { id } userErrors { code } } }"""
EVENT = "id seq action changes"


@dataclass
class Audited:
    """An organisation whose ADMIN added a note (its text ``secret``, in the event's changes)."""

    org: TestOrganisation
    note: str
    event: str
    secret: str


async def _audited(org: TestOrganisation) -> Audited:
    secret = f"webhook-url-{uuid.uuid4().hex}"
    project = (await org.admin.mutate(CREATE_PROJECT, {"code": "AUD-1"}))["project"]["id"]
    note = (await org.admin.mutate(ADD_NOTE, {"project": project, "text": secret}))["sampleNote"]
    log = await org.admin.query("{ auditLog(first: 1) { nodes { id action } } }")
    (event,) = log["auditLog"]["nodes"]
    assert event["action"] == "addSampleNote"
    return Audited(org, note["id"], event["id"], secret)


#: Every query that reaches an audit event, by the path it takes; what the variables name.
AUDIT_QUERIES: dict[str, tuple[str, Callable[[Audited], dict[str, Any]]]] = {
    "auditLog": (f"{{ auditLog(first: 5) {{ nodes {{ {EVENT} }} }} }}", lambda a: {}),
    "node": (
        f"query($id: ID!) {{ node(id: $id) {{ ... on AuditEvent {{ {EVENT} }} }} }}",
        lambda a: {"id": a.event},
    ),
    "nodes": (
        f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on AuditEvent {{ {EVENT} }} }} }}",
        lambda a: {"ids": [a.event]},
    ),
    "SampleNote.history": (
        f"query($id: ID!) {{ node(id: $id) {{ ... on SampleNote {{ history {{ {EVENT} }} }} }} }}",
        lambda a: {"id": a.note},
    ),
}
#: The subscription, live and resumed from the log.
AUDIT_SUBSCRIPTIONS = {
    "auditEvents": f"subscription {{ auditEvents {{ {EVENT} }} }}",
    "auditEvents(afterSeq:)": f"subscription {{ auditEvents(afterSeq: 1) {{ {EVENT} }} }}",
}
#: The roles that may take each path: reading an audit event anywhere needs ``auditLog``; the
#: subscription needs ``auditEvents`` besides.
AUDIT_READERS = {
    **dict.fromkeys(AUDIT_QUERIES, READS_ALLOWED["auditLog"]),
    **dict.fromkeys(AUDIT_SUBSCRIPTIONS, READS_ALLOWED["auditLog"] & READS_ALLOWED["auditEvents"]),
}
AUDIT_CELLS = [(path, role) for path in AUDIT_QUERIES for role in Role]
SUBSCRIPTION_CELLS = [(path, role) for path in AUDIT_SUBSCRIPTIONS for role in Role]


def _events_in(data: Any) -> list[dict[str, Any]]:
    """Every audit event object anywhere in ``data``."""
    if isinstance(data, list):
        return [event for item in data for event in _events_in(item)]
    if not isinstance(data, dict):
        return []
    found = [data] if "action" in data and "changes" in data else []
    return found + [event for value in data.values() for event in _events_in(value)]


def _assert_refused(result: dict[str, Any], audited: Audited) -> None:
    errors = result.get("errors") or []
    assert errors, result
    assert {e["extensions"]["code"] for e in errors} == {"FORBIDDEN"}, errors
    assert {e["extensions"]["action"] for e in errors} == {"auditLog"}, errors
    assert "Ask an ADMIN" in errors[0]["message"]
    assert _events_in(result.get("data")) == []
    assert audited.secret not in json.dumps(result)


def _assert_read(result: dict[str, Any], audited: Audited) -> None:
    assert "errors" not in result, result
    events = _events_in(result["data"])
    assert audited.event in [event["id"] for event in events]
    (note_event,) = [event for event in events if event["id"] == audited.event]
    assert note_event["action"] == "addSampleNote"
    assert note_event["changes"] == {"text": audited.secret}


def test_every_field_that_answers_audit_events_has_cells(pmo_state: AppState) -> None:
    """A field added to any type that answers audit events (or their connection) must be a
    path of the matrix; ``node`` and ``nodes`` answer every type and are paths already."""
    schema = pmo_state.built.schema._schema
    answering = set()
    for type_name, graphql_type in schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or type_name.startswith("AuditEvent"):
            continue
        for field_name, definition in graphql_type.fields.items():
            if get_named_type(definition.type).name in ("AuditEvent", "AuditEventConnection"):
                answering.add(
                    field_name
                    if type_name in ("Query", "Subscription")
                    else f"{type_name}.{field_name}"
                )
    assert answering == set(AUDIT_QUERIES) - {"node", "nodes"} | {"auditEvents"}


@pytest.mark.parametrize(
    ("path", "role"), AUDIT_CELLS, ids=[f"{path}-{role.value}" for path, role in AUDIT_CELLS]
)
async def test_audit_event_read_cell(path: str, role: Role, org: TestOrganisation) -> None:
    audited = await _audited(org)
    document, variables = AUDIT_QUERIES[path]
    result = await org.client(role).execute(document, variables(audited))
    if role in AUDIT_READERS[path]:
        _assert_read(result, audited)
    else:
        _assert_refused(result, audited)


@pytest.mark.parametrize(
    ("path", "role"),
    SUBSCRIPTION_CELLS,
    ids=[f"{path}-{role.value}" for path, role in SUBSCRIPTION_CELLS],
)
async def test_audit_event_subscription_cell(
    path: str, role: Role, org: TestOrganisation, pmo_server_url: str
) -> None:
    resumed = "afterSeq" in path
    audited = await _audited(org) if resumed else None
    async with GraphQLSocket(pmo_server_url, org.tokens[role]) as socket:
        subscription = await socket.subscribe(AUDIT_SUBSCRIPTIONS[path])
        if audited is None:
            audited = await _audited(org)  # its events are committed while it listens
        messages: list[dict[str, Any]] = []
        if role in AUDIT_READERS[path]:
            while audited.event not in [e["id"] for m in messages for e in _events_in(m)]:
                messages.append(await socket.data(subscription))
            _assert_read({"data": messages}, audited)
        else:
            message = await socket.receive(subscription)
            assert message["type"] == "error", message
            errors = message["payload"]
            assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"], errors
            assert audited.secret not in json.dumps(message)


@pytest.mark.pmo_backends("postgresql")
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
async def test_audit_event_compiled_cell(role: Role, org: TestOrganisation) -> None:
    """An ADMIN asks first, twice: were an audit event compiled, the plan and the fast lane would
    then hold the document and answer it to whoever asks next (the role's second request, its
    token known by then, is the fast lane's)."""
    audited = await _audited(org)
    document = "query Compiled($id: ID!) { node(id: $id) { id ... on AuditEvent { seq action } } }"
    for _ in range(2):
        await org.admin.query(document, {"id": audited.event})
    for _ in range(2):
        result = await org.client(role).execute(document, {"id": audited.event})
        if role in AUDIT_READERS["node"]:
            assert "errors" not in result, result
            assert result["data"]["node"]["id"] == audited.event
            assert result["data"]["node"]["action"] == "addSampleNote"
        else:
            errors = result.get("errors") or []
            assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"], result
            assert result["data"] == {"node": None}
