"""Reading lessons: a project's, the organisation's log with search and paging, and nobody
else's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from lessons_helpers import project, record
from pmo_graph.sdk import Role
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

PROJECT_LESSONS = """
query($id: ID!, $first: Int, $after: String, $search: String, $category: LessonCategory) {
  node(id: $id) { ... on Project { code
    lessons(first: $first, after: $after, search: $search, category: $category) {
      totalCount nodes { title category project { code } }
      pageInfo { hasNextPage endCursor }
    } } }
}
"""
LOG = """
query($search: String, $category: LessonCategory, $first: Int, $after: String, $last: Int, $before: String) {
  lessons(search: $search, category: $category, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    nodes { title }
    edges { cursor node { project { code } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def _titles(org: TestOrganisation, **variables: object) -> list[str]:
    data = await org.admin.query(LOG, variables)
    return [node["title"] for node in data["lessons"]["nodes"]]


async def test_project_lessons_are_the_projects_own_newest_first(org: TestOrganisation) -> None:
    first = await project(org.admin, "PL-1")
    second = await project(org.admin, "PL-2")
    for title in ("one", "two", "three"):
        await record(org.admin, first, title, category="PLANNING" if title != "two" else "OTHER")
    await record(org.admin, second, "elsewhere")

    data = await org.admin.query(PROJECT_LESSONS, {"id": first})
    lessons = data["node"]["lessons"]
    assert lessons["totalCount"] == 3
    assert [n["title"] for n in lessons["nodes"]] == ["three", "two", "one"]
    assert {n["project"]["code"] for n in lessons["nodes"]} == {"PL-1"}

    page = (await org.admin.query(PROJECT_LESSONS, {"id": first, "first": 2}))["node"]["lessons"]
    assert [n["title"] for n in page["nodes"]] == ["three", "two"]
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["totalCount"] == 3
    rest = await org.admin.query(
        PROJECT_LESSONS, {"id": first, "first": 2, "after": page["pageInfo"]["endCursor"]}
    )
    assert [n["title"] for n in rest["node"]["lessons"]["nodes"]] == ["one"]
    assert rest["node"]["lessons"]["pageInfo"]["hasNextPage"] is False

    planning = await org.admin.query(PROJECT_LESSONS, {"id": first, "category": "PLANNING"})
    assert planning["node"]["lessons"]["totalCount"] == 2
    searched = await org.admin.query(PROJECT_LESSONS, {"id": first, "search": "THR"})
    assert [n["title"] for n in searched["node"]["lessons"]["nodes"]] == ["three"]
    assert searched["node"]["lessons"]["totalCount"] == 1


async def test_projects_of_a_page_each_get_their_lessons(org: TestOrganisation) -> None:
    ids = [await project(org.admin, f"MANY-{i}") for i in range(3)]
    for i, project_id in enumerate(ids):
        for n in range(i):
            await record(org.admin, project_id, f"{i}-{n}")
    data = await org.admin.query(
        "{ projects { nodes { code lessons(first: 1) { totalCount nodes { title } } } } }"
    )
    assert [
        (p["code"], p["lessons"]["totalCount"], [n["title"] for n in p["lessons"]["nodes"]])
        for p in data["projects"]["nodes"]
    ] == [("MANY-0", 0, []), ("MANY-1", 1, ["1-0"]), ("MANY-2", 2, ["2-1"])]


async def test_the_log_searches_titles_and_texts_case_insensitively(org: TestOrganisation) -> None:
    a = await project(org.admin, "S-1")
    b = await project(org.admin, "S-2")
    await record(org.admin, a, "Vendor onboarding took months", category="SUPPLIERS")
    await record(org.admin, b, "Late design sign-off", whatHappened="The VENDOR's architect left.")
    await record(
        org.admin, b, "Estimates ignored holidays", recommendation="Use a 100% calendar_check"
    )
    await record(org.admin, a, "Überweisung im Ausland", whatHappened="Straße gesperrt")

    assert await _titles(org, search="vendor") == [
        "Late design sign-off",
        "Vendor onboarding took months",
    ]
    assert await _titles(org, search="  VeNdOr  ") == [
        "Late design sign-off",
        "Vendor onboarding took months",
    ]
    assert await _titles(org, search="ignored") == ["Estimates ignored holidays"]
    assert await _titles(org, search="calendar") == ["Estimates ignored holidays"]
    # Beyond ASCII, on SQLite as on PostgreSQL.
    assert await _titles(org, search="ÜBERWEISUNG") == ["Überweisung im Ausland"]
    assert await _titles(org, search="STRASSE") == ["Überweisung im Ausland"]
    # LIKE's wildcards are searched for literally.
    assert await _titles(org, search="100%") == ["Estimates ignored holidays"]
    assert await _titles(org, search="sign_off") == []
    assert await _titles(org, search="%") == ["Estimates ignored holidays"]
    assert await _titles(org, search="_check") == ["Estimates ignored holidays"]
    # Blank means no search; nothing found is an empty page.
    assert len(await _titles(org, search="   ")) == 4
    empty = await org.admin.query(LOG, {"search": "nothing like it"})
    assert empty["lessons"]["totalCount"] == 0
    assert empty["lessons"]["nodes"] == []
    # Search and category combine.
    assert await _titles(org, search="vendor", category="SUPPLIERS") == [
        "Vendor onboarding took months"
    ]


async def test_the_log_pages_newest_first_with_a_total(org: TestOrganisation) -> None:
    project_id = await project(org.admin, "PAGE-1")
    titles = [f"Lesson {i:02d}" for i in range(7)]
    for title in titles:
        await record(org.admin, project_id, title)
    newest_first = list(reversed(titles))

    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await org.admin.query(LOG, {"first": 3, "after": after})
        connection = data["lessons"]
        assert connection["totalCount"] == 7
        seen += [node["title"] for node in connection["nodes"]]
        pages += 1
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == newest_first
    assert pages == 3

    # Backwards from the end, and a search that pages.
    last = await org.admin.query(LOG, {"last": 2})
    assert [n["title"] for n in last["lessons"]["nodes"]] == newest_first[-2:]
    searched = await org.admin.query(LOG, {"search": "lesson 0", "first": 4})
    assert searched["lessons"]["totalCount"] == 7
    assert [n["title"] for n in searched["lessons"]["nodes"]] == newest_first[:4]


async def test_paging_arguments_are_checked(org: TestOrganisation) -> None:
    errors = await org.admin.errors(LOG, {"after": "not-a-cursor"})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    errors = await org.admin.errors(LOG, {"first": 10_000})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    errors = await org.admin.errors(LOG, {"first": 1, "last": 1})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_every_role_reads_the_log(org: TestOrganisation) -> None:
    project_id = await project(org.admin, "ROLE-1")
    await record(org.admin, project_id, "For everyone")
    for role in Role:
        data = await org.client(role).query("{ lessons { totalCount } }")
        assert data["lessons"]["totalCount"] == 1, role


async def test_another_organisations_lessons_are_invisible(make_org: MakeOrg) -> None:
    ours = await make_org(tiers=["pso", "lessons"])
    theirs = await make_org(tiers=["pso", "lessons"])
    their_project = await project(theirs.admin, "SECRET")
    secret = await record(theirs.admin, their_project, "Confidential supplier dispute")
    our_project = await project(ours.admin, "OURS")
    await record(ours.admin, our_project, "Our own lesson")

    assert await _titles(ours) == ["Our own lesson"]
    assert await _titles(ours, search="confidential") == []
    assert (await ours.admin.query(LOG, {}))["lessons"]["totalCount"] == 1
    # Their lesson and their project cannot be reached by id either.
    node = await ours.admin.query(
        "query($id: ID!) { node(id: $id) { ... on Lesson { title } } }", {"id": secret["id"]}
    )
    assert node["node"] is None
    project_node = await ours.admin.query(
        "query($id: ID!) { node(id: $id) { ... on Project { lessons { totalCount } } } }",
        {"id": their_project},
    )
    assert project_node["node"] is None
    # A cursor taken from their log reads only our lessons.
    their_page = await theirs.admin.query(LOG, {"first": 1})
    cursor = their_page["lessons"]["pageInfo"]["endCursor"]
    data = await ours.admin.query(LOG, {"first": 5, "before": None, "after": cursor})
    assert all(
        node["title"] != "Confidential supplier dispute" for node in data["lessons"]["nodes"]
    )
    assert (await theirs.admin.query(LOG, {}))["lessons"]["totalCount"] == 1
