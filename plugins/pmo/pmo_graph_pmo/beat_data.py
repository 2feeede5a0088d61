"""Reading what the beat needs, for many programmes at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.engine import Result
from sqlalchemy.sql import Executable

from pmo_graph.sdk import Project
from pmo_graph_pmo.beat import Link, Point, Window
from pmo_graph_pmo.models import Dependency, MilestoneTranche, Tranche
from pmo_graph_pso.models import Milestone


class Executes(Protocol):
    """A request's reader or a transaction's session."""

    async def execute(self, statement: Executable) -> Result[Any]: ...


ProgrammeBeatData = tuple[dict[int, Point], list[Link], dict[int, Window]]


async def beat_data(
    db: Executes,
    organisation_id: int,
    programme_ids: Sequence[int],
    as_of: date | None = None,
) -> dict[int, ProgrammeBeatData]:
    """Per programme: its projects' milestones, the dependencies between them and its tranches.

    A programme's projects are those it has now, and a dependency belongs to the beat of the
    programme that holds both of its milestones' projects now: a project moved to another
    programme takes its milestones along, and a dependency left spanning two programmes is in
    neither beat. With ``as_of``, a milestone whose actual date falls after it had not been
    achieved then, so its forecast (else baseline) counts, as measurements after ``as_of`` do
    not count for benefits.
    """
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
        actual = milestone.actual_date
        if actual is not None and as_of is not None and actual > as_of:
            actual = None
        day = actual or milestone.forecast_date or milestone.baseline_date
        points[programme_id][milestone.id] = Point(
            milestone.id, milestone.project_id, day, tranche_id
        )
    links: dict[int, list[Link]] = defaultdict(list)
    successors: Sequence[Any] = (
        await db.execute(
            select(Dependency, Project.programme_id)
            .join(Milestone, Milestone.id == Dependency.successor_id)
            .join(Project, Project.id == Milestone.project_id)
            .where(Dependency.organisation_id == organisation_id, Project.programme_id.in_(ids))
        )
    ).all()
    for dependency, programme_id in successors:
        if dependency.predecessor_id not in points[programme_id]:
            continue  # its predecessor's project is in another programme now
        links[programme_id].append(
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
