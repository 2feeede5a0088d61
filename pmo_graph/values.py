"""The values pmo-graph accepts in any input, and date arithmetic that stays within them.

Every value a client sends is checked against these ranges before anything runs
(``pmo_graph.graphql.input_values``), so no resolver, rule or database sees a value it cannot
store or compute with:

- **dates** from 1900-01-01 to 2999-12-31. An office plans, reports and measures within a
  lifetime either way; the range leaves room for history (a programme's benefits baseline from
  the last century) and for far targets, and keeps every date plus any offset the API allows
  (at most 3650 days) far inside what Python, SQLite and PostgreSQL can represent (years 1 to
  9999), so date arithmetic cannot overflow;
- **numbers** (``Float``) finite and at most 1e15 either way: a double holds every whole number
  up to 2**53 (about 9.007e15) exactly, so a figure typed in any unit (pence, hours, items) keeps
  its last digit, and sums and products of thousands of such figures stay far from the largest
  double (1.8e308). Fields with a domain range of their own (an allocation, a share, a score)
  keep it;
- **amounts** (``Decimal``) finite and at most 1e15 either way (money is held to
  9999999999999.99 by the mutations that store it);
- **text** (``String``, ``ID``) without control characters other than tab, line feed and
  carriage return: PostgreSQL refuses NUL in text, SQLite would store it, and the other C0
  characters are never part of a name, a note or a search, only of terminal escapes and
  corrupted input. Both databases answer the same.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2999, 12, 31)
#: The largest magnitude of a ``Float`` or ``Decimal`` input.
MAX_MAGNITUDE = 1e15
MAX_AMOUNT = Decimal("1e15")
#: How the bound is written in messages.
MAGNITUDE_TEXT = f"1e{round(math.log10(MAX_MAGNITUDE))}"
#: The control characters text may hold.
ALLOWED_CONTROLS = frozenset("\t\n\r")


def date_problem(value: date) -> str | None:
    """Why ``value`` is not a date pmo-graph accepts, or None."""
    if FIRST_DATE <= value <= LAST_DATE:
        return None
    return f"is {value.isoformat()}; dates run from {FIRST_DATE} to {LAST_DATE}."


def number_problem(value: float) -> str | None:
    """Why ``value`` is not a number pmo-graph accepts, or None."""
    if math.isfinite(value) and abs(value) <= MAX_MAGNITUDE:
        return None
    return f"is {value:g}; numbers must be finite and from -{MAGNITUDE_TEXT} to {MAGNITUDE_TEXT}."


def amount_problem(value: Decimal) -> str | None:
    """Why ``value`` is not an amount pmo-graph accepts, or None."""
    if value.is_finite() and abs(value) <= MAX_AMOUNT:
        return None
    return f"is {value}; amounts must be finite and from -{MAGNITUDE_TEXT} to {MAGNITUDE_TEXT}."


def text_problem(value: str) -> str | None:
    """Why ``value`` is not text pmo-graph accepts (a control character), or None."""
    for position, character in enumerate(value):
        if ord(character) < 32 and character not in ALLOWED_CONTROLS:
            return (
                f"holds the control character U+{ord(character):04X} at position {position}; "
                "send text without control characters (tab, line feed and carriage return "
                "are allowed)."
            )
    return None


def add_days(day: date, days: int) -> date | None:
    """``day`` moved by ``days``, or None when that leaves the dates pmo-graph accepts.

    Use it wherever an input moves a date (a template's offsets, a scenario's shift), so that
    what is stored stays within the range and the next move cannot overflow.
    """
    try:
        moved = day + timedelta(days=days)
    except OverflowError:
        return None
    return moved if FIRST_DATE <= moved <= LAST_DATE else None
