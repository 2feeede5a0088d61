"""A compiled statement is kept per document and reused for other variables, organisations and
pages, with each request's own values bound (the compiled path, on PostgreSQL and SQLite)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpers import add_projects
from pmo_graph.app_state import AppState
from pmo_graph.graphql.compiled.compiler import Compiled, NotCompiled
from pmo_graph.ids import to_global_id
from pmo_graph.projects.models import Project
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

PAGE = "query Page($n: Int) { projects(first: $n) { totalCount nodes { code } } }"
#: Documents are kept by their text: each test asks its own, so the counts are its own.
SIZES = "query Sizes($n: Int) { projects(first: $n) { nodes { code } } }"
NODE = """query One($id: ID!) { node(id: $id) {
  ... on Project { code } ... on Portfolio { name } } }"""


def _plans(state: AppState) -> list[Compiled | NotCompiled]:
    return list(state.compiled_plans._plans.values())


async def _codes(db_session: AsyncSession, organisation_id: int) -> list[str]:
    rows = await db_session.scalars(
        select(Project.code).where(Project.organisation_id == organisation_id).order_by(Project.id)
    )
    return list(rows)


async def test_one_plan_serves_every_organisation_with_its_own_rows(
    make_org: MakeOrg,
    db_session: AsyncSession,
    pmo_state: AppState,
) -> None:
    first, second = await make_org(), await make_org()
    await add_projects(db_session, first.id, 3)
    await add_projects(db_session, second.id, 5)
    before = len(pmo_state.compiled_plans)

    one = await first.admin.query(PAGE, {"n": 10})
    two = await second.admin.query(PAGE, {"n": 10})

    assert len(pmo_state.compiled_plans) == before + 1
    assert [n["code"] for n in one["projects"]["nodes"]] == await _codes(db_session, first.id)
    assert [n["code"] for n in two["projects"]["nodes"]] == await _codes(db_session, second.id)
    assert (one["projects"]["totalCount"], two["projects"]["totalCount"]) == (3, 5)


async def test_a_page_size_in_a_variable_is_bound_per_request(
    make_org: MakeOrg, db_session: AsyncSession, pmo_state: AppState
) -> None:
    org = await make_org()
    await add_projects(db_session, org.id, 12)
    before = len(pmo_state.compiled_plans)
    sizes = [len((await org.admin.query(SIZES, {"n": n}))["projects"]["nodes"]) for n in (2, 7)]
    default = await org.admin.query(SIZES, {})
    assert sizes == [2, 7]
    assert len(default["projects"]["nodes"]) == min(12, pmo_state.settings.default_page_size)
    # 2 and 7 share a plan; an absent page size is another shape (the default, a constant)
    assert len(pmo_state.compiled_plans) == before + 2
    too_large = pmo_state.settings.max_page_size + 1
    (error,) = await org.admin.errors(SIZES, {"n": too_large})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"  # the resolvers' answer


async def test_ids_of_one_type_share_a_plan_and_another_type_gets_its_own(
    make_org: MakeOrg, db_session: AsyncSession, pmo_state: AppState
) -> None:
    org = await make_org()
    await add_projects(db_session, org.id, 2)
    listed = await org.admin.query("{ projects(first: 5) { nodes { id code } } }")
    projects = listed["projects"]["nodes"]
    portfolio = (await org.admin.query("{ portfolios(first: 1) { nodes { id name } } }"))[
        "portfolios"
    ]["nodes"][0]
    before = len(pmo_state.compiled_plans)

    answers = [(await org.admin.query(NODE, {"id": p["id"]}))["node"] for p in projects]
    assert answers == [{"code": p["code"]} for p in projects]
    assert len(pmo_state.compiled_plans) == before + 1

    assert (await org.admin.query(NODE, {"id": portfolio["id"]}))["node"] == {
        "name": portfolio["name"]
    }
    assert len(pmo_state.compiled_plans) == before + 2

    # A key that is no number goes to the resolvers, which refuse it as no id of this API, and
    # is remembered as not compiled.
    errors = await org.admin.errors(NODE, {"id": to_global_id("Project", "x")})
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
    assert isinstance(_plans(pmo_state)[-1], NotCompiled)


async def test_another_organisations_id_is_nobodys_through_a_kept_plan(
    make_org: MakeOrg, db_session: AsyncSession
) -> None:
    mine, theirs = await make_org(), await make_org()
    await add_projects(db_session, mine.id, 1)
    await add_projects(db_session, theirs.id, 1)
    (own,) = (await mine.admin.query("{ projects(first: 1) { nodes { id code } } }"))["projects"][
        "nodes"
    ]
    (foreign,) = (await theirs.admin.query("{ projects(first: 1) { nodes { id } } }"))["projects"][
        "nodes"
    ]
    assert (await mine.admin.query(NODE, {"id": own["id"]}))["node"] == {"code": own["code"]}
    assert (await mine.admin.query(NODE, {"id": foreign["id"]}))["node"] is None
