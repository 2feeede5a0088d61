"""Lessons reviews: opened when a project closes, completed by the next lesson recorded for it.

The reviews are kept in the transaction that closes (or reopens) the project, through the
``handle_event_in_transaction`` hook, so a closing that fails opens no review and a review never
exists without its closing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import strawberry
from sqlalchemy import update
from sqlalchemy.sql import ColumnElement
from strawberry.types import Info

from pmo_graph.sdk import (
    Connection,
    DomainEvent,
    ModelNode,
    Ordering,
    Project,
    ProjectRef,
    ProjectStage,
    Transaction,
    get_context,
    load_by_id,
    page_args,
    paginate,
    snapshot,
    tier_field,
    to_global_id,
    utcnow,
)
from pmo_graph_lessons.enums import LessonReviewStatus
from pmo_graph_lessons.loaders import latest_reviews
from pmo_graph_lessons.models import Lesson, LessonReview
from pmo_graph_lessons.refs import LessonRef, LessonReviewRef
from pmo_graph_lessons.tier import KEY

#: A review is due this many days after the project closed.
REVIEW_DAYS = 14
CLOSED = ProjectStage.CLOSED.value
REVIEW_ORDER = Ordering((LessonReview.due_on, LessonReview.id))

Row = strawberry.Parent[LessonReview]


def review_status(review: LessonReview) -> LessonReviewStatus:
    """Where a review stands."""
    if review.completed_at is not None:
        return LessonReviewStatus.COMPLETED
    if review.withdrawn_at is not None:
        return LessonReviewStatus.WITHDRAWN
    return LessonReviewStatus.OPEN


def _is_open() -> list[ColumnElement[bool]]:
    return [LessonReview.completed_at.is_(None), LessonReview.withdrawn_at.is_(None)]


STATUS_CONDITIONS: dict[LessonReviewStatus, list[ColumnElement[bool]]] = {
    LessonReviewStatus.OPEN: _is_open(),
    LessonReviewStatus.COMPLETED: [LessonReview.completed_at.is_not(None)],
    LessonReviewStatus.WITHDRAWN: [LessonReview.withdrawn_at.is_not(None)],
}


@strawberry.type(
    name="LessonReview",
    description="A lessons review of a closed project: due 14 days after the closing, completed "
    "by the first lesson recorded for the project after it closed.",
)
class LessonReviewType(ModelNode):
    __model__ = LessonReview

    opened_on: date = strawberry.field(description="The day the project closed (UTC).")
    due_on: date = strawberry.field(description="The day a lesson should be recorded by.")
    completed_at: datetime | None = strawberry.field(
        description="When the lesson that completed it was recorded."
    )
    withdrawn_at: datetime | None = strawberry.field(
        description="When the project was reopened while the review was open."
    )

    @strawberry.field
    def status(self, root: Row) -> LessonReviewStatus:
        return review_status(root)

    @strawberry.field(description="True once a lesson was recorded after the closing.")
    def completed(self, root: Row) -> bool:
        return root.completed_at is not None

    @strawberry.field(description="Still open after its due date (asOf: today, UTC).")
    def overdue(self, root: Row, as_of: date | None = None) -> bool:
        day = as_of if as_of is not None else utcnow().date()
        return review_status(root) is LessonReviewStatus.OPEN and root.due_on < day

    @strawberry.field
    async def project(self, root: Row, info: Info[Any, Any]) -> ProjectRef | None:
        return await load_by_id(info, Project, root.project_id)

    @strawberry.field(description="The lesson whose recording completed the review.")
    async def completed_by(self, root: Row, info: Info[Any, Any]) -> LessonRef | None:
        return await load_by_id(info, Lesson, root.completed_by_lesson_id)


@strawberry.type
class ReviewProjectFields:
    @tier_field(
        KEY,
        description="The lessons review of the project's latest closing (null if it never "
        "closed while the tier was on).",
    )
    async def lesson_review(
        self, root: strawberry.Parent[Project], info: Info[Any, Any]
    ) -> LessonReviewRef | None:
        (review,) = await latest_reviews(get_context(info), [root.id])
        return review


@strawberry.type
class ReviewQuery:
    @tier_field(KEY, description="The organisation's lessons reviews, by due date.")
    async def lesson_reviews(
        self,
        info: Info[Any, Any],
        status: LessonReviewStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[LessonReviewRef]:
        context = get_context(info)
        args = page_args(context, first=first, after=after, last=last, before=before, width=2)
        where = STATUS_CONDITIONS[status] if status is not None else []
        return await paginate(context, LessonReview, REVIEW_ORDER, args, where)


# --- keeping reviews in step with the projects ---------------------------------------------------


async def _withdraw_open(transaction: Transaction, event: DomainEvent, reason: str) -> None:
    now = utcnow()
    withdrawn = await transaction.session.execute(
        update(LessonReview)
        .where(
            LessonReview.organisation_id == event.organisation_id,
            LessonReview.project_id == event.entity_pk,
            *_is_open(),
        )
        .values(withdrawn_at=now, updated_at=now)
        .returning(LessonReview.id)
    )
    for (review_id,) in withdrawn.all():
        transaction.audit(
            "LessonReview", review_id, {"status": {"from": "OPEN", "to": "WITHDRAWN"}}
        )
        transaction.emit(
            "lesson_review.withdrawn",
            "LessonReview",
            review_id,
            project=event.entity_pk,
            reason=reason,
        )


async def _open(transaction: Transaction, event: DomainEvent) -> None:
    # An open review left from a reopening the tier did not see (it was off) belongs to an
    # earlier closing: this closing gets a review of its own.
    await _withdraw_open(transaction, event, "closed again")
    closed_on = event.occurred_at.astimezone(UTC).date()
    review = LessonReview(
        organisation_id=event.organisation_id,
        project_id=event.entity_pk,
        opened_on=closed_on,
        due_on=closed_on + timedelta(days=REVIEW_DAYS),
    )
    transaction.session.add(review)
    await transaction.session.flush()
    transaction.audit(
        "LessonReview",
        review.id,
        snapshot(
            {
                "projectId": to_global_id("Project", event.entity_pk),
                "openedOn": closed_on,
                "dueOn": review.due_on,
            }
        ),
    )
    transaction.emit(
        "lesson_review.opened",
        "LessonReview",
        review.id,
        project=event.entity_pk,
        due_on=review.due_on,
    )


async def react(event: DomainEvent, transaction: Transaction) -> None:
    """A project closed: open its review. Reopened: withdraw the review it left open."""
    if event.name != "project.stage_changed" or event.entity_type != "Project":
        return
    before, after = event.data.get("from"), event.data.get("to")
    if after == CLOSED and before != CLOSED:
        await _open(transaction, event)
    elif before == CLOSED and after != CLOSED:
        await _withdraw_open(transaction, event, "reopened")


async def complete_open_review(tx: Transaction, lesson: Lesson) -> int | None:
    """Complete the project's open review with ``lesson``, just recorded; the review's id.

    A conditional update, so that of two lessons recorded at once only one completes it.
    """
    now = utcnow()
    completed = await tx.session.execute(
        update(LessonReview)
        .where(
            LessonReview.organisation_id == lesson.organisation_id,
            LessonReview.project_id == lesson.project_id,
            *_is_open(),
        )
        .values(completed_at=now, completed_by_lesson_id=lesson.id, updated_at=now)
        .returning(LessonReview.id)
    )
    review_id = None
    for (review_id,) in completed.all():
        tx.audit(
            "LessonReview",
            review_id,
            {
                "status": {"from": "OPEN", "to": "COMPLETED"},
                "lessonId": to_global_id("Lesson", lesson.id),
            },
        )
        tx.emit(
            "lesson_review.completed",
            "LessonReview",
            review_id,
            project=lesson.project_id,
            lesson=lesson.id,
        )
    return review_id
