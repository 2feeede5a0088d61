"""Running a mutation: its write (``pmo_graph.writes``) answered as a payload with its userErrors.

The unit of work moved to ``pmo_graph.request.transaction`` and the write pipeline to
``pmo_graph.writes``; the old names still resolve here, with a ``DeprecationWarning``, until
pmo-graph 0.3.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from pmo_graph._deprecated import moved
from pmo_graph.db.base import Base
from pmo_graph.db.integrity import duplicate_of, is_unique_violation
from pmo_graph.graphql.payloads import (
    CONFLICT,
    DUPLICATE,
    INVALID,
    UserError,
    UserErrors,
    user_error,
)
from pmo_graph.graphql.user_error_codes import UnregisteredUserErrorCode, UserErrorCodeSpec
from pmo_graph.request.app import App
from pmo_graph.request.context import Context, get_context
from pmo_graph.writes import run_in_transaction

if TYPE_CHECKING:
    from strawberry.types import Info


log = logging.getLogger("pmo_graph.mutations")

P = TypeVar("P")


class CodesApp(App, Protocol):
    """The app as a mutation answers in it: the user error codes the plugins registered."""

    @property
    def user_error_codes(self) -> Mapping[str, UserErrorCodeSpec]: ...


def _registered(context: Context, action: str, errors: list[UserError]) -> list[UserError]:
    """``errors``, refused when one carries a code no plugin registered: that is a bug of the
    mutation, found by its tests here rather than at serialisation."""
    codes = cast(CodesApp, context.app).user_error_codes
    for error in errors:
        if error.code not in codes:
            raise UnregisteredUserErrorCode(
                f"mutation {action} answered user error code {error.code!r}, which no plugin "
                "registered; return it from the hook register_user_error_codes "
                f"(registered: {', '.join(sorted(codes))})"
            )
    return errors


def _payload(payload_type: type[P], thing: Any, errors: list[UserError]) -> P:
    definition = payload_type.__strawberry_definition__  # type: ignore[attr-defined]
    names = [f.python_name for f in definition.fields if f.python_name != "user_errors"]
    return payload_type(**{names[0]: thing, "user_errors": errors})


async def run_mutation(
    info: Info[Any, Any],
    action: str,
    payload_type: type[P],
    body: Callable[[Transaction], Awaitable[Any]],
) -> P:
    """Run ``body`` in one write transaction and wrap what it returns in ``payload_type``.

    ``body`` raises ``UserErrors`` to roll back and answer them; it must call
    ``Transaction.audit`` at least once. A concurrent update of a versioned row answers
    ``CONFLICT``, a unique-constraint race ``DUPLICATE``; coded errors (``FORBIDDEN`` …) propagate.
    """
    context = get_context(info)
    try:
        thing = await run_in_transaction(context, action, body)
    except UserErrors as exc:
        return _payload(payload_type, None, _registered(context, action, exc.errors))
    except StaleDataError:
        return _payload(
            payload_type,
            None,
            [
                user_error(
                    CONFLICT,
                    "Someone else changed this while you were saving; reload it and try again.",
                    "expectedVersion",
                )
            ],
        )
    except IntegrityError as exc:
        if is_unique_violation(exc):
            # Another request wrote the same value between this one's check and its write.
            duplicate = duplicate_of(exc, Base.metadata)
            error = user_error(
                DUPLICATE,
                duplicate.message or "Something with the same unique value already exists.",
                *((duplicate.field,) if duplicate.field else ()),
            )
        else:
            log.warning("integrity error in %s: %s", action, exc.orig)
            error = user_error(INVALID, "The input refers to something that no longer exists.")
        return _payload(payload_type, None, [error])
    return _payload(payload_type, thing, [])


if TYPE_CHECKING:  # what the type checker sees; at run time the names resolve on first use
    from pmo_graph.request.transaction import Transaction as Transaction
    from pmo_graph.request.transaction import diff as diff
    from pmo_graph.request.transaction import json_value as json_value
    from pmo_graph.request.transaction import snapshot as snapshot
    from pmo_graph.writes import MAX_ATTEMPTS as MAX_ATTEMPTS
    from pmo_graph.writes import MAX_REACTION_EVENTS as MAX_REACTION_EVENTS
    from pmo_graph.writes import react_in_transaction as react_in_transaction

__getattr__ = moved(
    __name__,
    {
        "Transaction": "pmo_graph.request.transaction",
        "json_value": "pmo_graph.request.transaction",
        "snapshot": "pmo_graph.request.transaction",
        "diff": "pmo_graph.request.transaction",
        "MAX_REACTION_EVENTS": "pmo_graph.writes",
        "MAX_ATTEMPTS": "pmo_graph.writes",
        "react_in_transaction": "pmo_graph.writes",
    },
)
