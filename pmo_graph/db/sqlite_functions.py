"""Functions SQLite lacks, registered on every SQLite connection the engine opens, so the
compiled path's statements (``pmo_graph.graphql.compiled.dialect``) build the same JSON there as
on PostgreSQL: the global id's base64 and a cursor's URL-safe base64, a float and a timestamp
printed as Python prints them, and PostgreSQL's rounding of a double through ``numeric``."""

from __future__ import annotations

import base64
import math
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

import orjson

#: What ``float8::numeric`` keeps of a double on PostgreSQL: 15 significant digits.
DOUBLE_DIGITS = 15
_WIDE = Context(prec=60)


def pmo_base64(text: str | None) -> str | None:
    """Base64 of ``text`` (UTF-8), as ``encode(convert_to(text, 'UTF8'), 'base64')`` without
    its line breaks."""
    return None if text is None else base64.b64encode(str(text).encode()).decode()


def pmo_base64url(text: str | None) -> str | None:
    """URL-safe base64 of ``text`` (UTF-8), padded: ``base64.urlsafe_b64encode``, as
    ``pagination.encode_cursor`` writes a cursor."""
    return None if text is None else base64.urlsafe_b64encode(str(text).encode()).decode()


def pmo_isoformat(value: str | None, aware: int) -> str | None:
    """A stored timestamp as the DateTime scalar prints what SQLAlchemy reads back:
    ``isoformat()``, microseconds only when there are any, and for an ``aware`` column
    (``UTCDateTime``) in UTC with ``+00:00``. SQLite keeps the text SQLAlchemy wrote
    (``2026-11-02 03:04:05.000120``) or, from SQL, ``CURRENT_TIMESTAMP``'s."""
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value))
    if aware:
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat()


def pmo_json_float(value: float | None) -> str | None:
    """``value`` as a JSON number, as the response encoder prints a Python float (SQLite prints
    15 significant digits: ``0.3`` for ``0.1 + 0.2``)."""
    return None if value is None else orjson.dumps(float(value)).decode()


def pmo_numeric_round(value: float | None, places: int) -> float | None:
    """PostgreSQL's ``round(value::numeric, places)::float8``: the double read as the decimal of
    its 15 significant digits, rounded half away from zero."""
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        return number
    figure = Decimal(f"{number:.{DOUBLE_DIGITS}g}").quantize(
        Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP, context=_WIDE
    )
    return float(figure) + 0.0  # no negative zero, which PostgreSQL does not give


FUNCTIONS: dict[str, tuple[int, Any]] = {
    "pmo_base64": (1, pmo_base64),
    "pmo_base64url": (1, pmo_base64url),
    "pmo_isoformat": (2, pmo_isoformat),
    "pmo_json_float": (1, pmo_json_float),
    "pmo_numeric_round": (2, pmo_numeric_round),
}


def register_functions(dbapi_connection: Any) -> None:
    """Make ``FUNCTIONS`` callable in SQL on a new SQLite connection (sqlite3 or aiosqlite's)."""
    for name, (arguments, function) in FUNCTIONS.items():
        dbapi_connection.create_function(name, arguments, function, deterministic=True)
