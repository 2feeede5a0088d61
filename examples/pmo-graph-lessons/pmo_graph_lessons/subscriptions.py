"""The ``lessonRecorded`` subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from pmo_graph.sdk import EventFields, domain_events, load_by_id, tier_subscription
from pmo_graph_lessons.enums import LessonCategory
from pmo_graph_lessons.models import Lesson
from pmo_graph_lessons.refs import LessonRef
from pmo_graph_lessons.tier import KEY


@strawberry.type(description="A lesson was recorded.")
class LessonRecorded(EventFields):
    __tier__ = KEY

    @strawberry.field(description="The lesson, as it is now.")
    async def lesson(self, info: Info[Any, Any]) -> LessonRef | None:
        return await load_by_id(info, Lesson, self.notice.entity_pk)


@strawberry.type
class LessonSubscription:
    @tier_subscription(KEY, description="Lessons as they are recorded, of one category or all.")
    async def lesson_recorded(
        self,
        info: Info[Any, Any],
        category: Annotated[
            LessonCategory | None,
            strawberry.argument(description="Only lessons of this category."),
        ] = None,
    ) -> AsyncGenerator[LessonRecorded]:
        async for notice in domain_events(
            info,
            {"lesson.recorded"},
            accept=lambda n: category is None or n.data.get("category") == category.value,
        ):
            yield LessonRecorded(notice=notice)
