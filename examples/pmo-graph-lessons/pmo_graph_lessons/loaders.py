"""Batched reads of the tier: one statement for any number of projects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from pmo_graph.sdk import Context, tenant_filter
from pmo_graph_lessons.models import Lesson, LessonReview


async def lesson_counts(context: Context, project_ids: Sequence[int]) -> list[int]:
    """How many lessons each project has, in the order of ``project_ids``."""

    async def load(keys: list[int]) -> list[int]:
        result = await context.db.execute(
            select(Lesson.project_id, func.count())
            .where(
                Lesson.project_id.in_(set(keys)),
                *tenant_filter(Lesson, context.viewer.organisation_id),
            )
            .group_by(Lesson.project_id)
        )
        rows: Sequence[Any] = result.all()
        counts = {int(project_id): int(count) for project_id, count in rows}
        return [counts.get(key, 0) for key in keys]

    loader = context.loaders.get(("lessons", "count_by_project"), load)
    return list(await loader.load_many(list(project_ids)))


async def latest_reviews(context: Context, project_ids: Sequence[int]) -> list[LessonReview | None]:
    """Each project's most recent lessons review (the one of its latest closing), or None."""
    loader = context.loaders.children(LessonReview, LessonReview.project_id)
    found = await loader.load_many(list(project_ids))
    return [reviews[-1] if reviews else None for reviews in found]
