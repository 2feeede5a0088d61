"""The `lessons` tier, a P3O centre-of-excellence lessons-learned log: its manifest and the hooks
that do work."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.sdk import DomainEvent, Manifest, Organisation, Transaction, hookimpl
from pmo_graph_lessons.demo import seed_lessons
from pmo_graph_lessons.events import EVENT_TYPES
from pmo_graph_lessons.lessons import LessonMutation, LessonProjectFields, LessonQuery, LessonType
from pmo_graph_lessons.permissions import LESSONS_PERMISSIONS
from pmo_graph_lessons.reviews import LessonReviewType, ReviewProjectFields, ReviewQuery, react
from pmo_graph_lessons.standards import STANDARDS
from pmo_graph_lessons.subscriptions import LessonRecorded, LessonSubscription
from pmo_graph_lessons.tier import TIER

#: The versions of the plugin API (``pmo_graph.PLUGIN_API_VERSION``) this plugin works with, as
#: a PEP 440 specifier; pmo-graph checks it when it loads the plugin. 1.1 brought the manifest.
PLUGIN_API = ">=1.1,<2"

#: Everything the tier contributes at start-up; each field implements one ``register_*`` hook.
MANIFEST = Manifest(
    tiers=[TIER],
    migrations=Path(__file__).parent / "migrations" / "versions",
    types=[LessonType, LessonReviewType, LessonRecorded],
    type_extensions={"Project": [LessonProjectFields, ReviewProjectFields]},
    query_fields=[LessonQuery, ReviewQuery],
    mutation_fields=[LessonMutation],
    subscription_fields=[LessonSubscription],
    event_types=EVENT_TYPES,
    permissions=LESSONS_PERMISSIONS,
    standards=STANDARDS,
)


@hookimpl
async def handle_event_in_transaction(event: DomainEvent, transaction: Transaction) -> None:
    await react(event, transaction)


@hookimpl
async def seed_demo(session: AsyncSession, organisation: Organisation) -> None:
    await seed_lessons(session, organisation)
