"""GraphQL over WebSocket (``graphql-transport-ws``): one context per operation, and limits.

Strawberry's handler shares one context among all the operations of a connection; ours gives
each operation its own (its own session and loaders), authenticated again from the
connection's token, so that a token revoked, a role removed or a tier switched off since
``connection_init`` takes effect at the next operation, as it does over HTTP. It caps the
subscriptions of a connection and of a token, closes idle connections, and turns a dropped slow
consumer, a lost role or tier into a coded ``error`` message for that operation alone. A token
found revoked ends every operation of the connection with ``UNAUTHENTICATED`` and closes it
with 4403, as ``connection_init`` would refuse it now.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any, cast

import orjson
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
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

from pmo_graph.app_state import AppState
from pmo_graph.db.row_security import current_organisation
from pmo_graph.errors import (
    BUSY_MESSAGE,
    SERVER_BUSY,
    TOO_MANY_SUBSCRIPTIONS,
    UNAUTHENTICATED,
    UNREACHABLE_MESSAGE,
    CodedError,
    database_unreachable,
)
from pmo_graph.graphql.authentication import authenticate_token
from pmo_graph.graphql.extensions import coded_error
from pmo_graph.graphql.persisted.refusals import Refusal
from pmo_graph.realtime.subscriptions import REVOKED_MESSAGE
from pmo_graph.request.context import Context

log = logging.getLogger("pmo_graph.realtime")

#: Close code of a connection idle for too long (4000-4999 are the application's).
IDLE_CLOSE_CODE = 4000
#: Close code of a connection whose token was found revoked: graphql-ws' ``Forbidden``, the
#: code ``connection_init`` is refused with. Its clients reconnect after it (with the
#: connection parameters evaluated again, so a refreshed token serves), unlike after 4401.
REVOKED_CLOSE_CODE = 4403


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


def _revoked(errors: list[dict[str, Any]]) -> bool:
    """Whether ``errors`` say that the connection's token is no longer valid."""
    return any(error.get("extensions", {}).get("code") == UNAUTHENTICATED for error in errors)


def _busy_message(error: BaseException) -> str | None:
    """What to tell a client whose operation found no database to authenticate with (every
    connection busy, or the database away), or None for any other failure."""
    if isinstance(error, PoolTimeout):
        return BUSY_MESSAGE
    if isinstance(error, (DBAPIError, OSError)) and database_unreachable(error):
        return UNREACHABLE_MESSAGE
    return None


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

    #: Ends the connection once its token was found revoked (``_end_revoked``).
    ending: asyncio.Task[None] | None = None

    @property
    def app(self) -> AppState:
        app = self.context.app
        assert isinstance(app, AppState)
        return app

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
        if refusal is None and self.connection_acknowledged:
            refusal = self._resolve_document(message)
        if refusal is not None and message.get("id") not in self.operations:
            await self.send_message(_error_message(message["id"], [refusal]))
            return
        await super().handle_subscribe(message)

    def _resolve_document(self, message: SubscribeMessage) -> dict[str, Any] | None:
        """Put the text of the document ``message`` names (trusted or persisted) in its payload,
        as over HTTP; the coded error if it names none that may run."""
        payload: object = message.get("payload")
        outcome = self.app.persisted.resolve(payload) if isinstance(payload, dict) else None
        if isinstance(outcome, Refusal):
            return _coded(outcome.message, outcome.code)
        if outcome is not None:
            message["payload"] = cast("Any", outcome)
        return None

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
            if not await self._authenticated(operation, context):
                return
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

    async def _authenticated(self, operation: Operation[Context, None], context: Context) -> bool:
        """Authenticate the connection's token for ``operation``, as an HTTP request is: whether
        it may run. A revoked token ends the connection; no database, this operation alone."""
        current_organisation.set(None)  # the token is read before its organisation is known
        try:
            await authenticate_token(context)
        except Exception as exc:
            busy = _busy_message(exc)
            if busy is None:
                raise
            log.warning("database unavailable", extra={"request_id": context.request_id})
            await self._end_with_errors(operation, [_coded(busy, SERVER_BUSY)])
            return False
        if context.viewer_or_none is None:
            await self._end_revoked(operation, [_coded(REVOKED_MESSAGE, UNAUTHENTICATED)])
            return False
        return True

    async def _end_revoked(
        self, operation: Operation[Context, None], errors: list[dict[str, Any]]
    ) -> None:
        """``operation`` found the token revoked: end every operation of the connection with
        ``errors`` and close it (``REVOKED_CLOSE_CODE``), once, in a task of its own, so that
        operations ending at the same time cannot cancel it."""
        if self.ending is None:
            self.ending = asyncio.create_task(
                self._close_revoked(errors, operation.task), name="pmo-graph-ws-revoked"
            )
        else:  # an operation that began while the connection was being ended
            await self._send_error(operation, errors)

    async def _close_revoked(
        self, errors: list[dict[str, Any]], spare: asyncio.Task[Any] | None
    ) -> None:
        for operation in list(self.operations.values()):
            await self._send_error(operation, errors)
            if operation.task is not None and operation.task is not spare:
                operation.task.cancel()
        with contextlib.suppress(Exception):
            await self.websocket.close(REVOKED_CLOSE_CODE, "The token was revoked")

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
        """End ``operation`` with an ``error`` message; a revoked token ends them all."""
        if _revoked(errors):
            await self._end_revoked(operation, errors)
        else:
            await self._send_error(operation, errors)

    @staticmethod
    async def _send_error(
        operation: Operation[Context, None], errors: list[dict[str, Any]]
    ) -> None:
        with contextlib.suppress(Exception):
            await operation.send_operation_message(_error_message(operation.id, errors))
