"""The programme office's standards and their checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select

from pmo_graph.sdk import CheckInput, CheckResult, Programme, Project, Severity, Standard
from pmo_graph_pmo.models import Benefit, BenefitContribution
from pmo_graph_pmo.rules import RUNNING


async def _programme_sponsorship(check: CheckInput) -> Mapping[int, CheckResult]:
    projects = [p for p in check.projects if p.programme_id is not None and p.stage not in RUNNING]
    if not projects:
        return {}
    programmes = {
        p.id: p
        for p in await check.context.loaders.by_id(Programme).load_many(
            sorted({p.programme_id for p in projects if p.programme_id})
        )
        if p is not None
    }
    results = {}
    for project in projects:
        programme = programmes.get(project.programme_id or 0)
        if programme is None:
            continue
        if programme.director_id is None:
            results[project.id] = CheckResult(
                False, f"Programme {programme.name!r} has no director to sponsor its projects."
            )
        elif project.sponsor_id == programme.director_id:
            results[project.id] = CheckResult(True, "Sponsored by the programme director.")
        else:
            results[project.id] = CheckResult(
                False,
                f"Not sponsored by the director of {programme.name!r}; the director sponsors "
                "every project of a programme.",
            )
    return results


async def _benefits_linked(check: CheckInput) -> Mapping[int, CheckResult]:
    projects = [p for p in check.projects if p.programme_id is not None and p.stage not in RUNNING]
    if not projects:
        return {}
    context = check.context
    organisation_id = context.viewer.organisation_id

    async def load(project_ids: list[int]) -> list[int]:
        """How many benefits of its own programme each project contributes to (a contribution
        to another programme's benefit, left from before the project moved, does not count)."""
        rows: Sequence[Any] = (
            await context.db.execute(
                select(BenefitContribution.project_id, func.count())
                .join(Benefit, Benefit.id == BenefitContribution.benefit_id)
                .join(Project, Project.id == BenefitContribution.project_id)
                .where(
                    BenefitContribution.organisation_id == organisation_id,
                    BenefitContribution.project_id.in_(project_ids),
                    Benefit.programme_id == Project.programme_id,
                )
                .group_by(BenefitContribution.project_id)
            )
        ).all()
        counts = {int(row[0]): int(row[1]) for row in rows}
        return [counts.get(project_id, 0) for project_id in project_ids]

    loader = context.loaders.get(("pmo", "own_programme_benefits"), load)
    counts = await loader.load_many([p.id for p in projects])
    results: dict[int, CheckResult] = {}
    for project, count in zip(projects, counts, strict=True):
        results[project.id] = (
            CheckResult(True, f"Contributes to {count} benefit(s).")
            if count
            else CheckResult(
                False,
                "Contributes to no benefit of its programme: link it with linkBenefitContribution.",
            )
        )
    return results


STANDARDS = [
    Standard(
        key="PROGRAMME_SPONSORSHIP",
        name="Programme sponsorship",
        description="Every project of a programme is sponsored by the programme's director.",
        severity=Severity.HIGH,
        check=_programme_sponsorship,
    ),
    Standard(
        key="BENEFITS_LINKED",
        name="Benefits linked",
        description="Every project of a programme contributes to at least one of its benefits.",
        severity=Severity.MEDIUM,
        check=_benefits_linked,
    ),
]
