"""Skills, assignments and suggestStaff, worked out by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pso_helpers import ADD_SKILL, ASSIGN, person, project
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import parse_pk
from pmo_graph.testing import TestOrganisation
from pmo_graph_pso.models import PersonCapacity

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

SUGGEST = """
query($project: ID!, $skill: String!, $allocation: Float!, $first: Int) {
  suggestStaff(projectId: $project, skill: $skill, allocation: $allocation,
               startDate: "2027-01-01", endDate: "2027-01-31", first: $first) {
    person { name } skillLevel availableAllocation
  }
}
"""
RELEASE = "mutation($id: ID!) { releaseAssignment(input: {assignmentId: $id}) { assignment { id } userErrors { field message code } } }"


async def test_suggest_staff(make_org: MakeOrg, db_session: AsyncSession) -> None:
    org = await make_org(tiers=["pso"])
    client = org.admin
    target = await project(client, "NEW")
    busy = await project(client, "BUSY")
    people = {name: await person(client, name) for name in ("Ann", "Bob", "Cat", "Dan", "Eve")}
    for name, level in (("Ann", 5), ("Bob", 4), ("Cat", 5), ("Dan", 3)):
        await client.mutate(
            ADD_SKILL,
            {"input": {"personId": people[name], "skill": "Data engineering", "level": level}},
        )
    await client.mutate(
        ADD_SKILL, {"input": {"personId": people["Eve"], "skill": "Testing", "level": 5}}
    )
    db_session.add(
        PersonCapacity(
            organisation_id=org.id, person_id=parse_pk(people["Cat"], "Person"), capacity=0.8
        )
    )
    await db_session.commit()

    async def assign(name: str, allocation: float, start: str, end: str) -> str:
        payload = await client.mutate(
            ASSIGN,
            {
                "input": {
                    "projectId": busy,
                    "personId": people[name],
                    "role": "Engineer",
                    "allocation": allocation,
                    "startDate": start,
                    "endDate": end,
                }
            },
        )
        return str(payload["assignment"]["id"])

    await assign("Ann", 0.3, "2026-12-15", "2027-01-10")
    await assign("Ann", 0.3, "2027-01-05", "2027-02-28")  # Ann: 0.6 from Jan 5 to 10 → 0.4 free
    await assign("Bob", 0.2, "2027-01-01", "2027-01-31")  # Bob: 0.2 all month → 0.8 free
    await assign("Bob", 0.9, "2027-03-01", "2027-03-31")  # outside the window
    await assign("Cat", 0.3, "2027-01-20", "2027-01-25")  # Cat: capacity 0.8 - 0.3 → 0.5 free
    released = await assign("Dan", 0.9, "2027-01-01", "2027-01-31")
    await client.mutate(RELEASE, {"id": released})  # released: Dan is free again

    suggestions = (
        await client.query(
            SUGGEST, {"project": target, "skill": "data ENGINEERING", "allocation": 0.5}
        )
    )["suggestStaff"]
    # Ann is the best engineer but has only 0.4 free; Cat's 0.5 is just enough.
    assert suggestions == [
        {"person": {"name": "Cat"}, "skillLevel": 5, "availableAllocation": 0.5},
        {"person": {"name": "Bob"}, "skillLevel": 4, "availableAllocation": 0.8},
        {"person": {"name": "Dan"}, "skillLevel": 3, "availableAllocation": 1.0},
    ]
    small = (
        await client.query(
            SUGGEST, {"project": target, "skill": "Data engineering", "allocation": 0.4, "first": 2}
        )
    )["suggestStaff"]
    assert [(s["person"]["name"], s["availableAllocation"]) for s in small] == [
        ("Cat", 0.5),
        ("Ann", 0.4),
    ]
    assert (
        await client.query(SUGGEST, {"project": target, "skill": "Welding", "allocation": 0.1})
    )["suggestStaff"] == []
    for variables in ({"allocation": 0.0}, {"allocation": 1.5}, {"allocation": 0.5, "first": 501}):
        errors = await client.errors(
            SUGGEST, {"project": target, "skill": "x", "allocation": 0.5, **variables}
        )
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", variables


async def test_skills(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    someone = await person(org.admin, "Sam")
    added = await org.admin.mutate(
        ADD_SKILL, {"input": {"personId": someone, "skill": " Risk   management ", "level": 3}}
    )
    assert added["person"]["skills"] == [{"skill": "Risk management", "level": 3}]
    await org.admin.mutate(
        ADD_SKILL, {"input": {"personId": someone, "skill": "Coaching", "level": 5}}
    )
    duplicate = (
        await org.admin.query(
            ADD_SKILL, {"input": {"personId": someone, "skill": "RISK MANAGEMENT", "level": 4}}
        )
    )["addPersonSkill"]
    assert [(e["field"], e["code"]) for e in duplicate["userErrors"]] == [(["skill"], "DUPLICATE")]
    for level in (0, 6):
        bad = (
            await org.admin.query(
                ADD_SKILL, {"input": {"personId": someone, "skill": "Python", "level": level}}
            )
        )["addPersonSkill"]
        assert bad["userErrors"] == [
            {
                "field": ["level"],
                "message": "level must be from 1 (aware) to 5 (expert).",
                "code": "INVALID",
            }
        ]
    remove = "mutation($p: ID!, $s: String!) { removePersonSkill(input: {personId: $p, skill: $s}) { person { skills { skill level } } userErrors { code } } }"
    assert (await org.admin.mutate(remove, {"p": someone, "s": "coaching"}))["person"][
        "skills"
    ] == [{"skill": "Risk management", "level": 3}]
    assert (await org.admin.query(remove, {"p": someone, "s": "coaching"}))["removePersonSkill"][
        "userErrors"
    ] == [{"code": "NOT_FOUND"}]


async def test_assignments(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    target = await project(org.admin, "STAFFED")
    someone = await person(org.admin, "Pat")
    base = {
        "projectId": target,
        "personId": someone,
        "role": "Analyst",
        "allocation": 0.5,
        "startDate": "2027-01-01",
        "endDate": "2027-03-31",
    }
    for change, field in (
        ({"allocation": 0}, "allocation"),
        ({"allocation": 1.01}, "allocation"),
        ({"endDate": "2026-12-31"}, "endDate"),
        ({"role": ""}, "role"),
    ):
        refused = (await org.admin.query(ASSIGN, {"input": {**base, **change}}))["assignPerson"]
        assert refused["assignment"] is None
        assert [e["field"] for e in refused["userErrors"]] == [[field]], change
    assigned = (await org.admin.mutate(ASSIGN, {"input": {**base, "allocation": 1.0}}))[
        "assignment"
    ]
    assert (assigned["allocation"], assigned["person"], assigned["project"]) == (
        1.0,
        {"name": "Pat"},
        {"code": "STAFFED"},
    )
    lists = "query($p: ID!, $q: ID!) { project: node(id: $p) { ... on Project { assignments { role } } } person: node(id: $q) { ... on Person { assignments { project { code } } } } }"
    data = await org.admin.query(lists, {"p": target, "q": someone})
    assert data == {
        "project": {"assignments": [{"role": "Analyst"}]},
        "person": {"assignments": [{"project": {"code": "STAFFED"}}]},
    }
    await org.admin.mutate(RELEASE, {"id": assigned["id"]})
    assert await org.admin.query(lists, {"p": target, "q": someone}) == {
        "project": {"assignments": []},
        "person": {"assignments": []},
    }
    again = (await org.admin.query(RELEASE, {"id": assigned["id"]}))["releaseAssignment"]
    assert again["userErrors"][0]["code"] == "INVALID"
