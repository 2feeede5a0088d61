"""Support engagements: coaching, workshops, guidance and assurance reviews."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pso_helpers import person, project

from pmo_graph.sdk import Role
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

RECORD = """
mutation($input: RecordSupportEngagementInput!) {
  recordSupportEngagement(input: $input) {
    supportEngagement { id kind date hours notes project { code } recipient { name } facilitator { name } }
    userErrors { field message code }
  }
}
"""


async def test_engagements_are_listed_for_the_project_and_the_person(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    target = await project(org.admin, "COACHED")
    pm = await person(org.admin, "Priya PM")
    coach = await person(org.admin, "Cora Coach")
    office = org.client(Role.OFFICE)
    first = await office.mutate(
        RECORD,
        {
            "input": {
                "kind": "COACHING",
                "projectId": target,
                "recipientId": pm,
                "facilitatorId": coach,
                "date": "2026-11-02",
                "hours": "1.5",
                "notes": "Planning",
            }
        },
    )
    assert first["supportEngagement"] == {
        "id": first["supportEngagement"]["id"],
        "kind": "COACHING",
        "date": "2026-11-02",
        "hours": "1.50",
        "notes": "Planning",
        "project": {"code": "COACHED"},
        "recipient": {"name": "Priya PM"},
        "facilitator": {"name": "Cora Coach"},
    }
    await office.mutate(
        RECORD,
        {
            "input": {
                "kind": "ASSURANCE_REVIEW",
                "projectId": target,
                "recipientId": pm,
                "date": "2026-11-16",
                "hours": "3",
            }
        },
    )
    await office.mutate(
        RECORD,
        {"input": {"kind": "WORKSHOP", "recipientId": pm, "date": "2026-11-10", "hours": "2"}},
    )
    data = await org.admin.query(
        "query($p: ID!, $q: ID!) { p: node(id: $p) { ... on Project { supportEngagements { totalCount nodes { kind } } } } q: node(id: $q) { ... on Person { supportReceived { nodes { kind date } } } } }",
        {"p": target, "q": pm},
    )
    assert data["p"]["supportEngagements"] == {
        "totalCount": 2,
        "nodes": [{"kind": "ASSURANCE_REVIEW"}, {"kind": "COACHING"}],
    }
    assert data["q"]["supportReceived"]["nodes"] == [
        {"kind": "ASSURANCE_REVIEW", "date": "2026-11-16"},
        {"kind": "WORKSHOP", "date": "2026-11-10"},
        {"kind": "COACHING", "date": "2026-11-02"},
    ]
    # A connection: engagements pile up over the years, so they come a page at a time.
    paged = "query($q: ID!, $after: String) { node(id: $q) { ... on Person { supportReceived(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { kind } } } } }"
    first = (await org.admin.query(paged, {"q": pm}))["node"]["supportReceived"]
    assert first["totalCount"] == 3
    assert [n["kind"] for n in first["nodes"]] == ["ASSURANCE_REVIEW", "WORKSHOP"]
    assert first["pageInfo"]["hasNextPage"] is True
    after = {"q": pm, "after": first["pageInfo"]["endCursor"]}
    rest = (await org.admin.query(paged, after))["node"]["supportReceived"]
    assert [n["kind"] for n in rest["nodes"]] == ["COACHING"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_bad_engagements_are_refused(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    pm = await person(org.admin, "Priya PM")
    for hours in ("0", "-1", "100.5"):
        refused = (
            await org.admin.query(
                RECORD,
                {
                    "input": {
                        "kind": "GUIDANCE",
                        "recipientId": pm,
                        "date": "2026-11-02",
                        "hours": hours,
                    }
                },
            )
        )["recordSupportEngagement"]
        assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
            (["hours"], "INVALID")
        ], hours
    missing = (
        await org.admin.query(
            RECORD,
            {
                "input": {
                    "kind": "GUIDANCE",
                    "recipientId": "UGVyc29uOjk5OTk5OTk=",
                    "date": "2026-11-02",
                    "hours": "1",
                }
            },
        )
    )["recordSupportEngagement"]
    assert missing["userErrors"][0]["field"] == ["recipientId"]
    forbidden = await org.client(Role.PROJECT_MANAGER).errors(
        RECORD,
        {"input": {"kind": "GUIDANCE", "recipientId": pm, "date": "2026-11-02", "hours": "1"}},
    )
    assert forbidden[0]["extensions"]["code"] == "FORBIDDEN"
