"""Loads shared by the subscriptions that receive one event in one process.

Every subscriber of an event reads the same rows of the same organisation (its payload), each
through its own loaders. Sharing what they load makes each row one read per event and process
instead of one per subscriber. Only the rows are shared: every subscriber still runs its own
resolvers, so what it may see is decided for it alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Sequence
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class SharedLoads:
    """What the loaders of several operations have loaded for one event, by loader and key."""

    def __init__(self) -> None:
        self._loads: dict[tuple[Hashable, Any], asyncio.Future[Any]] = {}

    def wrap(
        self, loader_key: Hashable, load_fn: Callable[[list[K]], Awaitable[Sequence[V]]]
    ) -> Callable[[list[K]], Coroutine[Any, Any, list[V]]]:
        """``load_fn`` reading each key once for every operation that shares these loads."""

        async def load(keys: list[K]) -> list[V]:
            loop = asyncio.get_running_loop()
            mine = {
                key: loop.create_future()
                for key in dict.fromkeys(keys)
                if (loader_key, key) not in self._loads
            }
            for key, future in mine.items():
                self._loads[(loader_key, key)] = future
            if mine:
                try:
                    values = await load_fn(list(mine))
                except BaseException:
                    # Those waiting for these keys load them themselves (see ``_result``).
                    for key, future in mine.items():
                        self._loads.pop((loader_key, key), None)
                        future.cancel()
                    raise
                for future, value in zip(mine.values(), values, strict=True):
                    future.set_result(value)
            return [await self._result(loader_key, key, load_fn) for key in keys]

        return load

    async def _result(
        self,
        loader_key: Hashable,
        key: K,
        load_fn: Callable[[list[K]], Awaitable[Sequence[V]]],
    ) -> V:
        future = self._loads.get((loader_key, key))
        if future is not None:
            try:
                value: V = await asyncio.shield(future)
                return value
            except asyncio.CancelledError:
                if not future.cancelled():
                    raise  # this operation itself is being cancelled
        (value,) = await load_fn([key])
        return value
