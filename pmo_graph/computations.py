"""Pure CPU-bound computations, run off the event loop within a time limit.

``await compute(context, function, *args)`` is how a resolver (the core's or a plugin's) runs a
computation whose work grows with the data: the best selection of a portfolio, a scenario's
impact, the programme's beat. While it runs, the process's event loop goes on serving every
other request. Each server process runs at most ``PMO_GRAPH_COMPUTATION_WORKERS`` at once; the
others wait their turn. The wait and the run together are limited to
``PMO_GRAPH_COMPUTATION_SECONDS``; past it the field answers ``COMPUTATION_TIME_LIMIT``.

Where they run (``PMO_GRAPH_COMPUTATION_EXECUTOR``):

- ``process`` (the default): a pool of worker processes started with forkserver (never a
  fork of the server, which holds an event loop, threads and database connections), created
  at the first computation and stopped with the app. The function and its arguments are
  pickled: give a module-level function plain data (dataclasses, tuples, numbers), never ORM
  rows or the context. Each worker has imported the installed plugins' modules before it
  takes work, so no computation's limit pays for imports. A computation that overruns its
  limit by ``GRACE_SECONDS`` is killed and its worker replaced.
- ``thread``: threads of the server process. They share its interpreter lock, so a busy one
  slows the event loop (docs/performance.md measures by how much), and cannot be killed.

Either way the computation is told its deadline: ``pmo_graph.deadlines.checkpoint()`` in its
loops raises once the deadline has passed, so it stops itself at the limit.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar, cast

from pebble import ProcessPool

from pmo_graph.deadlines import TimeLimitReached, within
from pmo_graph.errors import ComputationTimeLimit
from pmo_graph.request.app import App
from pmo_graph.settings import Settings
from pmo_graph.worker_imports import import_modules

if TYPE_CHECKING:
    from pmo_graph.request.context import Context

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger("pmo_graph.computations")

#: Seconds past its deadline after which a computation that did not stop itself is abandoned
#: (a worker process is then killed; a thread runs on, holding its slot, until it ends).
GRACE_SECONDS = 1.0


class ComputingApp(App, Protocol):
    """The app as a computation runs in it: its pool of workers."""

    @property
    def computations(self) -> Computations: ...


async def compute(
    context: Context, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> T:
    """``function(*args, **kwargs)``, run off the event loop within the time limit.

    ``function`` must be pure (it reads nothing but its arguments and writes nothing) and, for
    the process pool, importable at module level, its arguments and result picklable. Raises
    ``ComputationTimeLimit`` (``COMPUTATION_TIME_LIMIT``) when the wait for a worker and the
    run together pass ``PMO_GRAPH_COMPUTATION_SECONDS``; whatever ``function`` raises is
    raised here.
    """
    return await cast(ComputingApp, context.app).computations.run(function, *args, **kwargs)


def _release(loop: asyncio.AbstractEventLoop, slots: asyncio.Semaphore) -> None:
    if not loop.is_closed():  # a thread may end after its server did
        loop.call_soon_threadsafe(slots.release)


class Computations:
    """One server process's computations: the workers, the slots, and counts for tests."""

    def __init__(self, settings: Settings, preload: Sequence[str] = ()) -> None:
        self.limit = settings.computation_seconds
        self.workers = settings.computation_workers
        self.executor = settings.computation_executor
        #: Modules every worker process imports before it takes work (the plugins').
        self.preload = tuple(preload)
        #: Computations handed to a worker so far, those stopped at the limit, and those
        #: waiting for a free worker now.
        self.started = 0
        self.stopped = 0
        self.waiting = 0
        self._slots: asyncio.Semaphore | None = None
        self._pool: ProcessPool | None = None
        self._threads: ThreadPoolExecutor | None = None
        self._starting = threading.Lock()

    async def run(self, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """See ``compute``."""
        loop = asyncio.get_running_loop()
        if self.executor == "process" and (self._pool is None or not self._pool.active):
            # Once per process (and after a broken pool): starting the forkserver and the
            # workers blocks, so not on the event loop, and not within a request's limit.
            await asyncio.to_thread(self._start_pool)
        deadline = loop.time() + self.limit
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        slots = self._slots
        self.waiting += 1
        try:
            async with asyncio.timeout_at(deadline):
                await slots.acquire()
        except TimeoutError:
            self.stopped += 1
            raise ComputationTimeLimit(self.limit) from None
        finally:
            self.waiting -= 1
        try:
            future = await self._submit(function, args, kwargs, deadline - loop.time())
        except BaseException:
            slots.release()
            raise
        # The slot is free once the worker is, not when the caller stops waiting: a thread
        # that runs on past its limit keeps its slot, so late ones never pile up.
        future.add_done_callback(lambda _: _release(loop, slots))
        self.started += 1
        try:
            async with asyncio.timeout_at(deadline + GRACE_SECONDS):
                return await asyncio.wrap_future(future)
        except (TimeoutError, TimeLimitReached):
            self.stopped += 1
            raise ComputationTimeLimit(self.limit) from None

    async def _submit(
        self, function: Callable[..., T], args: Any, kwargs: Any, seconds: float
    ) -> Future[T]:
        if self.executor == "thread":
            if self._threads is None:
                self._threads = ThreadPoolExecutor(self.workers, "pmo-graph-computation")
            return self._threads.submit(within, seconds, function, args, kwargs)
        pool = self._pool
        if pool is None or not pool.active:
            pool = await asyncio.to_thread(self._start_pool)
        return pool.schedule(within, args=(seconds, function, args, kwargs))

    def _start_pool(self) -> ProcessPool:
        with self._starting:
            if self._pool is not None and self._pool.active:
                return self._pool
            if self._pool is not None:
                log.warning("the computation pool broke; starting a new one")
            context = multiprocessing.get_context("forkserver")
            # The server's __main__ (uvicorn, pytest) is of no use to a worker. The preload
            # counts only where this starts the process's forkserver; the initializer makes
            # up for one started earlier with other modules.
            context.set_forkserver_preload(["pmo_graph.deadlines", *self.preload])
            pool = ProcessPool(
                max_workers=self.workers,
                context=context,
                initializer=import_modules,
                initargs=(self.preload,),
            )
            pool.schedule(int).result()  # the workers are up before the first computation
            self._pool = pool
            return pool

    async def stop(self) -> None:
        """Stop the workers (the app's shutdown): running computations are abandoned."""
        pool, threads = self._pool, self._threads
        self._pool = self._threads = None
        if pool is not None:
            pool.stop()  # type: ignore[no-untyped-call]
            await asyncio.to_thread(pool.join)
        if threads is not None:
            threads.shutdown(wait=False, cancel_futures=True)
