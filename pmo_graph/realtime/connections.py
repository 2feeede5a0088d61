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
    """Which connections each token has open in this process."""

    def __init__(self) -> None:
        self._by_token: dict[int, set[HoldsOperations]] = defaultdict(set)

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
        """How many operations the token's connections run now."""
        return sum(len(connection.operations) for connection in self._by_token.get(token_id, ()))

    @property
    def count(self) -> int:
        """Open authenticated connections."""
        return sum(len(found) for found in self._by_token.values())
