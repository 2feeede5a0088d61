"""The graphql-http audit suite (GraphQL over HTTP conformance) passes every MUST and every
SHOULD against the real app served by uvicorn, with a token.

The suite is the npm package ``graphql-http`` at the version scripts/graphql_http_audit pins;
``npm ci`` installs it once into a cache directory outside the repository
(``PMO_GRAPH_AUDIT_CACHE``, else ``~/.cache/pmo-graph/graphql-http-audit``), keyed by the
lockfile. Node.js is needed: without it the test fails, unless ``PMO_GRAPH_SKIP_NODE_AUDIT=1``
says to skip it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from pmo_graph.testing import TestOrganisation, serving

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "graphql_http_audit"
SKIP_VARIABLE = "PMO_GRAPH_SKIP_NODE_AUDIT"
CACHE_VARIABLE = "PMO_GRAPH_AUDIT_CACHE"
REQUIRED_LEVELS = ("MUST", "SHOULD")


def _node_and_npm() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        message = (
            "The graphql-http audit needs Node.js 20 and npm on PATH; install them "
            f"(apt-get install nodejs npm) or set {SKIP_VARIABLE}=1 to skip this test."
        )
        if os.environ.get(SKIP_VARIABLE) == "1":
            pytest.skip(message)
        pytest.fail(message)
    return node, npm


async def _run(*command: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed ({process.returncode}):\n{err.decode()}")
    return out.decode()


async def _installed(npm: str) -> Path:
    """The cache directory holding the audit's node_modules, installed by ``npm ci``."""
    lock = (SCRIPT / "package-lock.json").read_bytes()
    root = Path(
        os.environ.get(CACHE_VARIABLE)
        or Path.home() / ".cache" / "pmo-graph" / "graphql-http-audit"
    )
    directory = root / hashlib.sha256(lock).hexdigest()[:16]
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json", "audit.mjs"):
        shutil.copyfile(SCRIPT / name, directory / name)
    if not (directory / "node_modules" / "graphql-http" / "package.json").exists():
        await _run(npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", cwd=directory)
    return directory


async def test_the_graphql_http_audit_passes_every_must_and_should(
    pmo_app: Starlette, org: TestOrganisation
) -> None:
    node, npm = _node_and_npm()
    directory = await _installed(npm)
    async with serving(pmo_app) as url:
        output = await _run(
            node,
            "audit.mjs",
            cwd=directory,
            env={"PMO_GRAPH_URL": f"{url}/graphql", "PMO_GRAPH_TOKEN": str(org.admin.token)},
        )
    report: dict[str, Any] = json.loads(output)
    audits = report["audits"]
    assert len(audits) > 40, report  # the whole suite ran
    failed = [
        audit
        for audit in audits
        if audit["name"].startswith(REQUIRED_LEVELS) and audit["status"] != "ok"
    ]
    assert not failed, f"graphql-http {report['graphqlHttp']}: " + "\n".join(
        f"{a['id']} {a['name']}: {a.get('reason')} (HTTP {a.get('responseStatus')}: "
        f"{a.get('responseBody', '')[:300]})"
        for a in failed
    )
