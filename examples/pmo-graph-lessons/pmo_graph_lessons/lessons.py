"""Lessons: recording and correcting them, a project's lessons, and the organisation's log."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy.sql import ColumnElement
from strawberry.types import Info

from pmo_graph.sdk import (
    INVALID,
    Checks,
    Connection,
    ModelNode,
    Ordering,
    Project,
    ProjectRef,
    Transaction,
    UserError,
    UserRef,
    authorize,
    diff,
    get_context,
    is_set,
    load_by_id,
    load_project_for_write,
    page_args,
    paginate,
    paginate_children,
    run_mutation,
    snapshot,
    tier_field,
    tier_mutation,
    to_global_id,
)
from pmo_graph.sdk import User as UserRow
from pmo_graph_lessons.enums import LessonCategory
from pmo_graph_lessons.models import TEXT_MAX, TITLE_MAX, Lesson, search_key
from pmo_graph_lessons.refs import LessonRef
from pmo_graph_lessons.reviews import complete_open_review
from pmo_graph_lessons.tier import KEY

#: Newest first, everywhere: ids grow in the order lessons are recorded.
LESSON_ORDER = Ordering((Lesson.id,), descending=True)

Row = strawberry.Parent[Lesson]


@strawberry.type(
    name="Lesson", description="Something a project learned that the next should know."
)
class LessonType(ModelNode):
    __model__ = Lesson

    title: str
    what_happened: str | None = strawberry.field(description="What happened, and its effect.")
    recommendation: str | None = strawberry.field(description="What to do next time.")
    category: LessonCategory
    created_at: datetime = strawberry.field(description="When it was recorded.")
    updated_at: datetime
    version: int = strawberry.field(description="Pass as `expectedVersion` to updateLesson.")

    @strawberry.field
    async def project(self, root: Row, info: Info[Any, Any]) -> ProjectRef | None:
        return await load_by_id(info, Project, root.project_id)

    @strawberry.field(description="Who recorded it (null once their user is deleted).")
    async def recorded_by(self, root: Row, info: Info[Any, Any]) -> UserRef | None:
        return await load_by_id(info, UserRow, root.recorded_by_id)


@strawberry.type(description="The result of recordLesson or updateLesson.")
class LessonPayload:
    lesson: LessonRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="A lesson learned on a project.")
class RecordLessonInput:
    project_id: strawberry.ID
    title: str = strawberry.field(description=f"At most {TITLE_MAX} characters.")
    what_happened: str | None = None
    recommendation: str | None = None
    category: LessonCategory = LessonCategory.OTHER


@strawberry.input(description="Fields left out keep their value; null clears an optional text.")
class UpdateLessonInput:
    lesson_id: strawberry.ID
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET, description="Refuse with CONFLICT unless the lesson is at it."
    )
    title: str | None = strawberry.UNSET
    what_happened: str | None = strawberry.UNSET
    recommendation: str | None = strawberry.UNSET
    category: LessonCategory | None = strawberry.UNSET


def lesson_values(lesson: Lesson) -> dict[str, Any]:
    """The lesson's fields under their API names, for the audit log."""
    return {
        "projectId": to_global_id("Project", lesson.project_id),
        "title": lesson.title,
        "whatHappened": lesson.what_happened,
        "recommendation": lesson.recommendation,
        "category": lesson.category,
    }


def search_conditions(
    search: str | None, category: LessonCategory | None
) -> tuple[list[ColumnElement[bool]], Hashable]:
    """Conditions for ``search`` (case-insensitive, in the title and texts) and ``category``."""
    conditions: list[ColumnElement[bool]] = []
    key: list[Hashable] = []
    needle = " ".join((search or "").splitlines()).strip().casefold()
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Lesson.search_key.like(f"%{escaped}%", escape="\\"))
        key.append(("search", needle))
    if category is not None:
        conditions.append(Lesson.category == category)
        key.append(("category", category.value))
    return conditions, tuple(key)


SearchArgument = Annotated[
    str | None,
    strawberry.argument(
        description="Case-insensitive text found in the title, whatHappened or recommendation."
    ),
]


@strawberry.type
class LessonProjectFields:
    @tier_field(KEY, description="Lessons learned on the project, newest first.")
    async def lessons(
        self,
        root: strawberry.Parent[Project],
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: SearchArgument = None,
        category: LessonCategory | None = None,
    ) -> Connection[LessonRef]:
        context = get_context(info)
        args = page_args(context, first=first, after=after, last=last, before=before, width=1)
        where, where_key = search_conditions(search, category)
        return await paginate_children(
            context, Lesson, Lesson.project_id, root.id, LESSON_ORDER, args, where, where_key
        )


@strawberry.type
class LessonQuery:
    @tier_field(KEY, description="The organisation's lessons learned, newest first.")
    async def lessons(
        self,
        info: Info[Any, Any],
        search: SearchArgument = None,
        category: LessonCategory | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[LessonRef]:
        context = get_context(info)
        args = page_args(context, first=first, after=after, last=last, before=before, width=1)
        where, _ = search_conditions(search, category)
        return await paginate(context, Lesson, LESSON_ORDER, args, where)


def _texts(
    checks: Checks, title: str | None, what_happened: str | None, recommendation: str | None
) -> tuple[str | None, str | None, str | None]:
    return (
        checks.text(title, "title", required=True, max_length=TITLE_MAX),
        checks.text(what_happened, "whatHappened", required=False, max_length=TEXT_MAX),
        checks.text(recommendation, "recommendation", required=False, max_length=TEXT_MAX),
    )


@strawberry.type
class LessonMutation:
    @tier_mutation(
        KEY,
        description="Record a lesson learned on a project (ADMIN, OFFICE, PORTFOLIO_MANAGER and "
        "PROGRAMME_DIRECTOR on any project, a project manager on their own). The first lesson "
        "recorded after a project closed completes its lessons review.",
    )
    async def record_lesson(self, info: Info[Any, Any], input: RecordLessonInput) -> LessonPayload:
        authorize(get_context(info), "recordLesson")

        async def body(tx: Transaction) -> Lesson:
            checks = Checks()
            project = await load_project_for_write(
                tx, checks, input.project_id, "recordLesson", gather=True
            )
            title, what_happened, recommendation = _texts(
                checks, input.title, input.what_happened, input.recommendation
            )
            checks.raise_if_any()
            assert project is not None
            assert title is not None
            lesson = Lesson(
                organisation_id=project.organisation_id,
                project_id=project.id,
                title=title,
                what_happened=what_happened,
                recommendation=recommendation,
                category=input.category,
                recorded_by_id=tx.context.viewer.user_id,
                search_key=search_key(title, what_happened, recommendation),
            )
            tx.session.add(lesson)
            await tx.session.flush()
            tx.audit("Lesson", lesson.id, snapshot(lesson_values(lesson)))
            tx.emit(
                "lesson.recorded",
                "Lesson",
                lesson.id,
                project=project.id,
                category=lesson.category,
            )
            await complete_open_review(tx, lesson)
            return lesson

        return await run_mutation(info, "recordLesson", LessonPayload, body)

    @tier_mutation(
        KEY,
        description="Correct a lesson's title, texts or category (who may record lessons on "
        "its project).",
    )
    async def update_lesson(self, info: Info[Any, Any], input: UpdateLessonInput) -> LessonPayload:
        context = get_context(info)
        authorize(context, "updateLesson")

        async def body(tx: Transaction) -> Lesson:
            checks = Checks()
            lesson = await checks.reference(
                tx.session,
                context.viewer.organisation_id,
                Lesson,
                "Lesson",
                input.lesson_id,
                "lessonId",
            )
            checks.raise_if_any()
            assert lesson is not None
            project = await tx.session.get(Project, lesson.project_id)
            assert project is not None
            authorize(
                context, "updateLesson", project_manager_id=project.manager_id, on_project=True
            )
            checks.version(input.expected_version, lesson.version, "lesson")
            before = lesson_values(lesson)
            title, what_happened, recommendation = _texts(
                checks,
                input.title if is_set(input.title) else lesson.title,
                input.what_happened if is_set(input.what_happened) else lesson.what_happened,
                input.recommendation if is_set(input.recommendation) else lesson.recommendation,
            )
            category = lesson.category
            if is_set(input.category):
                if input.category is None:
                    checks.add(INVALID, "category cannot be null.", "category")
                else:
                    category = input.category
            checks.raise_if_any()
            assert title is not None
            lesson.title = title
            lesson.what_happened = what_happened
            lesson.recommendation = recommendation
            lesson.category = category
            lesson.search_key = search_key(title, what_happened, recommendation)
            changes = diff(before, lesson_values(lesson))
            await tx.session.flush()
            tx.audit("Lesson", lesson.id, changes)
            tx.emit("lesson.updated", "Lesson", lesson.id, changed=sorted(changes))
            return lesson

        return await run_mutation(info, "updateLesson", LessonPayload, body)
