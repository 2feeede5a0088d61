"""``reader.driver_value_alone``: the fast lane's one read, on a connection of its own."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from pmo_graph.app_state import AppState
from pmo_graph.db.reader import driver_value_alone, reading_engine

pytestmark = pytest.mark.pmo_backends("postgresql")


async def test_a_read_runs_on_after_its_caller_stops_waiting_and_its_error_is_retrieved(
    pmo_state: AppState,
) -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        before = asyncio.all_tasks()
        caller = asyncio.ensure_future(
            driver_value_alone(reading_engine(pmo_state.engine), "SELECT 1 / $1::int", [0])
        )
        await asyncio.sleep(0)  # one step: the caller has started its read
        read = asyncio.all_tasks() - before - {caller}
        assert len(read) == 1
        caller.cancel()
        # the read is shielded: it runs to its end (the division's error) though nobody waits
        done, _ = await asyncio.wait(read)
        (task,) = done
        assert caller.cancelled()
        assert not task.cancelled()
        del task, done, read, caller
        gc.collect()  # an unretrieved error is reported when its task goes
    finally:
        loop.set_exception_handler(handler)
    assert [c["message"] for c in reported] == []
