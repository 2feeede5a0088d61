"""Domain events: facts about committed changes, delivered to plugins after commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pmo_graph.db.types import utcnow


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened in one organisation, e.g. ``project.created``.

    ``entity_type`` is the GraphQL type name and ``entity_pk`` the database key of the entity;
    ``data`` carries ids and the changed values, never whole rows of other entities.
    """

    name: str
    organisation_id: int
    entity_type: str
    entity_pk: int
    actor_user_id: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class EventType:
    """A kind of domain event that integrations may receive (webhooks, docs).

    ``tier`` is the tier whose code emits it (None for the core): an organisation receives the
    events of a tier only while that tier is on.
    """

    name: str
    description: str
    tier: str | None = None
