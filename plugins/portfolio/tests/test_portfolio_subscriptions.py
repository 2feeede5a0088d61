"""The portfolio office's ``riskChanged`` subscription over a real WebSocket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from portfolio_helpers import TIERS, make_portfolio, make_project, risk

from pmo_graph.sdk import Role
from pmo_graph.subscription_client import GraphQLSocket
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

RISKS = """subscription($f: ID) { riskChanged(portfolioId: $f) {
  change changedFields risk { title score status project { code } } } }"""
UPDATE = """mutation($i: UpdateRiskInput!) { updateRisk(input: $i) {
  risk { id } userErrors { field message code } } }"""


async def test_risks_raised_and_reassessed_reach_their_portfolios_subscribers(
    pmo_server_url: str, make_org: MakeOrg
) -> None:
    org = await make_org(tiers=TIERS)
    watched = await make_portfolio(org.admin, "Watched")
    other = await make_portfolio(org.admin, "Other")
    mine = await make_project(org.admin, "MINE", watched)
    theirs = await make_project(org.admin, "THEIRS", other)
    async with GraphQLSocket(pmo_server_url, org.tokens[Role.PORTFOLIO_MANAGER]) as socket:
        narrowed = await socket.subscribe(RISKS, {"f": watched})
        everything = await socket.subscribe(RISKS)
        await risk(org.admin, theirs, 2, 2, "Elsewhere")
        raised = await risk(org.admin, mine, 3, 4, "Supplier")
        await org.admin.mutate(
            UPDATE,
            {"i": {"riskId": raised["id"], "impact": 5, "expectedVersion": raised["version"]}},
        )
        first = (await socket.data(narrowed))["riskChanged"]
        second = (await socket.data(narrowed))["riskChanged"]
        titles = [(await socket.data(everything))["riskChanged"]["risk"]["title"] for _ in "123"]
    assert first["change"] == "RAISED"
    assert first["changedFields"] == []
    assert first["risk"]["project"] == {"code": "MINE"}
    assert second["change"] == "UPDATED"
    assert "impact" in second["changedFields"]
    assert second["risk"]["score"] == 15  # read when the event arrives: the risk as it is now
    assert titles == ["Elsewhere", "Supplier", "Supplier"]
