"""One benchmark run: prepare the data, check every peer answers alike, then measure each."""

from __future__ import annotations

import itertools
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.cases import CASES, Case
from bench.database import STATE, BenchDatabase
from bench.measure import (
    answers,
    count_statements,
    free_port,
    latency,
    reset_statements,
    serving,
    throughput,
)
from bench.peers import Peer
from bench.results import Figures, PeerResult, per_request

#: Float fields are compared to this many decimal places (SQL and Python print floats apart).
PLACES = 6


@dataclass(frozen=True)
class Timing:
    """How long one run of each kind lasts, and how many requests latency may make."""

    latency_seconds: float
    latency_requests: int
    throughput_seconds: float
    checks: int = 3
    #: The fewest requests the latency run makes, however long they take.
    latency_at_least: int = 5
    #: A throughput run is skipped when its clients' first round alone would take longer
    #: (p50 x clients, in seconds): in-flight requests always finish, so a slow case with
    #: many clients would otherwise run for minutes. None: never skipped.
    round_budget: float | None = None
    #: The budget of a run with more than 8 clients, if smaller: the goals need only the
    #: throughput with 8, and 32 slow requests in flight take long to drain.
    many_clients_budget: float | None = None

    @classmethod
    def of(cls, quick: bool) -> Timing:
        if quick:
            return cls(
                1.5,
                30,
                2.0,
                latency_at_least=3,
                round_budget=20.0,
                many_clients_budget=10.0,
            )
        return cls(10.0, 200, 15.0)

    def affordable(self, p50_ms: float, clients: int) -> bool:
        """Whether a throughput run with ``clients`` fits the budget."""
        budget = self.round_budget
        if clients > 8 and self.many_clients_budget is not None:
            budget = self.many_clients_budget
        return budget is None or p50_ms / 1000 * clients <= budget


def canonical(value: Any) -> Any:
    """A JSON value with floats rounded, for comparing answers of different servers."""
    if isinstance(value, float):
        return round(value, PLACES)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def first_difference(a: Any, b: Any, path: str = "") -> str:
    """Where two canonical values first differ, for the message of a failed check."""
    if type(a) is not type(b):
        return f"{path or '/'}: {json.dumps(a)[:80]} != {json.dumps(b)[:80]}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}/{key}: missing on one side"
            found = first_difference(a[key], b[key], f"{path}/{key}")
            if found:
                return found
        return ""
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}/{index}")
            if found:
                return found
        return ""
    return "" if a == b else f"{path}: {json.dumps(a)[:80]} != {json.dumps(b)[:80]}"


#: The latency run starts with an untimed request when the checks' took less than this.
WARM_UP_BELOW_SECONDS = 0.25


@dataclass(frozen=True)
class Checked:
    """The checks of one peer on one case: what differs (empty if nothing), the statements a
    request cost (None when not counted) and the median seconds a request took."""

    problem: str
    statements: float | None = None
    seconds: float = 0.0


class Bench:
    """A run over some peers and cases."""

    def __init__(
        self,
        databases: dict[str, BenchDatabase],
        timing: Timing,
        count: bool,
        say: Callable[[str], None],
    ) -> None:
        self.databases = databases
        self.timing = timing
        self.count = count
        self.say = say
        #: pmo-graph's answers by case and request (a mutation's by its document: the kinds
        #: of mutation come round in turn, and each is compared with its own kind).
        self.reference: dict[tuple[str, Any], Any] = {}
        self.mutation_index = itertools.count(1)

    def _database(self, peer: Peer) -> BenchDatabase:
        return self.databases[peer.kind]

    def _ready_probe(self, peer: Peer, database: BenchDatabase) -> Callable[[str], bool]:
        case = next(c for c in CASES if c.name == "Q3")
        body = peer.body(case, case.make(database.data, 0))
        headers = peer.headers(database)
        return lambda url: answers(url, headers, body)

    def run_peer(self, peer: Peer, cases: list[Case]) -> PeerResult:
        database = self._database(peer)
        result = PeerResult(peer.name)
        self.say(f"{peer.name}: preparing")
        peer.prepare(database)
        port = free_port()
        log = str(STATE / f"{peer.name.replace(' ', '_').replace('(', '').replace(')', '')}.log")
        with serving(
            peer.launch(database, port), port, self._ready_probe(peer, database), log
        ) as usage:
            url = f"http://127.0.0.1:{port}"
            headers = peer.headers(database)
            for case in cases:
                self.say(f"{peer.name}: {case.name}")
                result.figures[case.name] = self._measure(peer, case, database, url, headers, usage)
        return result

    def _bodies(self, peer: Peer, case: Case, database: BenchDatabase) -> Callable[[int], Any]:
        if case.mutation:
            return lambda _i: peer.body(case, case.make(database.data, next(self.mutation_index)))
        return lambda i: peer.body(case, case.make(database.data, i))

    def _distinct(self, case: Case, database: BenchDatabase) -> list[int]:
        """Of the first ``checks`` requests, the indexes of those that differ:
        Q3 and Q4 have no variables, and asking a slow peer the same thing three times tells
        no more than once. Mutations write different rows each time: all of them."""
        if case.mutation:
            return list(range(self.timing.checks))
        seen: dict[str, int] = {}
        for i in range(self.timing.checks):
            request = case.make(database.data, i)
            key = json.dumps([request.document, request.variables], sort_keys=True)
            seen.setdefault(key, i)
        return list(seen.values())

    def _check(
        self, peer: Peer, case: Case, database: BenchDatabase, url: str, headers: dict[str, str]
    ) -> Checked:
        """Compare the first answers with pmo-graph's, counting the statements they cost."""
        import httpx

        counting = self.count and peer.kind == "postgresql"
        counts: list[int] = []
        got: list[tuple[tuple[str, Any], Any]] = []
        seconds: list[float] = []
        indexes = self._distinct(case, database)
        if counting and not case.mutation and len(indexes) == 1:
            # One request alone cannot tell its statements from a token read again as the
            # server's cache of it ran out; of two in a row, at most one can meet that.
            indexes *= 2
        for i in indexes:
            request = case.make(
                database.data, i if not case.mutation else next(self.mutation_index)
            )
            if counting:
                reset_statements(database)
            started = time.perf_counter()
            response = httpx.post(
                url + "/graphql", json=peer.body(case, request), headers=headers, timeout=300
            )
            seconds.append(time.perf_counter() - started)
            if counting:
                counts.append(count_statements(database))
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                return Checked(f"answered {response.status_code} {json.dumps(body)[:200]}")
            normal = canonical(peer.normalise(case, body))
            key = (case.name, request.document if case.mutation else i)
            got.append((key, _shape(normal) if case.mutation else normal))
        statements = per_request(counts, case.mutation) if counting else None
        for key, actual in got:
            if key not in self.reference:
                self.reference[key] = actual  # the first peer (pmo-graph) sets the reference
                continue
            difference = first_difference(self.reference[key], actual)
            if difference:
                return Checked(f"differs from pmo-graph at {difference}")
        return Checked("", statements, statistics.median(seconds))

    def _measure(
        self,
        peer: Peer,
        case: Case,
        database: BenchDatabase,
        url: str,
        headers: dict[str, str],
        usage: Any,
    ) -> Figures:
        figures = Figures()
        checked = self._check(peer, case, database, url, headers)
        if checked.problem:
            figures.equal = False
            figures.note = checked.problem
            self.say(f"  {peer.name} {case.name}: NOT EQUAL: {checked.problem}")
            return figures
        figures.statements = checked.statements
        bodies = self._bodies(peer, case, database)
        cpu_before = usage.cpu_seconds()
        timed = latency(
            url,
            headers,
            bodies,
            self.timing.latency_seconds,
            self.timing.latency_requests,
            at_least=self.timing.latency_at_least,
            # The checks just asked the same kind of request; a warm-up only matters where a
            # request is short enough for a new connection to show in its time.
            warm_up=checked.seconds < WARM_UP_BELOW_SECONDS,
        )
        figures.p50_ms, figures.p99_ms = timed.p50_ms, timed.p99_ms
        figures.cpu_ms_one_client = (usage.cpu_seconds() - cpu_before) / timed.requests * 1000
        cpu_before = usage.cpu_seconds()
        done = 0
        skipped = []
        for clients in (8, 32):
            if not self.timing.affordable(figures.p50_ms, clients):
                skipped.append(str(clients))
                continue
            rps, made = throughput(url, headers, bodies, clients, self.timing.throughput_seconds)
            done += made
            if clients == 8:
                figures.rps_8 = rps
            else:
                figures.rps_32 = rps
        if skipped:
            figures.note = f"quick run: no throughput with {' or '.join(skipped)} clients"
        if done:
            figures.cpu_ms = (usage.cpu_seconds() - cpu_before) / done * 1000
        usage.sample()
        figures.peak_rss_mb = usage.peak_rss / 2**20
        return figures


def _shape(value: Any) -> Any:
    """A mutation's answer without its values (each call writes different rows): its keys."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    return type(value).__name__


def results_path() -> Path:
    return STATE / "results.json"
