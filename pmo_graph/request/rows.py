"""``Transaction.rows``: a write body's loads and inserts without the ORM's unit of work.

A body that only reads a few rows and inserts new ones needs none of the session's identity map,
change tracking or flush. ``tx.rows`` runs those statements as Core statements compiled once; on
PostgreSQL they run on the driver's connection (``pmo_graph.db.driver``) in the write's own
transaction, which is what took a mutation's CPU (docs/performance.md, "Mutations: the
statements on the driver"). Elsewhere (SQLite, a pooler in transaction mode) the same calls go
through the session, with the same answers.

What comes back is an instance of the model with every column loaded, not in any session
(detached): read it, pass it to the payload, give its ids to ``tx.audit`` and ``tx.emit``.
To change a row, load it through ``tx.session`` instead; a body may use both.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import Executable, Select, bindparam, insert, inspect, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.session import make_transient_to_detached

from pmo_graph.db.driver import Driver, DriverStatement, driver_of

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from pmo_graph.request.context import Context


class Writing(Protocol):
    """What ``Rows`` needs of its transaction (``Transaction``, which holds the rows)."""

    @property
    def context(self) -> Context: ...

    @property
    def session(self) -> AsyncSession: ...

    @property
    def organisation_id(self) -> int: ...


M = TypeVar("M")

#: Statements compiled per process: a handful per model, plus the bodies' own ``select``s.
MAX_STATEMENTS = 512

_compiled: OrderedDict[tuple[Any, ...], DriverStatement] = OrderedDict()


def _statement(key: tuple[Any, ...], build: Any, dialect: Dialect) -> DriverStatement:
    found = _compiled.get(key)
    if found is None:
        found = _compiled[key] = DriverStatement(build(), dialect)
        if len(_compiled) > MAX_STATEMENTS:
            _compiled.popitem(last=False)
    else:
        _compiled.move_to_end(key)
    return found


def _detached(model: type[M], mapper: Mapper[Any], values: Mapping[str, Any]) -> M:
    """An instance of ``model`` holding the row ``values`` (by column key), as if loaded by a
    session since closed."""
    instance = mapper.class_manager.new_instance()
    for column in mapper.columns:
        prop = mapper.get_property_by_column(column)
        set_committed_value(instance, prop.key, values[column.key])
    make_transient_to_detached(instance)
    return instance  # type: ignore[no-any-return]


def _insert_values(mapper: Mapper[Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` by column key, with the Python-side defaults an ORM insert would fill in
    (scalar and callable column defaults, the first version of a versioned row)."""
    by_column: dict[Any, Any] = {}
    for key, value in values.items():
        prop = mapper.attrs[key]
        (column,) = prop.columns  # type: ignore[attr-defined]
        by_column[column.key] = value
    version = mapper.version_id_col
    if version is not None and version.key not in by_column:
        generator = mapper.version_id_generator
        if callable(generator):
            by_column[version.key] = generator(None)
    for column in mapper.local_table.columns:
        if column.key in by_column or column.default is None:
            continue
        default: Any = column.default
        if default.is_scalar:
            by_column[column.key] = default.arg
        elif default.is_callable:
            by_column[column.key] = default.arg(None)
        # a sequence or a SQL expression: the database fills it in
    return by_column


class Rows:
    """A write's Core loads and inserts (``Transaction.rows``)."""

    def __init__(self, transaction: Writing) -> None:
        self._transaction = transaction
        self._driver: Driver | None = None
        self._checked = False

    async def _on_driver(self) -> Driver | None:
        if not self._checked:
            self._checked = True
            settings = self._transaction.context.app.settings
            if settings.database_pooling == "session" and settings.database_statement_cache:
                self._driver = await driver_of(self._transaction.session)
        return self._driver

    async def load(self, model: type[M], pk: int) -> M | None:
        """The row of ``model`` with primary key ``pk`` in the transaction's organisation, or
        None (missing, or another organisation's: the same answer)."""
        mapper: Mapper[Any] = inspect(model)
        driver = await self._on_driver()
        if driver is None:
            row = await self._transaction.session.get(model, pk)
            if row is not None and row.organisation_id != self._transaction.organisation_id:  # type: ignore[attr-defined]
                return None
            return row
        table = mapper.local_table

        def build() -> Select[Any]:
            (key,) = mapper.primary_key
            return select(table).where(key == bindparam("pk"))

        statement = _statement(("load", model), build, driver.dialect)
        found = await statement.first(driver, {"pk": pk})
        if found is None or found["organisation_id"] != self._transaction.organisation_id:
            return None
        return _detached(model, mapper, found)

    async def insert(self, model: type[M], **values: Any) -> M:
        """Insert one row of ``model`` with ``values`` (by attribute name) and answer it as
        the database wrote it: its id, defaults and server values included."""
        mapper: Mapper[Any] = inspect(model)
        driver = await self._on_driver()
        if driver is None:
            instance = model(**values)
            self._transaction.session.add(instance)
            await self._transaction.session.flush()
            return instance
        by_column = _insert_values(mapper, values)
        table: Any = mapper.local_table
        names = tuple(sorted(by_column))

        def build() -> Any:
            return (
                insert(table)
                .values(
                    {table.c[name]: bindparam(name, type_=table.c[name].type) for name in names}
                )
                .returning(*table.c)
            )

        statement = _statement(("insert", model, names), build, driver.dialect)
        row = await statement.first(driver, by_column)
        assert row is not None
        return _detached(model, mapper, row)

    async def first(self, statement: Executable, **values: Any) -> dict[str, Any] | None:
        """The first row of ``statement`` by column key, or None. ``statement`` is built once,
        at module level (a ``select``, or a ``text`` with ``:name`` parameters), and what
        varies is a bound parameter, given in ``values`` by name."""
        driver = await self._on_driver()
        if driver is None:
            row = (await self._transaction.session.execute(statement, values)).first()
            return None if row is None else dict(row._mapping)
        compiled = _statement(("statement", statement), lambda: statement, driver.dialect)
        return await compiled.first(driver, values)

    async def scalar(self, statement: Executable, **values: Any) -> Any:
        """The first column of ``first(statement, **values)``, or None without a row."""
        row = await self.first(statement, **values)
        return None if row is None else next(iter(row.values()))
