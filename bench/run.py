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

from bench import clients
from bench.cases import CASES, Case, Request
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
    #: The share of the latency and throughput runs' seconds a real client document gets:
    #: there are many of them, on four servers.
    client_share: float = 1.0
    #: How many requests of a real client document are checked (each with other nodes).
    client_checks: int = 3

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
                client_share=0.4,
                client_checks=2,
            )
        return cls(10.0, 200, 15.0)

    def affordable(self, p50_ms: float, clients: int) -> bool:
        """Whether a throughput run with ``clients`` fits the budget."""
        budget = self.round_budget
        if clients > 8 and self.many_clients_budget is not None:
            budget = self.many_clients_budget
        return budget is None or p50_ms / 1000 * clients <= budget


def canonical(value: Any) -> Any:
    """A JSON value with floats rounded, for comparing answers of different servers (a whole
    float as the integer it is: Node prints a Float of 478.0 as 478)."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, PLACES)
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
        #: The keys of each type's rows, by database kind (the client documents' nodes).
        self.node_ids: dict[str, dict[str, list[int]]] = {}
        #: Second pages' cursors, by peer, document and the first page's variables.
        self.cursors: dict[tuple[str, str, str], Any] = {}
        #: JIT-compiled functions in the checks' requests, by peer.
        self.jit_functions: dict[str, int] = {}

    def _database(self, peer: Peer) -> BenchDatabase:
        return self.databases[peer.kind]

    def _request(self, case: Case, database: BenchDatabase, i: int) -> Request:
        """The ``i``-th request of ``case`` (a client document's cursors still to fill)."""
        if not case.client:
            return case.make(database.data, i)
        if database.kind not in self.node_ids:
            self.node_ids[database.kind] = clients.node_ids(database)
        return clients.DOCUMENT_BY_NAME[case.name].request(self.node_ids[database.kind], i)

    def _resolved(
        self, peer: Peer, case: Case, request: Request, url: str, headers: dict[str, str]
    ) -> Request:
        """``request`` with each second page's cursor read from the peer's own first page."""
        import httpx

        document = clients.DOCUMENT_BY_NAME.get(case.name) if case.client else None
        if document is None or not document.after:
            return request
        variables = dict(request.variables)
        for name, after in document.after.items():
            first = clients.first_page(request, document, after)
            key = (peer.name, after.document, json.dumps(first.variables, sort_keys=True))
            if key not in self.cursors:
                first_case = next(c for c in clients.CLIENT_CASES if c.name == after.document)
                answer = httpx.post(
                    url + "/graphql",
                    json=peer.body(first_case, first),
                    headers=headers,
                    timeout=300,
                ).json()
                if answer.get("errors"):
                    raise RuntimeError(f"{peer.name} {after.document}: {answer['errors']}")
                self.cursors[key] = clients.at(peer.normalise(first_case, answer), after.path)
            variables[name] = self.cursors[key]
        return Request(request.document, variables, request.keys)

    def _ready_probe(self, peer: Peer, database: BenchDatabase) -> Callable[[str], bool]:
        case = next(c for c in CASES if c.name == "Q3")
        body = peer.body(case, case.make(database.data, 0))
        headers = peer.headers(database)
        return lambda url: answers(url, headers, body)

    def run_peer(self, peer: Peer, cases: list[Case]) -> PeerResult:
        database = self._database(peer)
        result = PeerResult(peer.name, settings=peer.settings)
        cases = [c for c in cases if peer.supports(c)]
        if not cases:
            return result
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
        result.jit_functions = self.jit_functions.get(peer.name)
        return result

    def _bodies(
        self, peer: Peer, case: Case, database: BenchDatabase, url: str, headers: dict[str, str]
    ) -> Callable[[int], Any]:
        if case.mutation:
            return lambda _i: peer.body(case, case.make(database.data, next(self.mutation_index)))
        if case.client:
            # Made (their cursors read) before anything is timed: a client case cycles
            # through a few requests.
            made = [
                peer.body(
                    case, self._resolved(peer, case, self._request(case, database, i), url, headers)
                )
                for i in range(clients.VARIANTS)
            ]
            return lambda i: made[i % clients.VARIANTS]
        return lambda i: peer.body(case, case.make(database.data, i))

    def _distinct(self, case: Case, database: BenchDatabase) -> list[int]:
        """Of the first ``checks`` requests, the indexes of those that differ:
        Q3 and Q4 have no variables, and asking a slow peer the same thing three times tells
        no more than once. Mutations write different rows each time: all of them."""
        if case.mutation:
            return list(range(self.timing.checks))
        seen: dict[str, int] = {}
        for i in range(self.timing.client_checks if case.client else self.timing.checks):
            request = self._request(case, database, i)
            key = json.dumps([request.document, repr(request.variables)], sort_keys=True)
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
            request = self._resolved(
                peer,
                case,
                self._request(
                    case, database, i if not case.mutation else next(self.mutation_index)
                ),
                url,
                headers,
            )
            if counting:
                reset_statements(database)
            started = time.perf_counter()
            response = httpx.post(
                url + "/graphql", json=peer.body(case, request), headers=headers, timeout=300
            )
            seconds.append(time.perf_counter() - started)
            if counting:
                made, jit_functions = count_statements(database)
                counts.append(made)
                self.jit_functions[peer.name] = self.jit_functions.get(peer.name, 0) + jit_functions
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                return Checked(f"answered {response.status_code} {json.dumps(body)[:200]}")
            normal = canonical(peer.normalise(case, body))
            key = (case.name, request.document if case.mutation else i)
            got.append((key, _shape(normal) if case.mutation else normal))
        statements = per_request(counts, case.mutation) if counting else None
        for key, actual in got:
            if key not in self.reference:
                # The first peer sets the reference: pmo-graph, on the resolvers for the
                # client documents.
                self.reference[key] = actual
                continue
            expected = self.reference[key]
            if case.client and not peer.name.startswith("pmo-graph"):
                # Every server writes its own cursors: the data are compared, not them.
                expected, actual = without_cursors(expected), without_cursors(actual)
            difference = first_difference(expected, actual)
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
        if peer.checks_only:
            figures.p50_ms = checked.seconds * 1000
            return figures
        bodies = self._bodies(peer, case, database, url, headers)
        share = self.timing.client_share if case.client else 1.0
        cpu_before = usage.cpu_seconds()
        timed = latency(
            url,
            headers,
            bodies,
            self.timing.latency_seconds * share,
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
        # The client documents' goal is with 8 clients; 32 would only lengthen the run.
        for many in (8,) if case.client else (8, 32):
            if not self.timing.affordable(figures.p50_ms, many):
                skipped.append(str(many))
                continue
            rps, made = throughput(
                url, headers, bodies, many, self.timing.throughput_seconds * share
            )
            done += made
            if many == 8:
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


#: The fields that hold a cursor, in pmo-graph's schema and so in every peer's normalised answer.
CURSORS = frozenset({"cursor", "startCursor", "endCursor"})


def without_cursors(value: Any) -> Any:
    """An answer with each cursor replaced by whether there is one."""
    if isinstance(value, dict):
        return {
            k: (v is not None) if k in CURSORS else without_cursors(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [without_cursors(v) for v in value]
    return value


def _shape(value: Any) -> Any:
    """A mutation's answer without its values (each call writes different rows): its keys."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    return type(value).__name__


def results_path() -> Path:
    return STATE / "results.json"
