"""Running a mutation request once per ``Idempotency-Key``, and replaying its answer.

A POST whose operation is a mutation and which carries ``Idempotency-Key`` is recorded under
its token and key before it runs, and its answer stored when it has run. The same key again:

- with the same body: the stored answer, byte for byte, with ``Idempotent-Replayed: true``;
- while the first is still running: HTTP 409 ``IDEMPOTENCY_KEY_IN_USE`` with ``Retry-After``;
- with another body: HTTP 422 ``IDEMPOTENCY_KEY_REUSED``.

An answer that says nothing ran (401, 429, 503, a 5xx, or the mutation's own field failing with
``INTERNAL_SERVER_ERROR`` or ``SERVER_BUSY``: its transaction rolled back) is not kept: the key
is free to retry. If the database cannot be reached to claim the key, the answer is 503.
Keys live ``ttl`` (a day by default) and are scoped by the token's digest, never the token.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import orjson
from graphql import GraphQLError, OperationDefinitionNode, OperationType
from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import Response

from pmo_graph.auth.tokens import token_digest
from pmo_graph.db.types import utcnow
from pmo_graph.errors import (
    BAD_USER_INPUT,
    INTERNAL_SERVER_ERROR,
    SERVER_BUSY,
    UNREACHABLE_MESSAGE,
    database_unreachable,
)
from pmo_graph.errors import IDEMPOTENCY_KEY_IN_USE as IN_USE
from pmo_graph.errors import IDEMPOTENCY_KEY_REUSED as REUSED
from pmo_graph.graphql.limits import parse_limited
from pmo_graph.http.middleware import busy_response, error_response
from pmo_graph.idempotency.models import IdempotencyKey

log = logging.getLogger("pmo_graph.idempotency")

HEADER = "idempotency-key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
#: Seconds between attempts to record a key's outcome while the database is away (~2 minutes).
PERSIST_DELAYS = (0.5, 1, 2, 4, 8, 15, 30, 60)
#: Answers that mean nothing ran: the key stays free for a retry.
NOT_RUN = frozenset({401, 429, 503})


@dataclass(frozen=True)
class KeyedRequest:
    """A mutation request with its key: who sent it, and a digest of what it asks."""

    scope: str
    key: str
    request_hash: str


def keyed_request(
    key: str | None, authorization: str | None, body: bytes, max_tokens: int
) -> KeyedRequest | Response | None:
    """The request's key if it is a mutation sent with one; a 400 for a malformed key; None
    when idempotency does not apply (no key, no token, not JSON, not a mutation)."""
    if key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        return error_response(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters; "
            "a UUID is a good key.",
            BAD_USER_INPUT,
            400,
        )
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None  # authentication refuses it before anything runs
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(payload, dict) or not _is_mutation(payload, max_tokens):
        return None
    canonical = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    return KeyedRequest(
        scope=token_digest(token.strip()),
        key=key,
        request_hash=hashlib.sha256(canonical).hexdigest(),
    )


def _is_mutation(payload: dict[str, object], max_tokens: int) -> bool:
    query, name = payload.get("query"), payload.get("operationName")
    if not isinstance(query, str):
        return False
    try:
        document = parse_limited(query, max_tokens)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o for o in operations if name is None or (o.name is not None and o.name.value == name)
    ]
    return len(chosen) == 1 and chosen[0].operation == OperationType.MUTATION


def _did_not_run(response: Response) -> bool:
    """Whether the answer says the mutation did not happen, so that a retry may run it.

    An HTTP refusal did not run. Nor did a mutation whose own field failed unexpectedly or for
    want of a connection (its transaction rolled back); an error deeper in the payload came
    after the commit, and the answer is kept.
    """
    if response.status_code in NOT_RUN or response.status_code >= 500:
        return True
    try:
        answer = orjson.loads(bytes(response.body))
    except orjson.JSONDecodeError:
        return False
    errors = answer.get("errors") if isinstance(answer, dict) else None
    return any(
        isinstance(error, dict)
        and len(error.get("path") or []) == 1
        and (error.get("extensions") or {}).get("code") in (INTERNAL_SERVER_ERROR, SERVER_BUSY)
        for error in errors or []
    )


class IdempotencyKeys:
    """Records keyed mutation requests and their answers (see the module's doc)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], ttl: timedelta) -> None:
        self.sessionmaker = sessionmaker
        self.ttl = ttl
        #: Writes of keys waiting for the database to come back.
        self._retries: set[asyncio.Task[None]] = set()

    async def run(
        self, request: KeyedRequest, answer: Callable[[], Awaitable[Response]]
    ) -> Response:
        """The stored answer for a retry, else ``answer()``'s, recorded under the key."""
        try:
            early = await self._claim(request)
        except (DBAPIError, OSError, PoolTimeout) as error:
            if isinstance(error, PoolTimeout) or database_unreachable(error):
                return busy_response(UNREACHABLE_MESSAGE)
            raise
        if early is not None:
            return early
        try:
            response = await answer()
        except BaseException:
            await self._release(request)
            raise
        if _did_not_run(response):
            await self._release(request)
        else:
            await self._store(request, response)
        return response

    async def _claim(self, request: KeyedRequest) -> Response | None:
        """Record the key as running; or the answer a retry gets instead of running."""
        now = utcnow()
        async with self.sessionmaker() as session:
            await session.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.scope == request.scope, IdempotencyKey.expires_at <= now
                )
            )
            session.add(
                IdempotencyKey(
                    scope=request.scope,
                    key=request.key,
                    request_hash=request.request_hash,
                    state="running",
                    created_at=now,
                    expires_at=now + self.ttl,
                )
            )
            try:
                await session.commit()
                return None
            except IntegrityError:
                await session.rollback()
            found = await session.scalar(
                select(IdempotencyKey).where(
                    IdempotencyKey.scope == request.scope, IdempotencyKey.key == request.key
                )
            )
        if found is None:  # expired and removed in between: run it
            return await self._claim(request)
        if found.request_hash != request.request_hash:
            return error_response(
                "This Idempotency-Key was used for a different request in the last "
                f"{self._hours()} hours; send a new key for a new request.",
                REUSED,
                422,
            )
        if found.state != "done" or found.body is None or found.status_code is None:
            return error_response(
                "A request with this Idempotency-Key is still running; retry in a second to get "
                "its answer.",
                IN_USE,
                409,
                {"Retry-After": "1"},
            )
        return Response(
            found.body,
            status_code=found.status_code,
            media_type="application/json",
            headers={REPLAYED: "true"},
        )

    async def _store(self, request: KeyedRequest, response: Response) -> None:
        body = bytes(response.body).decode()

        async def store() -> None:
            async with self.sessionmaker() as session:
                row = await session.scalar(
                    select(IdempotencyKey).where(
                        IdempotencyKey.scope == request.scope, IdempotencyKey.key == request.key
                    )
                )
                if row is not None:
                    row.state = "done"
                    row.status_code = response.status_code
                    row.body = body
                    await session.commit()

        await self._persist(store, f"store the answer of key {request.key}")

    async def _release(self, request: KeyedRequest) -> None:
        async def release() -> None:
            async with self.sessionmaker() as session:
                await session.execute(
                    delete(IdempotencyKey).where(
                        IdempotencyKey.scope == request.scope,
                        IdempotencyKey.key == request.key,
                        IdempotencyKey.state == "running",
                    )
                )
                await session.commit()

        await self._persist(release, f"free key {request.key}")

    async def _persist(self, write: Callable[[], Awaitable[None]], what: str) -> None:
        """Run ``write`` now; if the database is away (restarting), keep trying in the
        background, so that a key is not left "in use" for a day by a short outage."""
        try:
            await write()
            return
        except Exception:
            log.warning("could not %s; retrying in the background", what, exc_info=True)

        async def retry() -> None:
            for delay in PERSIST_DELAYS:
                await asyncio.sleep(delay)
                try:
                    await write()
                    return
                except Exception:
                    continue
            log.error("gave up trying to %s: retries are told it is in use until it expires", what)

        task = asyncio.create_task(retry())
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)

    def _hours(self) -> int:
        return int(self.ttl.total_seconds() // 3600)
