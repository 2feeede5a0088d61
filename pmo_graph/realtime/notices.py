"""Notices: what crosses processes when a transaction commits (ids, never rows).

A notice says that something happened in one organisation: a domain event (``status_report.
submitted``) or an audit event recorded (``AUDIT_RECORDED``). Subscribers load what the notice
points at with their own viewer, so a notice never carries data a subscriber may not see.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from pmo_graph.audit.models import AuditEvent
from pmo_graph.db.types import utcnow
from pmo_graph.events import DomainEvent
from pmo_graph.request.shared_loads import SharedLoads

log = logging.getLogger("pmo_graph.realtime")

#: The notice name of an audit event recorded (``entity_pk`` is the audit event's id).
AUDIT_RECORDED = "audit.recorded"
#: The notice name of a token revoked (``entity_pk`` is the token's id).
TOKEN_REVOKED = "token.revoked"
#: The notice name of a user's roles changed (``entity_pk`` is the user's id).
USER_ACCESS_CHANGED = "user.access_changed"
#: Notices after which what a token may do must be read again: its subscriptions check their
#: token and tiers, and processes forget the organisation's kept access (``AccessCache``).
ACCESS_CHANGES = frozenset({"tier.enabled", "tier.disabled", TOKEN_REVOKED, USER_ACCESS_CHANGED})
#: PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay well below.
MAX_PAYLOAD_BYTES = 7000


@dataclass(frozen=True)
class Notice:
    """One committed fact of one organisation, as subscribers receive it."""

    organisation_id: int
    name: str
    entity_type: str
    entity_pk: int
    data: Mapping[str, Any] = field(default_factory=dict)
    actor_user_id: int | None = None
    occurred_at: datetime = field(default_factory=utcnow)
    #: What this process's subscribers of this notice load for it, loaded once for them all.
    loads: SharedLoads = field(default_factory=SharedLoads, init=False, compare=False, repr=False)

    def as_json(self) -> dict[str, Any]:
        """The notice as a JSON object (short keys: it travels in NOTIFY payloads)."""
        return {
            "o": self.organisation_id,
            "n": self.name,
            "t": self.entity_type,
            "k": self.entity_pk,
            "d": dict(self.data),
            "a": self.actor_user_id,
            "at": self.occurred_at.isoformat(),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Notice:
        """The notice ``as_json`` wrote."""
        return cls(
            organisation_id=int(value["o"]),
            name=str(value["n"]),
            entity_type=str(value["t"]),
            entity_pk=int(value["k"]),
            data=dict(value.get("d") or {}),
            actor_user_id=value.get("a"),
            occurred_at=datetime.fromisoformat(value["at"]),
        )


def notice_of_event(event: DomainEvent) -> Notice:
    """The notice of a committed domain event."""
    return Notice(
        organisation_id=event.organisation_id,
        name=event.name,
        entity_type=event.entity_type,
        entity_pk=event.entity_pk,
        data=event.data,
        actor_user_id=event.actor_user_id,
        occurred_at=event.occurred_at,
    )


def notice_of_audit(event: AuditEvent, pk: int | None = None) -> Notice:
    """The notice of an audit event recorded (flushed, so it has its id; or ``pk`` in its
    place)."""
    return Notice(
        organisation_id=event.organisation_id,
        name=AUDIT_RECORDED,
        entity_type="AuditEvent",
        entity_pk=event.id if pk is None else pk,
        data={"action": event.action},
        actor_user_id=event.actor_user_id,
        occurred_at=event.at,
    )


def audit_notice_around_its_id(event: AuditEvent) -> tuple[str, str]:
    """The JSON of an audit event's notice (``_fitting``'s) before and after its ``entity_pk``,
    for an event whose id the database gives it in the statement that sends the notice
    (``pmo_graph_finish_write``)."""
    encoded = _fitting(notice_of_audit(event, 0)).decode()
    # "o", "n" and "t" come first and hold an int and two fixed names: the first "k" is its own.
    head, tail = encoded.split(_UNKNOWN_ID, 1)
    return head + '"k":', "," + tail


#: How ``audit_notice_around_its_id`` finds where the id goes.
_UNKNOWN_ID = '"k":0,'


def notices_of(events: Iterable[DomainEvent], audits: Iterable[AuditEvent]) -> list[Notice]:
    """The notices of one transaction: its domain events, then its audit events."""
    return [*map(notice_of_event, events), *map(notice_of_audit, audits)]


def _fitting(notice: Notice) -> bytes:
    """The notice's JSON, without its data if it would not fit in a payload alone."""
    value = notice.as_json()
    encoded = orjson.dumps(value)
    if len(encoded) <= MAX_PAYLOAD_BYTES:
        return encoded
    # Only ids travel, so this takes thousands of them; subscribers then load the rest.
    log.warning("notice %s of %s:%s trimmed", notice.name, notice.entity_type, notice.entity_pk)
    return orjson.dumps({**value, "d": {}})


def encode_payloads(notices: Sequence[Notice]) -> Iterator[str]:
    """The notices as JSON arrays of at most ``MAX_PAYLOAD_BYTES`` each."""
    batch: list[bytes] = []
    size = 2
    for notice in notices:
        encoded = _fitting(notice)
        if batch and size + len(encoded) + 1 > MAX_PAYLOAD_BYTES:
            yield (b"[" + b",".join(batch) + b"]").decode()
            batch, size = [], 2
        batch.append(encoded)
        size += len(encoded) + 1
    if batch:
        yield (b"[" + b",".join(batch) + b"]").decode()


def decode_payload(payload: str) -> list[Notice]:
    """The notices of one payload ``encode_payloads`` wrote."""
    return [Notice.from_json(value) for value in orjson.loads(payload)]
