"""The HTTP surface: health, GraphiQL, authentication, coded and masked errors, request logs."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from pmo_graph.app import create_app
from pmo_graph.app_state import AppState
from pmo_graph.auth.tokens import revoke_token
from pmo_graph.realtime.publish import announce_revocations
from pmo_graph.settings import Settings
from pmo_graph.testing import GraphQLClient, TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]


async def test_healthz_and_readyz(pmo_http: httpx.AsyncClient) -> None:
    health = await pmo_http.get("/healthz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    ready = await pmo_http.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_readyz_reports_pending_migrations(tmp_path: Path) -> None:
    from sample_plugin import plugin

    app = create_app(
        Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"),
        [plugin],
        prepare=False,
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            ready = await client.get("/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["reason"] == "migrations pending; run 'pmo-graph db upgrade'"
    assert "core" in body["lineages"]


async def test_graphiql_is_served_on_get(pmo_http: httpx.AsyncClient) -> None:
    page = await pmo_http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


async def test_queries_over_get_work_and_mutations_over_get_do_not(org: TestOrganisation) -> None:
    client = org.admin
    ok = await client.http.get(
        "/graphql", params={"query": "{ viewer { user { email } } }"}, headers=client.headers()
    )
    assert ok.status_code == 200
    assert ok.json()["data"]["viewer"]["user"]["email"] == f"admin@{org.slug}.test"
    refused = await client.http.get(
        "/graphql",
        params={"query": 'mutation { createPerson(input: {name: "X"}) { person { id } } }'},
        headers=client.headers(),
    )
    assert refused.status_code in (400, 405)
    assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    people = await client.query('{ people(search: "X") { totalCount } }')
    assert people["people"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{ viewer { user { id } } }", "text/plain", 400),
        (b'{"query": ', "application/json", 400),
        (b'{"query": 42}', "application/json", 400),
        (b'[{"query": "{ __typename }"}]', "application/json", 400),
    ],
)
async def test_malformed_requests_get_coded_errors(
    pmo_http: httpx.AsyncClient,
    org: TestOrganisation,
    content: bytes,
    content_type: str,
    status: int,
) -> None:
    response = await pmo_http.post(
        "/graphql", content=content, headers={**org.admin.headers(), "content-type": content_type}
    )
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_no_token_is_unauthenticated_but_introspection_works(
    pmo_http: httpx.AsyncClient,
) -> None:
    anonymous = GraphQLClient(pmo_http)
    result = await anonymous.execute("{ projects { totalCount } }")
    assert result["_status"] == 401
    assert "data" not in result  # refused before execution: a request error
    assert result["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert "Authorization: Bearer" in result["errors"][0]["message"]
    schema = await anonymous.query("{ __schema { queryType { name } } __typename }")
    assert schema["__schema"]["queryType"]["name"] == "Query"


async def test_unknown_and_revoked_tokens_are_refused(
    pmo_http: httpx.AsyncClient, org: TestOrganisation, pmo_state: AppState
) -> None:
    unknown = await GraphQLClient(pmo_http, "pmo_not-a-real-token").execute(
        "{ viewer { user { id } } }"
    )
    assert unknown["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "unknown or revoked" in unknown["errors"][0]["message"]
    viewer = org.client()
    assert (await viewer.query("{ viewer { user { id } } }"))["viewer"]
    async with pmo_state.sessionmaker() as session:
        revoked = await revoke_token(session, viewer.token or "")
        notices = await announce_revocations(session, pmo_state.bus, revoked)
        await session.commit()
    await pmo_state.bus.committed(notices)  # as `pmo-graph token revoke` announces it
    assert len(revoked) == 1
    after = await viewer.execute("{ viewer { user { id } } }")
    assert after["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    malformed = await pmo_http.post(
        "/graphql",
        json={"query": "{ viewer { user { id } } }"},
        headers={"Authorization": "Basic abc"},
    )
    assert malformed.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_unexpected_errors_are_masked_logged_and_fail_only_their_field(
    make_org: MakeOrg, pmo_http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    org = await make_org(tiers=["sample"])
    caplog.set_level(logging.ERROR, logger="pmo_graph")
    response = await pmo_http.post(
        "/graphql",
        json={"query": "{ sampleBoom sampleNoteCount viewer { organisation { slug } } }"},
        headers={**org.admin.headers(), "X-Request-ID": "req-boom-1"},
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-boom-1"
    body = response.json()
    # the plugin's failing field is null; its other field and the core's still answer
    assert body["data"] == {
        "sampleBoom": None,
        "sampleNoteCount": 0,
        "viewer": {"organisation": {"slug": org.slug}},
    }
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-boom-1"}
    assert (
        error["message"] == "Internal server error. Quote request id req-boom-1 when you report it."
    )
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    logged = [r for r in caplog.records if r.name == "pmo_graph.errors"]
    assert logged
    assert getattr(logged[0], "request_id", None) == "req-boom-1"
    assert logged[0].exc_info is not None


async def test_each_request_logs_one_line(
    org: TestOrganisation, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pmo_graph.requests")
    await org.admin.query("query Dashboard { viewer { user { id } } }")
    lines = [r for r in caplog.records if r.name == "pmo_graph.requests"]
    assert len(lines) == 1
    fields = lines[0].fields  # type: ignore[attr-defined]
    assert fields["operation_name"] == "Dashboard"
    assert fields["status"] == 200
    assert fields["path"] == "/graphql"
    assert fields["organisation_id"] == org.id
    assert len(fields["request_id"]) == 32
    assert fields["duration_ms"] >= 0


async def test_cors_allows_only_configured_origins(pmo_settings: Settings) -> None:
    from sample_plugin import plugin

    settings = pmo_settings.model_copy(
        update={"cors_origins": "https://app.example, https://ops.example"}
    )
    app = create_app(settings, [plugin], prepare=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        allowed = await client.options(
            "/graphql",
            headers={
                "Origin": "https://ops.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        refused = await client.options(
            "/graphql",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://ops.example"
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


async def test_syntax_errors_are_coded(org: TestOrganisation) -> None:
    result = await org.admin.execute("{ projects { totalCount ")
    (error,) = result["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["message"].startswith("Syntax Error: Expected Name, found <EOF>.")


@pytest.mark.parametrize(
    "document",
    [
        "{ ... on Query { projects { totalCount } } }",
        "query { ...Everything } fragment Everything on Query { viewer { user { id } } }",
        "query { ...A } fragment A on Query { ...B } fragment B on Query { people { totalCount } }",
    ],
)
async def test_fragments_at_the_root_need_a_token_too(
    pmo_http: httpx.AsyncClient, document: str
) -> None:
    result = await GraphQLClient(pmo_http).execute(document)
    assert result["_status"] == 401
    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]


async def test_an_authorization_header_that_is_not_bearer_is_named(
    pmo_http: httpx.AsyncClient,
) -> None:
    response = await pmo_http.post(
        "/graphql",
        json={"query": "{ viewer { user { id } } }"},
        headers={"Authorization": "Basic abc"},
    )
    assert response.status_code == 401
    assert (
        response.json()["errors"][0]["message"]
        == "The Authorization header must be 'Bearer <token>'."
    )


def test_settings_refuse_a_default_page_over_the_maximum() -> None:
    with pytest.raises(
        ValueError, match=r"default_page_size \(600\) is over max_page_size \(500\)"
    ):
        Settings(default_page_size=600)
