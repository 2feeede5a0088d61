"""The end of a write on PostgreSQL, in one statement.

After its body and the plugins' reactions a write stages its webhook deliveries, takes its
organisation's turn on the audit chain, reads the chain's head, inserts its audit events linked
to it and sends its notices. Step by step that is four or five round trips
(``writes.finish_in_transaction`` on SQLite); here it is one call of ``pmo_graph_finish_write``
(migration 0012), given what Python prepared: the deliveries' bodies, the bytes each audit
event's hash covers around the previous hash and its ``seq`` (so the hash is the one
``audit.chain.event_hash`` computes and ``verify`` checks), and the notices' JSON around the
audit events' ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import orjson
from sqlalchemy import text

from pmo_graph.audit.chain import hashed_around_the_link
from pmo_graph.db.types import utcnow
from pmo_graph.realtime.notices import (
    MAX_PAYLOAD_BYTES,
    audit_notice_around_its_id,
    encode_payloads,
    notice_of_audit,
    notice_of_event,
)
from pmo_graph.realtime.publish import BusApp, deliver_after_commit
from pmo_graph.webhooks.outbox import bodies_after_the_delivery_id, nudge_after_commit

if TYPE_CHECKING:
    from pmo_graph.request.transaction import Transaction

# Built once: its compiled form is kept, and asyncpg keeps the statement prepared.
_FINISH = text(
    "SELECT staged, ids, seqs, previous, hashes FROM pmo_graph_finish_write("
    ":organisation, :staged_at, :delivery_events, :delivery_bodies, :audit_at, :audit_actors, "
    ":audit_actions, :audit_entity_types, :audit_entity_pks, :audit_changes, :audit_requests, "
    ":audit_before, :audit_between, :channel, :payload_bytes, :notices, :audit_notice_heads, "
    ":audit_notice_tails)"
)


def finishes_in_one_statement(transaction: Transaction) -> bool:
    """Whether ``transaction`` can end with ``finish_in_one_statement``: on PostgreSQL, in an
    organisation, every audit event it recorded of that organisation."""
    organisation_id = transaction.context.organisation_id
    return (
        organisation_id is not None
        and transaction.session.get_bind().dialect.name == "postgresql"
        and all(e.organisation_id == organisation_id for e in transaction.recorded)
    )


async def finish_in_one_statement(transaction: Transaction) -> None:
    """Stage the deliveries, link and insert the audit events (each gets its id, ``seq`` and
    hashes) and send the notices of ``transaction``, in one statement; what must happen after
    the commit (waking the deliverer, this process's subscribers) is queued on its context."""
    context = transaction.context
    organisation_id = context.organisation_id
    assert organisation_id is not None
    recorded = transaction.recorded
    names, bodies = bodies_after_the_delivery_id(
        organisation_id, context.events, context.app.event_types, context.enabled_tiers
    )
    channel = cast(BusApp, context.app).bus.notify_channel
    domain_notices = [notice_of_event(event) for event in context.events]
    linked = [hashed_around_the_link(event) for event in recorded]
    around_ids = [audit_notice_around_its_id(event) for event in recorded] if channel else []
    row = await transaction.rows.first(
        _FINISH,
        organisation=organisation_id,
        staged_at=utcnow(),
        delivery_events=names,
        delivery_bodies=bodies,
        audit_at=[e.at for e in recorded],
        audit_actors=[e.actor_user_id for e in recorded],
        audit_actions=[e.action for e in recorded],
        audit_entity_types=[e.entity_type for e in recorded],
        audit_entity_pks=[e.entity_pk for e in recorded],
        audit_changes=[orjson.dumps(e.changes).decode() for e in recorded],
        audit_requests=[e.request_id for e in recorded],
        audit_before=[before for before, _ in linked],
        audit_between=[between for _, between in linked],
        channel=channel,
        payload_bytes=MAX_PAYLOAD_BYTES,
        notices=list(encode_payloads(domain_notices)) if channel else [],
        audit_notice_heads=[head for head, _ in around_ids],
        audit_notice_tails=[tail for _, tail in around_ids],
    )
    assert row is not None
    staged, ids, seqs, previous, hashes = row.values()
    for event, pk, seq, before, digest in zip(recorded, ids, seqs, previous, hashes, strict=True):
        event.id, event.seq, event.previous_hash, event.hash = pk, seq, before, digest
    if staged:
        nudge_after_commit(transaction)
    notices = [*domain_notices, *map(notice_of_audit, recorded)]
    if notices:
        deliver_after_commit(transaction, notices)
