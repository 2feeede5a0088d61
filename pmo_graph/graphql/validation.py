"""Input checks that collect userErrors instead of stopping at the first."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.unset import UNSET

from pmo_graph.canonical import canonical_text
from pmo_graph.db.base import Base
from pmo_graph.db.locks import Lock, lock_row
from pmo_graph.errors import BadUserInput
from pmo_graph.graphql.payloads import (
    CONFLICT,
    INVALID,
    NOT_FOUND,
    UserError,
    UserErrors,
    user_error,
)
from pmo_graph.ids import parse_pk
from pmo_graph.request.rows import Rows

M = TypeVar("M", bound=Base)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_MONEY = Decimal("9999999999999.99")
CENTS = Decimal("0.01")
#: The adjusted exponent of MAX_MONEY: its most significant digit is 10^12.
MAX_DIGITS = MAX_MONEY.adjusted()


def money_problem(value: Decimal, name: str) -> str | None:
    """Why ``value`` is not an amount of money (0 to ``MAX_MONEY``, at most two decimals), as a
    sentence about ``name``; None when it is one.

    It reads only the sign, the magnitude and the exponent, never converting the value, so
    ``1e900000`` or ``1e-900000`` is refused in microseconds (turning either into cents would
    hold a worker for seconds).
    """
    negative = value.is_signed() and value != 0
    if not value.is_finite() or negative or value.adjusted() > MAX_DIGITS:
        return f"{name} must be an amount between 0 and {MAX_MONEY}."
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return f"{name} has at most two decimal places."
    if value > MAX_MONEY:
        return f"{name} must be an amount between 0 and {MAX_MONEY}."
    return None


def money_argument(value: Decimal, argument: str) -> Decimal:
    """``value`` in cents' precision, or ``BAD_USER_INPUT`` naming ``argument`` when it is not an
    amount of money (see ``money_problem``)."""
    problem = money_problem(value, f"`{argument}`")
    if problem is not None:
        raise BadUserInput(problem, argument=argument)
    return value.quantize(CENTS)


def _words(type_name: str) -> str:
    """``ProjectTemplate`` as ``project template``."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type_name).lower()


def is_set(value: Any) -> bool:
    """Whether an optional input field was sent (``null`` counts as sent)."""
    return value is not UNSET


class Checks:
    """Collects userErrors; ``raise_if_any`` ends the mutation with all of them."""

    def __init__(self) -> None:
        self.errors: list[UserError] = []

    def add(self, code: str, message: str, *field: str) -> None:
        """Record a userError."""
        self.errors.append(user_error(code, message, *field))

    def raise_if_any(self) -> None:
        """Raise ``UserErrors`` if any check failed."""
        if self.errors:
            raise UserErrors(*self.errors)

    def text(self, value: str | None, field: str, *, required: bool, max_length: int) -> str | None:
        """Trimmed text; blank counts as missing."""
        if value is None:
            if required:
                self.add(INVALID, f"{field} is required.", field)
            return None
        text = value.strip()
        if not text:
            if required:
                self.add(INVALID, f"{field} must not be blank.", field)
            return None
        if len(text) > max_length:
            self.add(INVALID, f"{field} must be at most {max_length} characters.", field)
        return text

    def email(self, value: str | None, field: str = "email") -> str | None:
        """An email address in its canonical form (``canonical_text``), lower-cased, or None."""
        text = self.text(
            canonical_text(value) if value is not None else None,
            field,
            required=False,
            max_length=320,
        )
        if text is not None and not EMAIL.match(text):
            self.add(INVALID, f"{field} is not an email address.", field)
        return text.lower() if text else None

    def money(self, value: Decimal | None, field: str) -> Decimal | None:
        """A non-negative amount with at most two decimals."""
        if value is None:
            return None
        problem = money_problem(value, field)
        if problem is not None:
            self.add(INVALID, problem, field)
            return None
        return value.quantize(CENTS)

    def date_order(
        self, start: date | None, end: date | None, start_field: str, end_field: str
    ) -> None:
        """``end`` is not before ``start``."""
        if start is not None and end is not None and end < start:
            self.add(INVALID, f"{end_field} must not be before {start_field}.", end_field)

    def version(self, expected: int | None, actual: int, what: str) -> None:
        """``CONFLICT`` when the client's ``expectedVersion`` is stale."""
        if expected is not None and is_set(expected) and expected != actual:
            self.add(
                CONFLICT,
                f"The {what} is at version {actual}, not {expected}: it changed since you read "
                "it. Reload it and apply your change again.",
                "expectedVersion",
            )

    async def reference(
        self,
        session: AsyncSession | Rows,
        organisation_id: int,
        model: type[M],
        type_name: str,
        value: str | None,
        field: str,
        *,
        lock: Lock | None = None,
    ) -> M | None:
        """The row a global ID input refers to, in the viewer's organisation.

        A malformed id, an id of another type and an id of another organisation all answer the
        same ``NOT_FOUND``. With ``lock``, the row is loaded afresh and locked until the
        transaction ends (``pmo_graph.db.locks.lock_row``): pass it for the row a rule over
        several rows hangs from, before that rule is checked.

        Given ``tx.rows`` instead of ``tx.session``, the row is loaded as a Core statement on
        the driver's connection and answered detached, to read (``Transaction.rows``); it
        cannot be locked that way.
        """
        if value is None:
            return None
        pk = parse_pk(value, type_name)
        row: M | None = None
        if pk is not None:
            if isinstance(session, Rows):
                if lock is not None:
                    raise TypeError("a row loaded through tx.rows cannot be locked: use tx.session")
                row = await session.load(model, pk)
            elif lock is None:
                row = await session.get(model, pk)
            else:
                row = await lock_row(session, model, pk, lock)
        if row is not None and row.organisation_id != organisation_id:  # type: ignore[attr-defined]
            row = None  # another organisation's: answered exactly like a missing one
        if row is None:
            self.add(NOT_FOUND, f"No {_words(type_name)} has the id {value!r}.", field)
        return row
