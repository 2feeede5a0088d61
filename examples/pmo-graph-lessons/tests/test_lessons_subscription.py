"""``lessonRecorded`` over a real WebSocket, with pmo-graph's test fixtures and client."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from lessons_helpers import project, record
from pmo_graph.sdk import Role
from pmo_graph.subscription_client import GraphQLSocket
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

RECORDED = """subscription($c: LessonCategory) { lessonRecorded(category: $c) {
  lesson { title category project { code } } actor { email } } }"""


async def test_lessons_of_the_chosen_category_are_announced(
    pmo_server_url: str, make_org: MakeOrg
) -> None:
    org = await make_org(tiers=["pso", "lessons"])
    target = await project(org.admin, "L-1")
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.VIEWER]) as socket:
        suppliers = await socket.subscribe(RECORDED, {"c": "SUPPLIERS"})
        await record(org.admin, target, "Plan earlier", category="PLANNING")
        await record(org.admin, target, "Vet suppliers", category="SUPPLIERS")
        data = (await socket.data(suppliers))["lessonRecorded"]
    assert data["lesson"] == {
        "title": "Vet suppliers",
        "category": "SUPPLIERS",
        "project": {"code": "L-1"},
    }
    assert data["actor"]["email"] == f"admin@{org.slug}.test"


async def test_subscribing_needs_the_tier(pmo_server_url: str, make_org: MakeOrg) -> None:
    org = await make_org(tiers=["pso"])
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.ADMIN]) as socket:
        message = await socket.receive(await socket.subscribe(RECORDED))
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "TIER_NOT_ENABLED"
