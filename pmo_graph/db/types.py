"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: Primary and foreign keys: BIGINT on PostgreSQL, INTEGER on SQLite (where only
#: ``INTEGER PRIMARY KEY`` is an auto-incrementing rowid alias).
BigId = BigInteger().with_variant(Integer(), "sqlite")

#: Money: 18 digits with 2 decimals.
Money = Numeric(18, 2, asdecimal=True)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so values come back naive; this type restores UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs a timezone-aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today in the office's calendar: the date in UTC. The compiled SQL path's ``{today}`` and
    every default ``asOf`` are this date, so a resolver that uses it agrees with the SQL path."""
    return utcnow().date()
