"""recordLesson and updateLesson: what they write, every userError, and who may use them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lessons_helpers import (
    CREATE_PERSON,
    RECORD,
    UPDATE,
    UPDATE_PROJECT,
    global_id,
    project,
    record,
)
from pmo_graph.sdk import Role
from pmo_graph.testing import GraphQLClient, TestOrganisation
from pmo_graph_lessons.enums import LessonCategory
from pmo_graph_lessons.models import Lesson

MakeOrg = Callable[..., Awaitable[TestOrganisation]]


async def test_a_lesson_is_recorded_with_who_and_when(
    org: TestOrganisation, db_session: AsyncSession
) -> None:
    project_id = await project(org.admin, "REC-1")

    lesson = await record(
        org.admin,
        project_id,
        "  Suppliers quoted in different units  ",
        whatHappened="Two bids looked 30% apart but were priced per day and per week.",
        recommendation="Send a pricing template with every invitation to tender.",
        category="SUPPLIERS",
    )

    assert lesson["title"] == "Suppliers quoted in different units"  # trimmed
    assert lesson["whatHappened"].startswith("Two bids")
    assert lesson["recommendation"].startswith("Send a pricing template")
    assert lesson["category"] == "SUPPLIERS"
    assert lesson["version"] == 1
    assert lesson["project"] == {"code": "REC-1"}
    assert lesson["recordedBy"] == {"email": f"admin@{org.slug}.test"}
    assert lesson["createdAt"] <= lesson["updatedAt"]
    row = (await db_session.scalars(select(Lesson).where(Lesson.organisation_id == org.id))).one()
    assert global_id("Lesson", row.id) == lesson["id"]
    assert row.category is LessonCategory.SUPPLIERS
    assert row.search_key == (
        "suppliers quoted in different units\n"
        "two bids looked 30% apart but were priced per day and per week.\n"
        "send a pricing template with every invitation to tender."
    )


async def test_only_the_title_is_required_and_the_category_defaults_to_other(
    org: TestOrganisation,
) -> None:
    project_id = await project(org.admin, "REC-2")
    lesson = await record(org.admin, project_id, "Short", whatHappened="   ")
    assert lesson["category"] == "OTHER"
    assert lesson["whatHappened"] is None  # blank optional text is stored as none
    assert lesson["recommendation"] is None


async def test_recording_is_audited(org: TestOrganisation) -> None:
    project_id = await project(org.admin, "REC-3")
    lesson = await record(org.admin, project_id, "Audited", category="GOVERNANCE")
    data = await org.admin.query(
        "query($id: ID!) { auditLog(entityId: $id) { nodes { action changes actor { email } } } }",
        {"id": lesson["id"]},
    )
    assert data["auditLog"]["nodes"] == [
        {
            "action": "recordLesson",
            "changes": {
                "projectId": project_id,
                "title": "Audited",
                "whatHappened": None,
                "recommendation": None,
                "category": "GOVERNANCE",
            },
            "actor": {"email": f"admin@{org.slug}.test"},
        }
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"title": ""},
            [{"field": ["title"], "message": "title must not be blank.", "code": "INVALID"}],
        ),
        (
            {"title": "   "},
            [{"field": ["title"], "message": "title must not be blank.", "code": "INVALID"}],
        ),
        (
            {"title": "x" * 201},
            [
                {
                    "field": ["title"],
                    "message": "title must be at most 200 characters.",
                    "code": "INVALID",
                }
            ],
        ),
        (
            {"title": "x" * 200, "whatHappened": "y" * 20001, "recommendation": "z" * 20001},
            [
                {
                    "field": ["whatHappened"],
                    "message": "whatHappened must be at most 20000 characters.",
                    "code": "INVALID",
                },
                {
                    "field": ["recommendation"],
                    "message": "recommendation must be at most 20000 characters.",
                    "code": "INVALID",
                },
            ],
        ),
    ],
    ids=["empty-title", "blank-title", "title-too-long", "texts-too-long"],
)
async def test_invalid_input_is_answered_with_user_errors_and_nothing_is_written(
    org: TestOrganisation, fields: dict[str, str], expected: list[dict[str, object]]
) -> None:
    project_id = await project(org.admin, "BAD-1")
    data = await org.admin.query(RECORD, {"input": {"projectId": project_id, **fields}})
    assert data["recordLesson"] == {"lesson": None, "userErrors": expected}
    assert (await org.admin.query("{ lessons { totalCount } }"))["lessons"]["totalCount"] == 0


@pytest.mark.parametrize(
    "project_id",
    ["UHJvamVjdDo5OTk5OTk5", "not-an-id", global_id("Lesson", 1)],
    ids=["unknown-project", "malformed-id", "id-of-another-type"],
)
async def test_an_unknown_project_is_not_found(org: TestOrganisation, project_id: str) -> None:
    data = await org.admin.query(RECORD, {"input": {"projectId": project_id, "title": "Lost"}})
    assert data["recordLesson"] == {
        "lesson": None,
        "userErrors": [
            {
                "field": ["projectId"],
                "message": f"No project has the id {project_id!r}.",
                "code": "NOT_FOUND",
            }
        ],
    }


async def test_a_project_of_another_organisation_is_not_found(make_org: MakeOrg) -> None:
    ours = await make_org(tiers=["pso", "lessons"])
    theirs = await make_org(tiers=["pso", "lessons"])
    their_project = await project(theirs.admin, "THEIRS")
    data = await ours.admin.query(RECORD, {"input": {"projectId": their_project, "title": "Spy"}})
    assert data["recordLesson"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await theirs.admin.query("{ lessons { totalCount } }"))["lessons"]["totalCount"] == 0


# --- permissions ---------------------------------------------------------------------------------

ANY_PROJECT = [Role.ADMIN, Role.OFFICE, Role.PORTFOLIO_MANAGER, Role.PROGRAMME_DIRECTOR]


@pytest.mark.parametrize("role", ANY_PROJECT, ids=lambda r: r.value)
async def test_managers_and_the_office_record_on_any_project(
    org: TestOrganisation, role: Role
) -> None:
    project_id = await project(org.admin, "ANY-1")
    lesson = await record(org.client(role), project_id, f"By {role.value}")
    assert lesson["recordedBy"] == {"email": f"{role.value.lower()}@{org.slug}.test"}


async def test_a_project_manager_records_on_their_own_project_only(org: TestOrganisation) -> None:
    manager = global_id("Person", org.person_ids[Role.PROJECT_MANAGER])
    own = await project(org.admin, "OWN-1", managerId=manager)
    other_manager = await org.admin.mutate(CREATE_PERSON, {"input": {"name": "Someone Else"}})
    others = await project(org.admin, "OTHER-1", managerId=other_manager["person"]["id"])
    unmanaged = await project(org.admin, "NONE-1")
    pm = org.client(Role.PROJECT_MANAGER)

    lesson = await record(pm, own, "On my project")
    assert lesson["project"] == {"code": "OWN-1"}
    for project_id in (others, unmanaged):
        errors = await pm.errors(RECORD, {"input": {"projectId": project_id, "title": "Not mine"}})
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
        assert "recordLesson" in errors[0]["message"]
    data = await org.admin.query("{ lessons { nodes { title } } }")
    assert data["lessons"]["nodes"] == [{"title": "On my project"}]


async def test_a_viewer_records_nothing_but_reads_everything(org: TestOrganisation) -> None:
    project_id = await project(org.admin, "VIEW-1")
    await record(org.admin, project_id, "Readable by all")
    viewer = org.client(Role.VIEWER)
    errors = await viewer.errors(RECORD, {"input": {"projectId": project_id, "title": "No"}})
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    data = await viewer.query("{ lessons { totalCount nodes { title } } }")
    assert data["lessons"] == {"totalCount": 1, "nodes": [{"title": "Readable by all"}]}


async def test_anonymous_callers_are_unauthenticated(org: TestOrganisation) -> None:
    project_id = await project(org.admin, "ANON-1")
    anonymous = GraphQLClient(org.http)
    errors = await anonymous.errors(RECORD, {"input": {"projectId": project_id, "title": "No"}})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


# --- updateLesson --------------------------------------------------------------------------------


async def test_a_lesson_is_corrected_with_expected_version(org: TestOrganisation) -> None:
    project_id = await project(org.admin, "UPD-1")
    lesson = await record(org.admin, project_id, "Draft", whatHappened="Something went wrong")

    payload = await org.admin.mutate(
        UPDATE,
        {
            "input": {
                "lessonId": lesson["id"],
                "expectedVersion": 1,
                "title": "Final wording",
                "recommendation": "Do it differently",
                "category": "PLANNING",
            }
        },
    )
    assert payload["lesson"] == {
        "id": lesson["id"],
        "title": "Final wording",
        "whatHappened": "Something went wrong",  # left out: kept
        "recommendation": "Do it differently",
        "category": "PLANNING",
        "version": 2,
    }
    cleared = await org.admin.mutate(
        UPDATE, {"input": {"lessonId": lesson["id"], "whatHappened": None}}
    )
    assert cleared["lesson"]["whatHappened"] is None
    assert cleared["lesson"]["version"] == 3
    found = await org.admin.query('{ lessons(search: "differently") { nodes { id } } }')
    assert found["lessons"]["nodes"] == [{"id": lesson["id"]}]
    gone = await org.admin.query('{ lessons(search: "went wrong") { totalCount } }')
    assert gone["lessons"]["totalCount"] == 0

    stale = await org.admin.query(
        UPDATE, {"input": {"lessonId": lesson["id"], "expectedVersion": 1, "title": "Late"}}
    )
    assert stale["updateLesson"]["lesson"] is None
    assert stale["updateLesson"]["userErrors"][0]["code"] == "CONFLICT"
    assert stale["updateLesson"]["userErrors"][0]["field"] == ["expectedVersion"]


async def test_update_user_errors(org: TestOrganisation) -> None:
    project_id = await project(org.admin, "UPD-2")
    lesson = await record(org.admin, project_id, "Keep")
    data = await org.admin.query(
        UPDATE, {"input": {"lessonId": lesson["id"], "title": None, "category": None}}
    )
    assert data["updateLesson"]["userErrors"] == [
        {"field": ["title"], "message": "title is required.", "code": "INVALID"},
        {"field": ["category"], "message": "category cannot be null.", "code": "INVALID"},
    ]
    missing = await org.admin.query(
        UPDATE, {"input": {"lessonId": global_id("Lesson", 987654), "title": "x"}}
    )
    assert missing["updateLesson"]["userErrors"] == [
        {
            "field": ["lessonId"],
            "message": f"No lesson has the id {global_id('Lesson', 987654)!r}.",
            "code": "NOT_FOUND",
        }
    ]


async def test_a_project_manager_corrects_lessons_of_their_own_projects_only(
    org: TestOrganisation,
) -> None:
    manager = global_id("Person", org.person_ids[Role.PROJECT_MANAGER])
    own = await project(org.admin, "UPD-OWN", managerId=manager)
    other = await project(org.admin, "UPD-OTHER")
    mine = await record(org.admin, own, "Mine")
    theirs = await record(org.admin, other, "Theirs")
    pm = org.client(Role.PROJECT_MANAGER)

    assert (await pm.mutate(UPDATE, {"input": {"lessonId": mine["id"], "title": "Mine!"}}))[
        "lesson"
    ]["title"] == "Mine!"
    errors = await pm.errors(UPDATE, {"input": {"lessonId": theirs["id"], "title": "No"}})
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    viewer_errors = await org.client(Role.VIEWER).errors(
        UPDATE, {"input": {"lessonId": mine["id"], "title": "No"}}
    )
    assert viewer_errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_manager_who_is_removed_loses_the_right(org: TestOrganisation) -> None:
    manager = global_id("Person", org.person_ids[Role.PROJECT_MANAGER])
    project_id = await project(org.admin, "UPD-MOVE", managerId=manager)
    pm = org.client(Role.PROJECT_MANAGER)
    await record(pm, project_id, "While I managed it")
    await org.admin.mutate(UPDATE_PROJECT, {"input": {"projectId": project_id, "managerId": None}})
    errors = await pm.errors(RECORD, {"input": {"projectId": project_id, "title": "After"}})
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
