"""Connections: keyset pages forwards and backwards, totalCount, filters, nested pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpers import add_projects
from pmo_graph.graphql.pagination import Ordering, decode_cursor, encode_cursor
from pmo_graph.people.models import Person
from pmo_graph.testing import TestOrganisation

PAGE = """
query($first: Int, $after: String, $last: Int, $before: String, $filter: ProjectFilter) {
  projects(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    edges { cursor node { code } }
    nodes { code }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def _page(org: TestOrganisation, **variables: object) -> dict:  # type: ignore[type-arg]
    data = await org.admin.query(PAGE, variables)
    return data["projects"]  # type: ignore[no-any-return]


async def test_paging_forwards_visits_every_project_once_in_code_order(
    org: TestOrganisation, db_session: AsyncSession
) -> None:
    await add_projects(db_session, org.id, 7, with_relations=False)
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = await _page(org, first=3, after=after)
        assert page["totalCount"] == 7
        assert [e["node"]["code"] for e in page["edges"]] == [n["code"] for n in page["nodes"]]
        seen += [n["code"] for n in page["nodes"]]
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert pages == 3
    assert seen == [f"P-{i:04d}" for i in range(7)]


async def test_paging_backwards_from_the_end(
    org: TestOrganisation, db_session: AsyncSession
) -> None:
    await add_projects(db_session, org.id, 5, with_relations=False)
    last_two = await _page(org, last=2)
    assert [n["code"] for n in last_two["nodes"]] == ["P-0003", "P-0004"]
    assert last_two["pageInfo"]["hasPreviousPage"] is True
    assert last_two["pageInfo"]["hasNextPage"] is False
    before = await _page(org, last=2, before=last_two["pageInfo"]["startCursor"])
    assert [n["code"] for n in before["nodes"]] == ["P-0001", "P-0002"]
    assert before["pageInfo"]["hasNextPage"] is True
    first = await _page(org, last=5, before=before["pageInfo"]["startCursor"])
    assert [n["code"] for n in first["nodes"]] == ["P-0000"]
    assert first["pageInfo"]["hasPreviousPage"] is False


async def test_an_empty_page_and_a_zero_size_page(
    org: TestOrganisation, db_session: AsyncSession
) -> None:
    empty = await _page(org)
    assert empty == {
        "totalCount": 0,
        "edges": [],
        "nodes": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }
    await add_projects(db_session, org.id, 2, with_relations=False)
    zero = await _page(org, first=0)
    assert zero["totalCount"] == 2
    assert zero["nodes"] == []
    assert zero["pageInfo"]["hasNextPage"] is True


async def test_default_page_size_is_50(org: TestOrganisation, db_session: AsyncSession) -> None:
    await add_projects(db_session, org.id, 51, with_relations=False)
    page = await _page(org)
    assert len(page["nodes"]) == 50
    assert page["pageInfo"]["hasNextPage"] is True


async def test_bad_cursors_and_mixed_directions_are_user_errors(org: TestOrganisation) -> None:
    for variables in (
        {"after": "garbage"},
        {"before": "bm90LWpzb24="},
        {"first": 1, "last": 1},
        {"first": 1, "before": "x"},
    ):
        errors = await org.admin.errors(PAGE, variables)
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", variables


async def test_filters(org: TestOrganisation) -> None:
    portfolio = (
        await org.admin.mutate(
            'mutation { createPortfolio(input: {name: "F"}) { portfolio { id } userErrors { code } } }'
        )
    )["portfolio"]["id"]
    create = "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } userErrors { code } } }"
    for code, name, stage in [
        ("ALPHA-1", "Billing 100% rebuild", "ACTIVE"),
        ("BETA-2", "Warehouse_move", "PROPOSED"),
        ("GAMMA-3", "Billing cleanup", "CLOSED"),
    ]:
        await org.admin.mutate(create, {"i": {"code": code, "name": name, "stage": stage}})
    first = (await _page(org, filter={"search": "alpha"}))["nodes"]
    assert first == [{"code": "ALPHA-1"}]
    assert [n["code"] for n in (await _page(org, filter={"search": "billing"}))["nodes"]] == [
        "ALPHA-1",
        "GAMMA-3",
    ]
    assert [n["code"] for n in (await _page(org, filter={"search": "100%"}))["nodes"]] == [
        "ALPHA-1"
    ]
    assert [n["code"] for n in (await _page(org, filter={"search": "_"}))["nodes"]] == ["BETA-2"]
    stages = await _page(org, filter={"stage": ["ACTIVE", "CLOSED"]})
    assert (stages["totalCount"], [n["code"] for n in stages["nodes"]]) == (
        2,
        ["ALPHA-1", "GAMMA-3"],
    )
    assert (await _page(org, filter={"portfolioId": portfolio}))["totalCount"] == 0
    errors = await org.admin.errors(PAGE, {"filter": {"programmeId": portfolio}})
    assert errors[0]["message"] == "`filter.programmeId` is not a Programme id."


async def test_nested_pages_are_per_parent(org: TestOrganisation) -> None:
    create_portfolio = "mutation($n: String!) { createPortfolio(input: {name: $n}) { portfolio { id } userErrors { code } } }"
    a = (await org.admin.mutate(create_portfolio, {"n": "A"}))["portfolio"]["id"]
    b = (await org.admin.mutate(create_portfolio, {"n": "B"}))["portfolio"]["id"]
    create = "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } userErrors { code } } }"
    move = "mutation($p: ID!, $f: ID) { setProjectPortfolio(input: {projectId: $p, portfolioId: $f}) { project { id } userErrors { code } } }"
    for i in range(5):
        project = (await org.admin.mutate(create, {"i": {"code": f"N-{i}", "name": f"N {i}"}}))[
            "project"
        ]["id"]
        await org.admin.mutate(move, {"p": project, "f": a if i < 3 else b})
    query = """
    query($after: String) { portfolios { nodes { name projects(first: 2, after: $after) {
        totalCount nodes { code } pageInfo { hasNextPage endCursor } } } } }
    """
    data = await org.admin.query(query)
    pages = {p["name"]: p["projects"] for p in data["portfolios"]["nodes"]}
    assert [n["code"] for n in pages["A"]["nodes"]] == ["N-0", "N-1"]
    assert pages["A"]["totalCount"] == 3
    assert pages["A"]["pageInfo"]["hasNextPage"] is True
    assert [n["code"] for n in pages["B"]["nodes"]] == ["N-3", "N-4"]
    assert pages["B"]["pageInfo"]["hasNextPage"] is False
    second = await org.admin.query(query, {"after": pages["A"]["pageInfo"]["endCursor"]})
    pages = {p["name"]: p["projects"] for p in second["portfolios"]["nodes"]}
    assert [n["code"] for n in pages["A"]["nodes"]] == ["N-2"]
    assert [n["code"] for n in pages["B"]["nodes"]] == ["N-3", "N-4"]  # after N-1 in code order


async def test_people_search_and_order(org: TestOrganisation) -> None:
    create = "mutation($n: String!, $t: String) { createPerson(input: {name: $n, title: $t}) { person { id } userErrors { code } } }"
    for name, title in [("Zoe Zed", "Architect"), ("Adam Ant", "Analyst")]:
        await org.admin.mutate(create, {"n": name, "t": title})
    data = await org.admin.query(
        '{ people(search: "ANALYST") { nodes { name } } all: people(first: 2) { nodes { name } } }'
    )
    assert [p["name"] for p in data["people"]["nodes"]] == ["Adam Ant"]
    assert [p["name"] for p in data["all"]["nodes"]] == ["Adam Ant", "Admin"]


async def test_paging_on_a_timestamp_column_keeps_ties_and_order(
    org: TestOrganisation, db_session: AsyncSession
) -> None:
    """A plugin may page on a ``UTCDateTime`` column: the cursor's timestamp is compared as a
    timestamp, on SQLite (which stores text) as on PostgreSQL."""
    noon = datetime(2026, 3, 1, 12, 0, 0, 500, tzinfo=UTC)
    stamps = [noon, noon, noon + timedelta(microseconds=1), noon + timedelta(days=1)]
    people = [
        Person(organisation_id=org.id, name=f"P{i}", created_at=stamp)
        for i, stamp in enumerate(stamps)
    ]
    db_session.add_all(people)
    await db_session.commit()
    ordering = Ordering((Person.created_at, Person.id))
    mine = Person.id.in_([p.id for p in people])
    seen: list[str] = []
    cursor: tuple[object, ...] | None = None
    while True:
        statement = select(Person).where(mine).order_by(*ordering.order_by(False)).limit(1)
        if cursor is not None:
            statement = statement.where(ordering.after(cursor, False))
        page = list(await db_session.scalars(statement))
        if not page:
            break
        seen.append(page[0].name)
        # through a real cursor: JSON and base64 and back
        cursor = decode_cursor(encode_cursor(ordering.key_of(page[0])), 2, "after")
    assert seen == ["P0", "P1", "P2", "P3"]
