"""``handle_event`` reactions that write: each in a transaction of its own after the mutation
committed, audited, rolled back whole when they fail, and bounded when they set each other off
(``pmo_graph.reactions``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from types import ModuleType

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select

from plugin_doubles import plugin
from pmo_graph.app import create_app
from pmo_graph.app_state import AppState
from pmo_graph.audit.chain import verify
from pmo_graph.audit.models import AuditEvent
from pmo_graph.events import DomainEvent
from pmo_graph.plugins.manager import EntryPointSelection
from pmo_graph.reactions import MAX_REACTION_DEPTH, ReactionWroteNoAudit
from pmo_graph.request.transaction import Transaction
from pmo_graph.settings import Settings
from pmo_graph.testing import TestOrganisation, make_test_organisation
from sample_plugin import plugin as sample
from sample_plugin.models import SampleNote

CREATE = (
    'mutation($c: String!) { createProject(input: {code: $c, name: "Reacted"}) '
    "{ project { id } userErrors { code } } }"
)
NOTES = "{ projects { nodes { code sampleNotes { text } } } }"


@dataclass
class Behaviour:
    """What the double's reaction does to the next events: ``note``, ``fail`` or ``loop``."""

    mode: str = "note"


BEHAVIOUR = Behaviour()


async def note_after_commit(event: DomainEvent, transaction: Transaction) -> None:
    """Write a note on a created project (and, in ``loop`` mode, on every note added)."""
    if BEHAVIOUR.mode == "unaudited":
        return
    if event.name == "project.created":
        project_id = event.entity_pk
    elif event.name == "sample_note.added" and BEHAVIOUR.mode == "loop":
        project_id = int(event.data["project"])
    else:
        return
    note = SampleNote(
        organisation_id=event.organisation_id, project_id=project_id, text="after commit"
    )
    transaction.session.add(note)
    await transaction.session.flush()
    transaction.audit("SampleNote", note.id, {"text": note.text})
    transaction.emit("sample_note.added", "SampleNote", note.id, project=project_id)
    if BEHAVIOUR.mode == "fail":
        raise RuntimeError("reaction bug after its write")


async def note_without_audit(event: DomainEvent, transaction: Transaction) -> None:
    """Write a note on a created project and forget the audit."""
    if event.name == "project.created" and BEHAVIOUR.mode == "unaudited":
        transaction.session.add(
            SampleNote(
                organisation_id=event.organisation_id, project_id=event.entity_pk, text="unaudited"
            )
        )


WRITER = plugin("after_commit_writer", handle_event=note_after_commit)
CARELESS = plugin("after_commit_careless", handle_event=note_without_audit)


# Module-scoped, not session-scoped: a started app runs a webhook deliverer, and one left running
# for the session would claim other tests' deliveries (tests/test_webhooks.py stops the shared
# app's deliverer so that its own is the only one sending).
@pytest_asyncio.fixture(scope="module")
async def reacting(
    pmo_settings: Settings,
    pmo_plugins: Sequence[ModuleType],
    pmo_load_entrypoints: EntryPointSelection,
) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
    """The app with the writing doubles beside the sample plugin (whose ``handle_event(event)``
    takes no transaction), on the session's database."""
    app = create_app(
        pmo_settings,
        extra_plugins=[*pmo_plugins, WRITER, CARELESS],
        load_entrypoints=pmo_load_entrypoints,
        prepare=False,
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://pmo-graph.test"
        ) as http,
    ):
        yield http, app.state.pmo


async def organisation(reacting: tuple[httpx.AsyncClient, AppState]) -> TestOrganisation:
    http, state = reacting
    return await make_test_organisation(state, http, ["sample"])


async def reaction_audit(state: AppState, org: TestOrganisation) -> list[AuditEvent]:
    async with state.sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.organisation_id == org.id, AuditEvent.entity_type == "SampleNote")
            .order_by(AuditEvent.seq)
        )
        return list(rows)


async def test_a_reaction_writes_in_its_own_audited_transaction_after_commit(
    reacting: tuple[httpx.AsyncClient, AppState], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = reacting[1]
    org = await organisation(reacting)
    monkeypatch.setattr(BEHAVIOUR, "mode", "note")
    sample.RECEIVED.clear()
    created = await org.admin.mutate(CREATE, {"c": "AFTER-1"})
    assert created["project"]["id"]
    notes = await org.admin.query(NOTES)
    assert notes == {
        "projects": {"nodes": [{"code": "AFTER-1", "sampleNotes": [{"text": "after commit"}]}]}
    }
    (audited,) = await reaction_audit(state, org)
    assert audited.actor_user_id is None
    assert audited.action == "after_commit_writer:handle_event"
    assert audited.changes == {"text": "after commit"}
    async with state.sessionmaker() as session:
        (chain,) = await verify(session, org.slug)
    assert chain.broken is None
    assert chain.events == 2  # createProject's, then the reaction's
    # a handle_event(event) without a transaction still runs, and receives the reaction's
    # own event once the reaction committed
    names = [e.name for e in sample.RECEIVED if e.organisation_id == org.id]
    assert names == ["project.created", "sample_note.added"]
    (added,) = [e for e in sample.RECEIVED if e.name == "sample_note.added"]
    assert added.actor_user_id is None
    assert added.entity_pk == int(audited.entity_pk)


async def test_a_failing_reaction_leaves_no_half_written_rows_and_the_mutation_stands(
    reacting: tuple[httpx.AsyncClient, AppState],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    state = reacting[1]
    org = await organisation(reacting)
    monkeypatch.setattr(BEHAVIOUR, "mode", "fail")
    sample.RECEIVED.clear()
    created = await org.admin.mutate(CREATE, {"c": "AFTER-2"})
    assert created["project"]["id"]
    assert await org.admin.query(NOTES) == {
        "projects": {"nodes": [{"code": "AFTER-2", "sampleNotes": []}]}
    }
    assert await reaction_audit(state, org) == []
    assert any(
        "plugin after_commit_writer failed in hook handle_event" in r.getMessage()
        for r in caplog.records
    )
    # the other plugins still ran; the failed reaction's event was never delivered
    assert [e.name for e in sample.RECEIVED if e.organisation_id == org.id] == ["project.created"]


async def test_a_reaction_that_writes_without_an_audit_is_rolled_back(
    reacting: tuple[httpx.AsyncClient, AppState],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    org = await organisation(reacting)
    monkeypatch.setattr(BEHAVIOUR, "mode", "unaudited")
    await org.admin.mutate(CREATE, {"c": "AFTER-3"})
    assert await org.admin.query(NOTES) == {
        "projects": {"nodes": [{"code": "AFTER-3", "sampleNotes": []}]}
    }
    (refused,) = [r for r in caplog.records if r.exc_info and r.name == "pmo_graph.plugins"]
    assert refused.getMessage() == "plugin after_commit_careless failed in hook handle_event"
    assert isinstance(refused.exc_info[1], ReactionWroteNoAudit)  # type: ignore[index]
    assert "without transaction.audit" in str(refused.exc_info[1])  # type: ignore[index]


async def test_reactions_that_set_each_other_off_stop_at_the_depth_bound(
    reacting: tuple[httpx.AsyncClient, AppState],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    state = reacting[1]
    org = await organisation(reacting)
    monkeypatch.setattr(BEHAVIOUR, "mode", "loop")
    await org.admin.mutate(CREATE, {"c": "AFTER-4"})
    (project,) = (await org.admin.query(NOTES))["projects"]["nodes"]
    # round 1 reacts to project.created, rounds 2… to the note the round before added
    assert project["sampleNotes"] == [{"text": "after commit"}] * MAX_REACTION_DEPTH
    assert len(await reaction_audit(state, org)) == MAX_REACTION_DEPTH
    assert any(f"went {MAX_REACTION_DEPTH} rounds deep" in r.getMessage() for r in caplog.records)
