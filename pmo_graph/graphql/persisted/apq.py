"""The store of automatic persisted queries: documents by the SHA-256 of their text.

Kept in each process's memory, as Apollo Server keeps it by default, not in the database: a
lookup costs no statement, which is the point of sending a hash instead of a document, and
losing an entry costs one round trip (the client is told ``PersistedQueryNotFound`` and sends
the text once more), so behind several workers or replicas each process learns a document the
first time that process is asked for it. Bounded by the bytes of text it keeps.
"""

from __future__ import annotations

from collections import OrderedDict


class DocumentStore:
    """A least-recently-used map of hash to text, holding at most ``max_bytes`` of text."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0

    @property
    def size_bytes(self) -> int:
        """Bytes of text (UTF-8) held now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._texts)

    def get(self, sha256: str) -> str | None:
        """The text registered under ``sha256``, marked as used; None if it is not held."""
        text = self._texts.get(sha256)
        if text is not None:
            self._texts.move_to_end(sha256)
        return text

    def put(self, sha256: str, text: str) -> None:
        """Hold ``text`` under ``sha256``, forgetting the least recently used to make room; a
        text larger than the whole store is not held."""
        size = len(text.encode())
        if size > self.max_bytes or sha256 in self._texts:
            return
        self._texts[sha256] = text
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, forgotten = self._texts.popitem(last=False)
            self._bytes -= len(forgotten.encode())
