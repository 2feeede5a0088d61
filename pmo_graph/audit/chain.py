"""The audit log as a hash chain: each event carries the hash of the one before it.

Every organisation's events are numbered 1, 2, 3 … (``seq``); an event's ``hash`` is the SHA-256
of its content and the previous event's hash. Changing, removing or reordering any event breaks
every link after it, which ``verify`` finds (``pmo-graph audit verify``). The database refuses
UPDATE and DELETE on the table outright (a trigger, see migration 0003_audit_chain); the chain
makes tampering that got past it, say by the table's owner, detectable.

Links are made when a mutation is about to commit, under a lock on the organisation's row
(PostgreSQL), so that concurrent mutations of one organisation take turns and never fork the
chain; the unique ``(organisation_id, seq)`` is the last guard.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import Connection, bindparam, event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from pmo_graph.audit.models import AuditEvent
from pmo_graph.organisations.models import Organisation

#: The hash an organisation's first event links to.
GENESIS = "0" * 64
#: Where a session keeps its audit events waiting to be linked.
PENDING = "pmo_graph.audit.pending"


def _at(value: datetime) -> str:
    # Microseconds always, UTC: the same text whichever database gave the value back (SQLite
    # gives it back without an offset; it was written in UTC).
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Chained(Protocol):
    """What the hash covers: an audit event's columns (a row read back will do)."""

    @property
    def organisation_id(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor_user_id(self) -> int | None: ...
    @property
    def action(self) -> str: ...
    @property
    def entity_type(self) -> str: ...
    @property
    def entity_pk(self) -> str: ...
    @property
    def changes(self) -> dict[str, Any]: ...
    @property
    def request_id(self) -> str | None: ...


def _hashed(event: Chained, seq: int, previous: str) -> bytes:
    content: dict[str, Any] = {
        "organisation": event.organisation_id,
        "seq": seq,
        "at": _at(event.at),
        "actor": event.actor_user_id,
        "action": event.action,
        "entity": [event.entity_type, event.entity_pk],
        "changes": event.changes,
        "request": event.request_id,
        "previous": previous,
    }
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)


def event_hash(event: Chained, previous: str) -> str:
    """The SHA-256 (hex) of an event's content and the hash of the event before it."""
    return hashlib.sha256(_hashed(event, event.seq, previous)).hexdigest()


def hashed_around_the_link(event: Chained) -> tuple[bytes, bytes]:
    """The bytes ``event_hash`` hashes for an event not yet linked, cut where the previous
    hash and the ``seq`` go: ``before + previous + between + seq + "}"`` are the bytes hashed,
    so the database can link the event without serialising it (``pmo_graph_finish_write``).

    The keys are sorted, and the last three are ``previous``, ``request`` and ``seq``: the cut
    is found from the end, where no value of the event's changes can be.
    """
    whole = _hashed(event, 0, "")
    between = b'","request":' + orjson.dumps(event.request_id) + b',"seq":'
    tail = b'"previous":"' + between + b"0}"
    if not whole.endswith(tail):  # pragma: no cover - a change of the content's keys
        raise AssertionError("the audit event's hashed content no longer ends as expected")
    return whole[: -len(tail)] + b'"previous":"', between


def pending(session: Session) -> list[AuditEvent]:
    """The audit events added in this session and not yet linked, in the order added."""
    queue: list[AuditEvent] = session.info.setdefault(PENDING, [])
    return queue


def add_to_chain(session: AsyncSession, audit_event: AuditEvent) -> None:
    """Add ``audit_event`` to ``session``; it is numbered and linked into its organisation's
    chain at the next flush (``_link_before_flush``)."""
    session.add(audit_event)
    pending(session.sync_session).append(audit_event)


#: The organisation's row lock (``FOR NO KEY UPDATE``), built once so that its compiled form is
#: kept. The audit chain takes it just before every commit; nothing else may take it earlier,
#: or a transaction holding it would wait for rows that others hold while they wait for it.
ORGANISATION_LOCK = (
    select(Organisation.id)
    .where(Organisation.id == bindparam("organisation"))
    .with_for_update(key_share=True)
)

# Built once: a statement object keeps its compiled form and cache key between executions.
_LOCK = ORGANISATION_LOCK
_HEAD = (
    select(AuditEvent.seq, AuditEvent.hash)
    .where(AuditEvent.organisation_id == bindparam("organisation"))
    .order_by(AuditEvent.seq.desc())
    .limit(1)
)
_INSERT = insert(AuditEvent).returning(AuditEvent.organisation_id, AuditEvent.seq, AuditEvent.id)
_COLUMNS = [column.key for column in AuditEvent.__table__.columns if column.key != "id"]


def _link(connection: Connection, events: Sequence[AuditEvent]) -> None:
    """Number and hash ``events`` after their organisations' last, each organisation's row
    locked (``FOR NO KEY UPDATE``: it does not block inserts that reference the organisation)
    until the transaction ends."""
    for organisation_id in dict.fromkeys(e.organisation_id for e in events):
        # Two statements, not one: under READ COMMITTED a single statement would read the head
        # from the snapshot it took before the lock was granted, and two writers could fork.
        # SQLite has no row lock: the write transaction holds the database's already.
        if connection.dialect.name != "sqlite":
            connection.execute(_LOCK, {"organisation": organisation_id})
        last = connection.execute(_HEAD, {"organisation": organisation_id}).first()
        seq, previous = (int(last[0]), str(last[1])) if last is not None else (0, GENESIS)
        for audit_event in (e for e in events if e.organisation_id == organisation_id):
            seq += 1
            audit_event.seq = seq
            audit_event.previous_hash = previous
            audit_event.hash = event_hash(audit_event, previous)
            previous = audit_event.hash


def _append(connection: Connection, events: Sequence[AuditEvent]) -> None:
    _link(connection, events)
    rows = [{key: getattr(e, key) for key in _COLUMNS} for e in events]
    # Rows inserted together may come back in any order; (organisation, seq) names each.
    ids = {(o, seq): key for o, seq, key in connection.execute(_INSERT, rows)}
    for audit_event in events:
        audit_event.id = ids[(audit_event.organisation_id, audit_event.seq)]


async def append_to_chain(session: AsyncSession, events: Sequence[AuditEvent]) -> None:
    """Link ``events`` into their organisations' chains and insert them, in the session's
    transaction; each gets its id. The events are not added to the session: written with
    the table's INSERT, after everything else the transaction writes, so that the organisation
    stays locked for as short a time as possible (``run_mutation`` calls it last)."""
    if events:
        await session.run_sync(lambda sync: _append(sync.connection(), events))


@event.listens_for(Session, "before_flush")
def _link_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Number and hash the audit events added with ``add_to_chain`` and about to be inserted.

    Runs inside every flush, so an event is linked however it reaches the database.
    """
    queue = session.info.get(PENDING)
    if not queue:
        return
    inserting = [e for e in queue if e in session.new]
    queue.clear()
    _link(session.connection(), inserting)


@dataclass(frozen=True)
class Break:
    """The first event whose link does not hold."""

    organisation_id: int
    seq: int
    event_id: int
    reason: str


def first_break(events: Iterable[Any], organisation_id: int) -> Break | None:
    """Walk one organisation's events in ``seq`` order; the first broken link, or None."""
    expected_seq, previous = 1, GENESIS
    for row in events:
        if row.seq != expected_seq:
            return Break(organisation_id, expected_seq, row.id, f"event {expected_seq} is missing")
        if row.previous_hash != previous:
            return Break(organisation_id, row.seq, row.id, "it links to another event")
        if row.hash != event_hash(row, previous):
            return Break(organisation_id, row.seq, row.id, "it was changed after it was written")
        expected_seq, previous = expected_seq + 1, row.hash
    return None


@dataclass(frozen=True)
class ChainReport:
    """One organisation's chain, checked: how long, its head, and its first break if any."""

    slug: str
    events: int
    head_seq: int
    head_hash: str
    broken: Break | None


async def verify(session: AsyncSession, slug: str | None = None) -> list[ChainReport]:
    """Check the chain of every organisation (or of the one with ``slug``), event by event."""
    statement = select(Organisation.id, Organisation.slug).order_by(Organisation.slug)
    if slug is not None:
        statement = statement.where(Organisation.slug == slug)
    reports = []
    for organisation_id, organisation_slug in (await session.execute(statement)).all():
        events = list(
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.organisation_id == organisation_id)
                .order_by(AuditEvent.seq)
            )
        )
        broken = first_break(events, organisation_id)
        head = events[-1] if events else None
        reports.append(
            ChainReport(
                slug=organisation_slug,
                events=len(events),
                head_seq=head.seq if head else 0,
                head_hash=head.hash if head else GENESIS,
                broken=broken,
            )
        )
    return reports
