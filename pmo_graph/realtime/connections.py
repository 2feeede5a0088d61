"""The WebSocket connections of this process, by token: for the per-token subscription cap."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sized
from typing import Protocol


class HoldsOperations(Protocol):
    """A connection handler: its running operations, by id."""

    @property
    def operations(self) -> Sized: ...


class Connections:
    """Which connections each token has open in this process, and how many subscriptions the
    token holds on the other processes (as of the last round of ``token_counts``)."""

    def __init__(self) -> None:
        self._by_token: dict[int, set[HoldsOperations]] = defaultdict(set)
        self._elsewhere: dict[int, int] = {}

    def add(self, token_id: int, connection: HoldsOperations) -> None:
        """Record an authenticated connection of ``token_id``."""
        self._by_token[token_id].add(connection)

    def discard(self, token_id: int, connection: HoldsOperations) -> None:
        """Forget a connection that closed."""
        found = self._by_token.get(token_id)
        if found is not None:
            found.discard(connection)
            if not found:
                del self._by_token[token_id]

    def operations_of(self, token_id: int) -> int:
        """How many operations the token's connections run now, in this process."""
        return sum(len(connection.operations) for connection in self._by_token.get(token_id, ()))

    def held_everywhere(self, token_id: int) -> int:
        """The token's subscriptions here and, as last learnt, on the other processes."""
        return self.operations_of(token_id) + self._elsewhere.get(token_id, 0)

    def tokens(self) -> list[int]:
        """The tokens with a connection open in this process."""
        return list(self._by_token)

    def learn_elsewhere(self, counts: dict[int, int]) -> None:
        """What the tokens connected here hold on the other processes (absent: none)."""
        self._elsewhere = counts
