"""SharedLoads: the subscribers of one event read each row once between them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from helpers import add_projects
from pmo_graph.app_state import AppState
from pmo_graph.db.reader import Reader
from pmo_graph.projects.models import Project
from pmo_graph.request.loaders import Loaders
from pmo_graph.request.shared_loads import SharedLoads
from pmo_graph.testing import TestOrganisation


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


async def test_an_operation_reads_each_event_s_rows_afresh(
    make_org: Callable[..., Awaitable[TestOrganisation]],
    db_session: AsyncSession,
    pmo_state: AppState,
) -> None:
    """A subscription's session lives across events, and an object it loaded for one event may
    still be held (by another subscriber of that event). The next event's read must not hand
    back that object as it was: the row changed in between."""
    org = await make_org()
    (project,) = await add_projects(db_session, org.id, 1, with_relations=False)
    async with pmo_state.request_sessionmaker() as session:
        loaders = Loaders(Reader(session), org.id)
        loaders.share(SharedLoads())
        before = await loaders.by_id(Project).load(project.id)  # still held below
        assert before is not None
        await db_session.execute(
            update(Project).where(Project.id == project.id).values(name="Renamed")
        )
        await db_session.commit()
        loaders.share(SharedLoads())  # the next event
        after = await loaders.by_id(Project).load(project.id)
    assert after is not None
    assert after.name == "Renamed"
    assert before.name != "Renamed"  # the first event's object kept what it read
