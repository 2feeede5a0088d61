"""The tier's standard: every closed project has captured at least one lesson."""

from __future__ import annotations

from collections.abc import Mapping

from pmo_graph.sdk import CheckInput, CheckResult, ProjectStage, Severity, Standard
from pmo_graph_lessons.loaders import lesson_counts


async def _lessons_captured(check: CheckInput) -> Mapping[int, CheckResult]:
    closed = [p for p in check.projects if p.stage == ProjectStage.CLOSED]
    if not closed:
        return {}
    counts = await lesson_counts(check.context, [p.id for p in closed])
    return {
        project.id: CheckResult(True, f"{count} lesson(s) recorded.")
        if count
        else CheckResult(False, "No lessons recorded: record at least one with recordLesson.")
        for project, count in zip(closed, counts, strict=True)
    }


LESSONS_CAPTURED = Standard(
    key="LESSONS_CAPTURED",
    name="Lessons captured",
    description="Every closed project has at least one lesson learned recorded.",
    severity=Severity.MEDIUM,
    check=_lessons_captured,
)

STANDARDS = [LESSONS_CAPTURED]
