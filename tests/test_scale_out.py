"""Two server processes over one PostgreSQL: an event committed through one reaches the
subscribers of the other, and never those of another organisation."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_cli import run
from test_serve import _free_port, _serve, _token, _wait_ready, database_env

from pmo_graph.subscription_client import GraphQLSocket

pytestmark = pytest.mark.pmo_backends("postgresql")

__all__ = ["database_env"]  # the fixture, imported to be used here

REPORTS = """subscription { statusReportSubmitted {
  project { code } statusReport { overall } actor { email } } }"""
AUDIT = "subscription { auditEvents { action } }"


async def _post(url: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            url + "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    body: dict[str, Any] = response.json()
    assert not body.get("errors"), body
    (payload,) = body["data"].values()
    assert not payload.get("userErrors"), payload
    return payload  # type: ignore[no-any-return]


async def _report_on_new_project(url: str, token: str, code: str) -> None:
    created = await _post(
        url,
        token,
        "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } "
        "userErrors { code message } } }",
        {"i": {"code": code, "name": code}},
    )
    await _post(
        url,
        token,
        "mutation($p: ID!) { submitStatusReport(input: {projectId: $p, periodEnding: "
        '"2026-11-20", overall: AMBER}) { statusReport { id } userErrors { code message } } }',
        {"p": created["project"]["id"]},
    )


def test_an_event_committed_on_one_replica_reaches_subscribers_on_another(
    database_env: dict[str, str], tmp_path: Path
) -> None:
    ports = _free_port(), _free_port()
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    first = _serve(database_env, ports[0], tmp_path / "a.log")
    try:
        token_a = _token(first)  # the first seeds the demo organisation
        second = _serve(database_env, ports[1], tmp_path / "b.log")
        try:
            token_b = _token(second)  # the second finds it and mints another token
            for url in urls:
                _wait_ready(url)
            created = run(["org", "create", "--slug", "rival", "--name", "Rival"], database_env)
            assert created.returncode == 0, created.stderr
            rival_admin = ["--org", "rival", "--email", "a@rival.test", "--name", "A"]
            minted = run(["token", "create", *rival_admin, "--role", "ADMIN"], database_env)
            assert minted.returncode == 0, minted.stderr
            rival = minted.stdout.strip()
            asyncio.run(_cross_replicas(urls, token_a, token_b, rival))
        finally:
            second.terminate()
            second.wait(30)
    finally:
        first.terminate()
        first.wait(30)


async def _cross_replicas(urls: list[str], token_a: str, token_b: str, rival: str) -> None:
    on_a, on_b = urls
    await _post(
        on_b,
        rival,
        'mutation { enableTier(input: {key: "pso"}) { userErrors { code message } } }',
        {},
    )
    async with (
        GraphQLSocket(on_a, token_a) as demo_socket,
        GraphQLSocket(on_a, rival) as rival_socket,
    ):
        demo_reports = await demo_socket.subscribe(REPORTS)
        rival_reports = await rival_socket.subscribe(REPORTS)
        rival_audit = await rival_socket.subscribe(AUDIT)
        await _report_on_new_project(on_b, token_b, "CROSS-1")
        received = (await demo_socket.data(demo_reports))["statusReportSubmitted"]
        # The canary: the rival's own report, through the other replica too.
        await _report_on_new_project(on_b, rival, "RIVAL-1")
        rival_first = (await rival_socket.data(rival_reports))["statusReportSubmitted"]
        rival_audit_first = (await rival_socket.data(rival_audit))["auditEvents"]
    assert received["project"]["code"] == "CROSS-1"
    assert received["statusReport"]["overall"] == "AMBER"
    assert rival_first["project"]["code"] == "RIVAL-1"
    # The rival subscribed to its audit log after enableTier: its first event is its own
    # createProject, not any of the demo organisation's.
    assert rival_audit_first["action"] == "createProject"
