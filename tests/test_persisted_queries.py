"""Automatic persisted queries, end to end through HTTP: Apollo's protocol (miss, register,
hit; the hash checked; GET), and a persisted query is the request of its text from then on
(the same statements, the fast lane, the same idempotency key)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from helpers import CREATE_PERSON, add_projects
from persisted_requests import get, only_error, persisted_query, post, sha256
from pmo_graph.app_state import AppState
from pmo_graph.graphql.compiled.fast_lane import FastLane
from pmo_graph.graphql.compiled.plans import PlanCache
from pmo_graph.graphql.persisted.apq import DocumentStore
from pmo_graph.idempotency.keys import REPLAYED
from pmo_graph.subscription_client import GraphQLSocket
from pmo_graph.testing import StatementCounter, TestOrganisation, access_statements

MakeOrg = Callable[..., Awaitable[TestOrganisation]]


def page(tag: str) -> str:
    """A compilable page of projects, its text made unique to the test by ``tag`` (an alias
    would change what is compiled; the operation's name does not)."""
    name = "Page" + tag.replace("-", "")
    return f"query {name}($n: Int) {{ projects(first: $n) {{ totalCount nodes {{ code name }} }} }}"


async def test_an_unknown_hash_is_asked_for_then_registered_then_answered(
    org: TestOrganisation, db_session: AsyncSession
) -> None:
    await add_projects(db_session, org.id, 3, with_relations=False)
    query = page(uuid.uuid4().hex)
    hashed = {"variables": {"n": 2}, "extensions": persisted_query(sha256(query))}

    missed = await post(org.admin, hashed)
    assert missed.status_code == 200  # as Apollo Server answers it: every link version retries
    assert missed.headers["cache-control"] == "private, no-cache, must-revalidate"
    assert only_error(missed) == {
        "message": "PersistedQueryNotFound",
        "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
    }

    registered = await post(org.admin, {"query": query, **hashed})
    assert registered.status_code == 200
    assert "errors" not in registered.json()
    hit = await post(org.admin, hashed)
    assert hit.status_code == 200
    assert hit.json()["data"] == registered.json()["data"]
    assert len(hit.json()["data"]["projects"]["nodes"]) == 2


async def test_a_hash_that_is_not_the_query_s_is_refused_and_nothing_is_stored(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    query = page(uuid.uuid4().hex)
    wrong = sha256(query + " ")
    held = len(pmo_state.persisted.store)

    refused = await post(org.admin, {"query": query, "extensions": persisted_query(wrong)})
    assert refused.status_code == 400
    error = only_error(refused)
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "is not the SHA-256 of the query" in error["message"]
    assert len(pmo_state.persisted.store) == held
    for sha in (wrong, sha256(query)):
        missed = await post(org.admin, {"extensions": persisted_query(sha)})
        assert only_error(missed)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    "extension",
    [
        {"version": 2, "sha256Hash": "0" * 64},
        {"sha256Hash": "0" * 64},
        "v1",
        {"version": 1, "sha256Hash": "not-a-hash"},
        {"version": 1},
    ],
    ids=["version-2", "no-version", "not-an-object", "not-hex", "no-hash"],
)
async def test_a_persisted_query_extension_that_is_not_version_1_is_refused(
    org: TestOrganisation, extension: object
) -> None:
    query = "{ viewer { user { id } } }"
    refused = await post(org.admin, {"query": query, "extensions": {"persistedQuery": extension}})
    assert refused.status_code == 400
    error = only_error(refused)
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "persistedQuery" in error["message"] or "persisted query" in error["message"]


async def test_a_document_that_does_not_parse_is_not_registered(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    broken = "query { projects(first: 2) { nodes { code }"
    sent = {"query": broken, "extensions": persisted_query(sha256(broken))}
    held = len(pmo_state.persisted.store)
    answered = await post(org.admin, sent)
    assert answered.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Syntax Error" in answered.json()["errors"][0]["message"]
    assert len(pmo_state.persisted.store) == held
    missed = await post(org.admin, {"extensions": persisted_query(sha256(broken))})
    assert only_error(missed)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_persisted_query_may_come_by_get(
    org: TestOrganisation, db_session: AsyncSession
) -> None:
    """Apollo's link with ``useGETForHashedQueries``: ``extensions`` and ``variables`` are
    JSON in the query string; the miss is not cached; the full query comes by POST."""
    await add_projects(db_session, org.id, 2, with_relations=False)
    query = page(uuid.uuid4().hex)
    hashed = {"variables": {"n": 1}, "extensions": persisted_query(sha256(query))}
    missed = await get(org.admin, hashed)
    assert missed.status_code == 200
    assert missed.headers["cache-control"] == "private, no-cache, must-revalidate"
    assert only_error(missed)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    await post(org.admin, {"query": query, **hashed})
    hit = await get(org.admin, hashed)
    assert hit.status_code == 200, hit.text
    assert len(hit.json()["data"]["projects"]["nodes"]) == 1
    registered_by_get = page(uuid.uuid4().hex)
    both = await get(
        org.admin,
        {"query": registered_by_get, "extensions": persisted_query(sha256(registered_by_get))},
    )
    assert both.json()["data"]["projects"]["totalCount"] == 2
    assert (
        await get(org.admin, {"extensions": persisted_query(sha256(registered_by_get))})
    ).json()["data"] == both.json()["data"]


async def test_a_persisted_mutation_by_get_is_refused_as_its_text_is(
    org: TestOrganisation,
) -> None:
    mutation = CREATE_PERSON
    variables = {"input": {"name": "By GET"}}
    await post(
        org.admin,
        {
            "query": mutation,
            "variables": variables,
            "extensions": persisted_query(sha256(mutation)),
        },
    )
    refused = await get(
        org.admin, {"variables": variables, "extensions": persisted_query(sha256(mutation))}
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.fixture
def cold_caches(pmo_state: AppState) -> Iterator[None]:
    """Forget the compiled plans and the fast lane's documents during the test, so that each
    document's first request goes through the whole pipeline."""
    plans, lane = pmo_state.compiled_plans, pmo_state.fast_lane
    pmo_state.compiled_plans, pmo_state.fast_lane = PlanCache(), FastLane(pmo_state)
    try:
        yield
    finally:
        pmo_state.compiled_plans, pmo_state.fast_lane = plans, lane


@pytest.mark.usefixtures("cold_caches")
async def test_a_persisted_query_runs_the_statements_of_its_text(
    org: TestOrganisation,
    db_session: AsyncSession,
    pmo_state: AppState,
    count_statements: StatementCounter,
) -> None:
    """The text first, through the pipeline (compiled: one statement for the data); the caches
    forgotten, the hash alone runs exactly those statements; asked again, the fast lane answers
    it with its one statement (after the token and tiers on SQLite), as it answers the text."""
    await add_projects(db_session, org.id, 3, with_relations=False)
    query = page(uuid.uuid4().hex)
    variables = {"n": 2}
    await org.admin.query("{ viewer { user { id } } }")  # the token's first use is recorded
    await post(
        org.admin,
        {"query": query, "variables": variables, "extensions": persisted_query(sha256(query))},
    )

    pmo_state.compiled_plans, pmo_state.fast_lane = PlanCache(), FastLane(pmo_state)
    count_statements.reset()
    text = await post(org.admin, {"query": query, "variables": variables})
    by_text = list(count_statements.statements)
    compiled = pmo_state.compiled_queries
    # After the token and tiers: one compiled statement, or the page and its count.
    assert len(by_text) == access_statements(pmo_state) + (1 if compiled else 2), by_text

    pmo_state.compiled_plans, pmo_state.fast_lane = PlanCache(), FastLane(pmo_state)
    count_statements.reset()
    hashed = {"variables": variables, "extensions": persisted_query(sha256(query))}
    persisted = await post(org.admin, hashed)
    assert count_statements.statements == by_text
    assert persisted.json()["data"] == text.json()["data"]

    answered = pmo_state.fast_lane.answered
    count_statements.reset()
    again = await post(org.admin, hashed)
    assert again.json()["data"] == text.json()["data"]
    if compiled:
        assert pmo_state.fast_lane.answered == answered + 1
        assert count_statements.count == access_statements(pmo_state) + 1, (
            count_statements.statements
        )
    else:
        assert count_statements.statements == by_text


async def test_a_persisted_mutation_and_its_text_are_one_request_to_an_idempotency_key(
    org: TestOrganisation,
) -> None:
    mutation = CREATE_PERSON
    variables = {"input": {"name": f"Idem {uuid.uuid4().hex[:6]}"}}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await post(
        org.admin,
        {
            "query": mutation,
            "variables": variables,
            "extensions": persisted_query(sha256(mutation)),
        },
        key,
    )
    assert first.status_code == 200, first.text
    replayed = await post(
        org.admin, {"variables": variables, "extensions": persisted_query(sha256(mutation))}, key
    )
    assert replayed.headers.get(REPLAYED) == "true"
    assert replayed.content == first.content
    text = await post(org.admin, {"query": mutation, "variables": variables}, key)
    assert text.headers.get(REPLAYED) == "true"


async def test_a_subscription_may_name_a_persisted_query(
    pmo_server_url: str, org: TestOrganisation
) -> None:
    # From the start of the log: the event is there whenever the subscription begins.
    audit = "subscription PersistedAudit { auditEvents(afterSeq: 0) { action } }"
    await org.admin.mutate(
        'mutation { createPortfolio(input: {name: "Persisted"}) { userErrors { code } } }'
    )
    async with GraphQLSocket(pmo_server_url, org.admin.token) as socket:
        unknown = await socket.subscribe_with({"extensions": persisted_query(sha256(audit))})
        message = await socket.receive(unknown)
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND"}
        registered = await socket.subscribe_with(
            {"query": audit, "extensions": persisted_query(sha256(audit))}
        )
        assert (await socket.data(registered))["auditEvents"]["action"] == "createPortfolio"
        by_hash = await socket.subscribe_with({"extensions": persisted_query(sha256(audit))})
        assert (await socket.data(by_hash))["auditEvents"]["action"] == "createPortfolio"


def test_the_store_forgets_the_least_recently_used_within_its_bytes() -> None:
    store = DocumentStore(max_bytes=30)
    store.put("a", "x" * 10)
    store.put("b", "y" * 10)
    store.put("c", "z" * 10)
    assert store.get("a") == "x" * 10  # now the most recently used
    store.put("d", "é" * 5)  # 10 bytes in UTF-8: "b" goes
    assert (store.get("b"), store.size_bytes, len(store)) == (None, 30, 3)
    assert store.get("a") is not None
    assert store.get("c") is not None
    store.put("e", "w" * 31)  # larger than the whole store: not held, nothing forgotten
    assert (store.get("e"), len(store)) == (None, 3)
