"""Idempotency keys: a mutation retried with the same ``Idempotency-Key`` runs once and gets its
first answer back; the same key for another request is refused."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.auth.roles import Role
from pmo_graph.db.types import utcnow
from pmo_graph.idempotency.models import IdempotencyKey
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.testing import TestOrganisation

CREATE = """mutation($name: String!) { createPortfolio(input: {name: $name}) {
  portfolio { id name } userErrors { code } } }"""


async def _post(
    http: httpx.AsyncClient,
    org: TestOrganisation,
    body: dict[str, Any],
    key: str | None,
    role: Role = Role.ADMIN,
) -> httpx.Response:
    headers = org.client(role).headers()
    if key is not None:
        headers["Idempotency-Key"] = key
    return await http.post("/graphql", json=body, headers=headers)


async def _portfolios(session: AsyncSession, org: TestOrganisation) -> int:
    count = await session.scalar(
        select(func.count()).select_from(Portfolio).where(Portfolio.organisation_id == org.id)
    )
    return int(count or 0)


def _create(name: str) -> dict[str, Any]:
    return {"query": CREATE, "variables": {"name": name}}


async def test_a_retry_runs_once_and_gets_the_first_answer(
    pmo_http: httpx.AsyncClient, org: TestOrganisation, db_session: AsyncSession
) -> None:
    first = await _post(pmo_http, org, _create("Retail"), "key-1")
    again = await _post(pmo_http, org, _create("Retail"), "key-1")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await _portfolios(db_session, org) == 1


async def test_the_same_key_for_another_request_is_refused(
    pmo_http: httpx.AsyncClient, org: TestOrganisation, db_session: AsyncSession
) -> None:
    await _post(pmo_http, org, _create("Retail"), "key-2")
    other = await _post(pmo_http, org, _create("Wholesale"), "key-2")
    assert other.status_code == 422
    assert other.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await _portfolios(db_session, org) == 1


async def test_keys_belong_to_their_token(
    pmo_http: httpx.AsyncClient, org: TestOrganisation, db_session: AsyncSession
) -> None:
    await _post(pmo_http, org, _create("Retail"), "shared")
    office = await _post(pmo_http, org, _create("Retail"), "shared", Role.OFFICE)
    assert office.status_code == 200
    assert "Idempotent-Replayed" not in office.headers
    assert await _portfolios(db_session, org) == 2


async def test_concurrent_retries_run_the_mutation_once(
    pmo_http: httpx.AsyncClient, org: TestOrganisation, db_session: AsyncSession
) -> None:
    answers = await asyncio.gather(
        *(_post(pmo_http, org, _create("Retail"), "race") for _ in range(6))
    )
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {200, 409}
    assert 200 in statuses
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_IN_USE"
            assert answer.headers["Retry-After"] == "1"
    assert await _portfolios(db_session, org) == 1
    replay = await _post(pmo_http, org, _create("Retail"), "race")
    assert replay.headers["Idempotent-Replayed"] == "true"


async def test_user_errors_are_answers_too(
    pmo_http: httpx.AsyncClient, org: TestOrganisation
) -> None:
    first = await _post(pmo_http, org, _create(""), "bad-name")
    again = await _post(pmo_http, org, _create(""), "bad-name")
    assert first.json()["data"]["createPortfolio"]["userErrors"]
    assert again.content == first.content


async def test_a_request_that_did_not_run_leaves_the_key_free(
    pmo_http: httpx.AsyncClient, org: TestOrganisation, db_session: AsyncSession
) -> None:
    headers = {"Authorization": "Bearer pmo_not-a-token", "Idempotency-Key": "unauthenticated"}
    refused = await pmo_http.post("/graphql", json=_create("Retail"), headers=headers)
    assert refused.status_code == 401
    stored = await db_session.scalar(
        select(func.count())
        .select_from(IdempotencyKey)
        .where(IdempotencyKey.key == "unauthenticated")
    )
    assert stored == 0


async def test_queries_are_not_recorded(
    pmo_http: httpx.AsyncClient, org: TestOrganisation, db_session: AsyncSession
) -> None:
    body = {"query": "{ portfolios { totalCount } }"}
    first = await _post(pmo_http, org, body, "a-query")
    await _post(pmo_http, org, _create("Retail"), None)
    second = await _post(pmo_http, org, body, "a-query")
    assert "Idempotent-Replayed" not in second.headers
    assert second.json()["data"]["portfolios"]["totalCount"] == (
        first.json()["data"]["portfolios"]["totalCount"] + 1
    )


async def test_an_expired_key_runs_again(
    pmo_http: httpx.AsyncClient, org: TestOrganisation, db_session: AsyncSession
) -> None:
    await _post(pmo_http, org, _create("Retail"), "old")
    await db_session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.key == "old")
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    await db_session.commit()
    again = await _post(pmo_http, org, _create("Retail"), "old")
    assert "Idempotent-Replayed" not in again.headers
    assert await _portfolios(db_session, org) == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "é".encode()])
async def test_a_malformed_key_is_refused(
    pmo_http: httpx.AsyncClient, org: TestOrganisation, key: str | bytes
) -> None:
    raw = key if isinstance(key, bytes) else key.encode()
    headers = [(k.encode(), v.encode()) for k, v in org.admin.headers().items()]
    headers.append((b"Idempotency-Key", raw))
    refused = await pmo_http.post("/graphql", json=_create("Retail"), headers=headers)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("status", "body", "ran"),
    [
        (200, {"data": {"createPortfolio": {"portfolio": None, "userErrors": []}}}, True),
        # the mutation's own field failed: its transaction rolled back
        (
            200,
            {
                "data": None,
                "errors": [{"path": ["createPortfolio"], "extensions": {"code": "SERVER_BUSY"}}],
            },
            False,
        ),
        # a field of the payload failed after the commit: the mutation happened
        (
            200,
            {
                "data": {"createPortfolio": {"portfolio": {"manager": None}}},
                "errors": [
                    {
                        "path": ["createPortfolio", "portfolio", "manager"],
                        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                    }
                ],
            },
            True,
        ),
        (503, {"errors": [{"extensions": {"code": "SERVER_BUSY"}}]}, False),
        (429, {"errors": [{"extensions": {"code": "RATE_LIMITED"}}]}, False),
    ],
)
def test_which_answers_are_kept(status: int, body: dict[str, Any], ran: bool) -> None:
    import orjson
    from starlette.responses import Response

    from pmo_graph.idempotency.keys import _did_not_run

    response = Response(orjson.dumps(body), status_code=status, media_type="application/json")
    assert _did_not_run(response) is not ran
