"""A programme drill-down as a frontend asks it, at default page sizes (issue #22): priced by what
its one statement reads when a compiled plan answers it (docs/security.md#query-cost), by the
resolvers' rule when they do. Worked out by hand below; PAGE is the default page size, LIST the
size a plain list is priced at."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from bench_world import build_bench_world
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.app_state import AppState
from pmo_graph.testing import StatementCounter, TestOrganisation, access_statements

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
PAGE, LIST = 50, 10
LIMIT = 250_000

#: The programmes page drilled down to each project's manager, risks, status reports and team.
DRILL_DOWN = """
query ProgrammeDrillDown {
  programmes {
    totalCount
    edges { node { ...ProgrammeRow } }
  }
}

fragment ProgrammeRow on Programme {
  id name vision
  director { id name }
  projects {
    totalCount
    edges { node { ...ProjectRow } }
  }
}

fragment ProjectRow on Project {
  id code name stage startDate endDate budget
  manager { id name }
  risks { id title score rating status owner { id name } }
  statusReports { edges { node { id periodEnding overall schedule cost scope resources summary } } }
  assignments { id role allocation startDate endDate person { id name } }
  # MORE
}
"""
#: The same with each project's milestones and benefit contributions too.
EVERYTHING = DRILL_DOWN.replace(
    "  # MORE",
    "  milestones { id name baselineDate forecastDate actualDate slipDays }\n"
    "  benefitContributions { share benefit { id name realisation } }",
)

# The resolvers' price: an edge and its node are two objects, a connection one more.
RESOLVERS_PROJECT = 2 + 1 + LIST * 2 + (1 + PAGE * 2) + LIST * 2  # 144
RESOLVERS = 1 + PAGE * (2 + 1 + (1 + PAGE * RESOLVERS_PROJECT))  # 360,201
RESOLVERS_EVERYTHING = 1 + PAGE * (2 + 1 + (1 + PAGE * (RESOLVERS_PROJECT + LIST + LIST * 2)))
# The compiled price: a row per item (an edge and its node are one row) and per related object,
# and 1 per page and per count(*) (totalCount) each time it runs.
COMPILED_PROJECT = 1 + 1 + LIST * 2 + (1 + PAGE) + LIST * 2  # 93
COMPILED = 1 + 1 + PAGE * (1 + 1 + (1 + 1 + PAGE * COMPILED_PROJECT))  # 232,702
COMPILED_EVERYTHING = 1 + 1 + PAGE * (4 + PAGE * (COMPILED_PROJECT + LIST + LIST * 2))


def test_the_figures() -> None:
    assert (RESOLVERS, COMPILED) == (360_201, 232_702)
    assert (RESOLVERS_EVERYTHING, COMPILED_EVERYTHING) == (435_201, 307_702)


@pytest.fixture
async def world(make_org: MakeOrg, db_session: AsyncSession) -> TestOrganisation:
    """An organisation like the benchmark's: two programmes of three projects each."""
    organisation = await make_org(tiers=["pso", "portfolio", "pmo"])
    await build_bench_world(db_session, organisation.id, 3)
    return organisation


async def test_the_drill_down_fits_in_one_statement_when_compiled(
    world: TestOrganisation,
    pmo_state: AppState,
    count_statements: StatementCounter,
) -> None:
    org = world
    await org.admin.query("{ __typename }")
    count_statements.reset()
    result = await org.admin.execute(DRILL_DOWN)
    cost = result["extensions"]["cost"]
    assert "errors" not in result, result["errors"]
    assert (cost["path"], cost["requested"]) == ("compiled", COMPILED)
    assert COMPILED < LIMIT < RESOLVERS
    assert count_statements.count == access_statements(pmo_state) + 1, count_statements.statements
    programmes = result["data"]["programmes"]["edges"]
    assert len(programmes) == 2
    projects = programmes[0]["node"]["projects"]["edges"]
    assert [len(p["node"]["statusReports"]["edges"]) > 0 for p in projects] == [True] * 3


async def test_the_lane_prices_the_drill_down_as_the_pipeline_does(
    world: TestOrganisation, pmo_state: AppState
) -> None:
    org = world
    lane = pmo_state.fast_lane
    from_pipeline = await org.admin.execute(DRILL_DOWN)
    answered = lane.answered
    from_lane = await org.admin.execute(DRILL_DOWN)
    assert lane.answered == answered + 1
    assert (
        _cost(from_lane)
        == _cost(from_pipeline)
        == {
            "requested": COMPILED,
            "maximum": LIMIT,
            "path": "compiled",
        }
    )
    assert from_lane["data"] == from_pipeline["data"]


async def test_everything_at_once_still_reads_more_rows_than_the_limit(
    world: TestOrganisation,
) -> None:
    """2,500 projects' 50 reports are 125,000 rows: the statement could read 307,702 points of
    rows, pages and counts, more than the 251,001 of the refused 500 x 500, so it is refused as that is."""
    (error,) = await world.admin.errors(EVERYTHING)
    expected = COMPILED_EVERYTHING
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "cost",
        "cost": expected,
        "maximum": LIMIT,
    }


def _cost(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response["extensions"]["cost"].items() if k != "throttle"}
