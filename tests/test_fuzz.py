"""Fuzzing with schemathesis: every query and mutation of schema.graphql, generated from the schema
and sent over HTTP to a real ``pmo-graph serve`` as each role, with ids drawn from the viewer's
organisation, from another organisation, ids of no object (``NO_IDS``) and at random.

No answer may be a 5xx, no error may come without its code or show a trace or SQL, none may be a
masked INTERNAL_SERVER_ERROR (whatever a client sends deserves a coded answer), and no ``data``
may hold another organisation's ids. Prints one figure line. The number of examples
per operation and role is ``PMO_GRAPH_FUZZ_EXAMPLES`` (3 by default, bounded for CI).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.graphql import nodes
from test_cli import run
from test_serve import _free_port, _serve, _token, _wait_ready

from helpers import gid
from pmo_graph.auth.roles import Role

pytestmark = pytest.mark.pmo_backends("sqlite")

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("PMO_GRAPH_FUZZ_EXAMPLES", "3"))
#: Ids of no object that look like ids: an interface, keys beyond what a table holds, a key 0.
NO_IDS = [gid("Node", 1), gid("Project", 2**63), gid("Person", 2**64), gid("Project", 0)]
#: What an unmasked error would show.
LEAKS = ("Traceback", "sqlalchemy", "asyncpg", "sqlite3", "SELECT ", "INSERT ", 'File "')


@dataclass
class Server:
    url: str
    tokens: dict[Role, str]
    own_ids: list[str]
    foreign_ids: list[str]


@dataclass
class Tally:
    requests: int = 0
    server_errors: int = 0
    unmasked: int = 0
    internal: int = 0
    leaks: int = 0
    examples: list[str] = field(default_factory=list)


def _cli(env: dict[str, str], *args: str) -> str:
    result = run(list(args), env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _graphql(url: str, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = httpx.post(
        url + "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _rival(url: str, env: dict[str, str]) -> list[str]:
    """Another organisation with a few objects of its own; their global ids."""
    _cli(env, "org", "create", "--slug", "rival", "--name", "Rival Ltd")
    token = _cli(
        env,
        "token",
        "create",
        "--org",
        "rival",
        "--email",
        "a@rival.test",
        "--name",
        "A",
        "--role",
        "admin",
    )
    for tier in ("pso", "portfolio", "pmo"):
        _graphql(
            url,
            token,
            f'mutation {{ enableTier(input: {{key: "{tier}"}}) {{ userErrors {{ code }} }} }}',
        )
    portfolio = _graphql(
        url, token, 'mutation { createPortfolio(input: {name: "Secret"}) { portfolio { id } } }'
    )["createPortfolio"]["portfolio"]["id"]
    person = _graphql(
        url,
        token,
        'mutation { createPerson(input: {name: "Rival Person", email: "p@rival.test"}) '
        "{ person { id } } }",
    )["createPerson"]["person"]["id"]
    project = _graphql(
        url,
        token,
        'mutation { createProject(input: {code: "RIV-1", name: "Secret project", '
        "stage: ACTIVE}) { project { id } } }",
    )["createProject"]["project"]["id"]
    return [portfolio, person, project]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, pmo_backend: str) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("fuzz")
    env = {
        "PMO_GRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'fuzz.sqlite3'}",
        # Thousands of requests from one token: the budget is not what is tested here.
        "PMO_GRAPH_RATE_LIMIT_CAPACITY": "0",
    }
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = _serve(env, port, folder / "serve.log")
    try:
        admin = _token(process)
        _wait_ready(url)
        slug = _cli(env, "org", "list").split()[0]
        tokens = {Role.ADMIN: admin}
        for role in Role:
            if role is not Role.ADMIN:
                tokens[role] = _cli(
                    env,
                    "token",
                    "create",
                    "--org",
                    slug,
                    "--email",
                    f"fuzz-{role.value.lower()}@demo.test",
                    "--name",
                    role.value,
                    "--role",
                    role.value.lower(),
                )
        own = _graphql(
            url,
            admin,
            "{ projects(first: 10) { nodes { id } } people(first: 10) { nodes { id } } }",
        )
        own_ids = [n["id"] for part in own.values() for n in part["nodes"]]
        yield Server(url, tokens, own_ids, _rival(url, env))
    finally:
        process.terminate()
        process.wait(timeout=30)


def _operations(server: Server) -> list[Any]:
    ids = st.one_of(
        st.sampled_from(server.own_ids + server.foreign_ids),
        st.sampled_from(NO_IDS),
        st.text(max_size=12),
    )
    schemathesis.graphql.scalar("ID", ids.map(nodes.String))
    schemathesis.graphql.scalar("Date", st.dates().map(lambda d: nodes.String(d.isoformat())))
    schemathesis.graphql.scalar(
        "DateTime", st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z"))
    )
    schemathesis.graphql.scalar(
        "Decimal",
        st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**9).map(
            lambda d: nodes.String(str(d))
        ),
    )
    schemathesis.graphql.scalar("JSON", st.just(nodes.String("{}")))
    schema = schemathesis.graphql.from_path(REPO / "schema.graphql")
    return [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_fuzz_as_each_role(server: Server, role: Role, tally: Tally) -> None:
    for operation in _operations(server):
        _fuzz(operation, server, role, tally)


def _fuzz(operation: Any, server: Server, role: Role, tally: Tally) -> None:
    """Send ``EXAMPLES`` generated requests for ``operation`` as ``role`` and check each."""
    headers = {"Authorization": f"Bearer {server.tokens[role]}"}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy())
    def check(case: Any) -> None:
        response = case.call(base_url=server.url, headers=headers)
        tally.requests += 1
        label = f"{role.value} {operation.label}: {case.body[:300]}"
        if response.status_code >= 500:
            tally.server_errors += 1
            tally.examples.append(f"{response.status_code} {label}")
            return
        try:
            answer = response.json()
        except ValueError:
            return
        for error in answer.get("errors") or []:
            text = json.dumps(error)
            if (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR":
                tally.internal += 1
                tally.examples.append(f"masked {text[:200]} for {label}")
            if "code" not in (error.get("extensions") or {}) or any(leak in text for leak in LEAKS):
                tally.unmasked += 1
                tally.examples.append(f"unmasked {text[:300]} for {label}")
        data = json.dumps(answer.get("data"))
        if any(foreign in data for foreign in server.foreign_ids):
            tally.leaks += 1
            tally.examples.append(f"leak in {data[:300]} for {label}")

    check()


@pytest.fixture(scope="module")
def tally() -> Tally:
    return Tally()


def test_fuzz_figures(server: Server, tally: Tally, capsys: pytest.CaptureFixture[str]) -> None:
    """Runs after every role (it shares their server, so pytest keeps it in their group):
    prints the figure line and holds it to zero."""
    with capsys.disabled():
        print(
            f"\nfuzzing (schemathesis, {EXAMPLES} examples per operation and role): "
            f"{tally.requests} requests, 5xx {tally.server_errors}, unmasked errors "
            f"{tally.unmasked}, masked internal errors {tally.internal}, another organisation's "
            f"ids in data {tally.leaks}"
        )
    assert tally.requests > 0
    assert (tally.server_errors, tally.unmasked, tally.internal, tally.leaks) == (0, 0, 0, 0), (
        tally.examples[:10]
    )
