"""The GraphQL HTTP endpoint: context per request, orjson, and coded HTTP-level errors."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from pmo_graph.app_state import AppState
from pmo_graph.db.row_security import current_organisation
from pmo_graph.errors import (
    BAD_USER_INPUT,
    BUSY_MESSAGE,
    INTERNAL_SERVER_ERROR,
    UNREACHABLE_MESSAGE,
    database_unreachable,
)
from pmo_graph.graphiql.page import graphiql_page
from pmo_graph.graphql.authentication import authenticate_header
from pmo_graph.graphql.persisted.http import resolve_persisted
from pmo_graph.http.graphql_response import request_error_status, response_document
from pmo_graph.http.middleware import BodyTooLarge, busy_response, error_response
from pmo_graph.http.negotiation import negotiated_media_type
from pmo_graph.idempotency.keys import HEADER as IDEMPOTENCY_HEADER
from pmo_graph.idempotency.keys import KeyedRequest, keyed_request
from pmo_graph.realtime.websocket import SubscriptionHandler, TextWebSocketAdapter
from pmo_graph.request.context import Context

log = logging.getLogger("pmo_graph.http")


def _request_id(scope: Scope) -> str:
    return str(scope.get("state", {}).get("request_id", "-"))


#: How a WebSocket client sends its token: ``{"authorization": "Bearer <token>"}`` in the
#: ``connection_init`` payload (``Authorization`` and a bare ``token`` are accepted too).
CONNECTION_TOKEN_KEYS = ("authorization", "Authorization", "token")


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI app, with our context, JSON codec and error documents."""

    websocket_adapter_class = TextWebSocketAdapter  # type: ignore[assignment]
    graphql_transport_ws_handler_class = SubscriptionHandler

    def __init__(self, state: AppState) -> None:
        settings = state.settings
        super().__init__(
            state.built.schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=settings.allow_get_queries,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=settings.websocket_init_seconds),
            max_subscriptions_per_connection=None,  # SubscriptionHandler counts, with a code
        )
        self.state = state

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page (pmo_graph/graphiql): served assets only, with a strict CSP."""
        return graphiql_page(request)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate a WebSocket at ``connection_init``; refuse it (4403) without a token."""
        params = context.connection_params or {}
        sent = next((params[k] for k in CONNECTION_TOKEN_KEYS if k in params), None)
        if isinstance(sent, str):
            header = sent if " " in sent.strip() else f"Bearer {sent.strip()}"
            context.viewer_or_none = None
            await authenticate_header(context, header)
        if context.viewer_or_none is None:
            raise ConnectionRejectionError()
        no_payload: UnsetType = UNSET  # connection_ack without a payload
        return no_payload

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = request.scope.setdefault("state", {})
        context = Context(
            app=self.state,
            session=self.state.request_sessionmaker(),
            request=request,
            response=response,
            request_id=state.get("request_id") or uuid.uuid4().hex,
        )
        state["pmo_context"] = context
        current_organisation.set(None)  # the token lookup reads before any organisation is known
        await authenticate_header(context, request.headers.get("authorization"))
        if context.viewer_or_none is not None:
            state["organisation_id"] = context.viewer_or_none.organisation_id
            state["user_id"] = context.viewer_or_none.user_id
        return context

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """The response document (no ``data`` on a request error) and, for a request error
        under ``application/graphql-response+json``, status 400."""
        context = request.scope.get("state", {}).get("pmo_context")
        sub_response = getattr(context, "response", None)
        if isinstance(sub_response, Response):
            media_type = negotiated_media_type(request.scope)
            status = request_error_status(result, media_type, sub_response.status_code)
            if status is not None:
                sub_response.status_code = status
        return response_document(result)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise HTTPException(400, "The request body is not valid JSON.") from exc

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        resolved = await resolve_persisted(self.state.persisted, Request(scope, receive))
        if isinstance(resolved, Response):
            await resolved(scope, receive, send)
            return
        request = resolved  # from here on, a persisted document is the request of its text
        keyed = None
        if request.method == "POST" and IDEMPOTENCY_HEADER in request.headers:
            keyed = keyed_request(
                request.headers.get(IDEMPOTENCY_HEADER),
                request.headers.get("authorization"),
                await request.body(),
                self.state.settings.max_tokens,
            )
            if isinstance(keyed, Response):
                await keyed(scope, receive, send)
                return
        if isinstance(keyed, KeyedRequest):
            response = await self.state.idempotency.run(
                keyed, lambda: self._respond(request, scope)
            )
        else:
            response = await self._fast(request) or await self._respond(request, scope)
        await response(scope, receive, send)

    async def _fast(self, request: Request) -> Response | None:
        """The fast lane's answer to a query the compiled path answered before, if it has one."""
        if request.method != "POST" or not self.state.compiled_queries:
            return None
        try:
            return await self.state.fast_lane.answer(request)
        except BodyTooLarge:
            raise
        except Exception:
            # Whatever went wrong there, the full pipeline answers, with its error handling.
            log.exception("the fast lane failed; the pipeline answers")
            return None

    async def _respond(self, request: Request, scope: Scope) -> Response:
        """The answer to one GraphQL request over HTTP, every failure turned into a coded one."""
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = error_response(exc.reason, BAD_USER_INPUT, exc.status_code)
        except BodyTooLarge:
            raise
        except PoolTimeout:
            # Every connection was busy for the pool's whole timeout: overload, not a fault.
            log.warning("connection pool exhausted", extra={"request_id": _request_id(scope)})
            response = busy_response(BUSY_MESSAGE)
        except (DBAPIError, OSError) as exc:
            if not database_unreachable(exc):
                raise
            # Before the operation ran (authentication): the database is restarting or gone.
            log.warning("database unreachable", extra={"request_id": _request_id(scope)})
            response = busy_response(UNREACHABLE_MESSAGE)
        except Exception:
            request_id = _request_id(scope)
            log.exception("request failed outside GraphQL", extra={"request_id": request_id})
            response = error_response(
                f"Internal server error. Quote request id {request_id} when you report it.",
                INTERNAL_SERVER_ERROR,
                500,
            )
        finally:
            context = scope.get("state", {}).get("pmo_context")
            if isinstance(context, Context):
                await context.db.close()
        return response
