"""Every answer on the GraphQL path goes out in the media type the client's ``Accept`` allows.

One middleware in front of everything that writes an answer there (the fast lane, strawberry's
pipeline, the coded refusals of ``middleware.error_response``, the body limit's 413, the
idempotency keys' 409 and 422, the budget's 429, the busy 503) so that none of them can forget:
it works out the media type once (``media_types.negotiate``), keeps it in the request's state
for the view (whose status codes depend on it), refuses with 406 a request that accepts neither
JSON type, and labels a JSON answer ``application/graphql-response+json`` when that is the type
negotiated. Everything is written as JSON; only the label differs.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pmo_graph.errors import BAD_USER_INPUT
from pmo_graph.http.media_types import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
    NOT_ACCEPTABLE_MESSAGE,
    negotiate,
)
from pmo_graph.http.middleware import error_response

#: Where the negotiated media type is kept in ``scope["state"]``.
STATE_KEY = "media_type"


def negotiated_media_type(scope: Scope) -> str:
    """The media type negotiated for this request (``application/json`` when none was)."""
    media_type: str = scope.get("state", {}).get(STATE_KEY, JSON)
    return media_type


def _accept(scope: Scope) -> str | None:
    values = [v.decode("latin-1") for k, v in scope.get("headers") or [] if k == b"accept"]
    return ",".join(values) if values else None


def _asks_for_a_page(scope: Scope) -> bool:
    """A GET without a ``query`` parameter asks for the GraphiQL page, not a GraphQL answer."""
    if scope.get("method") != "GET":
        return False
    return "query" not in parse_qs(scope.get("query_string", b"").decode("latin-1"))


class MediaTypeNegotiation:
    """Negotiates the media type of GraphQL answers on ``paths`` (see the module's doc)."""

    def __init__(self, app: ASGIApp, paths: Collection[str] = ("/graphql",)) -> None:
        self.app = app
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("path") not in self.paths
            or scope.get("method") not in ("GET", "POST")
        ):
            await self.app(scope, receive, send)
            return
        media_type = negotiate(_accept(scope))
        if media_type is None:
            if _asks_for_a_page(scope):
                await self.app(scope, receive, send)
                return
            refusal = error_response(NOT_ACCEPTABLE_MESSAGE, BAD_USER_INPUT, 406)
            refusal.headers["vary"] = "Accept"
            await refusal(scope, receive, send)
            return
        scope.setdefault("state", {})[STATE_KEY] = media_type

        async def labelled_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                sent = headers.get("content-type", "").split(";")[0].strip().lower()
                if sent == JSON:
                    if media_type == GRAPHQL_RESPONSE_JSON:
                        headers["content-type"] = GRAPHQL_RESPONSE_JSON
                    headers.add_vary_header("Accept")
            await send(message)

        await self.app(scope, receive, labelled_send)
