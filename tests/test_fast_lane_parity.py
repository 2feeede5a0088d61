"""The fast lane answers exactly what the pipeline answers: every request shape of the
graphql-http audit (and a few more) is sent once with the lane cold (the pipeline answers) and
once with the lane warmed up with its document, and the two answers must be the same: status,
media type and body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from helpers import add_projects
from pmo_graph.app_state import AppState
from pmo_graph.auth.roles import Role
from pmo_graph.graphql.compiled.fast_lane import FastLane
from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]
LANE = "query Lane($n: Int) { projects(first: $n) { totalCount nodes { code name stage } } }"
GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
ABSENT = object()

#: name: (the body's fields over {"query": LANE, "variables": {"n": 2}}, headers over JSON's)
SHAPES: dict[str, tuple[dict[str, Any], dict[str, str | None]]] = {
    "plain": ({}, {}),
    "accept graphql-response+json": ({}, {"accept": GRAPHQL_RESPONSE}),
    "accept json": ({}, {"accept": JSON}),
    "accept */*": ({}, {"accept": "*/*"}),
    "accept with q-values": ({}, {"accept": f"{GRAPHQL_RESPONSE}, {JSON};q=0.9"}),
    "accept neither": ({}, {"accept": "text/html"}),
    "charset utf-8": ({}, {"content-type": "application/json; charset=utf-8"}),
    "content-type text/plain": ({}, {"content-type": "text/plain"}),
    "no content-type": ({}, {"content-type": None}),
    "no token": ({}, {"authorization": None}),
    "unknown token": ({}, {"authorization": "Bearer pmo_not-a-token"}),
    "operationName Lane": ({"operationName": "Lane"}, {}),
    "operationName null": ({"operationName": None}, {}),
    "operationName unknown": ({"operationName": "Other"}, {}),
    "variables null": ({"variables": None}, {}),
    "variables absent": ({"variables": ABSENT}, {}),
    "variables {}": ({"variables": {}}, {}),
    "variables that do not coerce": ({"variables": {"n": "two"}}, {}),
    "a page too large": ({"variables": {"n": 501}}, {}),
    "extensions null": ({"extensions": None}, {}),
    "extensions a map": ({"extensions": {"some": "value"}}, {}),
    "no query": ({"query": ABSENT, "notquery": LANE}, {}),
}
for _invalid_name, _invalid in {
    "an object": {"obj": "ect"},
    "0": 0,
    "false": False,
    "an array": ["array"],
    "a string": "string",
}.items():
    for _parameter in ("query", "variables", "extensions", "operationName"):
        if _parameter == "operationName" and isinstance(_invalid, str):
            continue  # a string is a name, of no operation: "operationName unknown"
        if _parameter == "query" and isinstance(_invalid, str):
            continue  # a string is a document
        SHAPES[f"{_parameter} {_invalid_name}"] = ({_parameter: _invalid}, {})

#: Bodies that are no JSON object, sent as they are.
RAW = {"not JSON": b'{"query": ', "a batch": orjson.dumps([{"query": LANE}]), "empty": b""}


def _body(fields: dict[str, Any]) -> bytes:
    body: dict[str, Any] = {"query": LANE, "variables": {"n": 2}}
    for key, value in fields.items():
        if value is ABSENT:
            body.pop(key, None)
        else:
            body[key] = value
    return orjson.dumps(body)


def _headers(token: str, changes: dict[str, str | None]) -> dict[str, str]:
    headers: dict[str, str | None] = {
        "authorization": f"Bearer {token}",
        "content-type": JSON,
        **changes,
    }
    return {k: v for k, v in headers.items() if v is not None}


def _comparable(status: int, content_type: str | None, body: bytes) -> dict[str, Any]:
    """What must be the same: the status, the media type and the body, without the budget's
    level (it moves with every request)."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        document = body.decode(errors="replace")
    if isinstance(document, dict) and "cost" in document.get("extensions", {}):
        document["extensions"]["cost"]["throttle"].pop("available", None)
    return {"status": status, "content-type": content_type, "body": document}


async def test_the_lane_answers_every_request_shape_as_the_pipeline_does(
    make_org: MakeOrg,
    db_session: AsyncSession,
    pmo_state: AppState,
    monkeypatch: pytest.MonkeyPatch,
    pmo_backend: str,
) -> None:
    org = await make_org()
    await add_projects(db_session, org.id, 3)
    token = org.tokens[Role.ADMIN]
    warm = pmo_state.fast_lane
    requests = {
        name: (_body(fields), _headers(token, headers))
        for name, (fields, headers) in SHAPES.items()
    }
    requests.update({name: (raw, _headers(token, {})) for name, raw in RAW.items()})

    async def answer(body: bytes, headers: dict[str, str]) -> dict[str, Any]:
        response = await org.http.post("/graphql", content=body, headers=headers)
        return _comparable(
            response.status_code, response.headers.get("content-type"), response.content
        )

    differences = {}
    answered_before = warm.answered
    for name, (body, headers) in requests.items():
        monkeypatch.setattr(pmo_state, "fast_lane", FastLane(pmo_state))  # cold: the pipeline
        from_pipeline = await answer(body, headers)
        monkeypatch.setattr(pmo_state, "fast_lane", warm)
        for _ in range(2):  # the first is answered by the pipeline and teaches the lane
            await answer(_body({}), _headers(token, {}))
        from_lane = await answer(body, headers)
        if from_lane != from_pipeline:
            differences[name] = {"pipeline": from_pipeline, "lane": from_lane}
    assert not differences, orjson.dumps(differences, option=orjson.OPT_INDENT_2).decode()
    if pmo_backend == "postgresql":
        # the lane did answer: the warm-ups, and the shapes it may answer
        assert warm.answered - answered_before > len(requests)
