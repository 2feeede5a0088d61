"""Row-level security on PostgreSQL: a second wall behind the organisation scope of every query.

Every table with an ``organisation_id`` (the core's and every plugin's) gets a policy that shows
and accepts only the rows of the organisation set on the connection (``pmo.organisation_id``),
and nothing when none is set; ``api_tokens`` and ``users`` are readable before it is set, for the
token lookup that tells who is asking. The server sets it on each pooled connection when a
request's statement checks it out (``scope_connections``), or behind PgBouncer in transaction
mode in each transaction (``scope_transactions``), from the organisation authentication found
(``current_organisation``).

Policies bind only roles that neither own the tables nor are superusers: migrate as the owner,
serve as an application role granted by ``pmo-graph db upgrade`` (``PMO_GRAPH_APP_ROLE``).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import AsyncEngine

POLICY = "pmo_tenant_isolation"
SETTING = "pmo.organisation_id"
#: Read before the organisation is known: the bearer token and its user.
BEFORE_AUTHENTICATION = frozenset({"api_tokens", "users"})
#: The organisation of the request this task serves (None outside a request, or before its token
#: was checked).
current_organisation: ContextVar[int | None] = ContextVar("current_organisation", default=None)

_ORGANISATION = f"nullif(current_setting('{SETTING}', true), '')::bigint"


def tenant_tables(connection: Connection) -> list[str]:
    """The tables of the current schema that have an ``organisation_id`` column."""
    rows = connection.execute(
        text(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'organisation_id' "
            "ORDER BY table_name"
        )
    )
    return [row[0] for row in rows]


def apply(connection: Connection, app_role: str | None) -> None:
    """Enable the policy on every tenant table; grant ``app_role`` what serving needs."""
    for table in tenant_tables(connection):
        rule = f"organisation_id = {_ORGANISATION}"
        if table in BEFORE_AUTHENTICATION:
            # The token lookup (and recording the token's use) happens before the organisation
            # is known.
            rule = f"{_ORGANISATION} IS NULL OR {rule}"
        connection.execute(text(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY'))
        connection.execute(text(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"'))
        connection.execute(
            text(f'CREATE POLICY {POLICY} ON "{table}" USING ({rule}) WITH CHECK ({rule})')
        )
    if app_role:
        role = _identifier(app_role)
        connection.execute(text(f"GRANT USAGE ON SCHEMA {_current_schema(connection)} TO {role}"))
        connection.execute(
            text(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
                f"{_current_schema(connection)} TO {role}"
            )
        )
        connection.execute(
            text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {_current_schema(connection)} TO {role}")
        )
        # The record cannot be changed by the application, whatever its code does.
        connection.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM {role}"))


def scope_connections(engine: AsyncEngine) -> None:
    """Set the request's organisation on every connection a statement checks out.

    The setting stays on the server connection, and the next checkout that wants the same
    organisation spends no round trip on it. That needs a pooled connection to be one server
    connection throughout; behind PgBouncer in transaction mode use
    ``scope_transactions`` instead."""

    @event.listens_for(engine.sync_engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        wanted = current_organisation.get()
        if record.info.get(SETTING, "unset") == wanted:
            return  # this connection already carries it: no round trip
        # Kept, or a rollback of the request's work (or switching the connection to
        # autocommit) would undo the setting while ``record.info`` still claims it.
        keep_setting(
            dbapi_connection,
            "SELECT set_config($1, $2, false)",
            (SETTING, str(wanted or "")),
        )
        record.info[SETTING] = wanted


def keep_setting(dbapi_connection: Any, statement: str, parameters: tuple[Any, ...] = ()) -> None:
    """Run ``statement`` (one that changes a session setting) on a driver connection, and
    commit: the driver runs it in a transaction of its own, which a later rollback on the
    connection would otherwise undo."""
    cursor = dbapi_connection.cursor()
    cursor.execute(statement, parameters)
    cursor.close()
    dbapi_connection.commit()


def scope_transactions(engine: AsyncEngine, schema: str | None = None, jit: bool = True) -> None:
    """Set the request's organisation in every transaction, for that transaction only (and
    ``schema`` as its ``search_path``, and ``jit`` off unless ``jit``: PgBouncer does not pass
    such settings on from the connection).

    PgBouncer in transaction mode hands each transaction to whichever server connection is
    free, so a setting that outlived its transaction would be found by another process's
    transaction, and one made in an earlier transaction might not be there. So before a
    transaction's first statement (and again if the organisation changes within it, as when a
    request's token lookup is followed by its work) this sets it with ``set_config(…, true)``,
    which ends with the transaction. A transaction with no organisation (a token lookup) sets
    it empty, so that it cannot borrow one that a process pooling by session left on the
    server connection. Statements in autocommit would have no transaction to carry it: with
    this scoping, reads do not use autocommit (``AUTOCOMMIT_READS``).
    """

    # One statement sets everything, so that the settings cost no round trip of their own.
    settings_statement = _SET_LOCAL + ("" if jit else _JIT_OFF)
    extra: tuple[str, ...] = ()
    if schema:
        settings_statement += ", set_config('search_path', $3, true)"
        extra = (schema,)

    def forget(conn: Any, *_: Any) -> None:
        conn.info.pop(_IN_TRANSACTION, None)

    event.listen(engine.sync_engine, "begin", forget)
    event.listen(engine.sync_engine, "commit", forget)
    event.listen(engine.sync_engine, "rollback", forget)
    # A rollback to a savepoint undoes a set_config made after it.
    event.listen(engine.sync_engine, "rollback_savepoint", forget)

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def before_statement(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith(_SAVEPOINT_CONTROL):
            return  # a setting made just before ROLLBACK TO SAVEPOINT would be undone by it
        wanted = current_organisation.get()
        if conn.info.get(_IN_TRANSACTION, _UNSET) == wanted:
            return  # set already in this transaction
        # Marked first: this statement passes through here too, and must not set it again.
        conn.info[_IN_TRANSACTION] = wanted
        # On the same connection, in the transaction the statement is about to use, and seen
        # by whatever counts statements.
        conn.exec_driver_sql(settings_statement, (SETTING, str(wanted or ""), *extra))


#: ``Connection.info`` key: the organisation set in the connection's current transaction.
_IN_TRANSACTION = "pmo_graph_organisation_in_transaction"
_UNSET = object()
_SET_LOCAL = "SELECT set_config($1, $2, true)"
_JIT_OFF = ", set_config('jit', 'off', true)"
_SAVEPOINT_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"{name!r} is not a plain role name")
    return f'"{name}"'


def _current_schema(connection: Connection) -> str:
    return _identifier(str(connection.execute(text("SELECT current_schema()")).scalar_one()))
