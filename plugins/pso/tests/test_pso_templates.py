"""Project templates and projects created from them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

CREATE_TEMPLATE = """
mutation($input: CreateProjectTemplateInput!) {
  createProjectTemplate(input: $input) {
    projectTemplate { id name description milestones { name offsetDays } }
    userErrors { field message code }
  }
}
"""
FROM_TEMPLATE = """
mutation($input: CreateProjectFromTemplateInput!) {
  createProjectFromTemplate(input: $input) {
    project { code name stage startDate endDate description milestones { name baselineDate forecastDate slipDays } }
    userErrors { field message code }
  }
}
"""
MILESTONES = [
    {"name": "Kick-off", "offsetDays": 0},
    {"name": "Design", "offsetDays": 30},
    {"name": "Go-live", "offsetDays": 90},
]


async def test_a_project_from_a_template_gets_its_milestones(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    template = (
        await org.admin.mutate(
            CREATE_TEMPLATE,
            {"input": {"name": "Delivery", "description": "Standard", "milestones": MILESTONES}},
        )
    )["projectTemplate"]
    assert template["milestones"] == MILESTONES
    created = await org.admin.mutate(
        FROM_TEMPLATE,
        {
            "input": {
                "templateId": template["id"],
                "code": "TPL-1",
                "name": "From template",
                "startDate": "2027-02-01",
            }
        },
    )
    # 2027-02-01 + 30 days = 2027-03-03 (February 2027 has 28 days); + 90 days = 2027-05-02
    assert created["project"] == {
        "code": "TPL-1",
        "name": "From template",
        "stage": "PROPOSED",
        "startDate": "2027-02-01",
        "endDate": "2027-05-02",
        "description": "Standard",
        "milestones": [
            {
                "name": "Kick-off",
                "baselineDate": "2027-02-01",
                "forecastDate": "2027-02-01",
                "slipDays": 0,
            },
            {
                "name": "Design",
                "baselineDate": "2027-03-03",
                "forecastDate": "2027-03-03",
                "slipDays": 0,
            },
            {
                "name": "Go-live",
                "baselineDate": "2027-05-02",
                "forecastDate": "2027-05-02",
                "slipDays": 0,
            },
        ],
    }
    duplicate = (
        await org.admin.query(
            FROM_TEMPLATE,
            {
                "input": {
                    "templateId": template["id"],
                    "code": "TPL-1",
                    "name": "Again",
                    "startDate": "2027-02-01",
                }
            },
        )
    )["createProjectFromTemplate"]
    assert duplicate["userErrors"] == [
        {
            "field": ["code"],
            "message": "Another project already has the code TPL-1.",
            "code": "DUPLICATE",
        }
    ]
    listed = await org.admin.query(
        "{ projectTemplates { totalCount nodes { name milestones { name } } } }"
    )
    assert listed["projectTemplates"]["totalCount"] == 1


async def test_negative_offsets_and_blank_names_are_refused_and_nothing_written(
    make_org: MakeOrg,
) -> None:
    org = await make_org(tiers=["pso"])
    bad = [
        {"name": "Start", "offsetDays": 0},
        {"name": "Before start", "offsetDays": -5},
        {"name": " ", "offsetDays": 10},
    ]
    refused = (
        await org.admin.query(CREATE_TEMPLATE, {"input": {"name": "Broken", "milestones": bad}})
    )["createProjectTemplate"]
    assert refused["projectTemplate"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["milestones", "1", "offsetDays"], "INVALID"),
        (["milestones", "2", "name"], "INVALID"),
    ]
    assert "offsetDays of milestone 2 is -5" in refused["userErrors"][0]["message"]
    assert (await org.admin.query("{ projectTemplates { totalCount } }"))["projectTemplates"][
        "totalCount"
    ] == 0
    missing = (
        await org.admin.query(
            FROM_TEMPLATE,
            {
                "input": {
                    "templateId": "UHJvamVjdFRlbXBsYXRlOjk5OTk5",
                    "code": "X",
                    "name": "X",
                    "startDate": "2027-01-01",
                }
            },
        )
    )["createProjectFromTemplate"]
    assert missing["userErrors"][0] == {
        "field": ["templateId"],
        "message": "No project template has the id 'UHJvamVjdFRlbXBsYXRlOjk5OTk5'.",
        "code": "NOT_FOUND",
    }
