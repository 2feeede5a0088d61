"""Signing deliveries, and checking a signature as a receiver does.

``PMO-Graph-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`` (the scheme
Stripe uses): the timestamp is signed with the body, so a captured request cannot be replayed
later than the receiver's tolerance. A receiver that knows the secret checks it with
``verify_signature``; it needs nothing else of pmo-graph.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

#: The scheme of the signature (``v1=`` in the header).
SCHEME = "v1"
#: Prefix of every signing secret, so that one is recognisable in a configuration file.
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret (256 random bits)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(
    secret: str, body: bytes, timestamp: int | None = None, previous: str | None = None
) -> str:
    """The ``PMO-Graph-Signature`` value for ``body`` sent at ``timestamp`` (default: now);
    with ``previous`` (a rotated secret in its grace period), a second ``v1=`` signed with it,
    so receivers that still hold the old secret keep accepting deliveries."""
    at = int(time.time()) if timestamp is None else timestamp
    header = f"t={at},{SCHEME}={_digest(secret, at, body)}"
    if previous is not None:
        header += f",{SCHEME}={_digest(previous, at, body)}"
    return header


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    tolerance_seconds: int = 300,
    now: float | None = None,
) -> bool:
    """Whether ``header`` (``PMO-Graph-Signature``) signs ``body`` with ``secret``, recently.

    ``body`` is the request body exactly as received (bytes, before any JSON parsing). The
    signature's timestamp must be within ``tolerance_seconds`` of ``now`` (default: the clock),
    which bounds replays. A header with several ``v1=`` values matches if any of them does.
    The comparison takes constant time.
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    clock = time.time() if now is None else now
    if abs(clock - timestamp) > tolerance_seconds:
        return False
    expected = _digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
