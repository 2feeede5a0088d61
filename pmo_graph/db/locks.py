"""Row locks for rules that span rows: take the lock, then check, then write.

Under PostgreSQL's READ COMMITTED two transactions that each read "the shares so far", find
room and insert one more both commit, and the sum passes the limit; a check in Python cannot
see the other transaction's rows. A lock on the row the rule hangs from (the benefit whose
shares are summed, the organisation whose dependencies may not loop), taken *before* the rule
is checked, makes every such writer wait for the one before it to commit; each statement after
the lock reads what the earlier writers committed.

On SQLite a write transaction begins ``IMMEDIATE`` (``pmo_graph.db.session``): it holds the
whole database's write lock from its first statement, so writers already take turns and these
helpers run the same code without a lock clause (SQLAlchemy leaves ``FOR …`` out there).

Deadlocks are avoided by order: rows first (in ascending id when several), the organisation
last. The audit chain locks the organisation just before every commit, so the organisation is
always the last lock a transaction takes.
"""

from __future__ import annotations

import enum
from typing import TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from pmo_graph.db.base import Base
from pmo_graph.organisations.models import Organisation

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
    statement = (
        select(model)
        .where(model.__mapper__.primary_key[0] == pk)  # type: ignore[attr-defined]
        .execution_options(populate_existing=True)
    )
    if lock is Lock.WRITE:
        statement = statement.with_for_update(key_share=True)
    else:
        statement = statement.with_for_update(read=True)
    row: M | None = await session.scalar(statement)
    return row


#: The organisation's row lock (``FOR NO KEY UPDATE``), built once so that its compiled form is
#: kept: ``lock_organisation`` and the audit chain take it.
ORGANISATION_LOCK = (
    select(Organisation.id)
    .where(Organisation.id == bindparam("organisation"))
    .with_for_update(key_share=True)
)


async def lock_organisation(session: AsyncSession, organisation_id: int) -> None:
    """Lock the organisation's row until the transaction ends: for a rule over the whole
    organisation (its dependency graph, its tiers). Take it after any row lock.

    Costs nothing at the end: the audit chain takes this very lock before every commit. On
    SQLite no statement is run; the write transaction already holds the database's lock.
    """
    if session.get_bind().dialect.name == "sqlite":
        return
    await session.execute(ORGANISATION_LOCK, {"organisation": organisation_id})
