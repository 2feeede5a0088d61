"""A ``graphql-transport-ws`` client for tests: subscribe over a real WebSocket.

Used by pmo-graph's own suite and by plugin authors (``pmo_graph.testing`` serves the app on a
real socket; see docs/writing_plugins.md)::

    async with GraphQLSocket(url, token) as socket:
        subscription = await socket.subscribe("subscription { auditEvents { action } }")
        ...  # cause the event
        message = await socket.receive(subscription)
        assert message["payload"]["data"]["auditEvents"]["action"] == "createProject"
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from types import TracebackType
from typing import Any

import orjson
import websockets
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

PROTOCOL = Subprotocol(GRAPHQL_TRANSPORT_WS_PROTOCOL)


class SocketClosed(AssertionError):
    """The server closed the connection; ``code`` and ``reason`` say why."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"the server closed the WebSocket: {code} {reason}")
        self.code = code
        self.reason = reason


class GraphQLSocket:
    """One WebSocket connection, authenticated with ``token`` in ``connection_init``."""

    def __init__(
        self, url: str, token: str | None = None, *, payload: dict[str, Any] | None = None
    ) -> None:
        self.url = url.replace("http://", "ws://").replace("https://", "wss://").rstrip("/")
        if not self.url.endswith("/graphql"):
            self.url += "/graphql"
        self.init_payload = (
            payload
            if payload is not None
            else ({"authorization": f"Bearer {token}"} if token else {})
        )
        self._connection: ClientConnection | None = None
        self._ids = itertools.count(1)
        self._inbox: dict[str, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)
        self._reader: asyncio.Task[None] | None = None
        self.closed: SocketClosed | None = None

    @property
    def connection(self) -> ClientConnection:
        assert self._connection is not None, "use 'async with GraphQLSocket(...)'"
        return self._connection

    async def __aenter__(self) -> GraphQLSocket:
        self._connection = await websockets.connect(self.url, subprotocols=[PROTOCOL])
        await self.send({"type": "connection_init", "payload": self.init_payload})
        ack = await self._read()
        if ack.get("type") != "connection_ack":
            raise AssertionError(f"expected connection_ack, got {ack}")
        self._reader = asyncio.create_task(self._read_forever())
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        if self._reader is not None:
            self._reader.cancel()
        await self.connection.close()

    async def send(self, message: dict[str, Any]) -> None:
        """Send one protocol message."""
        await self.connection.send(orjson.dumps(message).decode())

    async def _read(self) -> dict[str, Any]:
        try:
            frame = await self.connection.recv()
        except websockets.ConnectionClosed as exc:
            received = exc.rcvd
            raise SocketClosed(
                received.code if received else None, received.reason if received else ""
            ) from exc
        assert isinstance(frame, str), "the protocol sends text frames"
        message: dict[str, Any] = orjson.loads(frame)
        return message

    async def _read_forever(self) -> None:
        try:
            while True:
                message = await self._read()
                if message.get("type") == "ping":
                    await self.send({"type": "pong"})
                    continue
                self._inbox[str(message.get("id", ""))].put_nowait(message)
        except SocketClosed as exc:
            self.closed = exc
            for queue in list(self._inbox.values()):
                queue.put_nowait({"type": "closed", "code": exc.code, "reason": exc.reason})

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        """Start an operation; returns its id."""
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        return await self.subscribe_with(payload)

    async def subscribe_with(self, payload: dict[str, Any]) -> str:
        """Start an operation with this ``subscribe`` payload as it is (a persisted document's
        id or hash instead of its ``query``, say); returns its id."""
        operation_id = str(next(self._ids))
        self._inbox[operation_id]  # created now, so a close is reported to it
        await self.send({"id": operation_id, "type": "subscribe", "payload": payload})
        return operation_id

    async def receive(self, operation_id: str, wait: float = 15.0) -> dict[str, Any]:
        """The next message of an operation (``next``, ``error``, ``complete`` or ``closed``)."""
        if self.closed is not None and self._inbox[operation_id].empty():
            return {"type": "closed", "code": self.closed.code, "reason": self.closed.reason}
        return await asyncio.wait_for(self._inbox[operation_id].get(), wait)

    async def data(self, operation_id: str, wait: float = 15.0) -> dict[str, Any]:
        """The ``data`` of the operation's next ``next`` message (anything else fails)."""
        message = await self.receive(operation_id, wait)
        assert message["type"] == "next", f"expected a next message, got {message}"
        assert not message["payload"].get("errors"), message["payload"]["errors"]
        data: dict[str, Any] = message["payload"]["data"]
        return data

    async def complete(self, operation_id: str) -> None:
        """Stop an operation."""
        await self.send({"id": operation_id, "type": "complete"})

    def pending(self, operation_id: str) -> int:
        """Messages of an operation received and not yet read."""
        return self._inbox[operation_id].qsize()
