"""``/healthz`` (the process answers) and ``/readyz`` (database reachable, migrations at head)."""

from __future__ import annotations

import logging

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from pmo_graph import migrations
from pmo_graph.app_state import AppState

log = logging.getLogger("pmo_graph.health")


async def healthz(request: Request) -> JSONResponse:
    """The process is alive."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready for traffic: the database answers and every lineage is at its head."""
    state: AppState = request.app.state.pmo
    try:
        async with state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        at = await migrations.current_async(state.settings, state.registry, state.engine)
    except Exception as exc:
        log.warning("readiness check failed: %r", exc)
        return JSONResponse({"status": "unavailable", "reason": "database unreachable"}, 503)
    behind = migrations.pending(at, request.app.state.migration_heads)
    if behind:
        return JSONResponse(
            {
                "status": "unavailable",
                "reason": "migrations pending; run 'pmo-graph db upgrade'",
                "lineages": behind,
            },
            503,
        )
    return JSONResponse({"status": "ready"})
