"""Baseline limits, each probed at the limit and just past it: depth, aliases, tokens, body size,
page size. Refusals are QUERY_TOO_COMPLEX (413 for the body) and run no resolver."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from pmo_graph.app_state import AppState
from pmo_graph.testing import (
    GraphQLClient,
    StatementCounter,
    TestOrganisation,
    access_statements,
)


def _nested(depth: int) -> str:
    """A document whose longest path holds ``depth`` fields (the leaf is ``__typename``)."""
    cycle = ["portfolio", "projects(first: 1)", "edges", "node"]
    fields = ["projects(first: 1)", "edges", "node"]
    while len(fields) < depth - 1:
        fields.append(cycle[(len(fields) - 3) % len(cycle)])
    body = "__typename"
    for field in reversed(fields[: depth - 1]):
        body = f"{field} {{ {body} }}"
    return "{ " + body + " }"


async def test_depth_at_the_limit_passes_and_one_more_is_refused(
    org: TestOrganisation, pmo_state: AppState, count_statements: StatementCounter
) -> None:
    limit = pmo_state.settings.max_depth
    ok = await org.admin.execute(_nested(limit))
    assert "errors" not in ok, ok
    await org.admin.query("{ viewer { user { id } } }")
    count_statements.reset()
    refused = await org.admin.execute(_nested(limit + 1))
    assert refused["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "depth"}
    assert f"more than {limit} deep" in refused["errors"][0]["message"]
    assert "data" not in refused
    # only authentication ran: no resolver touched the database
    assert count_statements.count == access_statements(pmo_state), count_statements.statements


def _aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: viewer {{ user {{ id }} }}" for i in range(count)) + " }"


async def test_aliases_at_the_limit_pass_and_one_more_is_refused(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    limit = pmo_state.settings.max_aliases
    assert "errors" not in await org.admin.execute(_aliases(limit))
    refused = await org.admin.execute(_aliases(limit + 1))
    assert refused["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "aliases"}
    assert f"{limit + 1} aliases found. Allowed: {limit}" in refused["errors"][0]["message"]


def _tokens(count: int) -> str:
    """A valid document of exactly ``count`` lexical tokens (a long list of enum values)."""
    return "{ projects(filter: {stage: [" + " ACTIVE" * (count - 16) + " ]}) { totalCount } }"


def test_token_documents_have_the_counts_they_claim() -> None:
    from graphql import GraphQLError, parse

    parse(_tokens(300), max_lexical_tokens=300)
    with pytest.raises(GraphQLError, match="more than 299 tokens"):
        parse(_tokens(300), max_lexical_tokens=299)


async def test_tokens_at_the_limit_pass_and_one_more_is_refused(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    limit = pmo_state.settings.max_tokens
    ok = await org.admin.execute(_tokens(limit))
    assert "errors" not in ok
    refused = await org.admin.execute(_tokens(limit + 1))
    assert refused["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "tokens"}
    assert f"The limit is {limit}." in refused["errors"][0]["message"]


async def test_body_size_at_the_limit_passes_and_one_byte_more_is_refused(
    org: TestOrganisation, pmo_state: AppState, pmo_http: httpx.AsyncClient
) -> None:
    limit = pmo_state.settings.max_body_bytes
    client: GraphQLClient = org.admin

    def body(size: int) -> bytes:
        start = b'{"query":"{ __typename }","variables":{"pad":"'
        end = b'"}}'
        return start + b"x" * (size - len(start) - len(end)) + end

    headers = {**client.headers(), "content-type": "application/json"}
    ok = await pmo_http.post("/graphql", content=body(limit), headers=headers)
    assert ok.status_code == 200, ok.text
    refused = await pmo_http.post("/graphql", content=body(limit + 1), headers=headers)
    assert refused.status_code == 413
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"

    async def chunks() -> AsyncIterator[bytes]:
        data = body(limit + 1)
        for start in range(0, len(data), 4096):
            yield data[start : start + 4096]

    streamed = await pmo_http.post("/graphql", content=chunks(), headers=headers)
    assert streamed.status_code == 413


@pytest.mark.parametrize("argument", ["first", "last"])
async def test_page_size_at_the_limit_passes_and_one_more_is_refused(
    org: TestOrganisation, pmo_state: AppState, argument: str
) -> None:
    limit = pmo_state.settings.max_page_size
    ok = await org.admin.execute(f"{{ projects({argument}: {limit}) {{ totalCount }} }}")
    assert "errors" not in ok
    refused = await org.admin.execute(f"{{ projects({argument}: {limit + 1}) {{ totalCount }} }}")
    error = refused["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument, "maximum": limit}
    assert (
        error["message"]
        == f"`{argument}` must be between 0 and {limit}; page with `after` for more."
    )
    negative = await org.admin.execute(f"{{ people({argument}: -1) {{ totalCount }} }}")
    assert negative["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_nodes_takes_at_most_a_page_of_ids(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    limit = pmo_state.settings.max_page_size
    ids = ["UGVyc29uOjE="] * (limit + 1)
    refused = await org.admin.execute(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}
    )
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    ok = await org.admin.execute(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids[:limit]}
    )
    assert ok["data"]["nodes"] == [None] * limit


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{ ...Missing }", "Unknown fragment 'Missing'."),
        (
            "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
            "Cannot spread fragment 'A' within itself via 'B'.",
        ),
        (
            "query { ...A } fragment A on Query { ...A }",
            "Cannot spread fragment 'A' within itself.",
        ),
    ],
)
async def test_unsound_fragments_are_user_errors_not_crashes(
    org: TestOrganisation, document: str, message: str
) -> None:
    result = await org.admin.execute(document)
    assert result["_status"] == 200
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert result["errors"][0]["message"] == message


async def test_circular_introspection_is_refused(org: TestOrganisation) -> None:
    query = "{ __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }"
    result = await org.admin.execute(query)
    assert result["errors"][0]["extensions"]["code"] in {"BAD_USER_INPUT", "QUERY_TOO_COMPLEX"}
    assert "Maximum introspection depth exceeded" in result["errors"][0]["message"]


async def test_duplicate_fields_at_the_limit_pass_and_one_more_is_refused(
    org: TestOrganisation, pmo_state: AppState, count_statements: StatementCounter
) -> None:
    limit = pmo_state.settings.max_duplicate_fields

    def document(times: int) -> str:
        return "{ projects(first: 1) { nodes { " + "code " * times + "} } }"

    assert "errors" not in await org.admin.execute(document(limit))
    count_statements.reset()
    refused = await org.admin.execute(document(limit + 1))
    assert refused["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "duplicates",
    }
    assert f"names 'code' {limit + 1} times" in refused["errors"][0]["message"]
    assert count_statements.count <= 2  # authentication only


async def test_operations_at_the_limit_pass_and_one_more_is_refused(
    org: TestOrganisation, pmo_state: AppState
) -> None:
    limit = pmo_state.settings.max_operations

    def document(count: int) -> str:
        return " ".join(f"query Q{i} {{ __typename }}" for i in range(count))

    accepted = await org.admin.execute(document(limit), operationName="Q0")
    assert "errors" not in accepted
    refused = await org.admin.execute(document(limit + 1), operationName="Q0")
    assert refused["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "operations",
    }


async def test_batched_requests_are_refused(
    pmo_http: httpx.AsyncClient, org: TestOrganisation
) -> None:
    body = [{"query": "{ __typename }"}, {"query": "{ __typename }"}]
    response = await pmo_http.post("/graphql", json=body, headers=org.admin.headers())
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
