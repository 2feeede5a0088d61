"""Persisted documents over HTTP: a request that names its document becomes, before the
idempotency keys, the fast lane and the pipeline read it, the request that sends the text."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive

from pmo_graph.graphql.persisted import refusals
from pmo_graph.graphql.persisted.refusals import Refusal
from pmo_graph.graphql.persisted.resolver import PersistedDocuments
from pmo_graph.http.middleware import error_response


async def resolve_persisted(documents: PersistedDocuments, request: Request) -> Request | Response:
    """``request`` as it is, the request that sends its persisted document's text, or the
    coded refusal to answer it with. Whatever it cannot read (a body that is not JSON, say) it
    leaves to the pipeline, which refuses it before anything runs."""
    if request.method == "GET":
        return _resolve_get(documents, request)
    if request.method != "POST" or "application/json" not in request.headers.get(
        "content-type", ""
    ):
        return request  # the pipeline refuses any other content (nothing runs)
    body = await request.body()
    if not documents.may_name_one(body):
        return request
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return request
    if isinstance(payload, list) and documents.trusted:
        return refused(refusals.batch_refused())
    if not isinstance(payload, dict):
        return request
    outcome = documents.resolve(payload)
    if outcome is None:
        return request
    if isinstance(outcome, Refusal):
        return refused(outcome)
    return _with_body(request, orjson.dumps(outcome))


def refused(refusal: Refusal) -> Response:
    """The HTTP answer to a refused persisted document."""
    return error_response(refusal.message, refusal.code, refusal.status, refusal.headers)


def _resolve_get(documents: PersistedDocuments, request: Request) -> Request | Response:
    pairs = parse_qsl(
        request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
    )
    params: dict[str, Any] = dict(pairs)
    if not params:
        return request  # GraphiQL's page, or the pipeline's "no query" refusal
    raw_extensions = params.get("extensions")
    if isinstance(raw_extensions, str):
        try:
            params["extensions"] = orjson.loads(raw_extensions)
        except orjson.JSONDecodeError:
            params.pop("extensions")  # the pipeline refuses it; the query is checked anyway
    outcome = documents.resolve(params)
    if outcome is None:
        return request
    if isinstance(outcome, Refusal):
        return refused(outcome)
    if "extensions" in outcome:
        outcome["extensions"] = orjson.dumps(outcome["extensions"]).decode()
    elif isinstance(raw_extensions, str) and "extensions" not in params:
        outcome["extensions"] = raw_extensions
    scope = {**request.scope, "query_string": urlencode(outcome).encode("latin-1")}
    return Request(scope, request.receive)


def _with_body(request: Request, body: bytes) -> Request:
    """``request`` with ``body`` instead of the one it was sent with."""
    headers = [(k, v) for k, v in request.scope["headers"] if k != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    scope = {**request.scope, "headers": headers}
    return Request(scope, _replaying(body, request.receive))


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands out ``body`` whole, then what the connection says next (its
    disconnect)."""
    handed = False

    async def replay() -> Message:
        nonlocal handed
        if handed:
            return await receive()
        handed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
