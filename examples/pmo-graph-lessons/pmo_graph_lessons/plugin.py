"""Hook implementations of the `lessons` tier: a P3O centre-of-excellence lessons-learned log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import (
    DomainEvent,
    EventType,
    Organisation,
    Permission,
    Standard,
    Tier,
    Transaction,
    hookimpl,
)
from pmo_graph_lessons.demo import seed_lessons
from pmo_graph_lessons.lessons import LessonMutation, LessonProjectFields, LessonQuery, LessonType
from pmo_graph_lessons.permissions import LESSONS_PERMISSIONS
from pmo_graph_lessons.reviews import LessonReviewType, ReviewProjectFields, ReviewQuery, react
from pmo_graph_lessons.standards import STANDARDS
from pmo_graph_lessons.subscriptions import EVENT_TYPES, LessonRecorded, LessonSubscription
from pmo_graph_lessons.tier import TIER

#: The versions of the plugin API (``pmo_graph.PLUGIN_API_VERSION``) this plugin works with, as
#: a PEP 440 specifier; pmo-graph checks it when it loads the plugin.
PLUGIN_API = ">=1.0,<2"


@hookimpl
def register_tiers() -> Iterable[Tier]:
    return [TIER]


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_types() -> Iterable[type]:
    return [LessonType, LessonReviewType, LessonRecorded]


@hookimpl
def register_type_extensions() -> Mapping[str, Iterable[type]]:
    return {"Project": [LessonProjectFields, ReviewProjectFields]}


@hookimpl
def register_query_fields() -> Iterable[type]:
    return [LessonQuery, ReviewQuery]


@hookimpl
def register_mutation_fields() -> Iterable[type]:
    return [LessonMutation]


@hookimpl
def register_subscription_fields() -> Iterable[type]:
    return [LessonSubscription]


@hookimpl
def register_event_types() -> Iterable[EventType]:
    return EVENT_TYPES


@hookimpl
def register_permissions() -> Mapping[str, Permission]:
    return LESSONS_PERMISSIONS


@hookimpl
def register_standards() -> Iterable[Standard]:
    return STANDARDS


@hookimpl
async def handle_event_in_transaction(event: DomainEvent, transaction: Transaction) -> None:
    await react(event, transaction)


@hookimpl
async def seed_demo(session: AsyncSession, organisation: Organisation) -> None:
    await seed_lessons(session, organisation)
