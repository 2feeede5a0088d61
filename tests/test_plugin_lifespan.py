"""``on_startup`` and ``on_shutdown``: called once per process from the ASGI lifespan, in plugin
order and then in reverse; a failing start-up stops the app with a message naming the plugin."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping, Sequence
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import text
from starlette.applications import Starlette

from plugin_doubles import plugin
from pmo_graph.app import create_app
from pmo_graph.plugins.lifecycle import PluginApp
from pmo_graph.plugins.manager import EntryPointSelection, PluginLoadError
from pmo_graph.settings import Settings

pytestmark = pytest.mark.pmo_backends("sqlite")  # the lifespan is the same on both


async def lifespan(app: Starlette) -> tuple[list[MutableMapping[str, Any]], BaseException | None]:
    """Drive ``app`` through the ASGI lifespan protocol as a server does: start-up, then
    (unless start-up failed) shut-down; the messages the app sent, and what it raised."""
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent: list[MutableMapping[str, Any]] = []
    started = asyncio.Event()
    await received.put({"type": "lifespan.startup"})

    async def receive() -> dict[str, Any]:
        return await received.get()

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)
        if message["type"].startswith("lifespan.startup."):
            started.set()

    task = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send))
    await started.wait()
    if sent[-1]["type"] == "lifespan.startup.complete":
        await received.put({"type": "lifespan.shutdown"})
    try:
        await task
    except Exception as exc:
        return sent, exc
    return sent, None


def app_with(
    settings: Settings,
    plugins: Sequence[ModuleType],
    entrypoints: EntryPointSelection,
    *extra: ModuleType,
) -> Starlette:
    return create_app(
        settings, extra_plugins=[*plugins, *extra], load_entrypoints=entrypoints, prepare=False
    )


async def test_start_up_and_shut_down_hooks_run_once_in_order_then_in_reverse(
    pmo_settings: Settings,
    pmo_plugins: Sequence[ModuleType],
    pmo_load_entrypoints: EntryPointSelection,
) -> None:
    calls: list[tuple[str, str]] = []
    seen: list[PluginApp] = []

    def recorder(name: str) -> ModuleType:
        async def on_startup(app: PluginApp) -> None:
            seen.append(app)
            async with app.sessionmaker() as session:  # the database is usable by now
                assert await session.scalar(text("SELECT 1")) == 1
            calls.append(("start", name))

        def on_shutdown(app: PluginApp) -> None:
            seen.append(app)
            calls.append(("stop", name))

        return plugin(name, on_startup=on_startup, on_shutdown=on_shutdown)

    app = app_with(
        pmo_settings, pmo_plugins, pmo_load_entrypoints, recorder("a_first"), recorder("b_second")
    )
    sent, raised = await lifespan(app)
    assert raised is None
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert calls == [
        ("start", "a_first"),
        ("start", "b_second"),
        ("stop", "b_second"),
        ("stop", "a_first"),
    ]
    state = app.state.pmo
    assert {id(s) for s in seen} == {id(seen[0])}  # one object for every hook of the process
    assert seen[0].settings is state.settings
    assert seen[0].engine is state.engine
    assert not hasattr(seen[0], "registry")  # a small object, not the whole AppState


async def test_a_failing_start_up_hook_stops_start_up_naming_the_plugin(
    pmo_settings: Settings,
    pmo_plugins: Sequence[ModuleType],
    pmo_load_entrypoints: EntryPointSelection,
) -> None:
    calls: list[str] = []

    def broken(app: PluginApp) -> None:
        raise ConnectionError("the index server is down")

    app = app_with(
        pmo_settings,
        pmo_plugins,
        pmo_load_entrypoints,
        plugin(
            "a_started",
            on_startup=lambda app: calls.append("start a"),
            on_shutdown=lambda app: calls.append("stop a"),
        ),
        plugin("b_broken", on_startup=broken, on_shutdown=lambda app: calls.append("stop b")),
    )
    sent, raised = await lifespan(app)
    assert [m["type"] for m in sent] == ["lifespan.startup.failed"]
    message = (
        "plugin 'b_broken' failed in hook on_startup: "
        "ConnectionError('the index server is down'); fix or uninstall 'b_broken'"
    )
    assert isinstance(raised, PluginLoadError)
    assert str(raised) == message
    assert raised.plugin == "b_broken"
    # what the server prints: the traceback, ending with that message
    assert sent[0]["message"].rstrip().endswith(f"PluginLoadError: {message}")
    # what had started is shut down again; the plugin that failed to start is not
    assert calls == ["start a", "stop a"]
