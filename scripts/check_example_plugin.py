"""Install the example plugin as a user would, test it, serve it, and check the core without it.

Part of ``make test`` (after the main suite): installs ``examples/pmo-graph-lessons`` into the
project's environment, runs the plugin's own test suite, migrates a fresh database (its lineage
applies), serves it and, through HTTP, enables ``lessons``, records a lesson and reads the
project's ``lessons { nodes { title } }``; then uninstalls the plugin and checks that the core
still upgrades and serves the same database. The plugin is uninstalled however the check ends.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "pmo-graph-lessons"
BIN = Path(sys.executable).parent
PMO_GRAPH = str(BIN / "pmo-graph")


class CheckFailed(AssertionError):
    """The example plugin does not behave as documented."""


def step(message: str) -> None:
    print(f"example plugin: {message}", file=sys.stderr, flush=True)


def run(
    args: Sequence[str], env: dict[str, str], cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """Run a command that must succeed, else ``CheckFailed`` with everything it printed."""
    done = subprocess.run(
        list(args), env=env, cwd=cwd, capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode != 0:
        raise CheckFailed(
            f"{' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[str]:
    """A server on a free port for the block; its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [PMO_GRAPH, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise CheckFailed(f"serve exited {process.returncode}: {log.read_text()}")
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise CheckFailed("the server never became ready")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def graphql(url: str, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    """``data`` of a request that must answer without errors."""
    response = httpx.post(
        url + "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise CheckFailed(f"{query}\n→ {response.status_code} {body}")
    return body["data"]


def payload(data: dict[str, Any], name: str) -> dict[str, Any]:
    result: dict[str, Any] = data[name]
    if result.get("userErrors"):
        raise CheckFailed(f"{name}: {result['userErrors']}")
    return result


def check_with_plugin(env: dict[str, str], folder: Path) -> str:
    """Migrate, serve and use the plugin through HTTP; the admin token."""
    upgraded = run([PMO_GRAPH, "db", "upgrade"], env).stdout
    if "pmo_graph_lessons: 0001_lessons" not in upgraded:
        raise CheckFailed(f"the lessons lineage did not apply:\n{upgraded}")
    step("db upgrade applied the lessons lineage")
    run([PMO_GRAPH, "org", "create", "--slug", "acme", "--name", "Acme"], env)
    admin = ["--email", "a@acme.example", "--name", "Ada", "--role", "admin"]
    token = run([PMO_GRAPH, "token", "create", "--org", "acme", *admin], env).stdout.strip()
    with serving(env, folder / "with-plugin.log") as url:
        for key in ("pso", "lessons"):
            payload(
                graphql(
                    url,
                    token,
                    "mutation($k: String!) { enableTier(input: {key: $k}) "
                    "{ tier { key enabled } userErrors { code message } } }",
                    {"k": key},
                ),
                "enableTier",
            )
        project = payload(
            graphql(
                url,
                token,
                'mutation { createProject(input: {code: "ERP", name: "ERP '
                'roll-out"}) { project { id } userErrors { code message } } }',
            ),
            "createProject",
        )["project"]["id"]
        payload(
            graphql(
                url,
                token,
                "mutation($p: ID!) { recordLesson(input: {projectId: $p, "
                'title: "Book the data migration early"}) { lesson { id } '
                "userErrors { code message } } }",
                {"p": project},
            ),
            "recordLesson",
        )
        read = graphql(
            url,
            token,
            "query($p: ID!) { node(id: $p) { ... on Project { lessons { nodes { title } } } } }",
            {"p": project},
        )
        expected = {"lessons": {"nodes": [{"title": "Book the data migration early"}]}}
        if read != {"node": expected}:
            raise CheckFailed(f"the project's lessons answered {read}")
    step("through HTTP: enabled lessons, recorded a lesson, read it in the project's lessons")
    return token


def check_without_plugin(env: dict[str, str], folder: Path, token: str) -> None:
    """The core upgrades and serves the same database once the plugin is uninstalled."""
    upgraded = run([PMO_GRAPH, "db", "upgrade"], env).stdout
    current = run([PMO_GRAPH, "db", "current"], env).stdout
    core_at_head = re.search(r"^core: \S+ \[head\]$", current, re.MULTILINE)
    if "lessons" in upgraded + current or core_at_head is None:
        raise CheckFailed(f"after uninstalling: upgrade said {upgraded!r}, current {current!r}")
    with serving(env, folder / "without-plugin.log") as url:
        data = graphql(url, token, "{ tiers { key } projects { nodes { code } } }")
        if [t["key"] for t in data["tiers"]] != ["pso", "portfolio", "pmo"]:
            raise CheckFailed(f"tiers after uninstalling: {data['tiers']}")
        if data["projects"]["nodes"] != [{"code": "ERP"}]:
            raise CheckFailed(f"projects after uninstalling: {data['projects']}")
    step("uninstalled: the core still upgrades and serves the same database")


def main() -> int:
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PMO_GRAPH_") or k.startswith("PMO_GRAPH_TEST_")
    }
    try:
        run([*pip, str(EXAMPLE)], base_env)
        step("installed examples/pmo-graph-lessons")
        run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], base_env, EXAMPLE)
        step("its own test suite passed")
        with TemporaryDirectory() as tmp:
            folder = Path(tmp)
            env = {
                **base_env,
                "PMO_GRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'e2e.sqlite3'}",
                "PMO_GRAPH_LOG_LEVEL": "WARNING",
            }
            token = check_with_plugin(env, folder)
            run(
                [sys.executable, "-m", "pip", "uninstall", "--quiet", "--yes", "pmo-graph-lessons"],
                base_env,
            )
            step("uninstalled pmo-graph-lessons")
            check_without_plugin(env, folder, token)
    except CheckFailed as failure:
        print(f"example plugin check FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        subprocess.run(
            [sys.executable, "-m", "pip", "uninstall", "--quiet", "--yes", "pmo-graph-lessons"],
            capture_output=True,
            check=False,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
