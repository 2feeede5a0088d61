"""End to end over a real socket: ``pmo-graph serve --demo`` answers the README's first query."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from plugin_doubles import fake_distribution
from pmo_graph.testing import postgres_schema

FIRST_QUERY = (
    "{ viewer { organisation { name tiers { key enabled } } } "
    "projects(first: 5) { totalCount edges { node { code name manager { name } } } } }"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def database_env(pmo_backend: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    if pmo_backend == "sqlite":
        yield {"PMO_GRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}"}
        return
    with postgres_schema("pmo_serve") as settings:
        yield {
            "PMO_GRAPH_DATABASE_URL": settings.database_url,
            "PMO_GRAPH_DATABASE_SCHEMA": settings.database_schema or "",
        }


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pmo_graph", "serve", "--demo", "--port", str(port)],
        env={**os.environ, **env, "PMO_GRAPH_LOG_FORMAT": "json"},
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )


def _token(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}")
        if line.strip().startswith("token:"):
            return line.split()[1]
    raise AssertionError("no token printed")


def _wait_ready(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server never became ready")


def test_serve_demo_answers_the_first_query(database_env: dict[str, str], tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = _serve(database_env, port, tmp_path / "serve.log")
    try:
        token = _token(process)
        _wait_ready(url)
        response = httpx.post(
            url + "/graphql",
            json={"query": FIRST_QUERY},
            headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
            timeout=10,
        )
        assert response.status_code == 200
        data = response.json()["data"]
        organisation = data["viewer"]["organisation"]
        assert organisation["name"] == "Northwind Logistics"
        assert [t["key"] for t in organisation["tiers"]] == ["pso", "portfolio", "pmo"]
        assert all(t["enabled"] for t in organisation["tiers"])
        assert data["projects"]["totalCount"] == 30
        assert len(data["projects"]["edges"]) == 5
        assert all(e["node"]["manager"]["name"] for e in data["projects"]["edges"])
        stages = httpx.post(
            url + "/graphql",
            json={
                "query": "{ projects(first: 100) { nodes { stage sponsor { name } } } people { totalCount } portfolios { totalCount } programmes { totalCount } }"
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()["data"]
        assert {p["stage"] for p in stages["projects"]["nodes"]} == {
            "PROPOSED",
            "APPROVED",
            "ACTIVE",
            "ON_HOLD",
            "CLOSED",
            "CANCELLED",
        }
        assert all(p["sponsor"] for p in stages["projects"]["nodes"])
        assert (
            stages["people"]["totalCount"],
            stages["portfolios"]["totalCount"],
            stages["programmes"]["totalCount"],
        ) == (25, 3, 2)
    finally:
        process.terminate()
        process.wait(timeout=30)
    log = (tmp_path / "serve.log").read_text()
    assert '"path":"/graphql"' in log
    assert '"status":200' in log

    # A second start keeps the data and prints a fresh token for the same organisation.
    second = _serve(database_env, port, tmp_path / "serve2.log")
    try:
        token = _token(second)
        _wait_ready(url)
        count = httpx.post(
            url + "/graphql",
            json={"query": "{ projects { totalCount } }"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()["data"]["projects"]["totalCount"]
        assert count == 30
    finally:
        second.terminate()
        second.wait(timeout=30)


@pytest.mark.pmo_backends("sqlite")
def test_serve_starts_without_a_broken_plugin_when_told_to_skip_it(
    pmo_backend: str, tmp_path: Path
) -> None:
    env = fake_distribution(tmp_path, "raise ImportError('needs numpy 9')\n")
    env["PMO_GRAPH_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}"
    port = _free_port()
    refused = subprocess.run(
        [sys.executable, "-m", "pmo_graph", "serve", "--demo", "--port", str(port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("Error: plugin 'pmo-graph-broken' (entry point 'broken'")

    env["PMO_GRAPH_SKIP_BROKEN_PLUGINS"] = "true"
    process = _serve(env, port, tmp_path / "serve.log")
    url = f"http://127.0.0.1:{port}"
    try:
        token = _token(process)
        _wait_ready(url)
        installation = httpx.post(
            url + "/graphql",
            json={"query": "{ installation { plugins { name loaded problem } } }"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()["data"]["installation"]
    finally:
        process.terminate()
        process.wait(timeout=30)
    loaded = [p["name"] for p in installation["plugins"] if p["loaded"]]
    assert loaded == ["core", "pso", "portfolio", "pmo"]
    (skipped,) = [p for p in installation["plugins"] if not p["loaded"]]
    assert skipped["name"] == "broken"
    assert "failed to import: ImportError('needs numpy 9')" in skipped["problem"]
    warnings = [
        line
        for line in (tmp_path / "serve.log").read_text().splitlines()
        if "skipping broken plugin" in line
    ]
    assert len(warnings) == 1


DRAIN_QUERY = (
    "{ portfolios(first: 3) { nodes { name programmes(first: 2) { nodes { name "
    "projects(first: 20) { nodes { code risks { title owner { name } } "
    "milestones { name slipDays } assignments { person { name } } } } } } } } "
    "projects(first: 30) { nodes { code latestStatus { overall } risks { title } } } }"
)


def test_sigterm_lets_in_flight_requests_finish(
    database_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SIGTERM while 48 requests are in flight: every one is answered in full (none cut), the
    server exits cleanly."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = _serve(database_env, port, tmp_path / "drain.log")
    try:
        token = _token(process)
        _wait_ready(url)
        outcome = asyncio.run(_load_then_terminate(url, token, process, requests=48))
        exit_code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    answered, after_signal, cut, seconds = outcome
    with capsys.disabled():
        print(
            f"\nSIGTERM under load: {len(answered)} requests in flight, "
            f"{sum(s == 200 for s in answered)} answered 200 ({after_signal} after the signal), "
            f"{cut} cut; exit status {exit_code} {seconds:.1f} s after the signal"
        )
    assert cut == 0
    assert answered == [200] * 48
    assert after_signal > 0, "no request was still in flight when the signal came"
    # uvicorn re-raises the signal once it has drained, so a supervisor sees why it stopped
    assert exit_code in (0, -signal.SIGTERM)


async def _load_then_terminate(
    url: str, token: str, process: subprocess.Popen[str], requests: int
) -> tuple[list[int], int, int, float]:
    limits = httpx.Limits(max_connections=requests)
    headers = {"Authorization": f"Bearer {token}"}
    signalled = 0.0
    finished: list[float] = []
    written = 0
    all_written = asyncio.Event()

    async def trace(event: str, _info: dict[str, Any]) -> None:
        nonlocal written
        if event == "http11.send_request_body.complete":
            written += 1
            if written == requests:
                all_written.set()

    async def one(client: httpx.AsyncClient) -> int:
        response = await client.post(
            "/graphql", json={"query": DRAIN_QUERY}, extensions={"trace": trace}
        )
        finished.append(time.monotonic())
        assert "errors" not in response.json()
        return response.status_code

    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=60, limits=limits
    ) as client:
        tasks = [asyncio.create_task(one(client)) for _ in range(requests)]
        # Signalled only once every request is on the wire: on a busy machine the client
        # itself may take longer than a fixed pause to send them all, and a request not yet
        # sent is not in flight (a run found all 48 unsent after 0.15 s).
        await asyncio.wait_for(all_written.wait(), timeout=30)
        await asyncio.sleep(0.15)  # the server reads them; most are still being answered
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        results = await asyncio.gather(*tasks, return_exceptions=True)
    statuses = [r for r in results if isinstance(r, int)]
    cut = sum(isinstance(r, httpx.TransportError) for r in results)
    others = [
        r
        for r in results
        if isinstance(r, BaseException) and not isinstance(r, httpx.TransportError)
    ]
    assert not others, others
    after = sum(t > signalled for t in finished)
    return statuses, after, cut, time.monotonic() - signalled
