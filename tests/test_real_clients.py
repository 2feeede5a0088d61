"""Real clients against the served app: Apollo Client's persisted-queries link (Node.js), by
POST and by GET, goes from a miss to a registration to a hit with no help."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from helpers import add_projects
from pmo_graph.testing import TestOrganisation

APOLLO = Path(__file__).resolve().parent / "clients" / "apollo"


async def _node(*args: str, cwd: Path) -> bytes:
    """Run a command (without blocking the served app's event loop); its standard output."""
    process = await asyncio.create_subprocess_exec(
        *args, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 300)
    assert process.returncode == 0, err.decode()
    return out


@pytest.fixture(scope="session")
def apollo_installed() -> Path:
    """The Apollo client's folder, its packages installed (npm, the first time)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Apollo Client's check needs Node.js 20 and npm")
    if not (APOLLO / "node_modules").is_dir():
        # No lockfile: the versions are pinned in package.json.
        subprocess.run(
            [npm, "install", "--no-package-lock", "--no-audit", "--no-fund"],
            cwd=APOLLO,
            check=True,
            timeout=300,
        )
    return APOLLO


async def test_apollo_s_persisted_queries_link_registers_then_sends_hashes_only(
    apollo_installed: Path, pmo_server_url: str, org: TestOrganisation, db_session: AsyncSession
) -> None:
    await add_projects(db_session, org.id, 3, with_relations=False)
    out = await _node(
        "node",
        "persisted.mjs",
        f"{pmo_server_url}/graphql",
        org.admin.token or "",
        cwd=apollo_installed,
    )
    report: dict[str, Any] = orjson.loads(out)
    miss, register, hit = (
        {"query": False, "hash": True, "status": 200, "code": "PERSISTED_QUERY_NOT_FOUND"},
        {"query": True, "hash": True, "status": 200, "code": None},
        {"query": False, "hash": True, "status": 200, "code": None},
    )
    assert report["requests"] == [
        {"method": "POST", **miss},
        {"method": "POST", **register},
        {"method": "POST", **hit},
        {"method": "GET", **miss},
        {"method": "POST", **register},  # the link sends the text by POST
        {"method": "GET", **hit},
    ]
    for answers in report["results"].values():
        assert answers[0] == answers[1]
        assert answers[0]["projects"]["totalCount"] == 3
