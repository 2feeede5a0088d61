"""Rules the programme office keeps in the same transaction as the change that triggers them:
the director sponsors every project of their programme, and a programme falling out of step is
noticed."""

from __future__ import annotations

from sqlalchemy import select

from pmo_graph.sdk import (
    DomainEvent,
    Programme,
    Project,
    ProjectStage,
    Transaction,
    compute,
    ensure_row,
    to_global_id,
)
from pmo_graph_pmo.beat import synchronise_all
from pmo_graph_pmo.beat_data import beat_data
from pmo_graph_pmo.models import ProgrammeBeat
from pmo_graph_pmo.scope import today
from pmo_graph_pmo.tier import KEY
from pmo_graph_pso.models import Milestone

RUNNING = (ProjectStage.CLOSED, ProjectStage.CANCELLED)
#: Events after which a programme's beat may have changed.
BEAT_EVENTS = {
    "milestone.created",
    "milestone.updated",
    "milestone.tranche_set",
    "dependency.added",
    "dependency.removed",
    "tranche.created",
    "project.updated",
}


def _changed(event: DomainEvent, field: str) -> bool:
    return field in (event.data.get("changed") or [])


async def _sponsor(transaction: Transaction, project: Project, director_id: int | None) -> None:
    if director_id is None or project.sponsor_id == director_id or project.stage in RUNNING:
        return
    before = project.sponsor_id
    project.sponsor_id = director_id
    await transaction.session.flush()
    transaction.audit(
        "Project",
        project.id,
        {
            "sponsorId": {
                "from": to_global_id("Person", before) if before else None,
                "to": to_global_id("Person", director_id),
            },
            "rule": "PROGRAMME_SPONSORSHIP",
        },
    )
    transaction.emit("project.sponsor_set", "Project", project.id, sponsor=director_id)


async def keep_sponsorship(event: DomainEvent, transaction: Transaction) -> None:
    """A project joining a programme, a new director, or pmo switched on: the director sponsors."""
    session = transaction.session
    if event.name == "project.updated" and _changed(event, "programmeId"):
        project = await session.get(Project, event.entity_pk)
        programme = (
            await session.get(Programme, project.programme_id)
            if project and project.programme_id
            else None
        )
        if project is not None and programme is not None:
            await _sponsor(transaction, project, programme.director_id)
    elif event.name == "programme.updated" and _changed(event, "directorId"):
        programme = await session.get(Programme, event.entity_pk)
        if programme is not None:
            for project in await session.scalars(
                select(Project).where(Project.programme_id == programme.id)
            ):
                await _sponsor(transaction, project, programme.director_id)
    elif event.name == "tier.enabled" and event.data.get("tier") == KEY:
        rows = await session.execute(
            select(Project, Programme.director_id)
            .join(Programme, Programme.id == Project.programme_id)
            .where(Project.organisation_id == event.organisation_id)
        )
        for project, director_id in rows.all():
            await _sponsor(transaction, project, director_id)


async def _programmes_touched(event: DomainEvent, transaction: Transaction) -> set[int]:
    if event.name not in BEAT_EVENTS:
        return set()
    if event.name == "project.updated":
        if not _changed(event, "programmeId") and not _changed(event, "startDate"):
            return set()
        project = await transaction.session.get(Project, event.entity_pk)
        return {project.programme_id} if project and project.programme_id else set()
    if event.data.get("programme"):
        return {int(event.data["programme"])}
    if event.name.startswith("milestone."):
        milestone = await transaction.session.get(Milestone, event.entity_pk)
        project = (
            await transaction.session.get(Project, milestone.project_id) if milestone else None
        )
        return {project.programme_id} if project and project.programme_id else set()
    return set()


async def watch_the_beat(event: DomainEvent, transaction: Transaction) -> None:
    """Emit ``programme.out_of_step`` when a change takes a programme out of step."""
    for programme_id in sorted(await _programmes_touched(event, transaction)):
        # The beat's row is locked before the beat is read: two changes of one programme at
        # once take turns, so a fall out of step is announced once, by the change that made it.
        state = await ensure_row(
            transaction.session,
            ProgrammeBeat,
            {"programme_id": programme_id},
            {"organisation_id": event.organisation_id, "in_step": True},
        )
        data = await beat_data(transaction.session, event.organisation_id, [programme_id], today())
        (beat,) = await compute(transaction.context, synchronise_all, [data[programme_id]])
        was_in_step = state.in_step
        state.in_step = beat.in_step
        await transaction.session.flush()
        if was_in_step and not beat.in_step:
            transaction.emit(
                "programme.out_of_step",
                "Programme",
                programme_id,
                breaches=len(beat.breaches),
                tranche_slips=len(beat.slips),
                projects=beat.out_of_step,
            )


async def react(event: DomainEvent, transaction: Transaction) -> None:
    """Every in-transaction rule of the tier."""
    await keep_sponsorship(event, transaction)
    await watch_the_beat(event, transaction)
