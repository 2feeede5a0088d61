"""CPU-bound computations run off the event loop (``pmo_graph.computations``): the loop
answers while one runs, they wait their turn, and the time limit answers a coded error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import strawberry
from held_computation import held, imported, stubborn
from strawberry.types import Info

from plugin_doubles import plugin
from pmo_graph.app import create_app
from pmo_graph.app_state import AppState
from pmo_graph.computations import compute
from pmo_graph.errors import ERROR_CODES
from pmo_graph.plugins.manager import EntryPointSelection
from pmo_graph.request.context import get_context
from pmo_graph.settings import Settings
from pmo_graph.testing import TestOrganisation, serving

pytestmark = pytest.mark.pmo_backends("sqlite")  # nothing here reads the database

HOLD = "query($f: String!) { held(folder: $f) }"
STUBBORN = "query($f: String!) { stubborn(folder: $f) }"


@strawberry.type
class HeldQuery:
    @strawberry.field(description="Runs held_computation.held(folder) through compute().")
    async def held(self, info: Info[Any, Any], folder: str) -> str:
        return await compute(get_context(info), held, folder)

    @strawberry.field(description="Runs held_computation.stubborn(folder) through compute().")
    async def stubborn(self, info: Info[Any, Any], folder: str) -> str:
        return await compute(get_context(info), stubborn, folder)

    @strawberry.field(description="Which of the modules the worker had imported before it ran.")
    async def imported(self, info: Info[Any, Any], names: list[str]) -> list[str]:
        return await compute(get_context(info), imported, names)


HELD_PLUGIN = plugin("held_computations", register_query_fields=lambda: [HeldQuery])


@asynccontextmanager
async def served(
    settings: Settings, plugins: Sequence[ModuleType], load_entrypoints: EntryPointSelection
) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
    app = create_app(
        settings,
        extra_plugins=[*plugins, HELD_PLUGIN],
        load_entrypoints=load_entrypoints,
        prepare=False,
    )
    async with (
        app.router.lifespan_context(app),
        serving(app) as url,
        httpx.AsyncClient(base_url=url, timeout=60) as client,
    ):
        yield client, app.state.pmo


@pytest.fixture
def serve(
    pmo_settings: Settings,
    pmo_plugins: Sequence[ModuleType],
    pmo_load_entrypoints: EntryPointSelection,
) -> Callable[..., Any]:
    def start(**settings: Any) -> Any:
        return served(pmo_settings.model_copy(update=settings), pmo_plugins, pmo_load_entrypoints)

    return start


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Wait for ``condition`` (an event of another process or task), at most 30 seconds."""
    async with asyncio.timeout(30):
        while not condition():  # noqa: ASYNC110 - a file another process writes
            await asyncio.sleep(0.005)
    assert condition(), what


def _post(client: httpx.AsyncClient, document: str, folder: Path) -> asyncio.Task[httpx.Response]:
    return asyncio.create_task(
        client.post("/graphql", json={"query": document, "variables": {"f": str(folder)}})
    )


@pytest.fixture
def serve_as(serve: Callable[..., Any], org: TestOrganisation) -> Callable[..., Any]:
    """``serve`` with a client that sends the organisation's ADMIN token."""

    @asynccontextmanager
    async def start(**settings: Any) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
        async with serve(**settings) as (client, state):
            client.headers.update(org.admin.headers())
            yield client, state

    return start


@pytest.mark.parametrize("executor", ["process", "thread"])
async def test_the_loop_answers_while_a_computation_runs(
    serve_as: Callable[..., Any], tmp_path: Path, executor: str
) -> None:
    async with serve_as(computation_executor=executor) as (client, state):
        request = _post(client, HOLD, tmp_path)
        await _until(lambda: (tmp_path / "started").exists() or request.done(), "it started")
        assert not request.done(), request.result().text
        health = await client.get("/healthz")
        assert health.status_code == 200
        assert not request.done()  # the computation is still held
        (tmp_path / "release").touch()
        answer = await request
        assert answer.json()["data"] == {"held": "released"}
        assert state.computations.started == 1


async def test_computations_past_the_workers_wait_their_turn(
    serve_as: Callable[..., Any], tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    async with serve_as(computation_workers=1) as (client, state):
        running = _post(client, HOLD, first)
        await _until((first / "started").exists, "the first computation started")
        waiting = _post(client, HOLD, second)
        await _until(lambda: state.computations.waiting == 1, "the second one waits")
        assert not (second / "started").exists()
        assert (await client.get("/healthz")).status_code == 200
        (first / "release").touch()
        assert (await running).json()["data"] == {"held": "released"}
        await _until((second / "started").exists, "the second computation started")
        (second / "release").touch()
        assert (await waiting).json()["data"] == {"held": "released"}


@pytest.mark.parametrize("executor", ["process", "thread"])
async def test_a_computation_past_the_limit_answers_the_coded_error(
    serve_as: Callable[..., Any], tmp_path: Path, executor: str
) -> None:
    async with serve_as(computation_executor=executor, computation_seconds=0.2) as (client, state):
        answer = (await _post(client, HOLD, tmp_path)).json()
        (error,) = answer["errors"]
        assert error["extensions"] == {"code": "COMPUTATION_TIME_LIMIT", "limitSeconds": 0.2}
        assert error["path"] == ["held"]
        assert "0.2 seconds" in error["message"]
        assert state.computations.stopped == 1
        (tmp_path / "release").touch()  # the next computation finds its release at once
        assert (await _post(client, HOLD, tmp_path)).json()["data"] == {"held": "released"}


async def test_a_stubborn_computation_is_killed_at_the_limit(
    serve_as: Callable[..., Any], tmp_path: Path
) -> None:
    async with serve_as(computation_seconds=0.2) as (client, _state):
        answer = (await _post(client, STUBBORN, tmp_path)).json()
        assert answer["errors"][0]["extensions"]["code"] == "COMPUTATION_TIME_LIMIT"
        (tmp_path / "release").touch()
        # Its worker was replaced: the pool still computes, within the same limit.
        assert (await _post(client, HOLD, tmp_path)).json()["data"] == {"held": "released"}


IMPORTED = "query($names: [String!]!) { imported(names: $names) }"


def _plugin_modules(state: AppState) -> list[str]:
    """The modules of the server's plugins that a worker can import (a double made at run
    time has no file)."""
    return [p.module.__name__ for p in state.registry.plugins if p.module.__spec__ is not None]


async def test_a_worker_has_imported_the_plugins_before_its_first_computation(
    serve_as: Callable[..., Any], tmp_path: Path
) -> None:
    # A worker that imported a computation's module when handed it spent most of a second
    # of the computation's limit on imports (issue 22's CI: a 0.1 s limit missed).
    async with serve_as(computation_workers=1, computation_seconds=0.5) as (client, state):
        modules = _plugin_modules(state)
        assert "pmo_graph_portfolio" in {name.split(".")[0] for name in modules}
        found = await client.post(
            "/graphql", json={"query": IMPORTED, "variables": {"names": modules}}
        )
        assert found.json()["data"] == {"imported": modules}
        # and so has the worker that replaces one killed at the limit
        answer = (await _post(client, STUBBORN, tmp_path)).json()
        assert answer["errors"][0]["extensions"]["code"] == "COMPUTATION_TIME_LIMIT"
        (tmp_path / "release").touch()
        found = await client.post(
            "/graphql", json={"query": IMPORTED, "variables": {"names": modules}}
        )
        assert found.json()["data"] == {"imported": modules}


def test_the_code_is_listed_with_the_others() -> None:
    assert "COMPUTATION_TIME_LIMIT" in ERROR_CODES
    api = (Path(__file__).parent.parent / "docs" / "api.md").read_text()
    assert "| `COMPUTATION_TIME_LIMIT` |" in api
