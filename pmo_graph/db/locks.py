"""Row locks for rules that span rows: take the lock, then check, then write.

Under PostgreSQL's READ COMMITTED two transactions that each read "the shares so far", find
room and insert one more both commit, and the sum passes the limit; a check in Python cannot
see the other transaction's rows. A lock on the row the rule hangs from (the benefit whose
shares are summed) or on a scope of the organisation (its dependencies, which may not loop),
taken *before* the rule is checked, makes every such writer wait for the one before it to
commit; each statement after the lock reads what the earlier writers committed.

On SQLite a write transaction begins ``IMMEDIATE`` (``pmo_graph.db.session``): it holds the
whole database's write lock from its first statement, so writers already take turns and these
helpers run the same code without a lock clause (SQLAlchemy leaves ``FOR …`` out there).

Deadlocks are avoided by order: a scope first, then rows (in ascending id when several), and
the organisation's row last, which only the audit chain takes, just before every commit. Where
an order cannot be kept (a reaction of another plugin writes what it writes), PostgreSQL finds
the deadlock and ``run_mutation`` runs the mutation again.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import Select, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.db.base import Base
from pmo_graph.db.integrity import sqlstate

M = TypeVar("M", bound=Base)


class Lock(enum.Enum):
    """How a rule holds the row it depends on until its transaction ends."""

    #: Writers of the row's details take turns (``FOR NO KEY UPDATE``): for a rule over the
    #: row's children, such as the shares of one benefit. Inserts of rows that merely
    #: reference it (a foreign key) are not blocked.
    WRITE = "write"
    #: The row may not change until the transaction ends (``FOR SHARE``): for a rule that reads
    #: a column of it, while other rules may read it too.
    READ = "read"


async def lock_row(
    session: AsyncSession, model: type[M], pk: int, lock: Lock = Lock.WRITE
) -> M | None:
    """Load the row ``pk`` of ``model`` and lock it, waiting for any writer holding it.

    The loaded object is refreshed from the database (``populate_existing``): what it says was
    committed before the lock was granted. None when there is no such row.
    """
    statement = select(model).where(
        model.__mapper__.primary_key[0] == pk  # type: ignore[attr-defined]
    )
    row: M | None = await session.scalar(_locking(statement, lock))
    return row


def _locking(statement: Select[Any], lock: Lock) -> Select[Any]:
    """``statement`` refreshing what it loads and taking ``lock`` on each row."""
    return statement.execution_options(populate_existing=True).with_for_update(
        key_share=lock is Lock.WRITE, read=lock is Lock.READ
    )


async def ensure_row(
    session: AsyncSession,
    model: type[M],
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    lock: Lock = Lock.WRITE,
) -> M:
    """The row of ``model`` with primary or unique ``key``, created with ``values`` if there
    is none yet, and locked (``lock_row``'s refreshed object).

    For a row that holds one state per parent (a programme's beat, an organisation's
    settings): two requests that both find none would both insert it and one would fail on
    the key. Here the insert does nothing when the row exists (``ON CONFLICT DO NOTHING``),
    and the locking read that follows waits for a concurrent creator to commit.
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(model).values({**values, **key}).on_conflict_do_nothing(index_elements=list(key))
    )
    row: M = (await session.scalars(_locking(select(model).filter_by(**key), lock))).one()
    return row


_SCOPE_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def scope_key(organisation_id: int, scope: str) -> int:
    """The advisory-lock key of one organisation's ``scope``: a signed 64-bit integer. Two
    scopes that meet on one key only take turns more than they need to."""
    digest = hashlib.blake2b(f"{organisation_id}:{scope}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def lock_scope(session: AsyncSession, organisation_id: int, scope: str) -> None:
    """Hold ``scope`` of the organisation (``"dependencies"``, ``"tiers"`` …) until the
    transaction ends: for a rule over a whole set of rows that no one row stands for, such as
    "no loop among the organisation's dependencies". Concurrent holders of one scope take
    turns; nothing else waits for it.

    Take it first, before the transaction writes or locks any row: a holder of a row that then
    waited for a scope could meet a holder of the scope waiting for that row. On PostgreSQL it
    is a transaction-level advisory lock (released at commit or rollback, safe behind PgBouncer
    in transaction mode); on SQLite no statement is run, the write transaction already holds
    the database's lock.
    """
    if session.get_bind().dialect.name == "sqlite":
        return
    await session.execute(_SCOPE_LOCK, {"key": scope_key(organisation_id, scope)})


#: SQLSTATEs of a transaction PostgreSQL ended so that another could go on: a deadlock, and a
#: serialisation failure. Run again from the start, it meets the other writer committed.
RUN_AGAIN = frozenset({"40P01", "40001"})


def must_run_again(exc: DBAPIError) -> bool:
    """Whether ``exc`` ended the transaction for a deadlock or a serialisation failure."""
    return sqlstate(exc) in RUN_AGAIN
