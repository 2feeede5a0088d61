"""Lessons reviews: closing a project through the core's updateProject opens one in the same
transaction; the first lesson recorded after the closing completes it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lessons_helpers import (
    DISABLE,
    ENABLE,
    UPDATE_PROJECT,
    project,
    record,
    review,
    set_stage,
)
from pmo_graph.sdk import Role, parse_pk
from pmo_graph.testing import TestOrganisation
from pmo_graph_lessons.models import LessonReview

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

REVIEWS = """
query($status: LessonReviewStatus, $first: Int, $after: String) {
  lessonReviews(status: $status, first: $first, after: $after) {
    totalCount nodes { status dueOn project { code } } pageInfo { hasNextPage endCursor }
  }
}
"""


def _today() -> date:
    return datetime.now(UTC).date()


async def test_closing_a_project_opens_a_review_due_in_fourteen_days(
    org: TestOrganisation,
) -> None:
    project_id = await project(org.admin, "CLOSE-1", stage="ACTIVE")
    assert await review(org.admin, project_id) is None

    closed = await set_stage(org.admin, project_id, "CLOSED")
    assert closed["stage"] == "CLOSED"

    opened = await review(org.admin, project_id)
    assert opened is not None
    today = _today()
    assert opened["openedOn"] == today.isoformat()
    assert opened["dueOn"] == (today + timedelta(days=14)).isoformat()
    assert opened["status"] == "OPEN"
    assert opened["completed"] is False
    assert opened["completedAt"] is None
    assert opened["completedBy"] is None
    assert opened["overdue"] is False
    assert opened["project"] == {"code": "CLOSE-1"}
    overdue = await org.admin.query(
        "query($id: ID!, $day: Date) { node(id: $id) { ... on Project { lessonReview { overdue(asOf: $day) } } } }",
        {"id": project_id, "day": (today + timedelta(days=15)).isoformat()},
    )
    assert overdue["node"]["lessonReview"]["overdue"] is True


async def test_the_first_lesson_after_closing_completes_the_review(org: TestOrganisation) -> None:
    project_id = await project(org.admin, "CLOSE-2", stage="ACTIVE")
    await record(org.admin, project_id, "Learned while running")  # before closing: no review yet
    await set_stage(org.admin, project_id, "CLOSED")
    assert (await review(org.admin, project_id) or {})["status"] == "OPEN"

    lesson = await record(org.admin, project_id, "Learned at the close")

    completed = await review(org.admin, project_id)
    assert completed is not None
    assert completed["status"] == "COMPLETED"
    assert completed["completed"] is True
    assert completed["completedAt"] is not None
    assert completed["completedBy"] == {"title": "Learned at the close"}
    assert completed["overdue"] is False
    # A second lesson does not change it.
    await record(org.admin, project_id, "One more")
    assert await review(org.admin, project_id) == completed
    # The completion is audited, by the action that caused it.
    data = await org.admin.query(
        "query($id: ID!) { auditLog(entityId: $id) { nodes { action changes } } }",
        {"id": completed["id"]},
    )
    assert [n["action"] for n in data["auditLog"]["nodes"]] == ["recordLesson", "updateProject"]
    assert data["auditLog"]["nodes"][0]["changes"] == {
        "status": {"from": "OPEN", "to": "COMPLETED"},
        "lessonId": lesson["id"],
    }


async def test_a_project_manager_closing_their_project_opens_its_review(
    org: TestOrganisation,
) -> None:
    from lessons_helpers import global_id

    manager = global_id("Person", org.person_ids[Role.PROJECT_MANAGER])
    project_id = await project(org.admin, "CLOSE-PM", stage="ACTIVE", managerId=manager)
    pm = org.client(Role.PROJECT_MANAGER)
    await set_stage(pm, project_id, "CLOSED")
    assert (await review(pm, project_id) or {})["status"] == "OPEN"
    await record(pm, project_id, "Mine to tell")
    assert (await review(pm, project_id) or {})["status"] == "COMPLETED"


async def test_a_closing_that_fails_opens_no_review(
    org: TestOrganisation, db_session: AsyncSession
) -> None:
    project_id = await project(org.admin, "FAIL-1", stage="ACTIVE")
    blank_name = await org.admin.query(
        UPDATE_PROJECT, {"input": {"projectId": project_id, "stage": "CLOSED", "name": " "}}
    )
    assert blank_name["updateProject"]["userErrors"][0]["code"] == "INVALID"
    stale = await org.admin.query(
        UPDATE_PROJECT,
        {"input": {"projectId": project_id, "stage": "CLOSED", "expectedVersion": 99}},
    )
    assert stale["updateProject"]["userErrors"][0]["code"] == "CONFLICT"
    refused = await org.client(Role.VIEWER).errors(
        UPDATE_PROJECT, {"input": {"projectId": project_id, "stage": "CLOSED"}}
    )
    assert refused[0]["extensions"]["code"] == "FORBIDDEN"

    assert await review(org.admin, project_id) is None
    rows = await db_session.scalars(
        select(LessonReview).where(LessonReview.organisation_id == org.id)
    )
    assert list(rows) == []


async def test_other_stage_changes_open_no_review(org: TestOrganisation) -> None:
    project_id = await project(org.admin, "STAGES")
    for stage in ("APPROVED", "ACTIVE", "ON_HOLD", "CANCELLED"):
        await set_stage(org.admin, project_id, stage)
    await org.admin.mutate(UPDATE_PROJECT, {"input": {"projectId": project_id, "name": "Renamed"}})
    assert await review(org.admin, project_id) is None
    created_closed = await project(org.admin, "BORN-CLOSED", stage="CLOSED")
    assert await review(org.admin, created_closed) is None  # created, not closed: no stage change


async def test_reopening_withdraws_the_open_review_and_closing_again_opens_a_new_one(
    org: TestOrganisation,
) -> None:
    project_id = await project(org.admin, "REOPEN", stage="ACTIVE")
    await set_stage(org.admin, project_id, "CLOSED")
    first = await review(org.admin, project_id)
    assert first is not None

    await set_stage(org.admin, project_id, "ACTIVE")
    withdrawn = await review(org.admin, project_id)
    assert withdrawn is not None
    assert withdrawn["id"] == first["id"]
    assert withdrawn["status"] == "WITHDRAWN"
    assert withdrawn["withdrawnAt"] is not None
    assert withdrawn["overdue"] is False
    await record(org.admin, project_id, "While running again")  # completes nothing
    assert (await review(org.admin, project_id) or {})["status"] == "WITHDRAWN"

    await set_stage(org.admin, project_id, "CLOSED")
    second = await review(org.admin, project_id)
    assert second is not None
    assert second["id"] != first["id"]
    assert second["status"] == "OPEN"
    await record(org.admin, project_id, "After the second closing")
    assert (await review(org.admin, project_id) or {})["completedBy"] == {
        "title": "After the second closing"
    }
    # A completed review stays completed when the project is reopened.
    await set_stage(org.admin, project_id, "ACTIVE")
    assert (await review(org.admin, project_id) or {})["status"] == "COMPLETED"


async def test_no_review_is_opened_while_the_tier_is_off(make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso", "lessons"])
    project_id = await project(org.admin, "OFF-1", stage="ACTIVE")
    await org.admin.mutate(DISABLE, {"key": "lessons"})
    await set_stage(org.admin, project_id, "CLOSED")
    await org.admin.mutate(ENABLE, {"key": "lessons"})
    assert await review(org.admin, project_id) is None


async def test_a_review_left_open_by_a_reopening_while_off_gives_way_to_the_next_closing(
    make_org: MakeOrg,
) -> None:
    org = await make_org(tiers=["pso", "lessons"])
    project_id = await project(org.admin, "OFF-2", stage="ACTIVE")
    await set_stage(org.admin, project_id, "CLOSED")
    first = await review(org.admin, project_id)
    await org.admin.mutate(DISABLE, {"key": "lessons"})
    await set_stage(org.admin, project_id, "ACTIVE")  # unseen: the review stays open
    await org.admin.mutate(ENABLE, {"key": "lessons"})
    assert (await review(org.admin, project_id) or {})["status"] == "OPEN"

    await set_stage(org.admin, project_id, "CLOSED")

    second = await review(org.admin, project_id)
    assert second is not None
    assert first is not None
    assert second["id"] != first["id"]
    assert second["status"] == "OPEN"
    data = await org.admin.query(REVIEWS, {"status": "WITHDRAWN"})
    assert data["lessonReviews"]["totalCount"] == 1
    assert (await org.admin.query(REVIEWS, {"status": "OPEN"}))["lessonReviews"]["totalCount"] == 1


async def test_the_organisations_reviews_by_status_and_due_date(
    org: TestOrganisation, db_session: AsyncSession
) -> None:
    ids = {code: await project(org.admin, code, stage="ACTIVE") for code in ("R-1", "R-2", "R-3")}
    for project_id in ids.values():
        await set_stage(org.admin, project_id, "CLOSED")
    await record(org.admin, ids["R-2"], "Done")
    await set_stage(org.admin, ids["R-3"], "ACTIVE")
    # A project closed long ago, before these: its review is due first.
    early = await project(org.admin, "R-0", stage="CLOSED")
    db_session.add(
        LessonReview(
            organisation_id=org.id,
            project_id=parse_pk(early, "Project"),
            opened_on=date(2026, 1, 1),
            due_on=date(2026, 1, 15),
        )
    )
    await db_session.commit()

    everything = await org.admin.query(REVIEWS, {})
    assert everything["lessonReviews"]["totalCount"] == 4
    by_status = {}
    for status in ("OPEN", "COMPLETED", "WITHDRAWN"):
        data = await org.admin.query(REVIEWS, {"status": status})
        by_status[status] = [n["project"]["code"] for n in data["lessonReviews"]["nodes"]]
        assert data["lessonReviews"]["totalCount"] == len(by_status[status])
    assert by_status == {"OPEN": ["R-0", "R-1"], "COMPLETED": ["R-2"], "WITHDRAWN": ["R-3"]}

    first_page = await org.admin.query(REVIEWS, {"first": 2})
    assert first_page["lessonReviews"]["pageInfo"]["hasNextPage"] is True
    rest = await org.admin.query(
        REVIEWS, {"first": 2, "after": first_page["lessonReviews"]["pageInfo"]["endCursor"]}
    )
    codes = [n["project"]["code"] for n in first_page["lessonReviews"]["nodes"]] + [
        n["project"]["code"] for n in rest["lessonReviews"]["nodes"]
    ]
    # by due date; the same due date in the order they were opened
    assert codes == ["R-0", "R-1", "R-2", "R-3"]


async def test_another_organisations_reviews_are_invisible(make_org: MakeOrg) -> None:
    ours = await make_org(tiers=["pso", "lessons"])
    theirs = await make_org(tiers=["pso", "lessons"])
    their_project = await project(theirs.admin, "THEIR-CLOSE", stage="ACTIVE")
    await set_stage(theirs.admin, their_project, "CLOSED")
    assert (await ours.admin.query(REVIEWS, {}))["lessonReviews"]["totalCount"] == 0
    assert (await theirs.admin.query(REVIEWS, {}))["lessonReviews"]["totalCount"] == 1
