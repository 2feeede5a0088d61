"""The event bus: committed notices fanned out to this process's subscribers.

One interface, two engines. On PostgreSQL a transaction's notices are sent with ``NOTIFY``
inside it, so the database delivers them to every process that ``LISTEN``s (every replica) and
only if the transaction commits; each process keeps one connection listening. On SQLite, which
serves one process, the notices are handed to local subscribers after commit.

Subscribers never block the bus: each has a bounded queue, and one that falls behind is dropped
(``SlowConsumer``) while the others carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.errors import SLOW_CONSUMER, CodedError
from pmo_graph.realtime.notices import Notice, decode_payload, encode_payloads
from pmo_graph.settings import Settings

log = logging.getLogger("pmo_graph.realtime")

#: Seconds between attempts to re-open the listening connection, doubling up to the last.
RECONNECT_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0)
#: Seconds the listening connection may stay quiet before it is probed.
KEEPALIVE_SECONDS = 10.0
#: How long start-up waits for the listening connection before serving without it.
START_WAIT_SECONDS = 5.0


class SlowConsumer(CodedError):
    """A subscriber did not keep up with its events and was dropped."""

    code = SLOW_CONSUMER


class Listener:
    """One subscriber's queue of notices of one organisation, filtered by name."""

    def __init__(
        self, bus: EventBus, organisation_id: int, names: Collection[str], capacity: int
    ) -> None:
        self.bus = bus
        self.organisation_id = organisation_id
        self.names = frozenset(names)
        self._queue: asyncio.Queue[Notice | None] = asyncio.Queue(capacity)
        #: Set when the queue overflowed: the subscriber is dropped at its next read.
        self.overflowed = False

    def offer(self, notice: Notice) -> None:
        """Queue ``notice`` if it is one this listener waits for; never blocks."""
        if notice.name not in self.names or self.overflowed:
            return
        try:
            self._queue.put_nowait(notice)
        except asyncio.QueueFull:
            self.overflowed = True
            self.bus.forget(self)
            # Make room for the wake-up, so a reader parked on get() learns it was dropped.
            with contextlib.suppress(asyncio.QueueEmpty):
                self._queue.get_nowait()
            self._queue.put_nowait(None)

    def __aiter__(self) -> Listener:
        return self

    async def __anext__(self) -> Notice:
        notice = await self._queue.get()
        if notice is None or self.overflowed:
            raise SlowConsumer(
                f"this subscription fell more than {self._queue.maxsize} events behind and "
                "was dropped; subscribe again, and read events as fast as they come"
            )
        return notice

    def close(self) -> None:
        """Stop receiving notices."""
        self.bus.forget(self)


class EventBus:
    """Fans notices out to the listeners of their organisation (this process only)."""

    def __init__(self, queue_size: int) -> None:
        self.queue_size = queue_size
        self._listeners: dict[int, set[Listener]] = defaultdict(set)
        self._watchers: list[Callable[[Notice], None]] = []
        #: Counts the times this process began hearing every replica's notices: what was
        #: learned from notices before a gap in hearing them is stale (``AccessCache``).
        self.epoch = 0

    @property
    def hears_everything(self) -> bool:
        """Whether every notice committed from now on, by any process, reaches this one."""
        return False

    @property
    def notify_channel(self) -> str | None:
        """The channel ``stage`` sends notices on with ``pg_notify`` (None: it sends none)."""
        return None

    def watch(self, watcher: Callable[[Notice], None]) -> None:
        """Call ``watcher`` with every notice of every organisation, this process's own at
        commit (before other replicas hear them), before listeners get them."""
        self._watchers.append(watcher)

    def tell_watchers(self, notices: Sequence[Notice]) -> None:
        """Hand ``notices`` to the watchers (``watch``)."""
        for notice in notices:
            for watcher in self._watchers:
                watcher(notice)

    def listen(self, organisation_id: int, names: Collection[str]) -> Listener:
        """A new listener for the notices named ``names`` of one organisation."""
        listener = Listener(self, organisation_id, names, self.queue_size)
        self._listeners[organisation_id].add(listener)
        return listener

    def forget(self, listener: Listener) -> None:
        """Remove a listener (closing or dropped)."""
        listeners = self._listeners.get(listener.organisation_id)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                del self._listeners[listener.organisation_id]

    @property
    def listener_count(self) -> int:
        """How many listeners this process holds."""
        return sum(len(found) for found in self._listeners.values())

    def fan_out(self, notices: Sequence[Notice]) -> None:
        """Hand each notice to the watchers, then to the listeners of its organisation."""
        self.tell_watchers(notices)
        for notice in notices:
            for listener in list(self._listeners.get(notice.organisation_id, ())):
                listener.offer(notice)

    async def stage(self, session: AsyncSession, notices: Sequence[Notice]) -> None:
        """Inside the writing transaction: prepare ``notices`` to go out when it commits."""

    async def committed(self, notices: Sequence[Notice]) -> None:
        """After the writing transaction committed."""
        # Before this process hears its own NOTIFY: the writer's next request must see it.
        self.tell_watchers(notices)

    async def start(self) -> None:
        """Begin receiving notices (at application start-up)."""

    async def stop(self) -> None:
        """Stop receiving notices (at shutdown)."""


class LocalEventBus(EventBus):
    """One process (SQLite): notices go to local listeners once their transaction commits.

    It does not hear everything: the command line (``pmo-graph token revoke``) writes to the
    same file from another process and cannot tell the server.
    """

    async def committed(self, notices: Sequence[Notice]) -> None:
        self.fan_out(notices)  # watchers included


def channel_name(settings: Settings) -> str:
    """The NOTIFY channel of one database schema (schemas of one database do not hear each
    other)."""
    return f"pmo_graph.{settings.database_schema or 'public'}"


def listener_dsn(url: str) -> str:
    """The plain PostgreSQL DSN asyncpg connects to, from the SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


#: Built once, so that its compiled form is kept (one per writing transaction).
_NOTIFY = text("SELECT pg_notify(:channel, :payload)")


class PostgresEventBus(EventBus):
    """Every replica: ``NOTIFY`` in the writing transaction, one ``LISTEN`` connection each."""

    def __init__(self, settings: Settings, queue_size: int) -> None:
        super().__init__(queue_size)
        self.channel = channel_name(settings)
        self.dsn = listener_dsn(settings.listener_url)
        self._task: asyncio.Task[None] | None = None
        self._connection: Any = None
        #: One statement at a time on the listening connection (keep-alive probes, ``fetch``).
        self._using = asyncio.Lock()
        self._server_settings = (
            {"search_path": settings.database_schema} if settings.database_schema else {}
        )
        #: Set while the listening connection is open (``readyz`` could report it).
        self.listening = asyncio.Event()

    @property
    def hears_everything(self) -> bool:
        return self.listening.is_set()

    @property
    def notify_channel(self) -> str | None:
        return self.channel

    async def stage(self, session: AsyncSession, notices: Sequence[Notice]) -> None:
        for payload in encode_payloads(notices):
            await session.execute(_NOTIFY, {"channel": self.channel, "payload": payload})

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen_forever(), name="pmo-graph-listen")
        # Serve from the start with the listener up (until it is, nothing is kept between
        # requests: ``AccessCache``); a database that does not answer does not stop start-up.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.listening.wait(), timeout=START_WAIT_SECONDS)

    async def fetch(self, query: str, *arguments: Any) -> list[Any]:
        """Run a statement on this process's listening connection, the one connection it keeps
        for coordinating with other processes (``budget_sync``). Raises ``ConnectionError``
        while that connection is being reopened."""
        connection = self._connection
        if connection is None:
            raise ConnectionError("the coordination connection is being reopened")
        async with self._using:
            rows: list[Any] = await connection.fetch(query, *arguments, timeout=KEEPALIVE_SECONDS)
            return rows

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            notices = decode_payload(payload)
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed notice on %s", self.channel)
            return
        self.fan_out(notices)

    async def _keep_alive(self, connection: Any, closed: asyncio.Event) -> None:
        """Return when the listening connection is gone, probing it while it is quiet: a
        connection whose peer vanished without closing it raises no termination event."""
        while not closed.is_set():
            try:
                await asyncio.wait_for(closed.wait(), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                try:
                    async with self._using:
                        await connection.fetchval("SELECT 1", timeout=KEEPALIVE_SECONDS)
                except Exception:  # any failure of the probe: open another connection
                    return

    async def _listen_forever(self) -> None:
        attempt = 0
        while True:
            closed = asyncio.Event()
            try:
                connection = await asyncpg.connect(self.dsn, server_settings=self._server_settings)
            except Exception as exc:  # unreachable, refused, starting up: try again shortly
                delay = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
                attempt += 1
                log.warning("event listener cannot connect (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                continue
            try:
                connection.add_termination_listener(lambda _c, closed=closed: closed.set())
                await connection.add_listener(self.channel, self._on_notify)
                # Offered to ``fetch`` only now: while LISTEN runs, a statement of its own would
                # find the connection busy ("another operation is in progress").
                self._connection = connection
                if attempt:
                    log.info("event listener reconnected to %s", self.channel)
                attempt = 0
                self.epoch += 1
                self.listening.set()
                await self._keep_alive(connection, closed)
                log.warning("event listener lost its connection; reconnecting")
            except Exception as exc:
                # Whatever a broken connection raises, the process must keep listening.
                log.warning("event listener failed (%s); reconnecting", exc)
            finally:
                self.listening.clear()
                self._connection = None
                # At once and without a goodbye: a statement may still be waiting on it
                # (``fetch``), and a graceful close would collide with it.
                connection.terminate()
            await asyncio.sleep(RECONNECT_DELAYS[0])


def create_event_bus(settings: Settings) -> EventBus:
    """The bus for the configured database."""
    if settings.is_sqlite:
        return LocalEventBus(settings.subscription_queue_size)
    return PostgresEventBus(settings, settings.subscription_queue_size)
