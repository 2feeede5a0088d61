"""Idempotency keys: a client may retry a mutation safely (``Idempotency-Key`` header)."""
