"""Who a token is and which tiers its organisation has on, kept in each process for a few seconds.

Every request used to read both: two statements, each a round trip to PostgreSQL, before any
work. The answer changes only when a token is revoked, a user's roles change or a tier is
switched, and each of those commits a notice that every replica hears on the event bus
(``ACCESS_CHANGES``). So a process keeps the answer and forgets an organisation's entries as
soon as such a notice arrives, and at the latest after ``PMO_GRAPH_ACCESS_CACHE_SECONDS`` (which
also bounds a change nobody announced, such as a row edited by hand).

The cache is trusted only while the bus hears everything: while a replica's listening
connection is down it may miss a notice, so nothing is served from the cache then, and what was
kept before the connection dropped is not served again (``EventBus.epoch``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmo_graph.realtime.notices import ACCESS_CHANGES, Notice

if TYPE_CHECKING:
    from pmo_graph.realtime.bus import EventBus
    from pmo_graph.request.context import Viewer

#: Entries beyond which the oldest are dropped (a process serves far fewer live tokens).
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Access:
    """A token's viewer and its organisation's enabled tiers, as read at ``read_at``."""

    viewer: Viewer
    tiers: frozenset[str]
    read_at: float
    epoch: int


class AccessCache:
    """Token digest → ``Access``, forgotten per organisation when access changes."""

    def __init__(
        self,
        bus: EventBus,
        seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bus = bus
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[str, Access] = {}
        #: When each organisation's access last changed: a read that began before the change
        #: must not keep what it read.
        self._changed_at: dict[int, float] = {}
        bus.watch(self.on_notice)

    @property
    def in_use(self) -> bool:
        """Whether tokens are kept now: configured to, and the bus hears every replica."""
        return self.seconds > 0 and self.bus.hears_everything

    def get(self, digest: str) -> Access | None:
        """The kept access of a token, if still fresh and the bus has heard everything since."""
        if not self.in_use:
            return None
        access = self._entries.get(digest)
        if access is None:
            return None
        if access.epoch != self.bus.epoch or self.clock() - access.read_at >= self.seconds:
            del self._entries[digest]
            return None
        return access

    def begin_read(self) -> tuple[int, float]:
        """Mark the start of a token read (for ``put``)."""
        return self.bus.epoch, self.clock()

    def put(
        self,
        digest: str,
        viewer: Viewer,
        tiers: frozenset[str],
        began: tuple[int, float],
    ) -> None:
        """Keep what a read that began at ``began`` (``begin_read``) found, unless the
        organisation's access changed since it began or the bus missed notices meanwhile."""
        epoch, started = began
        if not self.in_use or epoch != self.bus.epoch:
            return
        if self._changed_at.get(viewer.organisation_id, float("-inf")) >= started:
            return
        if len(self._entries) >= MAX_ENTRIES:
            # Dicts keep insertion order: drop the oldest tenth.
            for stale in list(self._entries)[: MAX_ENTRIES // 10]:
                del self._entries[stale]
        self._entries[digest] = Access(viewer, tiers, started, epoch)

    def forget_organisation(self, organisation_id: int) -> None:
        """Drop every kept access of one organisation, now and for reads under way."""
        self._changed_at[organisation_id] = self.clock()
        for digest, access in list(self._entries.items()):
            if access.viewer.organisation_id == organisation_id:
                del self._entries[digest]

    def on_notice(self, notice: Notice) -> None:
        """Bus watcher: an access change forgets its organisation's entries."""
        if notice.name in ACCESS_CHANGES:
            self.forget_organisation(notice.organisation_id)
