"""GraphQL over WebSocket (``graphql-transport-ws``): one context per operation, and limits.

Strawberry's handler shares one context among all the operations of a connection; ours gives
each operation its own (its own session and loaders, the connection's viewer), caps the
subscriptions of a connection and of a token, closes idle connections, and turns a dropped slow
consumer or a revoked token into a coded ``error`` message for that operation alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, cast

import orjson
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    CompleteMessage,
    ConnectionInitMessage,
    ErrorMessage,
    Message,
    SubscribeMessage,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from pmo_graph.graphql.context import Context
from pmo_graph.graphql.errors import TOO_MANY_SUBSCRIPTIONS, CodedError
from pmo_graph.graphql.extensions import coded_error

if TYPE_CHECKING:
    from pmo_graph.app_state import AppState

log = logging.getLogger("pmo_graph.realtime")

#: Close code of a connection idle for too long (4000-4999 are the application's).
IDLE_CLOSE_CODE = 4000


class TextWebSocketAdapter(ASGIWebSocketAdapter):
    """Sends JSON as text frames (the protocol requires them) and reads it with orjson."""

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object]:
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                try:
                    yield orjson.loads(text)
                except orjson.JSONDecodeError as exc:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from exc
        except KeyError as exc:
            raise NonTextMessageReceived from exc
        except WebSocketDisconnect:
            pass

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except (WebSocketDisconnect, RuntimeError) as exc:
            raise WebSocketDisconnected from exc


def _coded(message: str, code: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code}}


def _error_message(operation_id: str, errors: list[dict[str, Any]]) -> ErrorMessage:
    return {"id": operation_id, "type": "error", "payload": cast("Any", errors)}


class _StreamEnded(Exception):
    """The event stream of a subscription stopped with these (coded) errors."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("the subscription's event stream ended with an error")
        self.errors = errors


def _ends_the_stream(result: ExecutionResult) -> bool:
    """Whether ``result`` is the last word of a stream that raised (strawberry turns an
    exception of the event stream into one result without data whose errors have no path), not
    the errors of one event's fields. The protocol says that with an ``error`` message."""
    return (
        not isinstance(result, PreExecutionError)
        and result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


class SubscriptionHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """The ``graphql-transport-ws`` handler with per-operation contexts and limits."""

    @property
    def app(self) -> AppState:
        return self.context.app

    async def handle(self) -> None:
        idle = asyncio.create_task(self._close_when_idle(), name="pmo-graph-ws-idle")
        self.last_message = time.monotonic()
        try:
            await super().handle()
        finally:
            idle.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await idle
            viewer = self.context.viewer_or_none
            if viewer is not None:
                self.app.connections.discard(viewer.token_id, self)
            await self.context.db.close()

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        viewer = self.context.viewer_or_none
        if self.connection_acknowledged and viewer is not None:
            self.app.connections.add(viewer.token_id, self)

    async def handle_message(self, message: Message) -> None:
        self.last_message = time.monotonic()
        await super().handle_message(message)

    async def _close_when_idle(self) -> None:
        limit = self.app.settings.websocket_idle_seconds
        while True:
            await asyncio.sleep(min(limit, 5.0))
            if self.operations:
                self.last_message = time.monotonic()
            elif time.monotonic() - self.last_message >= limit:
                await self.websocket.close(
                    IDLE_CLOSE_CODE, f"Idle for {limit:g} s with no subscription"
                )
                return

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        refusal = self._over_a_limit() if self.connection_acknowledged else None
        if refusal is not None and message.get("id") not in self.operations:
            await self.send_message(_error_message(message["id"], [refusal]))
            return
        await super().handle_subscribe(message)

    def _over_a_limit(self) -> dict[str, Any] | None:
        settings = self.app.settings
        if len(self.operations) >= settings.max_subscriptions_per_connection:
            return _coded(
                f"This connection already holds {settings.max_subscriptions_per_connection} "
                "subscriptions, the most allowed; complete one first or open another "
                "connection.",
                TOO_MANY_SUBSCRIPTIONS,
            )
        viewer = self.context.viewer_or_none
        if viewer is not None:
            held = self.app.connections.held_everywhere(viewer.token_id)
            if held >= settings.max_subscriptions_per_token:
                return _coded(
                    f"This token already holds {settings.max_subscriptions_per_token} "
                    "subscriptions, the most allowed; complete some first.",
                    TOO_MANY_SUBSCRIPTIONS,
                )
        return None

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        context = self.context.for_operation()
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, self._coded(result_source, context))
            await operation.send_operation_message(
                CompleteMessage(id=operation.id, type="complete")
            )
        except _StreamEnded as ended:
            await self._end_with_errors(operation, ended.errors)
        except CodedError as exc:
            await self._end_with_errors(operation, [{"message": str(exc), **exc.as_extensions()}])
        except _OperationStreamClosed:
            return
        except Exception:
            log.exception("subscription failed", extra={"request_id": context.request_id})
            await self._end_with_errors(
                operation,
                [
                    _coded(
                        f"Internal server error. Quote request id {context.request_id} when you "
                        "report it.",
                        "INTERNAL_SERVER_ERROR",
                    )
                ],
            )
        finally:
            await context.db.close()

    async def _coded(self, results: AsyncIterator[Any], context: Context) -> AsyncGenerator[Any]:
        """Each result with its errors coded and masked, as ``ErrorCodes`` does over HTTP."""
        max_tokens = self.app.settings.max_tokens
        async for result in results:
            if isinstance(result, ExecutionResult) and result.errors:
                result.errors = [
                    coded_error(error, max_tokens, context.request_id) for error in result.errors
                ]
                if _ends_the_stream(result):
                    raise _StreamEnded([dict(error.formatted) for error in result.errors])
            yield result

    async def _end_with_errors(
        self, operation: Operation[Context, None], errors: list[dict[str, Any]]
    ) -> None:
        with contextlib.suppress(Exception):
            await operation.send_operation_message(_error_message(operation.id, errors))
