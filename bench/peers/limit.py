"""The limit: what the benchmark's requests cost when nothing stands between HTTP and
PostgreSQL but one hand-written SQL statement each (``limit_app``), which builds the whole
answer; no GraphQL, no objects, no second round trip."""

from __future__ import annotations

from typing import Any

from bench.cases import ASSIGN, RAISE_RISK, SUBMIT_STATUS, Case, Request
from bench.database import JIT, POOL_SIZE, BenchDatabase
from bench.peers import Launch, PythonPeer, uvicorn

#: Each mutation document's name in the server, and the arguments its text fixes (the rest
#: come from its variables).
MUTATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    RAISE_RISK: ("raiseRisk", {"probability": 3, "impact": 4}),
    SUBMIT_STATUS: ("submitStatusReport", {"overall": "GREEN", "summary": "Bench"}),
    ASSIGN: (
        "assignPerson",
        {"role": "Bench", "allocation": 0.1, "startDate": "2026-12-01", "endDate": "2026-12-31"},
    ),
}


class Limit(PythonPeer):
    """``uvicorn bench.peers.limit_app:app``, one worker, a pool of ``POOL_SIZE`` asyncpg
    connections."""

    @property
    def name(self) -> str:
        return "limit (hand-written SQL)"

    def prepare(self, database: BenchDatabase) -> None:
        return None

    def launch(self, database: BenchDatabase, port: int) -> Launch:
        return uvicorn(
            "bench.peers.limit_app:app",
            port,
            {
                "LIMIT_DATABASE_URL": database.dsn,
                "LIMIT_ORGANISATION_ID": str(database.data.organisation_id),
                "LIMIT_POOL_SIZE": str(POOL_SIZE),
                "LIMIT_JIT": JIT,
            },
        )

    def headers(self, database: BenchDatabase) -> dict[str, str]:
        return {}

    def body(self, case: Case, request: Request) -> dict[str, Any]:
        if not case.mutation:
            return {"case": case.name, "keys": request.keys}
        name, fixed = MUTATIONS[request.document]
        variables = {k: v for k, v in request.variables.items() if k not in ("project", "person")}
        if "day" in variables:
            variables["periodEnding"] = variables.pop("day")
        return {"case": name, "keys": request.keys, "input": {**fixed, **variables}}

    def normalise(self, case: Case, answer: dict[str, Any]) -> Any:
        return answer.get("data")
