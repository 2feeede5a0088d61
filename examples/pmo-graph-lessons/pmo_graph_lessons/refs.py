"""Lazy references to this tier's types (see pmo_graph.graphql.refs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pmo_graph.sdk import composed_type

if TYPE_CHECKING:
    from pmo_graph_lessons.models import Lesson as LessonRef
    from pmo_graph_lessons.models import LessonReview as LessonReviewRef
else:
    LessonRef = composed_type("Lesson")
    LessonReviewRef = composed_type("LessonReview")

__all__ = ["LessonRef", "LessonReviewRef"]
