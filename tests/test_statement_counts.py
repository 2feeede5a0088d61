"""No N+1: a page of projects with their relations costs the same statements for 10 as for 100."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from helpers import add_projects
from pmo_graph.app_state import AppState
from pmo_graph.testing import StatementCounter, TestOrganisation, access_statements

DASHBOARD = """
query($n: Int!) {
  projects(first: $n) {
    edges { node {
      manager { name } sponsor { name } portfolio { name }
      programme { name director { name } }
    } }
  }
}
"""

#: After the token and tiers (``access_statements``): the page, people (managers and sponsors),
#: portfolios, programmes, people again (directors, reached one level deeper).
#: These pin the resolvers' batching; the compiled path has its own counts.
pytestmark = pytest.mark.usefixtures("resolvers_only")

DASHBOARD_STATEMENTS = 5


async def _count(org: TestOrganisation, counter: StatementCounter, n: int) -> tuple[int, int]:
    client = org.admin
    await client.query("{ viewer { user { id } } }")  # first use of a token records last_used_at
    counter.reset()
    data = await client.query(DASHBOARD, {"n": n})
    return len(data["projects"]["edges"]), counter.count


async def test_dashboard_costs_the_same_for_10_and_100_projects(
    make_org: Callable[..., Awaitable[TestOrganisation]],
    db_session: AsyncSession,
    count_statements: StatementCounter,
    pmo_state: AppState,
) -> None:
    small, large = await make_org(), await make_org()
    await add_projects(db_session, small.id, 10)
    await add_projects(db_session, large.id, 100)

    small_rows, small_statements = await _count(small, count_statements, 100)
    large_rows, large_statements = await _count(large, count_statements, 100)

    assert (small_rows, large_rows) == (10, 100)
    expected = access_statements(pmo_state) + DASHBOARD_STATEMENTS
    assert small_statements == large_statements == expected, count_statements.statements


async def test_nested_connections_are_batched(
    make_org: Callable[..., Awaitable[TestOrganisation]],
    db_session: AsyncSession,
    count_statements: StatementCounter,
    pmo_state: AppState,
) -> None:
    """``portfolios { projects(first: n) { totalCount … } }``: one statement per level, not per portfolio."""
    query = """
    { portfolios(first: 100) { edges { node {
        name
        projects(first: 5) { totalCount edges { node { code manager { name } } } }
        programmes(first: 5) { totalCount nodes { name } }
    } } } }
    """
    counts = []
    for size in (3, 30):
        org = await make_org()
        await add_projects(db_session, org.id, size)
        await org.admin.query("{ viewer { user { id } } }")
        count_statements.reset()
        data = await org.admin.query(query)
        portfolios = data["portfolios"]["edges"]
        assert len(portfolios) == size
        assert all(p["node"]["projects"]["totalCount"] == 1 for p in portfolios)
        counts.append(count_statements.count)
    # token and tiers; portfolios, projects page, project counts, managers, programmes page,
    # programme counts
    expected = access_statements(pmo_state) + 6
    assert counts == [expected, expected], count_statements.statements
