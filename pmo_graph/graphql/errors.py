"""Coded errors as GraphQL sees them: a ``GraphQLError`` with a code, and which field errors
say that a stored value is out of range.

The codes and the exceptions that carry them moved to ``pmo_graph.errors`` (the kernel); the old
names still resolve here, with a ``DeprecationWarning``, until pmo-graph 0.3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import GraphQLError

from pmo_graph._deprecated import moved
from pmo_graph.errors import OUT_OF_RANGE_SQLSTATES


def coded_graphql_error(message: str, code: str, **extensions: Any) -> GraphQLError:
    """A ``GraphQLError`` carrying ``extensions.code``, for validation rules and extensions."""
    return GraphQLError(message, extensions={"code": code, **extensions})


#: How graphql-core refuses a leaf it cannot represent (a float that is not finite, an integer
#: beyond 32 bits): the value was computed from stored data, not sent.
UNREPRESENTABLE_OUTPUTS = (
    "Float cannot represent non numeric value",
    "Int cannot represent non 32-bit signed integer value",
)


def out_of_range(error: GraphQLError) -> bool:
    """Whether a field failed because a number or a date went out of range while it was
    computed from stored values: Python's arithmetic (``OverflowError``, a decimal signal),
    the database's (numeric or date overflow), or a result graphql-core cannot represent."""
    original = error.original_error
    if isinstance(original, ArithmeticError) and not isinstance(original, ZeroDivisionError):
        return True
    if getattr(getattr(original, "orig", None), "sqlstate", None) in OUT_OF_RANGE_SQLSTATES:
        return True
    return (
        isinstance(original, GraphQLError)
        and error.path is not None
        and not (original.extensions or {}).get("code")
        and original.message.startswith(UNREPRESENTABLE_OUTPUTS)
    )


if TYPE_CHECKING:  # what the type checker sees; at run time the names resolve on first use
    from pmo_graph.errors import (
        BAD_USER_INPUT as BAD_USER_INPUT,
    )
    from pmo_graph.errors import (
        BUSY_MESSAGE as BUSY_MESSAGE,
    )
    from pmo_graph.errors import (
        BUSY_RETRY_AFTER as BUSY_RETRY_AFTER,
    )
    from pmo_graph.errors import (
        COMPUTATION_TIME_LIMIT as COMPUTATION_TIME_LIMIT,
    )
    from pmo_graph.errors import (
        ERROR_CODES as ERROR_CODES,
    )
    from pmo_graph.errors import (
        FORBIDDEN as FORBIDDEN,
    )
    from pmo_graph.errors import (
        IDEMPOTENCY_KEY_IN_USE as IDEMPOTENCY_KEY_IN_USE,
    )
    from pmo_graph.errors import (
        IDEMPOTENCY_KEY_REUSED as IDEMPOTENCY_KEY_REUSED,
    )
    from pmo_graph.errors import (
        INTERNAL_SERVER_ERROR as INTERNAL_SERVER_ERROR,
    )
    from pmo_graph.errors import (
        NOT_FOUND as NOT_FOUND,
    )
    from pmo_graph.errors import (
        OUT_OF_RANGE as OUT_OF_RANGE,
    )
    from pmo_graph.errors import (
        OUT_OF_RANGE_MESSAGE as OUT_OF_RANGE_MESSAGE,
    )
    from pmo_graph.errors import (
        PERSISTED_QUERY_NOT_ALLOWED as PERSISTED_QUERY_NOT_ALLOWED,
    )
    from pmo_graph.errors import (
        PERSISTED_QUERY_NOT_FOUND as PERSISTED_QUERY_NOT_FOUND,
    )
    from pmo_graph.errors import (
        PERSISTED_QUERY_NOT_SUPPORTED as PERSISTED_QUERY_NOT_SUPPORTED,
    )
    from pmo_graph.errors import (
        QUERY_TOO_COMPLEX as QUERY_TOO_COMPLEX,
    )
    from pmo_graph.errors import (
        RATE_LIMITED as RATE_LIMITED,
    )
    from pmo_graph.errors import (
        SERVER_BUSY as SERVER_BUSY,
    )
    from pmo_graph.errors import (
        SLOW_CONSUMER as SLOW_CONSUMER,
    )
    from pmo_graph.errors import (
        TIER_NOT_ENABLED as TIER_NOT_ENABLED,
    )
    from pmo_graph.errors import (
        TOO_MANY_SUBSCRIPTIONS as TOO_MANY_SUBSCRIPTIONS,
    )
    from pmo_graph.errors import (
        UNAUTHENTICATED as UNAUTHENTICATED,
    )
    from pmo_graph.errors import (
        UNREACHABLE_ERRORS as UNREACHABLE_ERRORS,
    )
    from pmo_graph.errors import (
        UNREACHABLE_MESSAGE as UNREACHABLE_MESSAGE,
    )
    from pmo_graph.errors import (
        BadUserInput as BadUserInput,
    )
    from pmo_graph.errors import (
        CodedError as CodedError,
    )
    from pmo_graph.errors import (
        ComputationTimeLimit as ComputationTimeLimit,
    )
    from pmo_graph.errors import (
        Forbidden as Forbidden,
    )
    from pmo_graph.errors import (
        NotFound as NotFound,
    )
    from pmo_graph.errors import (
        TierNotEnabled as TierNotEnabled,
    )
    from pmo_graph.errors import (
        Unauthenticated as Unauthenticated,
    )
    from pmo_graph.errors import (
        database_unreachable as database_unreachable,
    )

__getattr__ = moved(
    __name__,
    {
        "BAD_USER_INPUT": "pmo_graph.errors",
        "BUSY_MESSAGE": "pmo_graph.errors",
        "BUSY_RETRY_AFTER": "pmo_graph.errors",
        "BadUserInput": "pmo_graph.errors",
        "COMPUTATION_TIME_LIMIT": "pmo_graph.errors",
        "CodedError": "pmo_graph.errors",
        "ComputationTimeLimit": "pmo_graph.errors",
        "ERROR_CODES": "pmo_graph.errors",
        "FORBIDDEN": "pmo_graph.errors",
        "Forbidden": "pmo_graph.errors",
        "IDEMPOTENCY_KEY_IN_USE": "pmo_graph.errors",
        "IDEMPOTENCY_KEY_REUSED": "pmo_graph.errors",
        "INTERNAL_SERVER_ERROR": "pmo_graph.errors",
        "NOT_FOUND": "pmo_graph.errors",
        "NotFound": "pmo_graph.errors",
        "OUT_OF_RANGE": "pmo_graph.errors",
        "OUT_OF_RANGE_MESSAGE": "pmo_graph.errors",
        "PERSISTED_QUERY_NOT_ALLOWED": "pmo_graph.errors",
        "PERSISTED_QUERY_NOT_FOUND": "pmo_graph.errors",
        "PERSISTED_QUERY_NOT_SUPPORTED": "pmo_graph.errors",
        "QUERY_TOO_COMPLEX": "pmo_graph.errors",
        "RATE_LIMITED": "pmo_graph.errors",
        "SERVER_BUSY": "pmo_graph.errors",
        "SLOW_CONSUMER": "pmo_graph.errors",
        "TIER_NOT_ENABLED": "pmo_graph.errors",
        "TOO_MANY_SUBSCRIPTIONS": "pmo_graph.errors",
        "TierNotEnabled": "pmo_graph.errors",
        "UNAUTHENTICATED": "pmo_graph.errors",
        "UNREACHABLE_ERRORS": "pmo_graph.errors",
        "UNREACHABLE_MESSAGE": "pmo_graph.errors",
        "Unauthenticated": "pmo_graph.errors",
        "database_unreachable": "pmo_graph.errors",
    },
)
