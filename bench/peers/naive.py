"""The naive peer: strawberry + SQLAlchemy as a team first writes it (``naive_app``), on the
same PostgreSQL tables: a sync session, lazy-loaded relationships, no DataLoaders."""

from __future__ import annotations

from typing import Any

from bench.cases import Case, Request
from bench.database import JIT, POOL_SIZE, POSTGRES, BenchDatabase
from bench.peers import Launch, PythonPeer, uvicorn


class Naive(PythonPeer):
    """``uvicorn bench.peers.naive_app:app``, one worker, a pool of ``POOL_SIZE`` connections."""

    @property
    def name(self) -> str:
        return "naive (strawberry + lazy SQLAlchemy)"

    def prepare(self, database: BenchDatabase) -> None:
        try:
            import psycopg  # noqa: F401
        except ImportError as missing:
            raise RuntimeError(
                "the naive peer needs psycopg 3: pip install -e '.[bench]'"
            ) from missing

    def launch(self, database: BenchDatabase, port: int) -> Launch:
        return uvicorn(
            "bench.peers.naive_app:app",
            port,
            {
                "NAIVE_DATABASE_URL": f"postgresql+psycopg://{POSTGRES}/{database.name}",
                "NAIVE_POOL_SIZE": str(POOL_SIZE),
                "NAIVE_JIT": JIT,
            },
        )

    def headers(self, database: BenchDatabase) -> dict[str, str]:
        return {}

    def body(self, case: Case, request: Request) -> dict[str, Any]:
        # The app takes pmo-graph's documents as they are (node(id:) with global ids).
        return {"query": request.document, "variables": request.variables}

    def normalise(self, case: Case, answer: dict[str, Any]) -> Any:
        return answer.get("data")
