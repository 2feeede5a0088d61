"""A benefit's measurements mean one thing wherever they are read: the realisation rounds the
same on both paths and both databases, and a measurement dated after the day never counts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from pmo_helpers import TIERS, benefit, programme
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.app_state import AppState
from pmo_graph.sdk import parse_pk
from pmo_graph.testing import StatementCounter, TestOrganisation
from pmo_graph.webhooks.models import WebhookDelivery
from pmo_graph_pmo.models import BenefitMeasurement

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

REALISATION = "query($id: ID!) { node(id: $id) { ... on Benefit { realisation } } }"
MEASURE = """mutation($i: RecordBenefitMeasurementInput!) {
  recordBenefitMeasurement(input: $i) { benefit { status } userErrors { code } } }"""
CREATE_WEBHOOK = """mutation($i: CreateWebhookInput!) {
  createWebhook(input: $i) { webhook { id } userErrors { field code } } }"""


@contextmanager
def resolvers(state: AppState) -> Iterator[None]:
    """The compiled path off for the block: every query goes through the resolvers."""
    before = state.compiled_queries
    state.compiled_queries = False
    try:
        yield
    finally:
        state.compiled_queries = before


async def test_realisation_rounds_half_away_from_zero_on_both_paths(
    make_org: MakeOrg, pmo_state: AppState, count_statements: StatementCounter
) -> None:
    """0.03 of a target 32 above the baseline is 0.0009375, which an office rounds to 0.000938
    (in binary the quotient is a hair below the half, so float rounding gave 0.000937)."""
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    today = datetime.now(UTC).date().isoformat()
    tiny = await benefit(org.admin, g, "Tiny", 0, 32, "2030-01-01", points=[(today, 0.03)])
    lost = await benefit(org.admin, g, "Lost", 0, 32, "2030-01-01", points=[(today, -0.03)])

    count_statements.reset()
    compiled = [await org.admin.query(REALISATION, {"id": b}) for b in (tiny, lost)]
    # the compiled path answered, on either database
    assert (
        sum("json_build_object(" in s or "json_object(" in s for s in count_statements.statements)
        == 2
    )
    with resolvers(pmo_state):
        resolved = [await org.admin.query(REALISATION, {"id": b}) for b in (tiny, lost)]

    assert [c["node"]["realisation"] for c in compiled] == [0.000938, -0.000938]
    assert resolved == compiled


async def test_a_measurement_dated_after_today_does_not_count_when_one_is_recorded(
    make_org: MakeOrg, db_session: AsyncSession
) -> None:
    """A future-dated measurement (written by an import, or a clock ahead) must not make the
    benefit ACHIEVED in what recording today's measurement announces: the status the query
    answers and the status the events carry are the same."""
    org = await make_org(tiers=TIERS)
    g = await programme(org.admin, "G")
    goal = await benefit(org.admin, g, "Goal", 0, 100, "2030-01-01")
    hook = await org.admin.mutate(
        CREATE_WEBHOOK,
        {"i": {"url": "https://hooks.example.org/pmo", "eventTypes": ["benefit.measured"]}},
    )
    today = datetime.now(UTC).date()
    db_session.add(
        BenefitMeasurement(
            organisation_id=org.id,
            benefit_id=parse_pk(goal, "Benefit"),
            measured_on=today + timedelta(days=30),
            value=150.0,
        )
    )
    await db_session.commit()

    payload = await org.admin.mutate(
        MEASURE, {"i": {"benefitId": goal, "measuredOn": today.isoformat(), "value": 10.0}}
    )

    assert payload["benefit"]["status"] == "ON_TRACK"  # one point, target date to come
    announced = await db_session.scalar(
        select(WebhookDelivery.payload).where(
            WebhookDelivery.webhook_id == parse_pk(hook["webhook"]["id"], "Webhook"),
            WebhookDelivery.event_name == "benefit.measured",
        )
    )
    assert announced is not None
    assert announced["data"]["status"] == "ON_TRACK", announced
