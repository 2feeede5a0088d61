"""Coded errors: every error a client sees carries ``extensions.code``.

The kernel's half: the codes, the exceptions that carry them and the database-failure tests,
with nothing of GraphQL (``pmo_graph.graphql.errors`` turns them into GraphQL errors)."""

from __future__ import annotations

from typing import Any

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
TIER_NOT_ENABLED = "TIER_NOT_ENABLED"
NOT_FOUND = "NOT_FOUND"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
SERVER_BUSY = "SERVER_BUSY"
RATE_LIMITED = "RATE_LIMITED"
IDEMPOTENCY_KEY_IN_USE = "IDEMPOTENCY_KEY_IN_USE"
IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"
SLOW_CONSUMER = "SLOW_CONSUMER"
COMPUTATION_TIME_LIMIT = "COMPUTATION_TIME_LIMIT"
OUT_OF_RANGE = "OUT_OF_RANGE"
#: Automatic persisted queries: the hash names no document this process holds; the client
#: sends the request again with its ``query`` (Apollo's message and code, which its link reads).
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
#: Automatic persisted queries are off (``PMO_GRAPH_APQ_CACHE_BYTES=0``); the client stops
#: hashing and sends its documents.
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
#: Trusted documents: the request's document is not one the manifest lists.
PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
#: Seconds a client is asked to wait before retrying a request the server was too busy for.
BUSY_RETRY_AFTER = 1
UNREACHABLE_MESSAGE = (
    "The database cannot be reached just now (it may be restarting); nothing was done. "
    f"Retry in {BUSY_RETRY_AFTER} second."
)
BUSY_MESSAGE = (
    "The server is too busy to answer now (every database connection is in use); "
    f"retry in {BUSY_RETRY_AFTER} second."
)

ERROR_CODES = (
    UNAUTHENTICATED,
    FORBIDDEN,
    TIER_NOT_ENABLED,
    NOT_FOUND,
    QUERY_TOO_COMPLEX,
    BAD_USER_INPUT,
    INTERNAL_SERVER_ERROR,
    SERVER_BUSY,
    RATE_LIMITED,
    IDEMPOTENCY_KEY_IN_USE,
    IDEMPOTENCY_KEY_REUSED,
    TOO_MANY_SUBSCRIPTIONS,
    SLOW_CONSUMER,
    COMPUTATION_TIME_LIMIT,
    OUT_OF_RANGE,
    PERSISTED_QUERY_NOT_FOUND,
    PERSISTED_QUERY_NOT_SUPPORTED,
    PERSISTED_QUERY_NOT_ALLOWED,
)


class CodedError(Exception):
    """An error raised by a resolver that reaches the client with its message and code."""

    code = BAD_USER_INPUT

    def __init__(self, message: str, *, code: str | None = None, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extensions = extensions

    def as_extensions(self) -> dict[str, Any]:
        """The ``extensions`` object of the GraphQL error."""
        return {"code": self.code, **self.extensions}


class Unauthenticated(CodedError):
    """No valid bearer token."""

    code = UNAUTHENTICATED


class Forbidden(CodedError):
    """The viewer's roles do not allow this."""

    code = FORBIDDEN


class TierNotEnabled(CodedError):
    """The field belongs to a tier the organisation has not switched on."""

    code = TIER_NOT_ENABLED

    def __init__(self, tier: str) -> None:
        super().__init__(
            f"This field needs the {tier!r} tier, which is not enabled for your organisation; "
            f"an ADMIN can enable it with the enableTier mutation.",
            tier=tier,
        )


class NotFound(CodedError):
    """A referenced object does not exist (or belongs to another organisation)."""

    code = NOT_FOUND


class BadUserInput(CodedError):
    """An argument is malformed or out of range."""

    code = BAD_USER_INPUT


class ComputationTimeLimit(CodedError):
    """A computation did not finish within ``PMO_GRAPH_COMPUTATION_SECONDS`` (its wait for a
    worker included) and was stopped."""

    code = COMPUTATION_TIME_LIMIT

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"This field's computation did not finish within the server's limit of {seconds:g} "
            "seconds (its wait for a free worker included) and was stopped; nothing was "
            "changed. Ask for less at once (fewer candidates, a shorter period), or retry when "
            "the server is less busy.",
            limitSeconds=seconds,
        )


#: What a field answers whose figure cannot be computed from the values stored for it.
OUT_OF_RANGE_MESSAGE = (
    "This figure cannot be computed: a value stored for it is out of the range pmo-graph "
    "accepts (saved before its input limits, or the result overflows). Nothing is wrong with "
    "the request; ask an administrator to correct the stored value (the server log names it "
    "under request id {request_id})."
)
#: SQLSTATEs of a value or a date out of range in the database's arithmetic.
OUT_OF_RANGE_SQLSTATES = frozenset({"22003", "22008"})


def database_unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the database could not be reached (restarting, down, or the
    connection dropped), as opposed to a statement that failed."""
    if isinstance(error, OSError):
        return True
    if getattr(error, "connection_invalidated", False):
        return True
    original = getattr(error, "orig", None)
    names = {type(original).__name__, type(getattr(original, "__cause__", None)).__name__}
    return bool(names & UNREACHABLE_ERRORS) or isinstance(original, OSError)


#: asyncpg's errors for a database that is shutting down, starting or gone.
UNREACHABLE_ERRORS = frozenset(
    {
        "CannotConnectNowError",
        "AdminShutdownError",
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "ConnectionRefusedError",
    }
)
