"""GraphQL over HTTP: the media type the client accepts on every answer, request errors without
``data`` and with the status of their media type, anonymous callers refused before validation,
no suggestions with introspection off, and no answer that is not JSON."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from helpers import add_projects
from pmo_graph.app import create_app
from pmo_graph.app_state import AppState
from pmo_graph.settings import Settings
from pmo_graph.testing import TestOrganisation, make_test_organisation, serving

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
PROJECTS = "{ projects(first: 2) { totalCount } }"


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


async def post(
    http: httpx.AsyncClient,
    body: Any = None,
    *,
    token: str | None = None,
    accept: str | None = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {"content-type": "application/json", **(headers or {})}
    if token is not None:
        sent["authorization"] = f"Bearer {token}"
    if accept is not None:
        sent["accept"] = accept
    if content is None:
        return await http.post("/graphql", json=body, headers=sent)
    return await http.post("/graphql", content=content, headers=sent)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (JSON, JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),  # Apollo Client 4, urql
        (f"{JSON}, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{JSON}, {GRAPHQL_RESPONSE};q=0.5", JSON),
        (f"{GRAPHQL_RESPONSE};q=0, */*", JSON),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),
    ],
)
async def test_an_answer_has_the_media_type_the_client_accepts(
    org: TestOrganisation, accept: str | None, expected: str
) -> None:
    answer = await post(org.http, {"query": PROJECTS}, token=org.admin.token, accept=accept)
    assert answer.status_code == 200
    assert media_type(answer) == expected
    assert answer.json()["data"]["projects"]["totalCount"] == 0


@pytest.mark.parametrize("accept", ["text/html", f"{GRAPHQL_RESPONSE};q=0, {JSON};q=0"])
async def test_a_client_that_accepts_neither_type_gets_406(
    org: TestOrganisation, accept: str
) -> None:
    answer = await post(org.http, {"query": PROJECTS}, token=org.admin.token, accept=accept)
    assert answer.status_code == 406
    assert media_type(answer) == JSON
    (error,) = answer.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Accept: application/graphql-response+json" in error["message"]


REFUSALS: dict[str, tuple[int, dict[str, Any]]] = {
    "not JSON": (400, {"content": b'{"query": '}),
    "no query": (400, {"body": {"notquery": "{ __typename }"}}),
    "no token": (401, {"body": {"query": PROJECTS}, "anonymous": True}),
    "body over the limit": (413, {"content": b" " * (512 * 1024 + 1)}),
    "malformed idempotency key": (
        400,
        {"body": {"query": PROJECTS}, "headers": {"Idempotency-Key": "tab\there"}},
    ),
}


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, None])
@pytest.mark.parametrize("refusal", REFUSALS)
async def test_every_refusal_has_the_negotiated_media_type(
    org: TestOrganisation, refusal: str, accept: str | None
) -> None:
    status, request = REFUSALS[refusal]
    answer = await post(
        org.http,
        request.get("body"),
        token=None if request.get("anonymous") else org.admin.token,
        accept=accept,
        content=request.get("content"),
        headers=request.get("headers"),
    )
    assert answer.status_code == status
    assert media_type(answer) == (accept or JSON)
    assert answer.json()["errors"][0]["extensions"]["code"]


async def test_a_header_section_over_the_limit_is_refused_in_the_negotiated_type(
    pmo_app: Starlette,
) -> None:
    async with serving(pmo_app) as url, httpx.AsyncClient(base_url=url) as http:
        big = {"x-padding": "a" * (70 * 1024)}
        as_asked = await post(http, {"query": PROJECTS}, accept=GRAPHQL_RESPONSE, headers=big)
        as_legacy = await post(http, {"query": PROJECTS}, headers=big)
    assert (as_asked.status_code, media_type(as_asked)) == (431, GRAPHQL_RESPONSE)
    assert (as_legacy.status_code, media_type(as_legacy)) == (431, JSON)
    assert as_asked.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


REQUEST_ERRORS = {
    "parse": {"query": "{ projects { totalCount "},
    "validation": {"query": "{ projectz { totalCount } }"},
    "variable coercion": {
        "query": "query ($n: Int!) { projects(first: $n) { totalCount } }",
        "variables": {"n": None},
    },
}


@pytest.mark.parametrize(("accept", "status"), [(GRAPHQL_RESPONSE, 400), (JSON, 200)])
@pytest.mark.parametrize("kind", REQUEST_ERRORS)
async def test_a_request_error_has_no_data_and_the_status_of_its_media_type(
    org: TestOrganisation, kind: str, accept: str, status: int
) -> None:
    answer = await post(org.http, REQUEST_ERRORS[kind], token=org.admin.token, accept=accept)
    assert (answer.status_code, media_type(answer)) == (status, accept)
    document = answer.json()
    assert "data" not in document
    assert document["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_field_error_keeps_data_null(org: TestOrganisation) -> None:
    # A non-null field that fails nulls data: execution ran, so data is there (and null).
    answer = await post(
        org.http,
        {"query": "{ projects(first: 501) { totalCount } }"},
        token=org.admin.token,
        accept=GRAPHQL_RESPONSE,
    )
    document = answer.json()
    assert "data" in document
    assert document["data"] is None
    assert document["errors"][0]["path"] == ["projects"]


@pytest.mark.parametrize(
    "document",
    [
        "{ projectz { totalCount } }",
        'mutation { createProjekt(input: {name: "x"}) { project { id } } }',
        "{ __typename projects(frist: 2) { totalCount } }",
        "query { ...Everything } fragment Everything on Querry { viewr { id } }",
    ],
)
@pytest.mark.parametrize("token", [None, "pmo_not-a-token"])
async def test_an_anonymous_caller_learns_nothing_of_the_schema(
    pmo_http: httpx.AsyncClient, document: str, token: str | None
) -> None:
    answer = await post(pmo_http, {"query": document}, token=token, accept=GRAPHQL_RESPONSE)
    assert answer.status_code == 401
    body = answer.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert "Did you mean" not in answer.text
    assert "Cannot query" not in answer.text


async def test_what_an_anonymous_caller_may_do_still_works(pmo_http: httpx.AsyncClient) -> None:
    introspection = await post(pmo_http, {"query": "{ __schema { queryType { name } } }"})
    assert introspection.status_code == 200
    assert introspection.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    typename = await post(pmo_http, {"query": "{ __typename }"}, accept=GRAPHQL_RESPONSE)
    assert (typename.status_code, media_type(typename)) == (200, GRAPHQL_RESPONSE)
    assert typename.json()["data"] == {"__typename": "Query"}
    assert (await pmo_http.get("/healthz")).status_code == 200


async def test_no_suggestions_for_anybody_with_introspection_off(
    pmo_settings: Settings, pmo_plugins: Any, pmo_load_entrypoints: Any, pmo_http: httpx.AsyncClient
) -> None:
    misspelt = {"query": "{ projectz { totalCount } viewer { user { nme } } }"}
    coercion = {
        "query": "query ($s: RiskStatus) { projects(first: 1) { nodes { risks(status: $s) "
        "{ id } } } }",
        "variables": {"s": "OPN"},
    }
    settings = pmo_settings.model_copy(update={"introspection": False})
    app = create_app(
        settings, extra_plugins=pmo_plugins, load_entrypoints=pmo_load_entrypoints, prepare=False
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            state: AppState = app.state.pmo
            org = await make_test_organisation(state, http)
            hidden = await post(http, misspelt, token=org.admin.token)
            coerced = await post(http, coercion, token=org.admin.token)
    assert len(hidden.json()["errors"]) == 2
    assert "Cannot query field 'projectz'" in hidden.text
    assert "Did you mean" not in hidden.text
    assert coerced.json()["errors"]
    assert "Did you mean" not in coerced.text
    # With introspection on (the session's app) the same mistakes are hinted at.
    shown = await post(pmo_http, misspelt, token=org.admin.token)
    assert "Did you mean" in shown.text


SIBLINGS = {
    "a tier field off": "{ viewer { user { name } } projects(first: 2) { nodes { id risks { id } } } }",
    "a page too large": "{ viewer { user { name } } projects(first: 501) { nodes { id } } }",
    "a stale cursor": '{ viewer { user { name } } projects(first: 2, after: "bm90IGEgY3Vyc29y") '
    "{ nodes { id } } }",
}


@pytest.mark.parametrize("shape", SIBLINGS)
async def test_an_error_that_nulls_data_beside_a_running_field_answers_json(
    make_org: MakeOrg, db_session: AsyncSession, shape: str
) -> None:
    org = await make_org(tiers=["pso"])  # the portfolio tier off
    await add_projects(db_session, org.id, 3)
    body = {"query": SIBLINGS[shape]}
    answers = await asyncio.gather(
        *(post(org.http, body, token=org.admin.token) for _ in range(20))
    )
    for answer in answers:
        assert media_type(answer) == JSON, answer.text
        document = answer.json()
        assert document["data"] is None
        assert all(error["extensions"]["code"] for error in document["errors"])
        assert "INTERNAL_SERVER_ERROR" not in answer.text
