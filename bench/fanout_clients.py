"""The client side of ``python -m bench.fanout``: subscribers over WebSockets, status reports
submitted over HTTP, and every delivery timed and checked.

Times are ``time.perf_counter()`` readings of this process: a message is stamped as its frame is
read and decoded, before any bookkeeping, so the figures include the clients' own queueing (the
clients share the machine, and this event loop, with nothing but each other).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from pmo_graph.subscription_client import GraphQLSocket

SUBSCRIPTION = (
    "subscription { statusReportSubmitted { occurredAt statusReport { overall periodEnding } "
    "project { code name } } }"
)
#: Every report covers this period (a past date: the server refuses future ones).
PERIOD_ENDING = "2026-11-20"
CREATE_PROJECT = (
    "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } "
    "userErrors { code message } } }"
)
SUBMIT_REPORT = (
    "mutation($p: ID!) { submitStatusReport(input: {projectId: $p, periodEnding: "
    f'"{PERIOD_ENDING}", overall: GREEN}}) '
    "{ statusReport { id } userErrors { code message } } }"
)
#: The key under which a message's receive time is kept.
RECEIVED = "_received_at"
#: Seconds a warm-up report may take to reach the subscribers already registered.
WARM_UP_WAIT = 3.0
#: Warm-up reports sent, at most, before the subscribers are given up on.
WARM_UP_ATTEMPTS = 20
#: Seconds one event of the sequential phase may take to reach every subscriber.
EVENT_WAIT = 60.0


class DeliveryError(AssertionError):
    """A delivery is missing or wrong, or a subscription ended: an error, never a figure."""


class SlowConsumers(DeliveryError):
    """Subscribers were dropped with ``SLOW_CONSUMER`` (they fell too far behind)."""

    def __init__(self, dropped: int, subscribers: int) -> None:
        super().__init__(dropped, subscribers)
        self.dropped = dropped
        self.subscribers = subscribers
        #: The configuration it happened in (set by the caller).
        self.where = ""

    def __str__(self) -> str:
        where = f" in {self.where}" if self.where else ""
        dropped = f"{self.dropped} of {self.subscribers} subscribers"
        return f"{dropped} were dropped with SLOW_CONSUMER{where}"


class StampedSocket(GraphQLSocket):
    """``GraphQLSocket`` that stamps each message with the time its frame was read."""

    async def _read(self) -> dict[str, Any]:
        message = await super()._read()
        message[RECEIVED] = time.perf_counter()
        return message


class Deliveries:
    """Every subscriber's messages: when each event reached it, and anything that went wrong."""

    def __init__(self, subscribers: int) -> None:
        self.subscribers = subscribers
        #: Event (project code) -> subscriber -> receive time.
        self.arrivals: dict[str, dict[int, float]] = {}
        #: Subscriber -> the codes it received, in order.
        self.sequences: dict[int, list[str]] = {i: [] for i in range(subscribers)}
        self.problems: list[str] = []
        self.dropped: set[int] = set()
        self._complete: dict[str, asyncio.Event] = {}
        self._trouble = asyncio.Event()

    def expect(self, code: str) -> None:
        """Announce an event before it is caused, so its deliveries are accepted."""
        self.arrivals[code] = {}
        self._complete[code] = asyncio.Event()

    def _problem(self, text: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(text)
        self._trouble.set()

    def record(self, subscriber: int, message: dict[str, Any]) -> None:
        """Take one message of ``subscriber``'s operation."""
        kind = message.get("type")
        if kind == "error":
            payload = message.get("payload") or []
            codes = {error.get("extensions", {}).get("code") for error in payload}
            if "SLOW_CONSUMER" in codes:
                self.dropped.add(subscriber)
                self._trouble.set()
            else:
                self._problem(f"subscriber {subscriber}: error {payload}")
            return
        if kind != "next":
            self._problem(f"subscriber {subscriber}: the subscription ended: {message}")
            return
        payload = message["payload"]
        if payload.get("errors"):
            self._problem(f"subscriber {subscriber}: errors {payload['errors']}")
            return
        event = payload["data"]["statusReportSubmitted"]
        project = event.get("project") or {}
        code = project.get("code")
        report = event.get("statusReport") or {}
        if code not in self.arrivals:
            self._problem(f"subscriber {subscriber}: an event nobody caused: {event}")
            return
        if (
            project.get("name") != code
            or report != {"overall": "GREEN", "periodEnding": PERIOD_ENDING}
            or not event.get("occurredAt")
        ):
            self._problem(f"subscriber {subscriber}: a wrong payload for {code}: {event}")
            return
        received = self.arrivals[code]
        if subscriber in received:
            self._problem(f"subscriber {subscriber}: {code} twice")
            return
        received[subscriber] = float(message[RECEIVED])
        self.sequences[subscriber].append(code)
        if len(received) == self.subscribers:
            self._complete[code].set()

    def check(self) -> None:
        """Raise what went wrong so far."""
        if self.problems:
            raise DeliveryError("; ".join(self.problems))
        if self.dropped:
            raise SlowConsumers(len(self.dropped), self.subscribers)

    async def wait_for(self, codes: Sequence[str], seconds: float) -> None:
        """Until every subscriber has every event of ``codes``; raise at the first problem, or
        after ``seconds`` with what is missing."""
        deadline = time.monotonic() + seconds
        for code in codes:
            while not self._complete[code].is_set():
                self.check()
                left = deadline - time.monotonic()
                if left <= 0:
                    missing = {c: self.subscribers - len(self.arrivals[c]) for c in codes}
                    raise DeliveryError(
                        f"after {seconds:.0f} s, deliveries still missing per event: "
                        + ", ".join(f"{c}: {n}" for c, n in missing.items() if n)
                    )
                waiters = [
                    asyncio.ensure_future(self._complete[code].wait()),
                    asyncio.ensure_future(self._trouble.wait()),
                ]
                try:
                    await asyncio.wait(waiters, timeout=left, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for waiter in waiters:
                        waiter.cancel()
        self.check()

    def check_order(self, codes: Sequence[str]) -> None:
        """Every subscriber received ``codes`` exactly, in the order they were caused."""
        wanted = set(codes)
        for subscriber, sequence in self.sequences.items():
            got = [code for code in sequence if code in wanted]
            if got != list(codes):
                raise DeliveryError(
                    f"subscriber {subscriber} received {got[:5]}… in place of {list(codes)[:5]}…"
                )


@dataclass
class Event:
    """One status report: its project, and when its mutation was sent and answered."""

    code: str
    project_id: str
    sent: float = 0.0
    acknowledged: float = 0.0


@dataclass
class Phase:
    """One phase's events, with what the server and this process spent on them."""

    events: list[Event]
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    statements: int | None = None
    #: Event code -> every subscriber's receive time.
    arrivals: dict[str, list[float]] = field(default_factory=dict)

    @property
    def deliveries(self) -> int:
        return sum(len(times) for times in self.arrivals.values())

    @property
    def wall(self) -> float:
        """Seconds from the first report sent to the last delivery received."""
        last = max(max(times) for times in self.arrivals.values())
        return last - self.events[0].sent


@dataclass
class Measured:
    """One configuration's two phases."""

    sequential: Phase
    burst: Phase
    warm_ups: int
    #: Seconds from the end of the warm-up (every subscriber's first check) to the last
    #: delivery: over ``PMO_GRAPH_ACCESS_CACHE_SECONDS``, the default configuration read the
    #: token again mid-run.
    span: float


class Api:
    """GraphQL over HTTP with the demo token; any error or user error is raised."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables})
        body: dict[str, Any] = response.json()
        if body.get("errors"):
            raise DeliveryError(f"the mutation failed: {body['errors']}")
        (payload,) = body["data"].values()
        if payload.get("userErrors"):
            raise DeliveryError(f"the mutation was refused: {payload['userErrors']}")
        return payload  # type: ignore[no-any-return]

    async def project(self, code: str) -> Event:
        created = await self.post(CREATE_PROJECT, {"i": {"code": code, "name": code}})
        return Event(code, created["project"]["id"])

    async def report(self, event: Event) -> None:
        """Submit ``event``'s report, stamping when it was sent and answered."""
        event.sent = time.perf_counter()
        await self.post(SUBMIT_REPORT, {"p": event.project_id})
        event.acknowledged = time.perf_counter()


async def _consume(socket: GraphQLSocket, operation: str, index: int, into: Deliveries) -> None:
    while True:
        message = await socket.receive(operation, wait=24 * 3600)
        into.record(index, message)
        if message.get("type") != "next":
            return


async def _warm_up(api: Api, deliveries: Deliveries, prefix: str) -> int:
    """Send reports until one reaches every subscriber: from then on all are registered (and
    have checked their token once). Returns how many it took."""
    for attempt in range(1, WARM_UP_ATTEMPTS + 1):
        event = await api.project(f"{prefix}-W{attempt:02d}")
        deliveries.expect(event.code)
        await api.report(event)
        with contextlib.suppress(DeliveryError):
            await deliveries.wait_for([event.code], WARM_UP_WAIT)
            return attempt
        deliveries.check()
    raise DeliveryError(
        f"after {WARM_UP_ATTEMPTS} warm-up reports, not every subscriber was registered"
    )


async def _phase(
    events: list[Event],
    deliveries: Deliveries,
    api: Api,
    server_cpu: Callable[[], float],
    statements: Callable[[], Awaitable[int | None]],
    *,
    wait_each: bool,
) -> Phase:
    """Send the phase's reports one after another; with ``wait_each``, wait until each reached
    every subscriber before the next (latency), else send them back to back (throughput)."""
    for event in events:
        deliveries.expect(event.code)
    codes = [event.code for event in events]
    calls = await statements()
    cpu, own = server_cpu(), time.process_time()
    for event in events:
        await api.report(event)
        if wait_each:
            await deliveries.wait_for([event.code], EVENT_WAIT)
    await deliveries.wait_for(codes, EVENT_WAIT + len(events) * deliveries.subscribers / 100)
    phase = Phase(events, server_cpu() - cpu, time.process_time() - own)
    after = await statements()
    if calls is not None and after is not None:
        phase.statements = after - calls
    deliveries.check_order(codes)
    phase.arrivals = {code: list(deliveries.arrivals[code].values()) for code in codes}
    return phase


async def measure(
    url: str,
    token: str,
    prefix: str,
    subscribers: int,
    connections: int,
    events: int,
    server_cpu: Callable[[], float],
    statements: Callable[[], Awaitable[int | None]],
) -> Measured:
    """One configuration: ``subscribers`` subscriptions over ``connections`` WebSockets, then
    ``events`` reports one at a time (latency) and ``events`` more back to back (throughput)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as client:
        api = Api(client)
        sequential = [await api.project(f"{prefix}-S{i:03d}") for i in range(1, events + 1)]
        burst = [await api.project(f"{prefix}-B{i:03d}") for i in range(1, events + 1)]
        deliveries = Deliveries(subscribers)
        async with contextlib.AsyncExitStack() as stack:
            sockets = [
                await stack.enter_async_context(StampedSocket(url, token))
                for _ in range(connections)
            ]
            tasks: list[asyncio.Task[None]] = []

            def stop_reading() -> None:
                for task in tasks:
                    task.cancel()

            stack.callback(stop_reading)  # before the sockets close
            spread = zip(range(subscribers), itertools.cycle(sockets), strict=False)
            for index, socket in spread:
                operation = await socket.subscribe(SUBSCRIPTION)
                tasks.append(asyncio.create_task(_consume(socket, operation, index, deliveries)))
            warm_ups = await _warm_up(api, deliveries, prefix)
            warm = time.perf_counter()
            first = await _phase(
                sequential, deliveries, api, server_cpu, statements, wait_each=True
            )
            second = await _phase(burst, deliveries, api, server_cpu, statements, wait_each=False)
    last = max(max(times) for times in second.arrivals.values())
    return Measured(first, second, warm_ups, last - warm)
