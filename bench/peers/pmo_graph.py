"""pmo-graph itself, on PostgreSQL or SQLite: ``pmo-graph serve`` with one worker."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.cases import Case, Request
from bench.database import JIT, POOL_SIZE, BenchDatabase
from bench.peers import Launch


@dataclass
class PmoGraph:
    kind: str
    #: ``PMO_GRAPH_DATABASE_POOLING``: "transaction" measures what the setting for PgBouncer in
    #: transaction mode costs, on a direct connection (PostgreSQL only).
    pooling: str = "session"
    #: ``PMO_GRAPH_COMPILED_QUERIES``: False answers everything on the resolvers, the
    #: reference the real client documents' answers are checked against (not timed).
    compiled: bool = True

    @property
    def name(self) -> str:
        database = "PostgreSQL" if self.kind == "postgresql" else "SQLite"
        if not self.compiled:
            return f"pmo-graph ({database}, resolvers)"
        if self.pooling != "session":
            return f"pmo-graph ({database}, {self.pooling} pooling)"
        return f"pmo-graph ({database})"

    @property
    def settings(self) -> dict[str, str]:
        said = {"jit": JIT} if self.kind == "postgresql" else {}
        return said if self.compiled else {**said, "compiled queries": "off"}

    @property
    def checks_only(self) -> bool:
        return not self.compiled

    def supports(self, case: Case) -> bool:
        return self.compiled or case.client

    def prepare(self, database: BenchDatabase) -> None:
        return None

    def launch(self, database: BenchDatabase, port: int) -> Launch:
        return Launch(
            [str(Path(sys.executable).parent / "pmo-graph"), "serve", "--port", str(port)],
            {
                "PMO_GRAPH_DATABASE_URL": database.url,
                "PMO_GRAPH_POOL_SIZE": str(POOL_SIZE),
                # The same pool as every peer's: no connections beyond it.
                "PMO_GRAPH_POOL_MAX_OVERFLOW": "0",
                "PMO_GRAPH_AUTO_MIGRATE": "false",
                "PMO_GRAPH_LOG_LEVEL": "WARNING",
                "PMO_GRAPH_GRAPHIQL": "false",
                # Throughput runs spend far more than a token's default budget of query cost.
                "PMO_GRAPH_RATE_LIMIT_CAPACITY": "0",
                "PMO_GRAPH_COMPILED_QUERIES": str(self.compiled).lower(),
                **(
                    {
                        "PMO_GRAPH_DATABASE_POOLING": self.pooling,
                        "PMO_GRAPH_DATABASE_JIT": str(JIT == "on").lower(),
                    }
                    if self.kind == "postgresql"
                    else {}
                ),
            },
        )

    def headers(self, database: BenchDatabase) -> dict[str, str]:
        return {"Authorization": f"Bearer {database.data.token}"}

    def body(self, case: Case, request: Request) -> dict[str, Any]:
        return {"query": request.document, "variables": request.variables}

    def normalise(self, case: Case, answer: dict[str, Any]) -> Any:
        return answer.get("data")
