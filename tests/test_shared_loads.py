"""SharedLoads: the subscribers of one event read each row once between them."""

from __future__ import annotations

import asyncio

import pytest

from pmo_graph.graphql.shared_loads import SharedLoads


class Source:
    """A load function that records its calls and can be held open or made to fail."""

    def __init__(self) -> None:
        self.calls: list[list[int]] = []
        self.release = asyncio.Event()
        self.fail_next = False

    async def load(self, keys: list[int]) -> list[str]:
        self.calls.append(list(keys))
        await self.release.wait()
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("the database went away")
        return [f"row {key}" for key in keys]


async def test_concurrent_operations_read_each_key_once() -> None:
    shared, source = SharedLoads(), Source()
    first = shared.wrap("by_id", source.load)
    second = shared.wrap("by_id", source.load)
    loads = [asyncio.create_task(first([1, 2])), asyncio.create_task(second([2, 1, 3]))]
    await asyncio.sleep(0)
    source.release.set()
    results = await asyncio.gather(*loads)
    assert results == [["row 1", "row 2"], ["row 2", "row 1", "row 3"]]
    assert source.calls == [[1, 2], [3]]


async def test_loaders_of_other_keys_do_not_share() -> None:
    shared, source = SharedLoads(), Source()
    source.release.set()
    await shared.wrap(("by_id", "Project"), source.load)([1])
    await shared.wrap(("by_id", "Risk"), source.load)([1])
    assert source.calls == [[1], [1]]


async def test_when_the_first_read_fails_the_others_read_for_themselves() -> None:
    shared, source = SharedLoads(), Source()
    source.fail_next = True
    failing = asyncio.create_task(shared.wrap("by_id", source.load)([7]))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(shared.wrap("by_id", source.load)([7]))
    await asyncio.sleep(0)
    source.release.set()
    with pytest.raises(ConnectionError):
        await failing
    assert await waiting == ["row 7"]
    assert source.calls == [[7], [7]]


async def test_a_cancelled_reader_does_not_cancel_those_waiting_on_it() -> None:
    shared, source = SharedLoads(), Source()
    reader = asyncio.create_task(shared.wrap("by_id", source.load)([5]))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(shared.wrap("by_id", source.load)([5]))
    await asyncio.sleep(0)
    reader.cancel()
    source.release.set()
    assert await waiting == ["row 5"]
    assert reader.cancelled()
