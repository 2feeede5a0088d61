"""Reading what the beat needs, for many programmes at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.engine import Result
from sqlalchemy.sql import Executable

from pmo_graph.projects.models import Project
from pmo_graph_pmo.beat import Link, Point, Window
from pmo_graph_pmo.models import Dependency, MilestoneTranche, Tranche
from pmo_graph_pso.models import Milestone


class Executes(Protocol):
    """A request's reader or a transaction's session."""

    async def execute(self, statement: Executable) -> Result[Any]: ...


ProgrammeBeatData = tuple[dict[int, Point], list[Link], dict[int, Window]]


async def beat_data(
    db: Executes, organisation_id: int, programme_ids: Sequence[int]
) -> dict[int, ProgrammeBeatData]:
    """Per programme: its projects' milestones, its dependencies and its tranches."""
    ids = set(programme_ids)
    rows: Sequence[Any] = (
        await db.execute(
            select(Milestone, Project.programme_id, MilestoneTranche.tranche_id)
            .join(Project, Project.id == Milestone.project_id)
            .outerjoin(MilestoneTranche, MilestoneTranche.milestone_id == Milestone.id)
            .where(Project.organisation_id == organisation_id, Project.programme_id.in_(ids))
        )
    ).all()
    points: dict[int, dict[int, Point]] = defaultdict(dict)
    for milestone, programme_id, tranche_id in rows:
        day = milestone.actual_date or milestone.forecast_date or milestone.baseline_date
        points[programme_id][milestone.id] = Point(
            milestone.id, milestone.project_id, day, tranche_id
        )
    links: dict[int, list[Link]] = defaultdict(list)
    for dependency in (
        await db.execute(
            select(Dependency).where(
                Dependency.organisation_id == organisation_id, Dependency.programme_id.in_(ids)
            )
        )
    ).scalars():
        links[dependency.programme_id].append(
            Link(
                dependency.id,
                dependency.predecessor_id,
                dependency.successor_id,
                dependency.lag_days,
            )
        )
    windows: dict[int, dict[int, Window]] = defaultdict(dict)
    for tranche in (
        await db.execute(
            select(Tranche).where(
                Tranche.organisation_id == organisation_id, Tranche.programme_id.in_(ids)
            )
        )
    ).scalars():
        windows[tranche.programme_id][tranche.id] = Window(
            tranche.id, tranche.start_date, tranche.end_date
        )
    return {pid: (points[pid], links[pid], windows[pid]) for pid in ids}
