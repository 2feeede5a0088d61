"""ASGI middleware: request ids, one structured log line per request, and a body size limit."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pmo_graph.errors import BUSY_RETRY_AFTER, SERVER_BUSY

log = logging.getLogger("pmo_graph.requests")

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def error_body(message: str, code: str, **extensions: Any) -> bytes:
    """A GraphQL-shaped error document for answers given before GraphQL runs."""
    return orjson.dumps(
        {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    )


def error_response(
    message: str, code: str, status: int, headers: dict[str, str] | None = None
) -> Response:
    """An HTTP answer carrying one coded error, for refusals made before GraphQL runs."""
    return Response(
        error_body(message, code),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def busy_response(message: str) -> Response:
    """HTTP 503 ``SERVER_BUSY`` with ``Retry-After``: nothing ran, the client may retry."""
    return error_response(message, SERVER_BUSY, 503, {"Retry-After": str(BUSY_RETRY_AFTER)})


class RequestLog:
    """Gives each request an id (``X-Request-ID``, kept if the client sent a sane one) and logs
    one line when it ends: method, path, status, duration, operation name, request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        sent = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = sent if REQUEST_ID.match(sent) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            fields: dict[str, Any] = {
                "request_id": request_id,
                "method": scope.get("method"),
                "path": scope.get("path"),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            }
            for key in ("operation_name", "organisation_id", "user_id"):
                if state.get(key) is not None:
                    fields[key] = state[key]
            log.info("request", extra={"fields": fields})


class BodyTooLarge(Exception):
    """Raised from ``receive`` when the body passes the limit; the middleware answers 413."""


class BodySizeLimit:
    """Refuses a request body over ``max_bytes`` with 413, by header or while it streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = (
            f"The request body is over the limit of {self.max_bytes} bytes; send a smaller "
            "document or fewer variables."
        )
        for name, value in scope.get("headers") or []:
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(send, message)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            incoming = await receive()
            if incoming["type"] == "http.request":
                received += len(incoming.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return incoming

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, message)

    @staticmethod
    async def _refuse(send: Send, message: str) -> None:
        body = error_body(message, "QUERY_TOO_COMPLEX")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
