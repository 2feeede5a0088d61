"""The hostile-document suite (docs/security.md): every limit probed just under, at and over, and
the classic attacks on GraphQL servers, through HTTP against the real app.

It prints one figure line: documents tried, accepted past a limit (must be 0), resolvers run for
refused documents (must be 0: a refused request runs no SQL beyond reading the token), and 5xx
answers (must be 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from pmo_graph.settings import Settings
from pmo_graph.testing import StatementCounter, TestOrganisation

#: A request refused at the HTTP layer or by authentication runs at most these statements: the
#: token and the organisation's tiers.
AUTHENTICATION_STATEMENTS = 2


@dataclass(frozen=True)
class Probe:
    """One hostile (or just-allowed) request and whether it must be refused."""

    name: str
    refused: bool
    build: Callable[[Settings], dict[str, Any]]


def _post(query: str, **extra: Any) -> Callable[[Settings], dict[str, Any]]:
    return lambda _settings: {"json": {"query": query, **extra}}


def _nested(depth: int) -> str:
    """A document whose longest path holds ``depth`` fields."""
    cycle = ["portfolio", "projects(first: 1)", "edges", "node"]
    fields = ["projects(first: 1)", "edges", "node"]
    while len(fields) < depth - 1:
        fields.append(cycle[(len(fields) - 3) % len(cycle)])
    body = "__typename"
    for field in reversed(fields[: depth - 1]):
        body = f"{field} {{ {body} }}"
    return "{ " + body + " }"


def _deep_fragments(depth: int) -> str:
    """The same depth, reached through a chain of fragments."""
    query = _nested(depth)
    return f"query {{ ...F }} fragment F on Query {query}"


def _aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


def _tokens(count: int) -> str:
    return "{ projects(filter: {stage: [" + " ACTIVE" * (count - 16) + " ]}) { totalCount } }"


def _duplicates(count: int) -> str:
    return "{ projects(first: 1) { nodes { " + "code " * count + "} } }"


def _operations(count: int) -> str:
    return " ".join(f"query Q{i} {{ __typename }}" for i in range(count))


def _cost(people: int) -> str:
    """A document of 249,501 points plus ``people + 1``: 250,000 (the limit) at 498 people."""
    return (
        "{ portfolios(first: 500) { nodes { programmes(first: 497) { nodes { name } } } } "
        f"people(first: {people}) {{ nodes {{ name }} }} }}"
    )


def _fragment_bomb(levels: int) -> str:
    fragments = " ".join(
        f"fragment F{i} on Project {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return (
        "{ projects(first: 1) { nodes { ...F0 } } } "
        f"{fragments} fragment F{levels} on Project {{ manager {{ name }} }}"
    )


def _body(size: int) -> bytes:
    start = b'{"query":"{ __typename }","variables":{"pad":"'
    end = b'"}}'
    return start + b"x" * (size - len(start) - len(end)) + end


def _sized(delta: int) -> Callable[[Settings], dict[str, Any]]:
    return lambda s: {
        "content": _body(s.max_body_bytes + delta),
        "headers": {"content-type": "application/json"},
    }


def _limit_probes(name: str, setting: str, make: Callable[[int], str]) -> list[Probe]:
    """Just under, at and just over the limit named by ``setting``."""
    return [
        Probe(f"{name} under", False, lambda s: {"json": {"query": make(getattr(s, setting) - 1)}}),
        Probe(f"{name} at", False, lambda s: {"json": {"query": make(getattr(s, setting))}}),
        Probe(f"{name} over", True, lambda s: {"json": {"query": make(getattr(s, setting) + 1)}}),
    ]


PROBES: list[Probe] = [
    *_limit_probes("depth", "max_depth", _nested),
    *_limit_probes("depth through fragments", "max_depth", _deep_fragments),
    *_limit_probes("aliases", "max_aliases", _aliases),
    *_limit_probes("tokens", "max_tokens", _tokens),
    *_limit_probes("duplicate fields", "max_duplicate_fields", _duplicates),
    *_limit_probes("operations", "max_operations", lambda n: _operations(n)),
    Probe("cost under", False, _post(_cost(497))),
    Probe("cost at", False, _post(_cost(498))),
    Probe("cost over", True, _post(_cost(499))),
    Probe("fragment bomb (2**40 spreads)", True, _post(_fragment_bomb(40))),
    Probe("body under", False, _sized(-1)),
    Probe("body at", False, _sized(0)),
    Probe("body over", True, _sized(1)),
    Probe("page over", True, _post("{ projects(first: 501) { nodes { code } } }")),
    Probe(
        "circular fragments",
        True,
        _post("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
    ),
    Probe("unknown fragment", True, _post("query { ...Nowhere }")),
    Probe(
        "circular introspection",
        True,
        _post(
            "{ __schema { types { fields { type { fields { type { fields { type { fields "
            "{ type { name } } } } } } } } } } }"
        ),
    ),
    Probe(
        "huge variables object",
        False,
        lambda s: {
            "json": {"query": "{ __typename }", "variables": {f"v{i}": i for i in range(25_000)}}
        },
    ),
    Probe(
        "variables of the wrong type",
        True,
        _post("query($n: Int) { projects(first: $n) { totalCount } }", variables={"n": "many"}),
    ),
    Probe(
        "wrong content type",
        True,
        lambda _s: {"content": b"{ __typename }", "headers": {"content-type": "text/plain"}},
    ),
    Probe(
        "not JSON",
        True,
        lambda _s: {"content": b"{ nope", "headers": {"content-type": "application/json"}},
    ),
    Probe(
        "batched requests",
        True,
        lambda _s: {"json": [{"query": "{ __typename }"}, {"query": "{ __typename }"}]},
    ),
    Probe(
        "mutation over GET",
        True,
        lambda _s: {
            "method": "GET",
            "params": {
                "query": 'mutation { createPortfolio(input: {name: "x"}) { userErrors { code } } }'
            },
        },
    ),
    Probe("unknown operation name", True, _post("query A { __typename }", operationName="B")),
    Probe(
        "text with a NUL",
        True,
        _post("query($s: String) { people(search: $s) { totalCount } }", variables={"s": "a\x00"}),
    ),
    Probe(
        "a date in year 1", True, _post('{ statusSummary(asOf: "0001-01-01") { stale { code } } }')
    ),
    Probe(
        "a float of 1.7e308",
        True,
        _post(
            'mutation { setPersonCapacity(input: {personId: "UGVyc29uOjE=", capacity: 1.7e308}) '
            "{ userErrors { code } } }"
        ),
    ),
    Probe(
        "an id with a key of 2**64",
        True,
        _post('{ node(id: "UHJvamVjdDoxODQ0Njc0NDA3MzcwOTU1MTYxNg==") { id } }'),
    ),
]


@dataclass
class Tally:
    tried: int = 0
    accepted_past_a_limit: int = 0
    resolvers_run_for_refused: int = 0
    server_errors: int = 0


@pytest.fixture(scope="module")
def tallies() -> dict[str, Tally]:
    return {}


@pytest.fixture
def tally(tallies: dict[str, Tally], pmo_backend: str) -> Tally:
    """The figures of this backend's probes."""
    return tallies.setdefault(pmo_backend, Tally())


@pytest.mark.parametrize("probe", PROBES, ids=[p.name for p in PROBES])
async def test_probe(
    probe: Probe,
    org: TestOrganisation,
    pmo_http: httpx.AsyncClient,
    pmo_settings: Settings,
    count_statements: StatementCounter,
    tally: Tally,
) -> None:
    request = probe.build(pmo_settings)
    method = request.pop("method", "POST")
    headers = {**org.admin.headers(), **request.pop("headers", {})}
    await org.admin.execute("{ __typename }")  # the token's first use is recorded once
    count_statements.reset()
    response = await pmo_http.request(method, "/graphql", headers=headers, **request)
    statements = count_statements.count
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    errors = answer.get("errors") if isinstance(answer, dict) else None
    refused = bool(errors) or response.status_code >= 400
    tally.tried += 1
    tally.server_errors += response.status_code >= 500
    if probe.refused:
        tally.accepted_past_a_limit += not refused
        tally.resolvers_run_for_refused += statements > AUTHENTICATION_STATEMENTS
        assert refused, f"{probe.name} was accepted"
        assert statements <= AUTHENTICATION_STATEMENTS, count_statements.statements
        assert all("code" in e.get("extensions", {}) for e in errors or []), errors
    else:
        assert not refused, f"{probe.name} was refused: {response.status_code} {answer}"
    assert response.status_code < 500


def test_figures(tally: Tally, pmo_backend: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Runs after the probes of this backend: prints the figure line and holds it to zero."""
    with capsys.disabled():
        print(
            f"\nhostile documents ({pmo_backend}): tried {tally.tried}, accepted past a limit "
            f"{tally.accepted_past_a_limit}, resolvers run for refused documents "
            f"{tally.resolvers_run_for_refused}, 5xx answers {tally.server_errors}"
        )
    assert tally.tried == len(PROBES)
    assert (tally.accepted_past_a_limit, tally.resolvers_run_for_refused, tally.server_errors) == (
        0,
        0,
        0,
    )
