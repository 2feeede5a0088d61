"""Install the example plugin as a user would, test it, serve it, and check the core without it.

Part of ``make test`` (after the main suite): installs ``examples/pmo-graph-lessons`` into the
project's environment, imports it, runs the plugin's own test suite, migrates a fresh database (its
lineage applies), serves it and, through HTTP, enables ``lessons``, records a lesson and reads the
project's ``lessons { nodes { title } }``; then uninstalls the plugin and checks that the core
still upgrades and serves the same database. The plugin is uninstalled however the check ends.

Then the same for ``tests/fixtures/legacy_lessons``, the example as it was before
``pmo_graph.sdk`` (a plugin written against the earlier docs, importing the old core paths): it
must still install, import without an error, migrate, pass its own tests and serve. The old paths
may warn (``DeprecationWarning``); the check prints how many warnings it saw and does not fail on
them.
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
LEGACY = REPO / "tests" / "fixtures" / "legacy_lessons"
DISTRIBUTION = "pmo-graph-lessons"
#: A warning pytest lists in its summary: ``  /path/of/file.py:12: DeprecationWarning: message``.
DEPRECATION = re.compile(r"^\s*\S+:\d+: DeprecationWarning\b", re.MULTILINE)
#: Imports every module of the installed plugin (not its migrations, which alembic loads) and
#: prints how many DeprecationWarnings that raised; any other warning goes to stderr.
IMPORT_ALL = """
import importlib, pkgutil, sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    package = importlib.import_module("pmo_graph_lessons")
    for module in pkgutil.walk_packages(package.__path__, "pmo_graph_lessons."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
for warning in caught:
    if not issubclass(warning.category, DeprecationWarning):
        print(warnings.formatwarning(warning.message, warning.category, warning.filename,
                                     warning.lineno), file=sys.stderr)
print(sum(issubclass(w.category, DeprecationWarning) for w in caught))
"""
BIN = Path(sys.executable).parent
PMO_GRAPH = str(BIN / "pmo-graph")


class CheckFailed(AssertionError):
    """The example plugin does not behave as documented."""


def step(message: str) -> None:
    print(f"example plugin: {message}", file=sys.stderr, flush=True)


def uninstall(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Remove the lessons distribution, whichever copy is installed."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "uninstall", "--quiet", "--yes", DISTRIBUTION],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


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


def check_plugin(source: Path, label: str, base_env: dict[str, str]) -> None:
    """Install the plugin at ``source``, import it, run its tests, use it through HTTP,
    uninstall it and check the core without it."""
    started = time.monotonic()
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    run([*pip, str(source)], base_env)
    step(f"installed {label}")
    imported = run([sys.executable, "-c", IMPORT_ALL], base_env)
    if imported.stderr.strip():
        step(f"importing it warned:\n{imported.stderr.strip()}")
    step(f"imported every module: {imported.stdout.strip()} DeprecationWarning(s)")
    tests = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], base_env, source)
    summary = tests.stdout.strip().splitlines()[-1] if tests.stdout.strip() else ""
    deprecations = len(DEPRECATION.findall(tests.stdout))
    step(f"its own test suite passed ({summary}; {deprecations} distinct DeprecationWarning(s))")
    with TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {
            **base_env,
            "PMO_GRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'e2e.sqlite3'}",
            "PMO_GRAPH_LOG_LEVEL": "WARNING",
        }
        token = check_with_plugin(env, folder)
        done = uninstall(base_env)
        if done.returncode != 0:
            raise CheckFailed(f"pip uninstall {DISTRIBUTION}: {done.stdout}{done.stderr}")
        step(f"uninstalled {label}")
        check_without_plugin(env, folder, token)
    step(f"{label}: checked in {time.monotonic() - started:.0f} s")


def main() -> int:
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PMO_GRAPH_") or k.startswith("PMO_GRAPH_TEST_")
    }
    try:
        check_plugin(EXAMPLE, "examples/pmo-graph-lessons", base_env)
        check_plugin(
            LEGACY, "tests/fixtures/legacy_lessons (written against the earlier docs)", base_env
        )
    except CheckFailed as failure:
        print(f"example plugin check FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        uninstall(base_env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
