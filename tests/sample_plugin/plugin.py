"""Hook implementations of the sample plugin."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import exists, func, select
from strawberry.types import Info

from pmo_graph.audit.models import AuditEvent as AuditEventRow
from pmo_graph.sdk import (
    ADMIN,
    OFFICE,
    PROJECT_MANAGER,
    AuditEventRef,
    CheckInput,
    CheckResult,
    Checks,
    DomainEvent,
    Evidence,
    Measure,
    MeasureInput,
    ModelNode,
    Permission,
    Perspective,
    ProjectRef,
    ProjectStage,
    Question,
    Severity,
    Standard,
    Tier,
    Transaction,
    UserError,
    authorize,
    composed_type,
    get_context,
    hookimpl,
    load_by_id,
    load_project_for_write,
    permission,
    run_mutation,
    tier_field,
    tier_mutation,
)
from pmo_graph.sdk import (
    Project as ProjectRow,
)
from sample_plugin.models import SampleNote as SampleNoteRow

if TYPE_CHECKING:
    from sample_plugin.models import SampleNote as SampleNoteRef
else:
    SampleNoteRef = composed_type("SampleNote")

#: The plugin API versions this plugin works with (checked when it is loaded).
PLUGIN_API = ">=1.0,<2"

#: Events this plugin received, for tests to inspect.
RECEIVED: list[DomainEvent] = []
#: Set by a test to make the event handler fail.
FAIL_EVENTS = False
#: Set by a test: "note" adds a note to every new project in the same transaction, "fail" raises.
REACTION: str | None = None


@strawberry.type(name="SampleNote", description="A note on a project (sample plugin).")
class SampleNote(ModelNode):
    __model__ = SampleNoteRow

    text: str

    @strawberry.field
    async def project(
        self, root: strawberry.Parent[SampleNoteRow], info: Info[Any, Any]
    ) -> ProjectRef | None:
        return await load_by_id(info, ProjectRow, root.project_id)

    @strawberry.field(
        description="The audit events of the note, oldest first: an audit event reached as a "
        "field of another type, which only the roles that may read the audit log see."
    )
    async def history(
        self, root: strawberry.Parent[SampleNoteRow], info: Info[Any, Any]
    ) -> list[AuditEventRef]:
        context = get_context(info)
        rows = await context.db.scalars(
            select(AuditEventRow)
            .where(
                AuditEventRow.organisation_id == context.viewer.organisation_id,
                AuditEventRow.entity_type == "SampleNote",
                AuditEventRow.entity_pk == str(root.id),
            )
            .order_by(AuditEventRow.seq)
        )
        return list(rows)


@strawberry.type
class ProjectSampleFields:
    @tier_field("sample", description="Notes on the project (tier `sample`).")
    async def sample_notes(
        self, root: strawberry.Parent[ProjectRow], info: Info[Any, Any]
    ) -> list[SampleNoteRef]:
        loader = get_context(info).loaders.children(SampleNoteRow, SampleNoteRow.project_id)
        return await loader.load(root.id)


@strawberry.type(description="The result of addSampleNote.")
class SampleNotePayload:
    sample_note: SampleNoteRef | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class AddSampleNoteInput:
    project_id: strawberry.ID
    text: str


@strawberry.type
class SampleMutation:
    @tier_mutation("sample", description="Add a note to a project.")
    async def add_sample_note(
        self, info: Info[Any, Any], input: AddSampleNoteInput
    ) -> SampleNotePayload:
        async def body(tx: Transaction) -> SampleNoteRow:
            checks = Checks()
            project = await load_project_for_write(
                tx, checks, input.project_id, "addSampleNote", gather=True
            )
            text = checks.text(input.text, "text", required=True, max_length=500)
            checks.raise_if_any()
            assert project is not None
            note = SampleNoteRow(
                organisation_id=project.organisation_id, project_id=project.id, text=text
            )
            tx.session.add(note)
            await tx.session.flush()
            tx.audit("SampleNote", note.id, {"text": text})
            tx.emit("sample_note.added", "SampleNote", note.id, project=project.id)
            return note

        authorize(get_context(info), "addSampleNote")
        return await run_mutation(info, "addSampleNote", SampleNotePayload, body)


@strawberry.type
class SampleQuery:
    @tier_field("sample", description="How many notes the organisation has (tier `sample`).")
    async def sample_note_count(self, info: Info[Any, Any]) -> int:
        context = get_context(info)
        count = await context.db.scalar(
            select(func.count())
            .select_from(SampleNoteRow)
            .where(SampleNoteRow.organisation_id == context.viewer.organisation_id)
        )
        return int(count or 0)


@strawberry.type
class SampleFailures:
    @tier_field("sample", description="Always fails with an unexpected error (for tests).")
    def sample_boom(self) -> str | None:
        raise RuntimeError("SELECT secret FROM internals -- must never reach a client")


async def _has_a_note(check: CheckInput) -> Mapping[int, CheckResult]:
    loader = check.context.loaders.children(SampleNoteRow, SampleNoteRow.project_id)
    notes = await loader.load_many([p.id for p in check.projects])
    return {
        project.id: CheckResult(bool(found), "Has a note." if found else "Add a note.")
        for project, found in zip(check.projects, notes, strict=True)
    }


SAMPLE_NOTED = Standard(
    key="SAMPLE_NOTED",
    name="Sample note",
    description="Every project has at least one note (sample plugin).",
    severity=Severity.LOW,
    check=_has_a_note,
)


async def _notes_kept(measure: MeasureInput) -> Evidence | None:
    """Active projects with at least one sample note."""
    context = measure.context
    noted = exists().where(SampleNoteRow.project_id == ProjectRow.id)
    row: Sequence[Any] = (
        await context.db.execute(
            select(func.count(), func.count().filter(noted)).where(
                ProjectRow.organisation_id == context.viewer.organisation_id,
                ProjectRow.stage == ProjectStage.ACTIVE,
            )
        )
    ).one()
    if not row[0]:
        return None
    return Evidence(int(row[1]) / int(row[0]), f"{row[1]} of {row[0]} active projects have notes")


@hookimpl
def register_maturity_questions() -> Iterable[Question]:
    return [
        Question(
            key="SAMPLE_NOTES_HABIT",
            perspective=Perspective.STAKEHOLDER_ENGAGEMENT,
            text="Do projects keep notes for their stakeholders?",
            levels=("Never.", "Sometimes.", "Always, the same way.", "Measured.", "Improved."),
        )
    ]


@hookimpl
def register_maturity_measures() -> Iterable[Measure]:
    return [
        Measure(
            key="SAMPLE_NOTES_KEPT",
            perspective=Perspective.STAKEHOLDER_ENGAGEMENT,
            name="Active projects with notes",
            compute=_notes_kept,
        )
    ]


@hookimpl
def register_standards() -> Iterable[Standard]:
    return [SAMPLE_NOTED]


@hookimpl
def register_tiers() -> Iterable[Tier]:
    return [Tier(key="sample", name="Sample", level=1, description="A tier for the core's tests.")]


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_types() -> Iterable[type]:
    return [SampleNote]


@hookimpl
def register_type_extensions() -> Mapping[str, Iterable[type]]:
    return {"Project": [ProjectSampleFields]}


@hookimpl
def register_query_fields() -> Iterable[type]:
    return [SampleQuery, SampleFailures]


@hookimpl
def register_mutation_fields() -> Iterable[type]:
    return [SampleMutation]


@hookimpl
def register_permissions() -> Mapping[str, Permission]:
    return {
        "addSampleNote": permission(
            ADMIN, OFFICE, own_project=(PROJECT_MANAGER,), description="Add a sample note."
        )
    }


@hookimpl
async def handle_event_in_transaction(event: DomainEvent, transaction: Transaction) -> None:
    if event.name != "project.created" or REACTION is None:
        return
    if REACTION == "fail":
        raise RuntimeError("reaction bug")
    note = SampleNoteRow(
        organisation_id=event.organisation_id, project_id=event.entity_pk, text="auto"
    )
    transaction.session.add(note)
    await transaction.session.flush()
    transaction.emit("sample_note.added", "SampleNote", note.id, project=event.entity_pk)


@hookimpl
def handle_event(event: DomainEvent) -> None:
    if FAIL_EVENTS:
        raise RuntimeError("handler bug")
    RECEIVED.append(event)
