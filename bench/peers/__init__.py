"""The servers compared: pmo-graph and its peers, each behind the same small interface."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bench.cases import Case, Request
from bench.database import JIT, BenchDatabase


@dataclass(frozen=True)
class Launch:
    """How to start a peer's server: a command, extra environment and a working folder."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None


#: The repository, the working folder of the Python peers (they import ``bench``).
ROOT = Path(__file__).resolve().parent.parent.parent


def uvicorn(app: str, port: int, env: dict[str, str]) -> Launch:
    """How to serve the ASGI app ``module:attribute`` with one uvicorn worker on ``port``."""
    argv = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    return Launch([*argv, "--log-level", "warning", "--no-access-log"], env, cwd=ROOT)


class PythonPeer:
    """What the limit and the naive peer share: PostgreSQL with the benchmark's ``jit``, every
    case timed, none of the real client documents (their schemas are not pmo-graph's, and they
    have no documents of their own for the clients')."""

    @property
    def kind(self) -> str:
        return "postgresql"

    @property
    def settings(self) -> dict[str, str]:
        return {"jit": JIT}

    @property
    def checks_only(self) -> bool:
        return False

    def supports(self, case: Case) -> bool:
        return not case.client


class Peer(Protocol):
    """A GraphQL server answering the benchmark's cases over HTTP, one worker."""

    @property
    def name(self) -> str:
        """Shown in the table, e.g. ``pmo-graph (PostgreSQL)``."""

    @property
    def kind(self) -> str:
        """The database it serves: ``postgresql`` or ``sqlite``."""

    @property
    def settings(self) -> dict[str, str]:
        """How it runs where peers could differ, for the report: ``NODE_ENV``, ``jit``."""

    @property
    def checks_only(self) -> bool:
        """Whether its answers are only the reference the others' are checked against, not
        timed."""

    def supports(self, case: Case) -> bool:
        """Whether it is asked ``case`` (the real client documents are only asked of the
        GraphQL servers that answer them)."""

    def prepare(self, database: BenchDatabase) -> None:
        """One-time set-up before the server starts (install packages, create functions …)."""

    def launch(self, database: BenchDatabase, port: int) -> Launch:
        """The command that serves ``POST /graphql`` on ``127.0.0.1:port``."""

    def headers(self, database: BenchDatabase) -> dict[str, str]:
        """Headers of every request (authentication)."""

    def body(self, case: Case, request: Request) -> dict[str, Any]:
        """The JSON body that asks this peer ``request``."""

    def normalise(self, case: Case, answer: dict[str, Any]) -> Any:
        """The peer's answer (the whole JSON response) in pmo-graph's shape: its ``data``."""
