"""Outgoing webhooks: an ADMIN registers a URL and the event types it wants; each committed event
is staged in the same transaction as a delivery (an outbox row) and sent after commit, signed,
retried with backoff and recorded (docs/api.md#webhooks)."""
