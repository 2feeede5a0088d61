"""The core's domain events that integrations may subscribe to (hook ``register_event_types``)."""

from __future__ import annotations

from pmo_graph.events import EventType

CORE_EVENT_TYPES = [
    EventType("portfolio.created", "A portfolio was created."),
    EventType("portfolio.updated", "A portfolio's name, description or manager changed."),
    EventType("programme.created", "A programme was created."),
    EventType("programme.updated", "A programme's details or director changed."),
    EventType("project.created", "A project was created (directly or from a template)."),
    EventType("project.updated", "A project's details changed; `changed` lists the fields."),
    EventType("project.stage_changed", "A project moved to another stage."),
    EventType("person.created", "A person was added to the organisation."),
    EventType("person.updated", "A person's details changed."),
    EventType("tier.enabled", "A capability tier was switched on."),
    EventType("tier.disabled", "A capability tier was switched off."),
    EventType("maturity.assessed", "A maturity self-assessment was recorded."),
]
