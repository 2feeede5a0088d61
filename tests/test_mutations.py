"""Core mutations: validation with userErrors, expectedVersion, unique codes, the audit log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from helpers import CREATE_PERSON, CREATE_PROJECT, UPDATE_PROJECT, gid
from pmo_graph.app_state import AppState
from pmo_graph.auth.roles import Role
from pmo_graph.testing import TestOrganisation
from world import footprint

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

AUDIT = """
query($entity: ID) {
  auditLog(first: 10, entityId: $entity) {
    totalCount
    nodes { action entityId changes actor { email } at }
  }
}
"""


async def _create(org: TestOrganisation, **fields: Any) -> dict[str, Any]:
    payload = await org.admin.mutate(
        CREATE_PROJECT, {"input": {"code": "C-1", "name": "One", **fields}}
    )
    return dict(payload["project"])


async def test_create_project_returns_the_project_at_version_1(org: TestOrganisation) -> None:
    person = await org.admin.mutate(CREATE_PERSON, {"input": {"name": "Maya Manager"}})
    project = await _create(
        org, budget="1250000.5", stage="ACTIVE", managerId=person["person"]["id"]
    )
    assert project["code"] == "C-1"
    assert project["version"] == 1
    assert project["budget"] == "1250000.50"
    assert project["stage"] == "ACTIVE"
    assert project["manager"] == {"name": "Maya Manager"}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"code": " "}, [(["code"], "INVALID")]),
        ({"code": "has space"}, [(["code"], "INVALID")]),
        ({"code": "X" * 41}, [(["code"], "INVALID")]),
        ({"name": ""}, [(["name"], "INVALID")]),
        ({"budget": "-1"}, [(["budget"], "INVALID")]),
        ({"budget": "1.005"}, [(["budget"], "INVALID")]),
        ({"startDate": "2026-05-01", "endDate": "2026-04-30"}, [(["endDate"], "INVALID")]),
        ({"managerId": "not-an-id"}, [(["managerId"], "NOT_FOUND")]),
        ({"sponsorId": gid("Project", 1)}, [(["sponsorId"], "NOT_FOUND")]),
        (
            {"name": "", "budget": "-5", "managerId": gid("Person", 99999999)},
            [(["name"], "INVALID"), (["budget"], "INVALID"), (["managerId"], "NOT_FOUND")],
        ),
    ],
)
async def test_create_project_refuses_bad_input_and_writes_nothing(
    org: TestOrganisation,
    pmo_state: AppState,
    fields: dict[str, Any],
    expected: list[tuple[list[str], str]],
) -> None:
    before = await footprint(pmo_state.request_sessionmaker, org.id)
    data = await org.admin.query(
        CREATE_PROJECT, {"input": {"code": "GOOD-1", "name": "Good", **fields}}
    )
    payload = data["createProject"]
    assert payload["project"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == expected
    assert all(e["message"] for e in payload["userErrors"])
    assert await footprint(pmo_state.request_sessionmaker, org.id) == before


async def test_project_codes_are_unique_per_organisation(make_org: MakeOrg) -> None:
    first, second = await make_org(), await make_org()
    await _create(first)
    duplicate = await first.admin.query(CREATE_PROJECT, {"input": {"code": "C-1", "name": "Again"}})
    assert duplicate["createProject"]["userErrors"] == [
        {
            "field": ["code"],
            "message": "Another project already has the code C-1.",
            "code": "DUPLICATE",
        }
    ]
    assert (await _create(second))["code"] == "C-1"  # another organisation may use it


async def test_update_with_the_current_version_applies_and_bumps_it(org: TestOrganisation) -> None:
    project = await _create(org)
    payload = await org.admin.mutate(
        UPDATE_PROJECT,
        {
            "input": {
                "projectId": project["id"],
                "expectedVersion": 1,
                "name": "Renamed",
                "description": None,
            }
        },
    )
    assert payload["project"]["name"] == "Renamed"
    assert payload["project"]["version"] == 2
    unchanged = await org.admin.mutate(
        UPDATE_PROJECT, {"input": {"projectId": project["id"], "name": "Renamed"}}
    )
    assert unchanged["project"]["version"] == 2  # nothing changed, no new version


async def test_a_stale_expected_version_is_a_conflict_and_changes_nothing(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    project = await _create(org)
    await org.admin.mutate(
        UPDATE_PROJECT, {"input": {"projectId": project["id"], "name": "Second"}}
    )
    before = await footprint(pmo_state.request_sessionmaker, org.id)
    stale = await org.admin.query(
        UPDATE_PROJECT,
        {
            "input": {
                "projectId": project["id"],
                "expectedVersion": 1,
                "name": "Third",
                "budget": "5",
            }
        },
    )
    payload = stale["updateProject"]
    assert payload["project"] is None
    assert payload["userErrors"] == [
        {
            "field": ["expectedVersion"],
            "message": "The project is at version 2, not 1: it changed since you read it. "
            "Reload it and apply your change again.",
            "code": "CONFLICT",
        }
    ]
    assert await footprint(pmo_state.request_sessionmaker, org.id) == before
    current = await org.admin.query(
        "query($id: ID!) { node(id: $id) { ... on Project { name version budget } } }",
        {"id": project["id"]},
    )
    assert current["node"] == {"name": "Second", "version": 2, "budget": None}


@pytest.mark.parametrize(
    ("create", "update", "id_field", "thing"),
    [
        (
            'mutation { createPerson(input: {name: "P"}) { person { id version } userErrors { code } } }',
            'mutation($id: ID!, $v: Int) { updatePerson(input: {personId: $id, expectedVersion: $v, title: "T"}) { person { version title } userErrors { field code } } }',
            "createPerson",
            "person",
        ),
        (
            'mutation { createPortfolio(input: {name: "F"}) { portfolio { id version } userErrors { code } } }',
            'mutation($id: ID!, $v: Int) { updatePortfolio(input: {portfolioId: $id, expectedVersion: $v, description: "D"}) { portfolio { version description } userErrors { field code } } }',
            "createPortfolio",
            "portfolio",
        ),
        (
            'mutation { createProgramme(input: {name: "G"}) { programme { id version } userErrors { code } } }',
            'mutation($id: ID!, $v: Int) { updateProgramme(input: {programmeId: $id, expectedVersion: $v, vision: "V"}) { programme { version vision } userErrors { field code } } }',
            "createProgramme",
            "programme",
        ),
    ],
)
async def test_every_versioned_entity_refuses_a_stale_version(
    org: TestOrganisation, create: str, update: str, id_field: str, thing: str
) -> None:
    created = (await org.admin.mutate(create))[thing]
    assert created["version"] == 1
    applied = await org.admin.query(update, {"id": created["id"], "v": 1})
    (payload,) = applied.values()
    assert payload["userErrors"] == []
    assert payload[thing]["version"] == 2
    stale = await org.admin.query(update, {"id": created["id"], "v": 1})
    (payload,) = stale.values()
    assert payload[thing] is None
    assert payload["userErrors"] == [{"field": ["expectedVersion"], "code": "CONFLICT"}]


async def test_moving_a_project_between_portfolios_and_programmes(org: TestOrganisation) -> None:
    project = await _create(org)
    portfolio = (
        await org.admin.mutate(
            'mutation { createPortfolio(input: {name: "F"}) { portfolio { id } userErrors { code } } }'
        )
    )["portfolio"]
    programme = (
        await org.admin.mutate(
            'mutation($p: ID) { createProgramme(input: {name: "G", portfolioId: $p}) { programme { id portfolio { name } } userErrors { code } } }',
            {"p": portfolio["id"]},
        )
    )["programme"]
    assert programme["portfolio"] == {"name": "F"}
    set_portfolio = "mutation($id: ID!, $p: ID) { setProjectPortfolio(input: {projectId: $id, portfolioId: $p}) { project { portfolio { name } version } userErrors { code } } }"
    set_programme = "mutation($id: ID!, $p: ID) { setProjectProgramme(input: {projectId: $id, programmeId: $p}) { project { programme { name } } userErrors { code } } }"
    moved = await org.admin.mutate(set_portfolio, {"id": project["id"], "p": portfolio["id"]})
    assert moved["project"] == {"portfolio": {"name": "F"}, "version": 2}
    assert (await org.admin.mutate(set_programme, {"id": project["id"], "p": programme["id"]}))[
        "project"
    ] == {"programme": {"name": "G"}}
    lists = await org.admin.query(
        "query($f: ID!) { node(id: $f) { ... on Portfolio { projects { totalCount nodes { code } } programmes { nodes { name } } } } }",
        {"f": portfolio["id"]},
    )
    assert lists["node"] == {
        "projects": {"totalCount": 1, "nodes": [{"code": "C-1"}]},
        "programmes": {"nodes": [{"name": "G"}]},
    }
    detached = await org.admin.mutate(set_portfolio, {"id": project["id"], "p": None})
    assert detached["project"]["portfolio"] is None
    wrong = await org.admin.query(set_portfolio, {"id": project["id"], "p": programme["id"]})
    assert wrong["setProjectPortfolio"]["userErrors"] == [{"code": "NOT_FOUND"}]


async def test_people_emails_are_unique_and_validated(org: TestOrganisation) -> None:
    await org.admin.mutate(CREATE_PERSON, {"input": {"name": "Ann", "email": "Ann@Example.org"}})
    again = await org.admin.query(
        CREATE_PERSON, {"input": {"name": "Ann 2", "email": "ann@example.org"}}
    )
    assert again["createPerson"]["userErrors"][0]["code"] == "DUPLICATE"
    bad = await org.admin.query(
        CREATE_PERSON, {"input": {"name": "Bob", "email": "bob-at-example"}}
    )
    assert bad["createPerson"]["userErrors"] == [
        {"field": ["email"], "message": "email is not an email address.", "code": "INVALID"}
    ]


async def test_every_successful_mutation_leaves_one_audit_event(org: TestOrganisation) -> None:
    project = await _create(org, budget="10.00")
    await org.admin.mutate(
        UPDATE_PROJECT,
        {"input": {"projectId": project["id"], "budget": "12.50", "stage": "APPROVED"}},
    )
    await org.admin.query(
        UPDATE_PROJECT, {"input": {"projectId": project["id"], "expectedVersion": 1, "name": "x"}}
    )  # refused
    log = (await org.admin.query(AUDIT, {"entity": project["id"]}))["auditLog"]
    assert log["totalCount"] == 2
    update, create = log["nodes"]  # newest first
    assert create["action"] == "createProject"
    assert create["entityId"] == project["id"]
    assert create["changes"]["code"] == "C-1"
    assert create["changes"]["budget"] == "10.00"
    assert update["action"] == "updateProject"
    assert update["changes"] == {
        "budget": {"from": "10.00", "to": "12.50"},
        "stage": {"from": "PROPOSED", "to": "APPROVED"},
    }
    assert update["actor"] == {"email": f"admin@{org.slug}.test"}
    assert update["at"].endswith("+00:00")


async def test_the_audit_log_is_for_admins_and_office_staff(org: TestOrganisation) -> None:
    for role in Role:
        result = await org.client(role).execute("{ auditLog { totalCount } }")
        if role in (Role.ADMIN, Role.OFFICE):
            assert "errors" not in result
        else:
            assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
