"""The process's webhook deliverer: a background task that sends due deliveries.

Woken right after a transaction of this process staged deliveries, and otherwise every
``webhook_poll_seconds`` for retries (and for deliveries another process staged and could not
send). It sends at most ``webhook_concurrency`` deliveries at once and at most one per webhook,
so a slow or hanging receiver holds one slot for at most ``webhook_timeout_seconds`` and never
stops the others. It has an engine of its own (two connections, and two more at a peak), so
deliveries never wait for the requests' pool, nor the requests for them.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from contextlib import suppress
from dataclasses import replace
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pmo_graph.db.session import create_engine, create_sessionmaker
from pmo_graph.db.types import utcnow
from pmo_graph.settings import Settings
from pmo_graph.webhooks import claims
from pmo_graph.webhooks.backoff import next_attempt_at
from pmo_graph.webhooks.claims import ClaimedDelivery, Outcome
from pmo_graph.webhooks.sealing import SealingError, SecretBox
from pmo_graph.webhooks.sender import new_client, send

log = logging.getLogger("pmo_graph.webhooks")

#: Connections of the deliverer's own engine (PostgreSQL): kept, and opened beyond at a peak.
POOL_SIZE = 2
POOL_MAX_OVERFLOW = 2


class WebhookDeliverer:
    """Sends this process's share of the due deliveries; ``start``, ``wake``, ``stop``."""

    def __init__(self, settings: Settings, engine: AsyncEngine | None = None) -> None:
        """``engine``: the one to claim and record with (default: one of its own, made by
        ``start`` and disposed of by ``stop``)."""
        self.settings = settings
        #: Opens the secrets deliveries are signed with (sealed at rest when keys are set).
        self.secrets = SecretBox.of(settings)
        self._given_engine = engine
        self._engine: AsyncEngine | None = None
        #: Claims and outcomes (on SQLite, transactions that take the write lock at once) …
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None
        #: … and the look for due work, a read (which on SQLite takes no lock).
        self._reader: async_sessionmaker[AsyncSession] | None = None
        self._client: httpx.AsyncClient | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._wakeup = asyncio.Event()
        self._stopping = False
        #: The attempt under way for each webhook it is sending to.
        self._sending: dict[int, asyncio.Task[None]] = {}

    @property
    def running(self) -> bool:
        """Whether the background task is running."""
        return self._loop_task is not None and not self._loop_task.done()

    async def start(self) -> None:
        """Start the background task (once)."""
        if self.running:
            return
        self._engine = self._given_engine or create_engine(
            self.settings.model_copy(
                update={"pool_size": POOL_SIZE, "pool_max_overflow": POOL_MAX_OVERFLOW}
            )
        )
        self._sessionmaker = create_sessionmaker(self._engine)
        self._reader = create_sessionmaker(self._engine, reading=True)
        self._client = new_client()
        self._stopping = False
        self._wakeup = asyncio.Event()
        self._loop_task = asyncio.create_task(self._run(), name="pmo-graph-webhooks")

    def wake(self) -> None:
        """Look for due deliveries now (called after a commit that staged some)."""
        self._wakeup.set()

    async def nudge(self) -> None:
        """``wake``, as a ``Context.after_commit`` callback."""
        self.wake()

    async def stop(self, grace_seconds: float = 5.0) -> None:
        """Stop claiming, give attempts under way ``grace_seconds`` to finish, cancel the rest.

        A cancelled attempt is recorded nowhere: its lease ends and it is tried again (by this
        process when it is back, or by another one).
        """
        if self._loop_task is None:
            return
        self._stopping = True
        self._wakeup.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_seconds
        loop_task, self._loop_task = self._loop_task, None
        await _finish([loop_task], grace_seconds)  # it may be claiming: let it end cleanly
        await _finish(list(self._sending.values()), max(deadline - loop.time(), 0.0))
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._engine is not None and self._given_engine is None:
            await self._engine.dispose()
        self._engine = self._sessionmaker = self._reader = None

    async def _run(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            try:
                more = await self._dispatch()
            except Exception as error:  # the database is away: try again at the next poll
                log.warning("webhook deliveries could not be claimed: %s", error)
                more = False
            if more or self._stopping:
                continue
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.settings.webhook_poll_seconds)

    async def _dispatch(self) -> bool:
        """Claim what this process has room for and start sending it; whether more may be due."""
        assert self._sessionmaker is not None
        assert self._reader is not None
        room = self.settings.webhook_concurrency - len(self._sending)
        if room <= 0:
            return False
        now = utcnow()
        lease = claims.lease_length(self.settings.webhook_timeout_seconds)
        claimed: list[ClaimedDelivery] = []
        postgres = not self.settings.is_sqlite
        for organisation_id in await claims.due_organisations(self._reader, now, postgres):
            if len(claimed) >= room or self._stopping:
                break
            claimed += await claims.claim(
                self._sessionmaker,
                organisation_id,
                now,
                room - len(claimed),
                [*self._sending, *(c.webhook_id for c in claimed)],
                lease,
            )
        for delivery in claimed:
            task = asyncio.create_task(self._attempt(delivery))
            self._sending[delivery.webhook_id] = task
            task.add_done_callback(functools.partial(self._sent, delivery.webhook_id))
        return bool(claimed) and len(claimed) >= room

    def _sent(self, webhook_id: int, _task: asyncio.Task[None]) -> None:
        self._sending.pop(webhook_id, None)
        self._wakeup.set()  # room for another, maybe the webhook's next delivery

    async def _attempt(self, delivery: ClaimedDelivery) -> None:
        assert self._client is not None
        assert self._sessionmaker is not None
        settings = self.settings
        try:
            opened = replace(
                delivery,
                secret=self.secrets.open(delivery.secret),
                previous_secret=(
                    self.secrets.open(delivery.previous_secret)
                    if delivery.previous_secret is not None
                    else None
                ),
            )
            outcome = await send(
                self._client,
                opened,
                timeout_seconds=settings.webhook_timeout_seconds,
                allow_private=settings.webhook_private_networks,
            )
        except SealingError as error:  # nothing is sent unsigned: retried once the keys fit
            log.error("webhook delivery %s: not sent: %s", delivery.delivery_id, error)
            outcome = Outcome(None, "the webhook's secret could not be opened; retried")
        except Exception:  # a fault of ours, not the receiver's: logged, and retried like one
            log.exception("webhook delivery %s: sending failed", delivery.delivery_id)
            outcome = Outcome(None, "internal error while sending; retried")
        retry_at = (
            None
            if outcome.delivered
            else next_attempt_at(
                utcnow(),
                delivery.attempt,
                settings.webhook_max_attempts,
                settings.webhook_retry_seconds,
                outcome.retry_after,
            )
        )
        try:
            recorded = await claims.record(
                self._sessionmaker,
                delivery,
                outcome,
                retry_at,
                keep_since=utcnow() - timedelta(days=settings.webhook_retention_days),
                disable_after=settings.webhook_disable_after,
            )
        except Exception as error:  # its lease ends and it is tried again: at least once
            log.warning(
                "webhook delivery %s: outcome not recorded: %s", delivery.delivery_id, error
            )
            return
        log.info(
            "webhook delivery %s (%s) attempt %d: %s%s",
            delivery.delivery_id,
            delivery.event_name,
            delivery.attempt,
            "delivered" if outcome.delivered else outcome.error,
            "" if recorded else " (lease lost, not recorded)",
        )


async def _finish(tasks: list[asyncio.Task[None]], seconds: float) -> None:
    """Wait up to ``seconds`` for ``tasks``, then cancel those still running."""
    if not tasks:
        return
    _done, pending = await asyncio.wait(tasks, timeout=seconds)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
